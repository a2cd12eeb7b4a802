from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from goal_service.clock import utcnow
from goal_service.domain.show import FUNDED, show_command
from livestream_schemas.base import Message
from livestream_schemas.goals import SHOW_FUNDING_GOAL, GoalEnded


async def bind_show_goal_to_funding_goal(
    message: GoalEnded, *, start_within_s: float, clock: Callable[[], datetime] = utcnow
) -> list[Message]:
    """A funded goal binds its show: a ShowGoal that must start before its deadline.

    The show's id derives from the funding goal, so a redelivery asks for the same goal
    and create_goal keeps the first one (with its first deadline)."""
    if message.cls != SHOW_FUNDING_GOAL or message.outcome != FUNDED:
        return []
    return [show_command(message, now=clock(), start_within_s=start_within_s)]
