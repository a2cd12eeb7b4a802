from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.commands import Release
from wallet_adapter.domain.guard import check_hold_id
from wallet_adapter.handlers._settle_hold import settle_hold, settle_holds
from wallet_adapter.ports import WalletApi


async def release(message: Release, *, wallet: WalletApi) -> list[Message]:
    """Pay an escrow hold on to its beneficiary (wallet transaction `release:{transaction_id}`)."""
    check_hold_id(message.transaction_id)
    return await settle_hold(message.transaction_id, "release", wallet=wallet)


release_many = settle_holds("release")
