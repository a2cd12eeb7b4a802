from __future__ import annotations

from notifier.bootstrap import Container, routes
from notifier.config import Settings

from .fakes import (
    FakeChannelStates,
    FakePublishedEvents,
    FakePublisher,
    FakeUsers,
    envelope_of,
    goal_ended,
)


async def test_routes_wire_each_event_to_its_receivers() -> None:
    container = Container(Settings())
    try:
        wired = {
            kind: [h.__name__ for h in handlers] for kind, handlers in routes(container).items()
        }
    finally:
        await container.client.close()
    assert wired == {
        "goal.added": [
            "trigger_notify_goal_added",
            "notify_exclusive_session",
            "invalidate_cached_pusher_channel_data",
        ],
        "goal.progressed": [
            "notify_goal_progress_updated",
            "invalidate_cached_pusher_channel_data",
        ],
        "goal.started": ["notify_show_started"],
        "goal.ended": [
            "notify_goal_ended",
            "notify_show_ended",
            "notify_exclusive_session",
            "invalidate_cached_pusher_channel_data",
        ],
        "balance.decremented": ["fetch_user_balance_when_changed"],
        "balance.incremented": [
            "notify_user_refunded",
            "notify_escrow_released",
            "fetch_user_balance_when_changed",
        ],
        "transaction.failed": ["notify_transfer_failed"],
        "user.updated": ["update_user_read_model"],
    }


async def test_wired_receivers_run_with_their_dependencies() -> None:
    container = Container(Settings())
    mongo = container.client
    container.pusher, container.published = FakePublisher(), FakePublishedEvents()
    container.states, container.users = FakeChannelStates(), FakeUsers()
    message = goal_ended()
    try:
        for handler in routes(container)["goal.ended"]:
            assert await handler(envelope_of(message), message) == []
    finally:
        await mongo.close()
    assert len(container.pusher.triggers) == 1  # type: ignore[attr-defined]
    assert container.states.docs["streamer-1"].recent_ended  # type: ignore[attr-defined]
