from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import GoalProgressed
from notifier.domain.channels import streamer_channels
from notifier.domain.payloads import event_payload, streamer_of
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._publish_once import publish_once


async def notify_goal_progress_updated(
    message: GoalProgressed,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """goal.progressed -> `goal.progress.updated` on the streamer's three channels."""
    data = event_payload(
        message,
        event_id=envelope.event_id,
        occurred_at=envelope.occurred_at,
        amount=message.amount,
        breakdown_id=message.breakdown_id,
    )
    await publish_once(
        envelope,
        "notify_goal_progress_updated",
        streamer_channels(streamer_of(message)),
        "goal.progress.updated",
        data,
        publisher=publisher,
        published=published,
    )
    return []
