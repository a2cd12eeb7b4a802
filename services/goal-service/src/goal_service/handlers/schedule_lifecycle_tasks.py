"""Run deactivate_goal at a goal's expiry: a due-task store plus a timer (SPEC §7).

Faust cannot delay a message, so goal.created records a task in MongoDB and every
worker's timer claims due tasks with a lease. A claim that dies before finishing
is picked up again once its lease lapses; publishing the command twice is harmless
because deactivate_goal only ends a goal that is still active.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from goal_service.clock import utcnow
from goal_service.domain.goal import utc_ms
from goal_service.ports import TaskRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import DeactivateGoal
from livestream_schemas.goals import GoalCreated

_TASK_EVENTS = uuid.UUID("1b0e6a55-8f7c-4a51-a0d4-5f1f0a3c9e27")

Publish = Callable[..., Awaitable[Any]]


def task_id_for(goal_id: str) -> str:
    return f"deactivate:{goal_id}"


def task_event_id(task_id: str) -> str:
    """One event id per task, so a re-run after a crash sends the very same command."""
    return uuid.uuid5(_TASK_EVENTS, task_id).hex


async def schedule_lifecycle_tasks(message: GoalCreated, *, tasks: TaskRepository) -> list[Message]:
    if message.exp is None or not message.active:
        return []
    await tasks.schedule(task_id_for(message.goal_id), goal_id=message.goal_id, due_at=message.exp)
    return []


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
        command = DeactivateGoal(
            goal_id=task["goal_id"], filter={"active": True}, triggerer="system"
        )
        await publish(command, event_id=task_event_id(task["_id"]))
        if await tasks.complete(task["_id"], lease_until=lease_until, now=clock()):
            done += 1
    return done
