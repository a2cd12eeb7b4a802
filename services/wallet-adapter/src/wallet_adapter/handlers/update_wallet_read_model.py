from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.wallet import UserUpdated
from wallet_adapter.ports import UserReadModel, WalletUser


async def update_wallet_read_model(
    message: UserUpdated, *, envelope: Envelope, users: UserReadModel
) -> list[Message]:
    """Keep each user's wallet id and profile, to resolve transfers and label balance events."""
    await users.save(
        WalletUser(
            user_id=message.user_id,
            wallet_id=message.wallet_id,
            username=message.username,
            tags=tuple(message.tags),
            tagsv2=dict(message.tagsv2),
            level=message.level,
        ),
        as_of=envelope.occurred_at,
    )
    return []
