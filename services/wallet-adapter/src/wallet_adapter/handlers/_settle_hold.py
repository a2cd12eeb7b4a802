"""What `refund`, `release` and `settle` share: settle one escrow hold, once, by its
transaction id, and report a refusal as transaction.failed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from livestream_schemas.base import Message
from livestream_schemas.commands import Refund, Release, Settle
from livestream_schemas.wallet import TransactionFailed
from wallet_adapter.domain.guard import check_hold_id
from wallet_adapter.handlers._side_by_side import side_by_side
from wallet_adapter.handlers._uncertain import taken_or_raise
from wallet_adapter.ports import WalletApi, WalletReply, WalletUnavailable


class SettlementRefused(Exception):
    """The wallet refused a refund, release or split for a reason no retry changes.

    Raised, so the command is dead-lettered where operators see it; the reconciliation
    sweep re-sends the settlement of the still-open hold later."""


async def settle_hold(transaction_id: str, outcome: str, *, wallet: WalletApi) -> list[Message]:
    """A repeat is answered with the first result by the wallet, so redelivery is harmless.

    A timeout is looked up by the settlement's id: taken, the wallet's callback reports it;
    not taken, WalletUnavailable (transient) makes the consumer wait for the wallet and send
    the same id again, so a refund the wallet never saw is neither reported done nor lost.
    """
    settlement_id = f"{outcome}:{transaction_id}"
    try:
        reply = await wallet.settle(transaction_id, outcome, settlement_id)
    except WalletUnavailable:
        await taken_or_raise(wallet, settlement_id)
        return []
    return refused(transaction_id, outcome, reply)


def settle_holds(outcome: str) -> Callable[..., Awaitable[list[list[Message]]]]:
    """The batched receiver of `outcome` (refund or release): `settle_hold` for each command,
    different holds side by side, one hold's commands in order (an ended goal's refunds)."""

    async def many(
        messages: Sequence[Refund | Release], *, wallet: WalletApi, concurrency: int
    ) -> list[list[Message]]:
        for message in messages:
            check_hold_id(message.transaction_id)

        async def one(message: Refund | Release) -> list[Message]:
            return await settle_hold(message.transaction_id, outcome, wallet=wallet)

        return await side_by_side(messages, hold_of, one, limit=concurrency)

    # The dispatcher derives event ids from the receiver's name: both forms are this receiver.
    many.receiver_name = outcome  # type: ignore[attr-defined]
    many.__name__ = f"{outcome}_many"
    return many


def hold_of(message: Refund | Release | Settle) -> tuple[str]:
    return (message.transaction_id,)


def refused(transaction_id: str, kind: str, reply: WalletReply) -> list[Message]:
    """Nothing for a success; one transaction.failed saying why the wallet refused."""
    if reply.ok:
        return []
    if reply.status == 404:
        # Nothing moves; the goal-service's late-debit rule refunds a debit that lands later.
        reason = "no_hold"
    elif reply.status == 409 and reply.reason in ("hold_settled", "no_beneficiary"):
        reason = reply.reason
    elif reply.status == 409:
        reason = "conflict"
    else:
        raise SettlementRefused(f"{kind} of {transaction_id}: {reply.status} {reply.reason}")
    detail = str(reply.body.get("outcome") or reply.detail or reply.reason)
    return [
        TransactionFailed(transaction_id=transaction_id, kind=kind, reason=reason, detail=detail)
    ]
