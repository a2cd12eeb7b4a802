"""After a broker restart, an idempotent producer can be refused for good (its sequence out
of order): the publisher replaces it and reports a transient error, so the consumer sends the
same message again instead of dead-lettering it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.errors import OutOfOrderSequenceNumber

from livestream_schemas.wallet import UserUpdated
from service_kit import kafka
from service_kit.faults import is_transient
from service_kit.kafka import Publisher
from service_kit.settings import KitSettings

USER = UserUpdated(user_id="u1", username="A", wallet_id="w1")


class FakeProducer:
    """Refuses every batch with OutOfOrderSequenceNumber once told to, as aiokafka's does."""

    made: list[FakeProducer] = []
    desynced = True

    def __init__(self, **_: Any) -> None:
        self.sent: list[str] = []
        self.stopped = False
        self.refuses = FakeProducer.desynced
        FakeProducer.made.append(self)

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.stopped = True

    async def send(self, topic: str, **_: Any) -> asyncio.Future[None]:
        delivery: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.refuses:
            delivery.set_exception(OutOfOrderSequenceNumber())
        else:
            self.sent.append(topic)
            delivery.set_result(None)
        return delivery


@pytest.fixture
def producers(monkeypatch: pytest.MonkeyPatch) -> list[FakeProducer]:
    FakeProducer.made = []
    FakeProducer.desynced = True
    monkeypatch.setattr(kafka, "AIOKafkaProducer", FakeProducer)
    return FakeProducer.made


async def test_a_desynchronised_producer_is_replaced_and_the_send_is_transient(producers) -> None:  # type: ignore[no-untyped-def]
    publisher = Publisher(KitSettings(service_name="svc"))
    with pytest.raises(Exception) as refused:
        await publisher.publish(USER)
    assert is_transient(refused.value)
    assert producers[0].stopped

    FakeProducer.desynced = False  # the broker takes a new producer id
    await publisher.publish(USER)
    assert len(producers) == 2 and producers[1].sent == [KitSettings().topic("user.updated")]


async def test_publishing_a_batch_replaces_it_too(producers) -> None:  # type: ignore[no-untyped-def]
    publisher = Publisher(KitSettings(service_name="svc"))
    with pytest.raises(Exception) as refused:
        await publisher.publish_all([(USER, None)])
    assert is_transient(refused.value)
    FakeProducer.desynced = False
    await publisher.publish_all([(USER, "e1")])
    assert producers[0].stopped and len(producers[1].sent) == 1
