from __future__ import annotations

import pytest

from livestream_schemas.goals import TRIGGER_EXCLUSIVE_GOAL
from notifier.handlers.trigger_notify_goal_added import trigger_notify_goal_added

from .fakes import FakePublishedEvents, FakePublisher, envelope_of, goal_added

STREAMER_CHANNELS = [
    "private-stream@streamer-1",
    "presence-stream@streamer-1",
    "private-user@streamer-1",
]


async def test_announces_the_goal_on_the_streamers_three_channels(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_added(TRIGGER_EXCLUSIVE_GOAL)
    envelope = envelope_of(message)

    out = await trigger_notify_goal_added(
        message, envelope=envelope, publisher=publisher, published=published
    )

    assert out == []
    [trigger] = publisher.triggers
    assert trigger.channels == STREAMER_CHANNELS
    assert trigger.event == "goal.added"
    data = trigger.data
    assert data["event_id"] == envelope.event_id
    assert data["occurred_at"] == envelope.occurred_at.isoformat()
    assert data["session_id"] == "session-1"
    assert data["goal"]["goal_id"] == "goal-1"
    assert data["goal"]["_cls"] == TRIGGER_EXCLUSIVE_GOAL
    assert data["goal"]["version"] == 1
    assert data["goal"]["context"] == {"type": "trigger-exclusive", "exclusive_to": "viewer-1"}
    # Insert ids list every payment: never sent to clients.
    assert data["goal"]["metadata"] == {"user_id": "streamer-1"}


async def test_redelivery_triggers_once(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_added()
    envelope = envelope_of(message)
    for _ in range(2):
        await trigger_notify_goal_added(
            message, envelope=envelope, publisher=publisher, published=published
        )
    assert len(publisher.triggers) == 1
    assert list(published.keys) == [f"{envelope.event_id}:trigger_notify_goal_added"]


async def test_a_failed_trigger_is_not_recorded_so_the_retry_publishes(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_added()
    envelope = envelope_of(message)
    publisher.fail_next = 1
    with pytest.raises(ConnectionError):
        await trigger_notify_goal_added(
            message, envelope=envelope, publisher=publisher, published=published
        )
    assert published.keys == {}

    await trigger_notify_goal_added(
        message, envelope=envelope, publisher=publisher, published=published
    )
    assert len(publisher.triggers) == 1
