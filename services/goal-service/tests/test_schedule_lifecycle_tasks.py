from __future__ import annotations

from datetime import timedelta

import pytest

from goal_service.domain.goal import created_event, new_goal
from goal_service.handlers.deactivate_goal import deactivate_goal
from goal_service.handlers.schedule_lifecycle_tasks import (
    run_due_tasks,
    schedule_lifecycle_tasks,
    task_event_id,
)
from livestream_schemas.commands import CloseFundingGoal, DeactivateGoal

from .fakes import (
    GOAL_ID,
    SESSION_ID,
    T0,
    FakeEndedSessions,
    FakeTasks,
    create_command,
    envelope_of,
)

TASK = f"deactivate:{GOAL_ID}"


def goal_created(**overrides):
    return created_event(new_goal(create_command(**overrides), now=T0))


async def test_a_goal_with_expiry_gets_a_due_task(tasks) -> None:
    assert (
        await schedule_lifecycle_tasks(
            goal_created(), tasks=tasks, ended_sessions=FakeEndedSessions()
        )
        == []
    )
    task = tasks.docs[TASK]
    assert task["goal_id"] == GOAL_ID and task["status"] == "pending"
    assert task["due_at"] == T0 + timedelta(hours=1)


async def test_a_goal_without_expiry_gets_none(tasks) -> None:
    await schedule_lifecycle_tasks(
        goal_created(exp=None), tasks=tasks, ended_sessions=FakeEndedSessions()
    )
    assert tasks.docs == {}


async def test_redelivery_neither_duplicates_nor_revives_a_task(tasks) -> None:
    event = goal_created()
    await schedule_lifecycle_tasks(event, tasks=tasks, ended_sessions=FakeEndedSessions())
    tasks.docs[TASK]["status"] = "done"
    await schedule_lifecycle_tasks(event, tasks=tasks, ended_sessions=FakeEndedSessions())
    assert list(tasks.docs) == [TASK] and tasks.docs[TASK]["status"] == "done"


async def test_the_timer_sends_deactivate_goal_once_it_is_due(tasks, publisher, clock) -> None:
    await schedule_lifecycle_tasks(goal_created(), tasks=tasks, ended_sessions=FakeEndedSessions())
    run = dict(tasks=tasks, publish=publisher.publish, lease_s=30, clock=clock)

    clock.advance(3599)
    assert await run_due_tasks(**run) == 0 and publisher.sent == []

    clock.advance(1)
    assert await run_due_tasks(**run) == 1
    assert publisher.sent == [
        (
            DeactivateGoal(goal_id=GOAL_ID, filter={"active": True}, triggerer="system"),
            task_event_id(TASK),
        )
    ]
    assert tasks.docs[TASK]["status"] == "done"
    clock.advance(100)
    assert await run_due_tasks(**run) == 0 and len(publisher.sent) == 1


async def test_a_claim_that_crashed_is_retried_after_its_lease(tasks, publisher, clock) -> None:
    await schedule_lifecycle_tasks(goal_created(), tasks=tasks, ended_sessions=FakeEndedSessions())
    clock.advance(3600)
    publisher.fail = True
    run = dict(tasks=tasks, publish=publisher.publish, lease_s=30, clock=clock)
    with pytest.raises(ConnectionError):  # the worker died between claim and publish
        await run_due_tasks(**run)
    publisher.fail = False

    clock.advance(10)  # another worker's tick, inside the lease: hands off
    assert await run_due_tasks(**run) == 0
    clock.advance(21)
    assert await run_due_tasks(**run) == 1
    assert [event_id for _, event_id in publisher.sent] == [task_event_id(TASK)]
    assert tasks.docs[TASK]["attempts"] == 2


async def test_a_command_sent_twice_still_ends_the_goal_once(goals, clock, seed) -> None:
    # A re-run after a crash publishes the same command (same event id) again.
    await seed(_cls="TriggerExclusiveGoal")
    command = DeactivateGoal(goal_id=GOAL_ID, filter={"active": True}, triggerer="system")
    envelope = envelope_of(command, task_event_id(TASK))
    deps = dict(envelope=envelope, goals=goals, tasks=FakeTasks(), settle_window_s=3, clock=clock)
    first = await deactivate_goal(command, **deps)
    again = await deactivate_goal(command, **deps)
    assert first == again and first[0].triggerer == "system"
    assert goals.docs[GOAL_ID]["version"] == 2


async def test_a_show_gets_its_start_deadline_and_the_timer_spares_a_started_show(
    tasks, publisher, clock
) -> None:
    show = goal_created(_cls="ShowGoal", conditions={"session_id": SESSION_ID, "funding_goal": "f"})
    await schedule_lifecycle_tasks(show, tasks=tasks, ended_sessions=FakeEndedSessions())
    clock.advance(3600)
    await run_due_tasks(tasks=tasks, publish=publisher.publish, lease_s=30, clock=clock)
    ((sent, _),) = publisher.sent
    assert sent.filter == {"active": True, "started": False}


async def test_a_goal_created_on_an_ended_session_is_ended_at_once(tasks) -> None:
    ended = FakeEndedSessions(SESSION_ID)
    out = await schedule_lifecycle_tasks(goal_created(), tasks=tasks, ended_sessions=ended)
    assert [(m.goal_id, m.outcome) for m in out] == [(GOAL_ID, "session_ended")]
    assert tasks.docs == {}


async def test_the_timer_decides_a_funding_goal_whose_settle_window_is_over(
    tasks, publisher, clock
) -> None:
    await tasks.schedule("close:x", goal_id=GOAL_ID, due_at=T0, kind="close_funding_goal")
    assert await run_due_tasks(tasks=tasks, publish=publisher.publish, lease_s=30, clock=clock) == 1
    assert publisher.messages() == [CloseFundingGoal(goal_id=GOAL_ID)]
