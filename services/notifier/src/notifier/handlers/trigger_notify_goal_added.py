from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import GoalAdded
from notifier.domain.channels import streamer_channels
from notifier.domain.payloads import event_payload, streamer_of
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._publish_once import publish_once


async def trigger_notify_goal_added(
    message: GoalAdded,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """goal.added -> `goal.added` on the streamer's three channels."""
    data = event_payload(
        message,
        event_id=envelope.event_id,
        occurred_at=envelope.occurred_at,
        session_id=message.session_id,
        streamer_id=message.streamer_id,
    )
    channels = streamer_channels(streamer_of(message))
    await publish_once(
        envelope,
        "trigger_notify_goal_added",
        channels,
        "goal.added",
        data,
        publisher=publisher,
        published=published,
    )
    return []
