"""A batch's outputs are queued together and Kafka's acknowledgement is awaited once for all
of them, yet no event of the batch is acked before Kafka has every output, and a failed
delivery still stops the batch before anything is acked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from types import SimpleNamespace
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError

from livestream_schemas.commands import Refund
from livestream_schemas.envelope import encode
from livestream_schemas.wallet import UserUpdated
from service_kit.consumer import Dispatcher, batch_receiver, receiver
from service_kit.kafka import Publisher
from service_kit.settings import KitSettings
from service_kit.worker import consume_batches

SETTINGS = KitSettings(service_name="svc", consumer_max_attempts=2, consumer_retry_backoff_s=0)


class Producer:
    """Stands in for aiokafka's producer: each send's delivery is settled by the test."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, asyncio.Future[None]]] = []

    async def send(self, topic: str, **_: Any) -> asyncio.Future[None]:
        delivery: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sent.append((topic, delivery))
        return delivery


async def refund_user(message: UserUpdated) -> list[Refund]:
    return [Refund(transaction_id=f"t-{message.user_id}")]


async def refund_users(messages: list[UserUpdated]) -> list[list[Refund]]:
    return [[Refund(transaction_id=f"t-{m.user_id}")] for m in messages]


refund_users.receiver_name = "refund_user"  # type: ignore[attr-defined]


def worker() -> tuple[Dispatcher, Producer]:
    publisher, producer = Publisher(SETTINGS), Producer()
    publisher._producer = producer  # type: ignore[assignment]
    routes = {"user.updated": [receiver(refund_user)]}
    return Dispatcher(
        SETTINGS, publisher, routes, {"user.updated": batch_receiver(refund_users)}
    ), producer


def one_batch(acked: list[int]) -> AsyncIterator[Sequence[Any]]:
    async def batches() -> AsyncIterator[Sequence[Any]]:
        # like faust's take_events: a batch is acked when the agent asks for the next one
        events = [_event(offset) for offset in range(3)]
        yield events
        acked.extend(e.message.offset for e in events)

    return batches()


async def settled(condition: Any) -> None:
    """Let the consumer run until `condition()` holds (it never sleeps: a few loop turns)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the consumer never got there")


async def test_every_output_is_queued_before_one_wait_and_acked_only_once_all_are_delivered() -> (
    None
):
    dispatcher, producer = worker()
    acked: list[int] = []
    consuming = asyncio.create_task(consume_batches(one_batch(acked), dispatcher))

    # Each message's output was queued without waiting for the one before it.
    await settled(lambda: len(producer.sent) == 3)
    assert [topic for topic, _ in producer.sent] == ["wallet.commands"] * 3
    for _, delivery in producer.sent[:2]:
        delivery.set_result(None)
    for _ in range(50):
        await asyncio.sleep(0)
    assert acked == [] and not consuming.done(), "acked before Kafka had every output"

    producer.sent[2][1].set_result(None)
    await asyncio.wait_for(consuming, 5)
    assert acked == [0, 1, 2] and len(producer.sent) == 3


async def test_a_failed_delivery_stops_the_batch_before_anything_is_acked() -> None:
    dispatcher, producer = worker()
    acked: list[int] = []
    stops: list[tuple[int, list[int]]] = []

    async def refuse_every_delivery() -> None:
        # Kafka refuses each output (too large: permanent), then the dead letters too.
        while True:
            for _, delivery in producer.sent:
                if not delivery.done():
                    delivery.set_exception(MessageSizeTooLargeError())
            await asyncio.sleep(0)

    refusing = asyncio.create_task(refuse_every_delivery())
    try:
        stop = lambda code: stops.append((code, list(acked)))  # noqa: E731
        await asyncio.wait_for(consume_batches(one_batch(acked), dispatcher, stop=stop), 5)
    finally:
        refusing.cancel()
    assert stops == [(70, [])], "stopped with none of the batch acked"
    assert acked == []
    topics = [topic for topic, _ in producer.sent]
    assert topics[:3] == ["wallet.commands"] * 3, "the batch's outputs went out together"
    assert topics[-1] == "svc.dlq", "then one at a time, tried, and dead-lettered"


def _event(offset: int) -> SimpleNamespace:
    user = UserUpdated(user_id=f"u{offset}", username="u", wallet_id="w")
    raw = encode(user, key=user.user_id).model_dump_json().encode()
    message = SimpleNamespace(topic="user.updated", key=b"", headers=[], offset=offset)
    return SimpleNamespace(message=message, value=raw)
