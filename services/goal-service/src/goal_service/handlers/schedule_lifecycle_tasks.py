"""Run lifecycle commands when they fall due: a due-task store plus a timer (SPEC §7).

Faust cannot delay a message, so goal.created records a task in MongoDB and every
worker's timer claims due tasks with a lease. A claim that dies before finishing
is picked up again once its lease lapses; publishing the command twice is harmless
because every goal command only changes a goal still in the state it expects.
Tasks: `deactivate_goal` at a goal's expiry (a ShowGoal's: its start deadline) and
`close_funding_goal` when a funding goal's settle window is over.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from goal_service.clock import utcnow
from goal_service.domain.goal import utc_ms
from goal_service.ports import EndedSessions, TaskRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import CloseFundingGoal, DeactivateGoal
from livestream_schemas.goals import SHOW_GOAL, GoalCreated

_TASK_EVENTS = uuid.UUID("1b0e6a55-8f7c-4a51-a0d4-5f1f0a3c9e27")
SESSION_ENDED = "session_ended"

Publish = Callable[..., Awaitable[Any]]


def task_id_for(goal_id: str) -> str:
    return f"deactivate:{goal_id}"


def close_task_id(goal_id: str) -> str:
    return f"close:{goal_id}"


def task_event_id(task_id: str) -> str:
    """One event id per task, so a re-run after a crash sends the very same command."""
    return uuid.uuid5(_TASK_EVENTS, task_id).hex


async def schedule_lifecycle_tasks(
    message: GoalCreated, *, tasks: TaskRepository, ended_sessions: EndedSessions
) -> list[Message]:
    if not message.active:
        return []
    session_id = message.conditions.get("session_id")
    if session_id and await ended_sessions.is_ended(str(session_id)):
        # Created after its session ended (e.g. a show bound just after): none outlives it.
        return [
            DeactivateGoal(
                goal_id=message.goal_id,
                filter={"active": True},
                triggerer="system",
                outcome=SESSION_ENDED,
            )
        ]
    if message.exp is None:
        return []
    # A show's expiry is its start deadline: once started, the timer leaves it alone.
    only = {"active": True, "started": False} if message.cls == SHOW_GOAL else None
    await tasks.schedule(
        task_id_for(message.goal_id), goal_id=message.goal_id, due_at=message.exp, filter=only
    )
    return []


def command_for(task: dict[str, Any]) -> Message:
    if task.get("kind") == "close_funding_goal":
        return CloseFundingGoal(goal_id=task["goal_id"])
    return DeactivateGoal(
        goal_id=task["goal_id"], filter=task.get("filter") or {"active": True}, triggerer="system"
    )


async def run_due_tasks(
    *,
    tasks: TaskRepository,
    publish: Publish,
    lease_s: float,
    clock: Callable[[], datetime] = utcnow,
    batch: int = 100,
) -> int:
    """Claim and run due tasks (up to `batch` per tick); returns how many completed."""
    done = 0
    for _ in range(batch):
        now = clock()
        lease_until = utc_ms(now + timedelta(seconds=lease_s))
        task = await tasks.claim_due(now=now, lease_until=lease_until)
        if task is None:
            break
        await publish(command_for(task), event_id=task_event_id(task["_id"]))
        if await tasks.complete(task["_id"], lease_until=lease_until, now=clock()):
            done += 1
    return done
