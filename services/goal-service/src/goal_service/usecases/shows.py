"""The streamer starts, ends or cancels a funded show; only commands leave here.

Each route answers the same 202 when retried after its command took effect, 409 when the
show is in a state that does not allow it, 404 when it is not the caller's show."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from goal_service.domain.goal import state
from goal_service.domain.show import CANCELLED, COMPLETED
from goal_service.ports import Doc, GoalRepository
from goal_service.usecases.errors import Rejected
from livestream_schemas.base import Message
from livestream_schemas.commands import DeactivateGoal, StartGoal
from livestream_schemas.goals import SHOW_GOAL
from service_kit.auth import Caller

Publish = Callable[[Message], Awaitable[Any]]


async def _own_show(goal_id: str, caller: Caller, goals: GoalRepository) -> Doc:
    goal = await goals.get(goal_id)
    owner = (goal or {}).get("metadata", {}).get("user_id")
    if goal is None or owner != caller.user_id:
        raise Rejected(404, "goal_not_found", "no goal of yours has this id")
    if goal["_cls"] != SHOW_GOAL:
        raise Rejected(409, "not_a_show", "only a show can be started, ended or cancelled")
    return goal


def _answer(goal: Doc, status: str) -> dict[str, Any]:
    return {"goal_id": goal["_id"], "status": status}


async def start_show(
    goal_id: str, *, caller: Caller, goals: GoalRepository, publish: Publish
) -> dict[str, Any]:
    goal = await _own_show(goal_id, caller, goals)
    if goal.get("started"):
        if goal["active"]:
            return _answer(goal, "starting")  # a retry: it has started
        raise Rejected(409, "show_over", f"the show is {state(goal)}")
    if not goal["active"]:
        raise Rejected(409, "show_over", f"the show is {state(goal)}")
    await publish(
        StartGoal(
            goal_id=goal_id,
            filter={"metadata.user_id": caller.user_id},
            triggerer=caller.client_id or caller.user_id,
        )
    )
    return _answer(goal, "starting")


async def end_show(
    goal_id: str, *, caller: Caller, goals: GoalRepository, publish: Publish
) -> dict[str, Any]:
    """Ending a started show releases every ticket's coins to the streamer."""
    return await _finish(goal_id, caller, goals, publish, COMPLETED, "ending")


async def cancel_show(
    goal_id: str, *, caller: Caller, goals: GoalRepository, publish: Publish
) -> dict[str, Any]:
    """Cancelling a show, started or not, refunds every ticket."""
    return await _finish(goal_id, caller, goals, publish, CANCELLED, "cancelling")


async def _finish(
    goal_id: str,
    caller: Caller,
    goals: GoalRepository,
    publish: Publish,
    outcome: str,
    status: str,
) -> dict[str, Any]:
    goal = await _own_show(goal_id, caller, goals)
    if not goal["active"]:
        if goal.get("outcome") == outcome:
            return _answer(goal, status)  # a retry: it took effect
        raise Rejected(409, "show_over", f"the show is {state(goal)}")
    only: dict[str, Any] = {"active": True, "metadata.user_id": caller.user_id}
    if outcome == COMPLETED:
        if not goal.get("started"):
            raise Rejected(409, "show_not_started", "start the show before ending it")
        only["started"] = True  # a show ended by the timer or a cancel meanwhile stays so
    await publish(
        DeactivateGoal(
            goal_id=goal_id,
            filter=only,
            triggerer=caller.client_id or caller.user_id,
            outcome=outcome,
        )
    )
    return _answer(goal, status)
