"""Trigger an event at most once per (event, receiver), as far as a crash allows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from livestream_schemas.envelope import Envelope
from notifier.domain.ports import ChannelPublisher, PublishedEvents


async def publish_once(
    envelope: Envelope,
    receiver: str,
    channels: Sequence[str],
    event: str,
    data: dict[str, Any],
    *,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> None:
    """Check, trigger, then record: a crash between the last two publishes twice, which
    clients absorb by deduplicating on `event_id`; recording first could lose the event."""
    key = f"{envelope.event_id}:{receiver}"
    if await published.seen(key):
        return
    await publisher.trigger(channels, event, data)
    await published.record(key, at=envelope.occurred_at)
