from __future__ import annotations

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
    payer = await _owner(users, message.from_account) if message.from_account else None
    recipient = await _owner(users, message.to_account) if message.to_account else None
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


async def _owner(users: UserReadModel, wallet_id: str) -> WalletUser:
    user = await users.by_wallet_id(wallet_id)
    if user is None:
        raise UnknownUser(f"no user owns wallet {wallet_id}")
    return user
