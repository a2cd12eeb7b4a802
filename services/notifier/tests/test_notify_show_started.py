from __future__ import annotations

from livestream_schemas.goals import SHOW_FUNDING_GOAL, SHOW_GOAL, GoalStarted
from notifier.handlers.notify_show_started import notify_show_started

from .fakes import T0, FakePublishedEvents, FakePublisher, _goal_fields, envelope_of


def started(cls: str = SHOW_GOAL) -> GoalStarted:
    return GoalStarted.model_validate(_goal_fields(cls, {"started_at": T0, "version": 2}))


async def run(message, publisher, published, envelope=None):  # type: ignore[no-untyped-def]
    envelope = envelope or envelope_of(message)
    return await notify_show_started(
        message, envelope=envelope, publisher=publisher, published=published
    )


async def test_a_started_show_is_announced_on_the_stream_channels(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    assert await run(started(), publisher, published) == []
    [trigger] = publisher.triggers
    assert trigger.event == "show.started"
    assert trigger.channels == [
        "private-stream@streamer-1",
        "presence-stream@streamer-1",
        "private-user@streamer-1",
    ]
    assert trigger.data["goal"]["goal_id"] == "goal-1" and trigger.data["goal"]["version"] == 2


async def test_redelivery_triggers_once(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = started()
    envelope = envelope_of(message)
    for _ in range(2):
        await run(message, publisher, published, envelope)
    assert len(publisher.triggers) == 1


async def test_other_goals_starting_are_not_shows(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    await run(started(SHOW_FUNDING_GOAL), publisher, published)
    assert publisher.triggers == []
