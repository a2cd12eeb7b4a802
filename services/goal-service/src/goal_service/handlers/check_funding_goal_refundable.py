from __future__ import annotations

from goal_service.domain.show import REFUND, funding_settlement
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import Refund


async def check_funding_goal_refundable(goal_id: str, *, goals: GoalRepository) -> list[Message]:
    """Refund every counted ticket hold of a decided funding goal that bought no show.

    Reads the stored goal rather than the event: its counted holds are final once it is
    decided (late debits are refunded on their own), and the wallet refunds each transaction id
    at most once, so running this again is harmless.
    """
    goal = await goals.get(goal_id)
    if funding_settlement(goal, None) != REFUND:
        return []
    reason = (
        "funding_missed" if (goal or {}).get("outcome") in (None, "failed") else "session_ended"
    )
    return [
        Refund(transaction_id=insert_id, reason=reason)
        async for insert_id, _, _ in goals.counted_holds(goal_id)
    ]
