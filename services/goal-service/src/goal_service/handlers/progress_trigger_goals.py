from __future__ import annotations

from typing import Any

from goal_service.domain.goal import GoalNotFound
from goal_service.ports import GoalRepository, PurchaseRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import IncrementGoalProgress
from livestream_schemas.tags import SHOW_TICKET, TRIGGER_EXCLUSIVE, find_swag
from livestream_schemas.wallet import BalanceDecremented

# Refunds and releases carry the hold's swag tag too; they must never count as payments.
_SETTLEMENT_PREFIXES = ("refund::", "release::")


async def progress_trigger_goals(
    message: BalanceDecremented, *, goals: GoalRepository, purchases: PurchaseRepository
) -> list[Message]:
    """Turn a debit tagged for a goal into that goal's increment command (no goal writes)."""
    if any(tag.startswith(_SETTLEMENT_PREFIXES) for tag in message.tags):
        return []
    swag = find_swag(message.tags)
    if swag is None:
        return []
    accepted_at = None
    if swag.kind == TRIGGER_EXCLUSIVE:
        amount = 1
    elif swag.kind == SHOW_TICKET:
        purchase = await purchases.find_by_transaction(message.transaction_id)
        amount = await _tickets_paid(message, swag.goal_id, purchase, goals=goals)
        accepted_at = (purchase or {}).get("accepted_at")
    else:
        return []
    return [
        IncrementGoalProgress(
            goal_id=swag.goal_id,
            amount=amount,
            cost=message.amount,
            breakdown_id=message.user_id,
            insert_id=message.transaction_id,
            accepted_at=accepted_at,
        )
    ]


async def _tickets_paid(
    message: BalanceDecremented,
    goal_id: str,
    purchase: dict[str, Any] | None,
    *,
    goals: GoalRepository,
) -> int:
    """Tickets in this payment: from the purchase record, else coins over the ticket price."""
    if purchase is not None:
        return int(purchase["count"])
    goal = await goals.get(goal_id)
    if goal is None:
        raise GoalNotFound(goal_id)
    price = int(goal["metadata"].get("ticket_price") or 0)
    return max(1, message.amount // price) if price > 0 else 1
