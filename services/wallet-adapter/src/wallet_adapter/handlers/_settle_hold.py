"""What `refund`, `release` and `settle` share: settle one escrow hold, once, by its
transaction id, and report a refusal as transaction.failed."""

from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.wallet import TransactionFailed
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
