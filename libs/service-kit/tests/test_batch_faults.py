"""The batched consumer keeps the retry policy: a transient error waits, a permanent one
dead-letters only its own message, and a failed dead-letter write stops the worker before
any event of the batch is acked."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from types import SimpleNamespace
from typing import Any

from pymongo.errors import AutoReconnect

from livestream_schemas.commands import Refund
from livestream_schemas.envelope import encode
from livestream_schemas.wallet import UserUpdated
from service_kit.consumer import Dispatcher, batch_receiver, receiver
from service_kit.settings import KitSettings
from service_kit.worker import consume_batches

SETTINGS = KitSettings(service_name="svc", consumer_max_attempts=3, consumer_retry_backoff_s=0)


class FakePublisher:
    """Publishes nothing; records dead letters, or fails to write them."""

    def __init__(self, *, dlq_fails: bool = False) -> None:
        self.dlq_fails = dlq_fails
        self.sent: list[str] = []

    async def publish_all(self, items, *, trace=None):  # type: ignore[no-untyped-def]
        return None

    @contextlib.asynccontextmanager
    async def outbox(self):  # type: ignore[no-untyped-def]
        yield SimpleNamespace(queue=self.publish_all)

    async def send(self, topic, envelope, *, value=None, extra_headers=None):  # type: ignore[no-untyped-def]
        if self.dlq_fails:
            raise ConnectionError("dead-letter topic unreachable")
        self.sent.append(topic)


def _raw(user_id: str) -> bytes:
    user = UserUpdated(user_id=user_id, username=user_id, wallet_id="w")
    return encode(user, key=user_id).model_dump_json().encode()


def _batched(single: Any, many: Any, publisher: FakePublisher) -> Dispatcher:
    many.receiver_name = single.__name__
    routes = {"user.updated": [receiver(single)]}
    return Dispatcher(SETTINGS, publisher, routes, {"user.updated": batch_receiver(many)})  # type: ignore[arg-type]


async def test_a_transient_error_in_a_batch_waits_and_dead_letters_nothing() -> None:
    down = {"tries": 0}

    async def refund_user(message: UserUpdated) -> list[Refund]:
        down["tries"] += 1
        if down["tries"] <= 10:  # far more than consumer_max_attempts
            raise AutoReconnect("ferretdb down")
        return [Refund(transaction_id=f"t-{message.user_id}")]

    async def refund_users(messages: list[UserUpdated]) -> list[list[Refund]]:
        raise AutoReconnect("ferretdb down")

    pub = FakePublisher()
    d = _batched(refund_user, refund_users, pub)
    await d.dispatch_many([("user.updated", _raw(u), b"", ()) for u in ("a", "b")])
    assert pub.sent == [] and d.stall is None
    assert down["tries"] == 12, "the first message waited out the outage, the second ran once"


async def test_a_failed_dead_letter_write_in_a_batch_stops_before_anything_is_acked() -> None:
    acked: list[int] = []
    pulled: list[int] = []
    stops: list[tuple[int, list[int]]] = []

    async def batches() -> AsyncIterator[Sequence[Any]]:
        # like faust's take_events: a batch is acked when the agent asks for the next one
        for first in (0, 3):
            events = [_event(offset) for offset in range(first, first + 3)]
            pulled.extend(e.message.offset for e in events)
            yield events
            acked.extend(e.message.offset for e in events)

    async def refund_user(message: UserUpdated) -> list[Refund]:
        if message.user_id == "u1":
            raise ValueError("never works")
        return []

    async def refund_users(messages: list[UserUpdated]) -> list[list[Refund]]:
        raise ValueError("one of them is bad")

    d = _batched(refund_user, refund_users, FakePublisher(dlq_fails=True))
    await consume_batches(batches(), d, stop=lambda code: stops.append((code, list(acked))))
    assert stops == [(70, [])], "stopped with none of the batch acked"
    assert pulled == [0, 1, 2], "the next batch was never taken"


def _event(offset: int) -> SimpleNamespace:
    message = SimpleNamespace(topic="user.updated", key=b"", headers=[], offset=offset)
    return SimpleNamespace(message=message, value=_raw(f"u{offset}"))
