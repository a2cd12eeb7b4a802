from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import SHOW_GOAL, GoalStarted
from notifier.domain.channels import streamer_channels
from notifier.domain.payloads import event_payload, streamer_of
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._publish_once import publish_once


async def notify_show_started(
    message: GoalStarted,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """The streamer started a funded show -> `show.started` on the stream channels."""
    if message.cls != SHOW_GOAL:
        return []
    data = event_payload(message, event_id=envelope.event_id, occurred_at=envelope.occurred_at)
    await publish_once(
        envelope,
        "notify_show_started",
        streamer_channels(streamer_of(message)),
        "show.started",
        data,
        publisher=publisher,
        published=published,
    )
    return []
