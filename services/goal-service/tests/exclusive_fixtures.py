"""A paid exclusive request as goal-service stores it, for the accept and settle tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from goal_service.domain.contributions import Contribution
from goal_service.domain.exclusive import exclusive_goal_id
from goal_service.domain.goal import new_goal
from goal_service.handlers.accept_exclusive_goal import accept_exclusive_goal
from goal_service.handlers.create_goal import create_goal
from goal_service.handlers.deactivate_goal import deactivate_goal
from goal_service.usecases.contributions import count_contributions
from livestream_schemas.commands import AcceptExclusiveGoal, DeactivateGoal

from .fakes import (
    GOAL_ID,
    SESSION_ID,
    STREAMER,
    T0,
    VIEWER,
    Clock,
    FakeGoals,
    FakeTasks,
    create_command,
    envelope_of,
)

HOLD = f"session:trigger-exclusive:{GOAL_ID}"
AMOUNT = 500
SESSION_GOAL = exclusive_goal_id(GOAL_ID)


async def paid_request(
    goals: FakeGoals, *, paid: bool = True, duration: int = 300, exp_in: float = 60
) -> dict[str, Any]:
    command = create_command(
        _cls="TriggerExclusiveGoal",
        exp=T0 + timedelta(seconds=exp_in),
        levels=[],
        context={"type": "trigger-exclusive", "exclusive_to": VIEWER},
        conditions={"session_id": SESSION_ID, "exclusive_to": VIEWER},
        metadata={"user_id": STREAMER, "prepaid_duration": duration},
    )
    await goals.insert_if_absent(new_goal(command, now=T0))
    if paid:
        await count_contributions(GOAL_ID, [Contribution(HOLD, VIEWER, 1, AMOUNT)], goals=goals)
    return goals.docs[GOAL_ID]


async def end_goal(goals: FakeGoals, clock: Clock, command: DeactivateGoal, event_id: str) -> list:  # type: ignore[type-arg]
    """deactivate_goal as the worker runs it (no funding goal here, so no settle window)."""
    return await deactivate_goal(
        command,
        envelope=envelope_of(command, event_id),
        goals=goals,
        tasks=FakeTasks(),
        settle_window_s=0,
        clock=clock,
    )


async def running_session(goals, clock, duration: int = 300) -> None:  # type: ignore[no-untyped-def]
    """A paid request of `duration` s accepted at T0: its ExclusiveGoal is running."""
    await paid_request(goals, duration=duration)
    accept = AcceptExclusiveGoal(goal_id=GOAL_ID, triggerer="app-1")
    _, start = await accept_exclusive_goal(
        accept, envelope=envelope_of(accept), goals=goals, clock=clock
    )
    await create_goal(start, goals=goals, clock=clock)  # type: ignore[arg-type]


async def end_after(goals, clock, seconds: float, triggerer: str = "viewer-1"):  # type: ignore[no-untyped-def]
    clock.advance(seconds)
    end = DeactivateGoal(goal_id=SESSION_GOAL, filter={"active": True}, triggerer=triggerer)
    (ended,) = await end_goal(goals, clock, end, "evt-end")
    return ended
