from __future__ import annotations

import pytest

from livestream_schemas.goals import SHOW_FUNDING_GOAL, SHOW_GOAL
from notifier.handlers.notify_show_ended import notify_show_ended

from .fakes import FakePublishedEvents, FakePublisher, envelope_of, goal_ended


async def run(message, publisher, published, envelope=None):  # type: ignore[no-untyped-def]
    envelope = envelope or envelope_of(message)
    return await notify_show_ended(
        message, envelope=envelope, publisher=publisher, published=published
    )


@pytest.mark.parametrize(
    ("outcome", "event"),
    [
        ("completed", "show.ended"),
        ("cancelled", "show.cancelled"),
        ("expired", "show.cancelled"),
        ("session_ended", "show.cancelled"),
    ],
)
async def test_the_show_end_is_announced_by_how_it_ended(
    publisher: FakePublisher, published: FakePublishedEvents, outcome: str, event: str
) -> None:
    message = goal_ended(SHOW_GOAL, outcome=outcome, conditions={"funding_goal": "f-1"})
    assert await run(message, publisher, published) == []
    [trigger] = publisher.triggers
    assert trigger.event == event and trigger.channels[0] == "private-stream@streamer-1"
    assert (trigger.data["outcome"], trigger.data["funding_goal"]) == (outcome, "f-1")


async def test_redelivery_triggers_once(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_ended(SHOW_GOAL, outcome="completed")
    envelope = envelope_of(message)
    for _ in range(2):
        await run(message, publisher, published, envelope)
    assert len(publisher.triggers) == 1


async def test_a_funding_goal_end_is_not_a_show_end(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    await run(goal_ended(SHOW_FUNDING_GOAL, outcome="funded"), publisher, published)
    assert publisher.triggers == []
