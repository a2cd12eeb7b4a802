from __future__ import annotations

from collections.abc import Mapping

from livestream_schemas.base import Message
from livestream_schemas.wallet import BalanceDecremented, BalanceIncremented, TransactionCreated
from wallet_adapter.ports import UnknownUser, UserReadModel, WalletUser


async def trigger_user_balance_updated(
    message: TransactionCreated, *, users: UserReadModel
) -> list[Message]:
    """The payer's balance went down, the recipient's (if any) up.

    An unknown wallet raises: the consumer retries (the user.updated may still be on its
    way), then dead-letters, so a balance change is never silently dropped.
    """
    (out,) = await trigger_user_balance_updated_many([message], users=users)
    return out


async def trigger_user_balance_updated_many(
    messages: list[TransactionCreated], *, users: UserReadModel
) -> list[list[Message]]:
    """The same receiver for consecutive transactions: every wallet's owner read at once."""
    wallets = {w for m in messages for w in (m.from_account, m.to_account) if w}
    owners = await users.by_wallet_ids(sorted(wallets))
    return [_balance_events(message, owners) for message in messages]


# The dispatcher derives event ids from the receiver's name: both forms are this receiver.
trigger_user_balance_updated_many.receiver_name = "trigger_user_balance_updated"  # type: ignore[attr-defined]


def _balance_events(message: TransactionCreated, owners: Mapping[str, WalletUser]) -> list[Message]:
    payer = _owner(owners, message.from_account) if message.from_account else None
    recipient = _owner(owners, message.to_account) if message.to_account else None
    events: list[Message] = []
    if payer is not None:
        events.append(
            BalanceDecremented(
                user_id=payer.user_id,
                user_wallet_id=payer.wallet_id,
                amount=message.from_amount,
                timestamp=message.ts,
                transaction_id=message.id,
                tags=list(message.tags),
                metadata={"user": payer.info()},
            )
        )
    if recipient is not None:
        events.append(
            BalanceIncremented(
                user_id=recipient.user_id,
                user_wallet_id=recipient.wallet_id,
                source_user_id=payer.user_id if payer else None,
                source_user_wallet_id=payer.wallet_id if payer else None,
                amount=message.to_amount,
                timestamp=message.ts,
                transaction_id=message.id,
                tags=list(message.tags),
                metadata={"user": recipient.info()},
            )
        )
    return events


def _owner(owners: Mapping[str, WalletUser], wallet_id: str) -> WalletUser:
    user = owners.get(wallet_id)
    if user is None:
        raise UnknownUser(f"no user owns wallet {wallet_id}")
    return user
