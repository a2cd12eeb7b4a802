from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from goal_service.clock import utcnow
from goal_service.domain.goal import check_filter, ended_event
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import DeactivateGoal
from livestream_schemas.envelope import Envelope


async def deactivate_goal(
    message: DeactivateGoal,
    *,
    envelope: Envelope,
    goals: GoalRepository,
    clock: Callable[[], datetime] = utcnow,
) -> list[Message]:
    """End the goal if it still matches the command's filter (SPEC §3 step 2)."""
    extra = check_filter(message.filter)
    ended = await goals.end(
        message.goal_id,
        extra,
        now=clock(),
        triggerer=message.triggerer,
        ended_by=envelope.event_id,
    )
    if ended is None:
        # Already ended: by another command (nothing to say), or by this very command
        # before a crash lost its goal.ended (say it again, rebuilt from the goal).
        stored = await goals.get(message.goal_id)
        if stored is None or stored.get("ended_by") != envelope.event_id:
            return []
        ended = stored
    return [ended_event(ended)]
