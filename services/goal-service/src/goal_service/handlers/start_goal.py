from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from goal_service.clock import utcnow
from goal_service.domain.goal import check_filter, started_event
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import StartGoal
from livestream_schemas.envelope import Envelope


async def start_goal(
    message: StartGoal,
    *,
    envelope: Envelope,
    goals: GoalRepository,
    clock: Callable[[], datetime] = utcnow,
) -> list[Message]:
    """Begin a waiting goal (the streamer starts the show) once; goal.started says so."""
    started = await goals.start(
        message.goal_id,
        check_filter(message.filter),
        now=clock(),
        started_by=envelope.event_id,
    )
    if started is None:
        stored = await goals.get(message.goal_id)
        if stored is None or stored.get("started_by") != envelope.event_id:
            return []
        started = stored  # redelivered after a crash lost the announcement
    return [started_event(started)]
