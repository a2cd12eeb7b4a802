from __future__ import annotations

from datetime import timedelta

from session_service_fakes import T0, FakeFeed

from livestream_schemas.envelope import Envelope, encode
from livestream_schemas.goals import SHOW_FUNDING_GOAL, TRIGGER_EXCLUSIVE_GOAL, GoalAdded
from session_service.handlers.generate_livestream_feed import generate_livestream_feed

SID = "a" * 24
AT = T0 + timedelta(microseconds=123_456)


def added(goal_id: str, cls: str, **fields: object) -> GoalAdded:
    return GoalAdded.model_validate(
        {
            "goal_id": goal_id,
            "_cls": cls,
            "active": True,
            "version": 1,
            "session_id": SID,
            "streamer_id": "streamer-1",
            "conditions": {"session_id": SID},
            "metadata": {"user_id": "streamer-1"},
            **fields,
        }
    )


def envelope_of(message: GoalAdded) -> Envelope:
    return encode(message, key=SID).model_copy(update={"occurred_at": AT})


async def test_a_funding_goal_opens_a_show_entry() -> None:
    feed = FakeFeed()
    message = added("f" * 24, SHOW_FUNDING_GOAL, levels=[{"title": "Live show", "target": 10}])
    envelope = envelope_of(message)
    assert await generate_livestream_feed(message, envelope=envelope, feed=feed) == []
    [entry] = feed.docs.values()
    assert entry.view() == {
        "entry_id": envelope.event_id,
        "session_id": SID,
        "streamer_id": "streamer-1",
        "goal_id": "f" * 24,
        "_cls": SHOW_FUNDING_GOAL,
        "kind": "show_funding_opened",
        "title": "Live show",
        "target": 10,
        "occurred_at": "2025-04-28T12:00:00.123000+00:00",  # as MongoDB keeps it
    }


async def test_an_exclusive_request_names_the_viewer_and_duration() -> None:
    feed = FakeFeed()
    message = added(
        "1" * 24,
        TRIGGER_EXCLUSIVE_GOAL,
        conditions={"session_id": SID, "exclusive_to": "viewer-1"},
        context={"type": "trigger-exclusive", "exclusive_to": "viewer-1"},
        metadata={"user_id": "streamer-1", "prepaid_duration": 300},
    )
    await generate_livestream_feed(message, envelope=envelope_of(message), feed=feed)
    [entry] = feed.docs.values()
    view = entry.view()
    assert (view["kind"], view["exclusive_to"], view["prepaid_duration"]) == (
        "exclusive_requested",
        "viewer-1",
        300,
    )
    assert "title" not in view and "target" not in view


async def test_redelivery_adds_nothing() -> None:
    feed = FakeFeed()
    message = added("f" * 24, SHOW_FUNDING_GOAL, levels=[{"title": "show", "target": 3}])
    envelope = envelope_of(message)
    for _ in range(3):
        await generate_livestream_feed(message, envelope=envelope, feed=feed)
    assert list(feed.docs) == [envelope.event_id]


async def test_other_goal_classes_are_not_in_the_feed() -> None:
    feed = FakeFeed()
    message = added("k" * 24, "KaraokeGoal")
    await generate_livestream_feed(message, envelope=envelope_of(message), feed=feed)
    assert feed.docs == {}
