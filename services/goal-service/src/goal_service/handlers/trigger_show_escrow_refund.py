from __future__ import annotations

from goal_service.handlers.check_funding_goal_refundable import check_funding_goal_refundable
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.goals import SHOW_FUNDING_GOAL, GoalEnded


async def trigger_show_escrow_refund(message: GoalEnded, *, goals: GoalRepository) -> list[Message]:
    """A funded show keeps its escrow for the show; a missed one refunds every ticket."""
    if message.cls != SHOW_FUNDING_GOAL or message.outcome == "funded":
        return []
    return await check_funding_goal_refundable(message.goal_id, goals=goals)
