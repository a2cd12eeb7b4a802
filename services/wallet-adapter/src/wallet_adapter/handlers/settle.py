from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.commands import Settle
from wallet_adapter.domain.guard import check_settle
from wallet_adapter.handlers._settle_hold import refused
from wallet_adapter.ports import WalletApi


async def settle(message: Settle, *, wallet: WalletApi, max_amount: int) -> list[Message]:
    """Split an escrow hold: `release_amount` to its beneficiary, the rest back to the payer,
    in one wallet settlement keyed by the settlement id (a repeat moves nothing). Only holds
    our services created are split (domain/guard.py)."""
    check_settle(message, max_amount=max_amount)
    reply = await wallet.split(
        message.transaction_id, message.wallet_settlement_id, message.release_amount
    )
    return refused(message.transaction_id, "settle", reply)
