from __future__ import annotations

from collections.abc import Mapping

from livestream_schemas.base import Message
from livestream_schemas.commands import Transfer
from livestream_schemas.tags import escrow_tag, parse_swag_tag
from livestream_schemas.wallet import TransactionFailed
from wallet_adapter.domain.guard import check_transfer
from wallet_adapter.handlers._side_by_side import side_by_side
from wallet_adapter.handlers._uncertain import taken_or_raise
from wallet_adapter.ports import (
    UnknownUser,
    UserReadModel,
    WalletApi,
    WalletTransfer,
    WalletUnavailable,
    WalletUser,
)

# The wallet's refusals, as transaction.failed reasons.
REASONS = {402: "insufficient_funds", 404: "unknown_wallet", 409: "conflict"}


async def transfer(
    message: Transfer, *, wallet: WalletApi, users: UserReadModel, max_amount: int
) -> list[Message]:
    """Ask the wallet to move the coins; only a refusal is reported here (success comes back
    as the wallet's callback). A command no producer of ours sends is refused outright."""
    (out,) = await transfer_many(
        [message], wallet=wallet, users=users, max_amount=max_amount, concurrency=1
    )
    return out


async def transfer_many(
    messages: list[Transfer],
    *,
    wallet: WalletApi,
    users: UserReadModel,
    max_amount: int,
    concurrency: int,
) -> list[list[Message]]:
    """The same receiver for consecutive commands: the users read once for all of them, and
    transfers of different payers sent to the wallet side by side (each transfer waits for
    its answer; one wallet call at a time was the worker's whole cycle). Two commands of one
    payer or one transaction id still go one after the other, in order."""
    for message in messages:
        check_transfer(message, max_amount=max_amount)
    known = await users.by_user_ids(sorted({uid for m in messages for uid in _user_ids(m)}))

    async def one(message: Transfer) -> list[Message]:
        return await _send(message, wallet, known)

    return await side_by_side(messages, _aggregates, one, limit=concurrency)


# The dispatcher derives event ids from the receiver's name: both forms are this receiver.
transfer_many.receiver_name = "transfer"  # type: ignore[attr-defined]


async def _send(
    message: Transfer, wallet: WalletApi, known: Mapping[str, WalletUser]
) -> list[Message]:
    try:
        order = wallet_transfer(message, known)
    except UnknownUser as exc:
        return [failed(message, "unknown_wallet", str(exc), message.tags)]
    try:
        reply = await wallet.transfer(order)
    except WalletUnavailable:
        await taken_or_raise(wallet, order.transaction_id)
        return []
    if reply.ok:
        return []
    reason = REASONS.get(reply.status, "rejected")
    return [failed(message, reason, reply.detail or reply.reason, list(order.tags))]


def _aggregates(message: Transfer) -> tuple[str, str]:
    return (f"transaction:{message.transaction_id}", f"payer:{message.from_user_id}")


def _user_ids(message: Transfer) -> list[str]:
    named = (message.from_user_id, message.to_user_id, message.escrow_user_id)
    return [uid for uid in named if uid]


def wallet_transfer(message: Transfer, known: Mapping[str, WalletUser]) -> WalletTransfer:
    """Resolve wallet ids; an escrow transfer gets the beneficiary's escrow tag."""
    payer = _user(known, message.from_user_id)
    tags = list(message.tags)
    to_wallet = None
    if message.to_user_id is not None:
        to_wallet = _user(known, message.to_user_id).wallet_id
    elif message.escrow_user_id and not any(t.startswith("escrow::") for t in tags):
        beneficiary = _user(known, message.escrow_user_id)
        tags.append(escrow_tag(beneficiary.wallet_id, _swag(tags)))
    return WalletTransfer(
        transaction_id=message.transaction_id,
        from_wallet=payer.wallet_id,
        to_wallet=to_wallet,
        amount=message.amount,
        tags=tuple(tags),
        forced=message.forced,
        timestamp=message.timestamp,
    )


def _user(known: Mapping[str, WalletUser], user_id: str) -> WalletUser:
    user = known.get(user_id)
    if user is None:
        raise UnknownUser(f"no wallet known for user {user_id}")
    return user


def _swag(tags: list[str]) -> str:
    """The swag tag the escrow tag wraps: a well-formed one first, else any `swag::` tag."""
    loose = next((t for t in tags if t.startswith("swag::")), "")
    return next((t for t in tags if parse_swag_tag(t)), loose)


def failed(message: Transfer, reason: str, detail: str, tags: list[str]) -> TransactionFailed:
    return TransactionFailed(
        transaction_id=message.transaction_id,
        kind="transfer",
        reason=reason,
        detail=detail,
        from_user_id=message.from_user_id,
        to_user_id=message.to_user_id,
        amount=message.amount,
        tags=tags,
    )
