from __future__ import annotations

import pytest

from livestream_schemas.goals import EXCLUSIVE_GOAL, SHOW_FUNDING_GOAL, TRIGGER_EXCLUSIVE_GOAL
from notifier.handlers.notify_exclusive_session import notify_exclusive_session

from .fakes import T0, FakePublishedEvents, FakePublisher, envelope_of, goal_added, goal_ended

CHANNELS = [
    "private-stream@streamer-1",
    "presence-stream@streamer-1",
    "private-user@streamer-1",
    "private-user@viewer-1",
]


@pytest.mark.parametrize(
    ("message", "event"),
    [
        (goal_ended(TRIGGER_EXCLUSIVE_GOAL, outcome="agreed"), "exclusive.accepted"),
        (goal_ended(TRIGGER_EXCLUSIVE_GOAL, outcome="declined"), "exclusive.declined"),
        (goal_added(EXCLUSIVE_GOAL, nbf=T0), "exclusive.started"),
        (goal_ended(EXCLUSIVE_GOAL, outcome="closed"), "exclusive.ended"),
    ],
)
async def test_each_step_reaches_the_streamer_and_the_viewer(
    publisher: FakePublisher, published: FakePublishedEvents, message, event
) -> None:  # type: ignore[no-untyped-def]
    envelope = envelope_of(message)
    out = await notify_exclusive_session(
        message, envelope=envelope, publisher=publisher, published=published
    )
    assert out == []
    [trigger] = publisher.triggers
    assert (trigger.channels, trigger.event) == (CHANNELS, event)
    assert trigger.data["viewer_id"] == "viewer-1"
    assert trigger.data["session_id"] == "session-1"
    assert trigger.data["event_id"] == envelope.event_id
    assert "metadata" not in trigger.data  # never the hold ids


@pytest.mark.parametrize(
    "message",
    [
        goal_ended(TRIGGER_EXCLUSIVE_GOAL, outcome="expired"),  # goal.ended tells that one
        goal_added(TRIGGER_EXCLUSIVE_GOAL),
        goal_ended(SHOW_FUNDING_GOAL, outcome="funded"),
    ],
)
async def test_other_goal_events_are_not_exclusive_events(
    publisher: FakePublisher, published: FakePublishedEvents, message
) -> None:  # type: ignore[no-untyped-def]
    await notify_exclusive_session(
        message, envelope=envelope_of(message), publisher=publisher, published=published
    )
    assert publisher.triggers == []


async def test_redelivery_triggers_once(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_ended(EXCLUSIVE_GOAL, outcome="completed")
    envelope = envelope_of(message)
    for _ in range(3):
        await notify_exclusive_session(
            message, envelope=envelope, publisher=publisher, published=published
        )
    assert len(publisher.triggers) == 1
