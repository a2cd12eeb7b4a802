from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import TRIGGER_EXCLUSIVE_GOAL, GoalEnded
from notifier.domain.channels import streamer_channels, user_channel
from notifier.domain.payloads import event_payload, streamer_of
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._publish_once import publish_once


def _requesting_viewer(goal: GoalEnded) -> str | None:
    """The viewer who paid for an exclusive request learns that it ended too."""
    if goal.cls != TRIGGER_EXCLUSIVE_GOAL:
        return None
    viewer = goal.context.get("exclusive_to") or goal.conditions.get("exclusive_to")
    return str(viewer) if viewer else None


async def notify_goal_ended(
    message: GoalEnded,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """goal.ended -> `goal.ended` on the streamer's channels (+ the requesting viewer's)."""
    channels = streamer_channels(streamer_of(message))
    viewer = _requesting_viewer(message)
    if viewer and user_channel(viewer) not in channels:
        channels.append(user_channel(viewer))
    data = event_payload(
        message,
        event_id=envelope.event_id,
        occurred_at=envelope.occurred_at,
        triggerer=message.triggerer,
    )
    await publish_once(
        envelope,
        "notify_goal_ended",
        channels,
        "goal.ended",
        data,
        publisher=publisher,
        published=published,
    )
    return []
