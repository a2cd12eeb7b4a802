from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from goal_service.clock import utcnow
from goal_service.domain.goal import created_event, new_goal
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import CreateGoal


async def create_goal(
    message: CreateGoal, *, goals: GoalRepository, clock: Callable[[], datetime] = utcnow
) -> list[Message]:
    """Insert the goal once; a redelivery re-announces the stored goal, unchanged."""
    stored = await goals.insert_if_absent(new_goal(message, now=clock()))
    return [created_event(stored)]
