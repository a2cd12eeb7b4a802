from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.commands import Transfer
from livestream_schemas.tags import escrow_tag, parse_swag_tag
from livestream_schemas.wallet import TransactionFailed
from wallet_adapter.domain.guard import check_transfer
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
    check_transfer(message, max_amount=max_amount)
    try:
        order = await wallet_transfer(message, users)
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


async def wallet_transfer(message: Transfer, users: UserReadModel) -> WalletTransfer:
    """Resolve wallet ids; an escrow transfer gets the beneficiary's escrow tag."""
    payer = await _user(users, message.from_user_id)
    tags = list(message.tags)
    to_wallet = None
    if message.to_user_id is not None:
        to_wallet = (await _user(users, message.to_user_id)).wallet_id
    elif message.escrow_user_id and not any(t.startswith("escrow::") for t in tags):
        beneficiary = await _user(users, message.escrow_user_id)
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


async def _user(users: UserReadModel, user_id: str) -> WalletUser:
    user = await users.by_user_id(user_id)
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
