from __future__ import annotations

from goal_service.domain.goal import utc_ms
from goal_service.ports import EscrowHolds
from livestream_schemas.base import Message
from livestream_schemas.tags import find_swag
from livestream_schemas.wallet import BalanceChanged, BalanceDecremented

# Tags the wallet adds to a settlement of hold X: `refund::X`, `release::X` (a split
# settlement carries them too, one per money movement).
SETTLEMENT_PREFIXES = ("refund::", "release::", "settle::")


def settled_hold(tags: list[str]) -> tuple[str, str] | None:
    """(hold id, how) when the tags describe a settlement of a hold."""
    for tag in tags:
        for prefix in SETTLEMENT_PREFIXES:
            if tag.startswith(prefix) and len(tag) > len(prefix):
                return tag[len(prefix) :], prefix.rstrip(":")
    return None


async def track_escrow_holds(message: BalanceChanged, *, holds: EscrowHolds) -> list[Message]:
    """Keep the list of open goal holds from the wallet's callbacks (the sweep reads it).

    A debit tagged for a goal with no destination opened a hold; a balance change tagged
    `refund::X`/`release::X` settled hold X. Both writes are idempotent."""
    settled = settled_hold(message.tags)
    if settled is not None:
        hold_id, how = settled
        await holds.settled(hold_id, how=how, at=message.timestamp)
        return []
    swag = find_swag(message.tags)
    if swag is None or not isinstance(message, BalanceDecremented):
        return []
    if not any(tag.startswith("escrow::") for tag in message.tags):
        return []  # a direct payment, not a hold
    await holds.opened(
        {
            "_id": message.transaction_id,
            "goal_id": swag.goal_id,
            "session_id": swag.session_id,
            "kind": swag.kind,
            "payer": message.user_id,
            "amount": message.amount,
            "opened_at": utc_ms(message.timestamp),
        }
    )
    return []
