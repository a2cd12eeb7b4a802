from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.wallet import UserUpdated
from wallet_adapter.ports import UserReadModel, WalletUser


async def update_wallet_read_model(
    message: UserUpdated, *, envelope: Envelope, users: UserReadModel
) -> list[Message]:
    """Keep each user's wallet id and profile, to resolve transfers and label balance events."""
    await users.save(WalletUser.from_event(message), as_of=envelope.occurred_at)
    return []
