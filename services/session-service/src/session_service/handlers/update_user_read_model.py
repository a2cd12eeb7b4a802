from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.wallet import UserUpdated
from service_kit.mongo import micros
from session_service.ports import UserProfile, UserReadModel


async def update_user_read_model(
    message: UserUpdated, *, envelope: Envelope, users: UserReadModel
) -> list[Message]:
    """Keep the latest profile per user (tags for blocking, wallet ids for payments)."""
    # The event's time orders updates; a redelivery compares equal and changes nothing.
    await users.save_if_newer(UserProfile.from_event(message), micros(envelope.occurred_at))
    return []
