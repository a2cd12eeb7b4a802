from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import (
    EXCLUSIVE_GOAL,
    OUTCOME_AGREED,
    OUTCOME_DECLINED,
    TRIGGER_EXCLUSIVE_GOAL,
    GoalAdded,
    GoalEnded,
    GoalSnapshot,
)
from notifier.domain.channels import streamer_channels, user_channel
from notifier.domain.payloads import streamer_of
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._publish_once import publish_once


def exclusive_event(goal: GoalSnapshot) -> str | None:
    """Which exclusive.* event a goal event is, if any."""
    if isinstance(goal, GoalAdded) and goal.cls == EXCLUSIVE_GOAL:
        return "exclusive.started"
    if not isinstance(goal, GoalEnded):
        return None
    if goal.cls == EXCLUSIVE_GOAL:
        return "exclusive.ended"
    if goal.cls == TRIGGER_EXCLUSIVE_GOAL:
        answered = {OUTCOME_AGREED: "exclusive.accepted", OUTCOME_DECLINED: "exclusive.declined"}
        return answered.get(goal.outcome or "")
    return None


async def notify_exclusive_session(
    message: GoalSnapshot,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """A request answered, or an exclusive session started or ended -> `exclusive.*` on the
    streamer's channels and the viewer's own."""
    event = exclusive_event(message)
    viewer = message.conditions.get("exclusive_to")
    if event is None or not viewer:
        return []
    channels = [*streamer_channels(streamer_of(message)), user_channel(str(viewer))]
    data = {
        "event_id": envelope.event_id,
        "occurred_at": envelope.occurred_at.isoformat(),
        "session_id": message.conditions.get("session_id"),
        "viewer_id": viewer,
        "goal_id": message.goal_id,
        "outcome": message.outcome,
        "starts_at": message.nbf.isoformat() if message.nbf else None,
        "ends_at": message.exp.isoformat() if message.exp else None,
        "prepaid_duration": message.metadata.get("prepaid_duration"),
        "version": message.version,
    }
    await publish_once(
        envelope,
        "notify_exclusive_session",
        channels,
        event,
        data,
        publisher=publisher,
        published=published,
    )
    return []
