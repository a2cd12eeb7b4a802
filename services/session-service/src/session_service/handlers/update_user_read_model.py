from __future__ import annotations

from datetime import UTC, datetime, timedelta

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.wallet import UserUpdated
from session_service.ports import UserProfile, UserReadModel

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def update_user_read_model(
    message: UserUpdated, *, envelope: Envelope, users: UserReadModel
) -> list[Message]:
    """Keep the latest profile per user (tags for blocking, wallet ids for payments)."""
    profile = UserProfile(
        user_id=message.user_id,
        wallet_id=message.wallet_id,
        username=message.username,
        tags=tuple(message.tags),
        tagsv2=dict(message.tagsv2),
        level=message.level,
    )
    # The event's time orders updates; exact integer microseconds so a redelivery
    # compares equal and changes nothing.
    occurred = envelope.occurred_at
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    version = (occurred - _EPOCH) // timedelta(microseconds=1)
    await users.save_if_newer(profile, version)
    return []
