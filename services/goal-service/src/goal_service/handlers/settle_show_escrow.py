from __future__ import annotations

from goal_service.domain.show import RELEASE, funding_settlement
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import Refund, Release
from livestream_schemas.goals import SHOW_GOAL, GoalEnded


async def settle_show_escrow(message: GoalEnded, *, goals: GoalRepository) -> list[Message]:
    """The show is over: its funding holds go to the streamer (ended) or back (otherwise).

    Reads both stored goals, not the event, and the wallet settles each transaction id at
    most once, so running this again is harmless."""
    if message.cls != SHOW_GOAL:
        return []
    funding_id = str(message.conditions.get("funding_goal") or "")
    funding = await goals.get(funding_id) if funding_id else None
    how = funding_settlement(funding, await goals.get(message.goal_id))
    if how is None:
        return []
    if how == RELEASE:
        return [
            Release(transaction_id=insert_id, reason="show_ended")
            async for insert_id, _, _ in goals.counted_holds(funding_id)
        ]
    reason = f"show_{message.outcome or 'cancelled'}"
    return [
        Refund(transaction_id=insert_id, reason=reason)
        async for insert_id, _, _ in goals.counted_holds(funding_id)
    ]
