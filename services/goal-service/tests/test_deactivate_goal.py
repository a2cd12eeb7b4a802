from __future__ import annotations

from datetime import timedelta

import pytest

from goal_service.domain.goal import InvalidCommand
from goal_service.handlers.deactivate_goal import deactivate_goal
from livestream_schemas.commands import DeactivateGoal
from livestream_schemas.goals import GoalEnded

from .fakes import GOAL_ID, STREAMER, T0, FakeTasks, envelope_of

TRIGGER = {"_cls": "TriggerExclusiveGoal"}


def command(**filter_: object) -> DeactivateGoal:
    return DeactivateGoal(goal_id=GOAL_ID, filter={"active": True, **filter_}, triggerer="app-1")


async def run(goals, clock, cmd: DeactivateGoal, event_id: str = "evt-1", tasks=None):
    return await deactivate_goal(
        cmd,
        envelope=envelope_of(cmd, event_id),
        goals=goals,
        tasks=tasks if tasks is not None else FakeTasks(),
        settle_window_s=3,
        clock=clock,
    )


async def test_ends_the_owners_goal_and_emits_goal_ended(goals, clock, seed) -> None:
    await seed(**TRIGGER, levels=[{"title": "Show", "target": 3}, {"title": "Encore", "target": 9}])
    clock.advance(60)

    out = await run(goals, clock, command(**{"metadata.user_id": STREAMER}))

    assert len(out) == 1 and isinstance(out[0], GoalEnded)
    event = out[0]
    assert event.active is False and event.triggerer == "app-1"
    assert [level.title for level in event.levels] == ["Show"]
    assert event.exp == T0 + timedelta(seconds=60)  # min(exp, now)
    assert event.version == 2
    assert event.metadata["user_id"] == STREAMER
    stored = goals.docs[GOAL_ID]
    assert stored["active"] is False and stored["ended_by"] == "evt-1"


async def test_an_earlier_expiry_is_kept(goals, clock, seed) -> None:
    await seed(**TRIGGER, exp=T0 + timedelta(seconds=10))
    clock.advance(30)  # the timer fires after exp
    out = await run(goals, clock, command())
    assert out[0].exp == T0 + timedelta(seconds=10)


async def test_a_goal_without_expiry_expires_now(goals, clock, seed) -> None:
    await seed(**TRIGGER, exp=None)
    out = await run(goals, clock, command())
    assert out[0].exp == T0


async def test_someone_elses_goal_is_left_alone(goals, clock, seed) -> None:
    await seed(**TRIGGER)
    out = await run(goals, clock, command(**{"metadata.user_id": "intruder"}))
    assert out == []
    assert goals.docs[GOAL_ID]["active"] is True


async def test_redelivery_repeats_the_same_goal_ended(goals, clock, seed) -> None:
    await seed(**TRIGGER)
    cmd = command()
    first = await run(goals, clock, cmd, "evt-1")
    clock.advance(10)
    again = await run(goals, clock, cmd, "evt-1")
    assert [m.model_dump() for m in again] == [m.model_dump() for m in first]
    assert goals.docs[GOAL_ID]["version"] == 2


async def test_two_different_commands_end_the_goal_once(goals, clock, seed) -> None:
    await seed(**TRIGGER)
    first = await run(goals, clock, command(), "evt-user")
    second = await run(goals, clock, command(), "evt-timer")
    assert len(first) == 1 and second == []
    assert goals.docs[GOAL_ID]["ended_by"] == "evt-user"


async def test_unknown_goal_is_a_no_op(goals, clock) -> None:
    assert await run(goals, clock, command()) == []


async def test_filters_beyond_plain_equality_on_known_fields_are_refused(
    goals, clock, seed
) -> None:
    await seed(**TRIGGER)
    with pytest.raises(InvalidCommand):
        await run(goals, clock, command(**{"$where": "1"}))
    with pytest.raises(InvalidCommand):
        await run(goals, clock, command(**{"metadata.user_id": {"$ne": "x"}}))
    assert goals.docs[GOAL_ID]["active"] is True


async def test_a_funding_goal_stops_selling_and_is_decided_after_its_settle_window(
    goals, clock, seed
) -> None:
    await seed()
    tasks = FakeTasks()
    assert await run(goals, clock, command(), tasks=tasks) == []  # goal.ended comes later
    stored = goals.docs[GOAL_ID]
    assert stored["active"] is False and stored["closing"] is True
    (task,) = tasks.docs.values()
    assert task["kind"] == "close_funding_goal" and task["goal_id"] == GOAL_ID
    assert task["due_at"] == T0 + timedelta(seconds=3)


async def test_a_redelivered_funding_end_schedules_its_decision_once(goals, clock, seed) -> None:
    await seed()
    tasks = FakeTasks()
    await run(goals, clock, command(), tasks=tasks)
    clock.advance(10)
    assert await run(goals, clock, command(), tasks=tasks) == []
    assert len(tasks.docs) == 1 and goals.docs[GOAL_ID]["version"] == 2


async def test_the_commanded_outcome_is_kept(goals, clock, seed) -> None:
    await seed(**TRIGGER)
    cmd = command().model_copy(update={"outcome": "session_ended"})
    (event,) = await run(goals, clock, cmd)
    assert event.outcome == "session_ended"


async def test_the_timer_ends_a_request_as_expired(goals, clock, seed) -> None:
    await seed(**TRIGGER)
    cmd = DeactivateGoal(goal_id=GOAL_ID, filter={"active": True}, triggerer="system")
    (event,) = await run(goals, clock, cmd)
    assert event.outcome == "expired" and goals.docs[GOAL_ID]["outcome"] == "expired"
