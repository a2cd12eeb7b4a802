from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from goal_service.clock import utcnow
from goal_service.domain.goal import check_filter, ended_event, outcome
from goal_service.handlers.schedule_lifecycle_tasks import close_task_id
from goal_service.ports import GoalRepository, TaskRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import DeactivateGoal
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import SHOW_FUNDING_GOAL


async def deactivate_goal(
    message: DeactivateGoal,
    *,
    envelope: Envelope,
    goals: GoalRepository,
    tasks: TaskRepository,
    settle_window_s: float,
    clock: Callable[[], datetime] = utcnow,
) -> list[Message]:
    """End the goal if it still matches the command's filter (SPEC §3 step 2).

    A funding goal stops selling at once but is decided (funded or failed, goal.ended)
    only when its settle window closes, so purchases it accepted before still count.
    """
    extra = check_filter(message.filter)
    stored = await goals.get(message.goal_id)
    if stored is None:
        return []
    closing = stored["_cls"] == SHOW_FUNDING_GOAL
    # A closing funding goal keeps only the asked-for outcome: close_funding_goal decides.
    how = message.outcome
    if not closing and how is None:
        levels = stored.get("levels") or []
        how = outcome(stored["_cls"], stored.get("progress", 0), levels, message.triggerer)
    now = clock()
    ended = await goals.end(
        message.goal_id,
        extra,
        now=now,
        triggerer=message.triggerer,
        ended_by=envelope.event_id,
        outcome=how,
        closing=closing,
    )
    if ended is None:
        # Already ended: by another command (nothing to say), or by this very command
        # before a crash lost what followed (do it again, rebuilt from the goal).
        stored = await goals.get(message.goal_id)
        if stored is None or stored.get("ended_by") != envelope.event_id:
            return []
        ended = stored
    if closing:
        due = (ended.get("ended_at") or now) + timedelta(seconds=settle_window_s)
        await tasks.schedule(
            close_task_id(message.goal_id),
            goal_id=message.goal_id,
            due_at=due,
            kind="close_funding_goal",
        )
        return []
    return [ended_event(ended)]
