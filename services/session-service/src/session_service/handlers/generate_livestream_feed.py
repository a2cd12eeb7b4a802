from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import GoalAdded
from session_service.domain.feed import feed_entry
from session_service.ports import LivestreamFeed


async def generate_livestream_feed(
    message: GoalAdded, *, envelope: Envelope, feed: LivestreamFeed
) -> list[Message]:
    """Append the goal's opening to its session's feed (keyed by the event id: once only)."""
    entry = feed_entry(message, entry_id=envelope.event_id, occurred_at=envelope.occurred_at)
    if entry is not None:
        await feed.append(entry)
    return []
