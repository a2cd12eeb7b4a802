from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.commands import Refund
from wallet_adapter.domain.guard import check_hold_id
from wallet_adapter.handlers._settle_hold import settle_hold, settle_holds
from wallet_adapter.ports import WalletApi


async def refund(message: Refund, *, wallet: WalletApi) -> list[Message]:
    """Return an escrow hold to its payer (wallet transaction `refund:{transaction_id}`)."""
    check_hold_id(message.transaction_id)
    return await settle_hold(message.transaction_id, "refund", wallet=wallet)


refund_many = settle_holds("refund")
