"""A worker asked to stop while a dependency holds its message lets the message go unacked
and exits, instead of waiting out the outage past any stop timeout (faust waits for the
message in hand before it leaves the group)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

from livestream_schemas.envelope import encode
from livestream_schemas.wallet import UserUpdated
from service_kit.consumer import Dispatcher, receiver
from service_kit.faults import DependencyUnavailable, StoppedWhileStalled
from service_kit.settings import KitSettings
from service_kit.worker import consume_events

RAW = encode(UserUpdated(user_id="u1", username="A", wallet_id="w1"), key="u1")
SETTINGS = KitSettings(service_name="svc", consumer_retry_backoff_s=0)


class NoPublisher:
    async def publish_all(self, items, *, trace=None):  # type: ignore[no-untyped-def]
        return None

    async def send(self, topic, envelope, *, value=None, extra_headers=None):  # type: ignore[no-untyped-def]
        raise AssertionError("nothing is dead-lettered")


class Feed:
    """Three events; faust acks one when the agent pulls the next (or leaves the loop)."""

    def __init__(self) -> None:
        self.pulled: list[int] = []

    async def events(self) -> AsyncIterator[Any]:
        for offset in range(3):
            self.pulled.append(offset)
            message = SimpleNamespace(topic="user.updated", key=b"u1", headers=[], offset=offset)
            yield SimpleNamespace(message=message, value=RAW.model_dump_json().encode())


def dispatcher(handler: Any, stopping: list[bool]) -> Dispatcher:
    d = Dispatcher(SETTINGS, NoPublisher(), {"user.updated": [receiver(handler)]})  # type: ignore[arg-type]
    d.stopping = lambda: stopping[0]
    return d


async def test_a_stop_during_an_outage_exits_without_acking_the_held_message() -> None:
    stopping, calls, stops = [False], [], []

    async def wallet_down_then_back(message: UserUpdated) -> list[Any]:
        calls.append(1)
        if len(calls) == 1:
            stopping[0] = True  # SIGTERM arrives while the wallet is down
        if len(calls) < 3:
            raise DependencyUnavailable("wallet unreachable")
        return []

    feed = Feed()
    await consume_events(
        feed.events(), dispatcher(wallet_down_then_back, stopping), stop=stops.append
    )
    assert stops == [StoppedWhileStalled.exit_code], "the process exits, not waits the outage"
    assert feed.pulled == [0], "the held message was never acked: it is redelivered"
    assert len(calls) == 1, "no further try once the stop was asked for"


async def test_a_stopping_worker_still_finishes_messages_that_go_through() -> None:
    stopping, handled, stops = [True], [], []

    async def fine(message: UserUpdated) -> list[Any]:
        handled.append(message.user_id)
        return []

    feed = Feed()
    await consume_events(feed.events(), dispatcher(fine, stopping), stop=stops.append)
    assert stops == [] and handled == ["u1"] * 3 and feed.pulled == [0, 1, 2]


async def test_without_a_stop_an_outage_is_waited_out_as_before() -> None:
    stopping, calls, stops = [False], [], []

    async def down_twice(message: UserUpdated) -> list[Any]:
        calls.append(1)
        if len(calls) < 3:
            raise DependencyUnavailable("wallet unreachable")
        return []

    feed = Feed()
    await consume_events(feed.events(), dispatcher(down_twice, stopping), stop=stops.append)
    assert stops == [] and len(calls) == 5 and feed.pulled == [0, 1, 2]
