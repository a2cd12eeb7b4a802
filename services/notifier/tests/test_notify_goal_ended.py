from __future__ import annotations

import pytest

from livestream_schemas.goals import TRIGGER_EXCLUSIVE_GOAL
from notifier.handlers.notify_goal_ended import notify_goal_ended

from .fakes import FakePublishedEvents, FakePublisher, envelope_of, goal_ended

STREAMER_CHANNELS = [
    "private-stream@streamer-1",
    "presence-stream@streamer-1",
    "private-user@streamer-1",
]


async def test_show_funding_goal_end_goes_to_the_streamer_channels(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_ended(triggerer="web")
    await notify_goal_ended(
        message, envelope=envelope_of(message), publisher=publisher, published=published
    )
    [trigger] = publisher.triggers
    assert trigger.event == "goal.ended"
    assert trigger.channels == STREAMER_CHANNELS
    assert trigger.data["goal"]["active"] is False
    assert trigger.data["goal"]["levels"] == [{"title": "show", "target": 10}]
    assert trigger.data["triggerer"] == "web"


async def test_exclusive_request_end_also_tells_the_viewer(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_ended(TRIGGER_EXCLUSIVE_GOAL, viewer="viewer-9")
    await notify_goal_ended(
        message, envelope=envelope_of(message), publisher=publisher, published=published
    )
    [trigger] = publisher.triggers
    assert trigger.channels == [*STREAMER_CHANNELS, "private-user@viewer-9"]


async def test_viewer_is_found_in_conditions_when_context_lacks_it(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_ended(
        TRIGGER_EXCLUSIVE_GOAL,
        context={"type": "trigger-exclusive"},
        conditions={"session_id": "s", "exclusive_to": "viewer-7"},
    )
    await notify_goal_ended(
        message, envelope=envelope_of(message), publisher=publisher, published=published
    )
    assert publisher.triggers[0].channels[-1] == "private-user@viewer-7"


async def test_redelivery_triggers_once(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_ended(TRIGGER_EXCLUSIVE_GOAL)
    envelope = envelope_of(message)
    for _ in range(2):
        await notify_goal_ended(
            message, envelope=envelope, publisher=publisher, published=published
        )
    assert len(publisher.triggers) == 1


async def test_a_goal_without_owner_is_refused_for_the_dead_letter_topic(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_ended(metadata={})
    with pytest.raises(ValueError, match="names no streamer"):
        await notify_goal_ended(
            message, envelope=envelope_of(message), publisher=publisher, published=published
        )
    assert publisher.triggers == []
