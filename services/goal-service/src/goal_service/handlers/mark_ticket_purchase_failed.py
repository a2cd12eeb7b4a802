from __future__ import annotations

from goal_service.ports import PurchaseRepository
from livestream_schemas.base import Message
from livestream_schemas.tags import SHOW_TICKET, find_swag
from livestream_schemas.wallet import TransactionFailed


async def mark_ticket_purchase_failed(
    message: TransactionFailed, *, purchases: PurchaseRepository
) -> list[Message]:
    """A ticket the wallet would not pay for will never be counted: its goal's settle
    window stops waiting for it."""
    if message.kind != "transfer" or find_swag(message.tags, SHOW_TICKET) is None:
        return []
    await purchases.mark_failed(message.transaction_id)
    return []
