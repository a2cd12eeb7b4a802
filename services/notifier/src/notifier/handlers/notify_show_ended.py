from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import SHOW_GOAL, GoalEnded
from notifier.domain.channels import streamer_channels
from notifier.domain.payloads import event_payload, streamer_of
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._publish_once import publish_once

COMPLETED = "completed"


async def notify_show_ended(
    message: GoalEnded,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """A show is over -> `show.ended` (held: the streamer is paid) or `show.cancelled`
    (cancelled, start deadline missed, session ended: every buyer is refunded and told so
    one by one with `escrow.refunded`) on the stream channels."""
    if message.cls != SHOW_GOAL:
        return []
    event = "show.ended" if message.outcome == COMPLETED else "show.cancelled"
    data = event_payload(
        message,
        event_id=envelope.event_id,
        occurred_at=envelope.occurred_at,
        outcome=message.outcome,
        funding_goal=message.conditions.get("funding_goal"),
    )
    await publish_once(
        envelope,
        "notify_show_ended",
        streamer_channels(streamer_of(message)),
        event,
        data,
        publisher=publisher,
        published=published,
    )
    return []
