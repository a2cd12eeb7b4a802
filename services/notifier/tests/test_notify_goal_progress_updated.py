from __future__ import annotations

from notifier.handlers.notify_goal_progress_updated import notify_goal_progress_updated

from .fakes import FakePublishedEvents, FakePublisher, envelope_of, goal_progressed


async def test_sends_progress_with_version_and_top_contributors(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    breakdown = {f"viewer-{i}": {"progress": i, "cost": i * 10} for i in range(1, 31)}
    message = goal_progressed(progress=30, version=7, breakdown=breakdown, breakdown_id="viewer-30")

    await notify_goal_progress_updated(
        message, envelope=envelope_of(message), publisher=publisher, published=published
    )

    [trigger] = publisher.triggers
    assert trigger.event == "goal.progress.updated"
    assert trigger.channels == [
        "private-stream@streamer-1",
        "presence-stream@streamer-1",
        "private-user@streamer-1",
    ]
    goal = trigger.data["goal"]
    assert goal["progress"] == 30
    assert goal["version"] == 7
    assert list(goal["breakdown"]) == [f"viewer-{i}" for i in range(30, 20, -1)]
    assert goal["contributors"] == 30
    assert trigger.data["amount"] == 1
    assert trigger.data["breakdown_id"] == "viewer-30"


async def test_redelivery_triggers_once(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = goal_progressed()
    envelope = envelope_of(message)
    for _ in range(2):
        await notify_goal_progress_updated(
            message, envelope=envelope, publisher=publisher, published=published
        )
    assert len(publisher.triggers) == 1


async def test_two_distinct_progress_events_both_publish(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    for version in (2, 3):
        message = goal_progressed(version=version)
        await notify_goal_progress_updated(
            message, envelope=envelope_of(message), publisher=publisher, published=published
        )
    assert [t.data["goal"]["version"] for t in publisher.triggers] == [2, 3]
