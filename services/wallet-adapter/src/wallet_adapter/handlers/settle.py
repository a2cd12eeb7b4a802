from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.commands import Settle
from wallet_adapter.domain.guard import check_settle
from wallet_adapter.handlers._settle_hold import hold_of, refused
from wallet_adapter.handlers._side_by_side import side_by_side
from wallet_adapter.handlers._uncertain import taken_or_raise
from wallet_adapter.ports import WalletApi, WalletUnavailable


async def settle(message: Settle, *, wallet: WalletApi, max_amount: int) -> list[Message]:
    """Split an escrow hold: `release_amount` to its beneficiary, the rest back to the payer,
    in one wallet settlement keyed by the settlement id (a repeat moves nothing). Only holds
    our services created are split (domain/guard.py)."""
    check_settle(message, max_amount=max_amount)
    settlement_id = message.wallet_settlement_id
    try:
        reply = await wallet.split(message.transaction_id, settlement_id, message.release_amount)
    except WalletUnavailable:
        # The wallet writes both legs before moving a coin and finishes a written one itself,
        # so one leg it knows of means the whole split was taken.
        await taken_or_raise(wallet, split_leg_id(settlement_id, message.release_amount))
        return []
    return refused(message.transaction_id, "settle", reply)


async def settle_many(
    messages: list[Settle], *, wallet: WalletApi, max_amount: int, concurrency: int
) -> list[list[Message]]:
    """The same receiver for consecutive commands: different holds side by side, one hold's
    commands in order."""
    for message in messages:
        check_settle(message, max_amount=max_amount)

    async def one(message: Settle) -> list[Message]:
        return await settle(message, wallet=wallet, max_amount=max_amount)

    return await side_by_side(messages, hold_of, one, limit=concurrency)


# The dispatcher derives event ids from the receiver's name: both forms are this receiver.
settle_many.receiver_name = "settle"  # type: ignore[attr-defined]


def split_leg_id(settlement_id: str, release_amount: int) -> str:
    """The id of a leg every split has: the release leg, or the refund leg when nothing is
    released (the wallet leaves a leg of zero coins out)."""
    return f"{settlement_id}:{'release' if release_amount else 'refund'}"
