from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.wallet import UserUpdated
from notifier.domain.channels import UserProfile
from notifier.domain.ports import Users


async def update_user_read_model(
    message: UserUpdated, *, envelope: Envelope, users: Users
) -> list[Message]:
    """Keep what channel auth needs: blocks (tags) and presence info (username, level)."""
    profile = UserProfile(
        user_id=message.user_id,
        username=message.username,
        level=message.level,
        tags=tuple(message.tags),
    )
    await users.upsert(profile, as_of=envelope.occurred_at)
    return []
