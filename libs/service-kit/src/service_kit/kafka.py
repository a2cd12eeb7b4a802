"""Publish envelopes to Kafka: routed by message type, keyed as the topic declares."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import ExitStack
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    InvalidProducerEpoch,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    UnknownProducerId,
)

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope, encode, new_event_id
from livestream_schemas.topics import TOPICS, TopicSpec
from service_kit import metrics, telemetry
from service_kit.faults import DependencyUnavailable
from service_kit.kafka_security import client_options
from service_kit.settings import KitSettings

log = logging.getLogger(__name__)

_BY_TYPE: dict[str, TopicSpec] = {t: spec for spec in TOPICS for t in spec.carries}
_EVENT_NS = uuid.UUID("6f1c1a9e-3c55-4b7e-9a0e-2f6c1f5d8a11")
# What a broker answers an idempotent producer whose sequence state it lost or moved past (a
# broker restart mid-batch). aiokafka never resets the sequence after them, so every later
# batch of that producer fails the same way (aio-libs/aiokafka#1017): only a new producer,
# with a new producer id, publishes again.
_DESYNCED = (OutOfOrderSequenceNumber, UnknownProducerId, InvalidProducerEpoch, ProducerFenced)


# Puts one envelope on the producer's queue: (topic, its delivery).
Enqueue = Callable[[str, Envelope], Awaitable[tuple[str, asyncio.Future[Any]]]]


class ProducerDesynced(DependencyUnavailable):
    """The broker refused the producer's sequence; the producer was replaced, send again."""


def derived_event_id(cause_event_id: str, index: int, message_type: str) -> str:
    """Same cause, same position, same id: redelivered handlers republish identical ids."""
    return uuid.uuid5(_EVENT_NS, f"{cause_event_id}/{index}/{message_type}").hex


def route(payload: Message) -> tuple[TopicSpec, str]:
    spec = _BY_TYPE.get(payload.message_type)
    if spec is None:
        raise KeyError(f"no topic carries {payload.message_type!r}")
    key = getattr(payload, spec.key, None)
    if not key:
        raise ValueError(f"{payload.message_type} has no {spec.key} to key by")
    return spec, str(key)


class Publisher:
    """One idempotent producer per process; `publish` returns once Kafka has the message."""

    def __init__(self, settings: KitSettings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self._settings.kafka_bootstrap_servers,
                    acks="all",
                    enable_idempotence=True,
                    linger_ms=2,
                    client_id=f"{self._settings.service_name}-publisher",
                    **client_options(self._settings),
                )
                await producer.start()
                self._producer = producer

    async def stop(self) -> None:
        async with self._lock:
            if self._producer is not None:
                await self._producer.stop()
                self._producer = None

    async def ping(self) -> bool:
        await self.start()
        assert self._producer is not None
        return bool(await self._producer.client.fetch_all_metadata())

    async def publish(self, payload: Message, *, event_id: str | None = None) -> Envelope:
        (envelope,) = await self.publish_all([(payload, event_id)])
        return envelope

    async def publish_all(self, items: list[tuple[Message, str | None]]) -> list[Envelope]:
        """Publish (payload, event_id) pairs in order, waiting for Kafka once for all of them."""
        async with self.outbox() as outbox:
            return await outbox.queue(items)

    @contextlib.asynccontextmanager
    async def outbox(self) -> AsyncIterator[Outbox]:
        """Queue messages (each under the trace current when queued), then, leaving the
        block, wait for Kafka once for all of them: it returns only when Kafka has every one,
        and raises if any failed. On an error inside the block nothing is waited for."""
        outbox = Outbox(self._settings, self._enqueue)
        with outbox.spans:
            yield outbox
            await self._delivered(*outbox.pending)

    async def send(
        self,
        topic: str,
        envelope: Envelope,
        *,
        value: bytes | None = None,
        extra_headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        await self._delivered(
            await self._enqueue(topic, envelope, value=value, extra_headers=extra_headers)
        )

    async def _delivered(self, *pending: tuple[str, asyncio.Future[Any]]) -> None:
        """Wait for Kafka on every delivery at once; a desynchronised producer is replaced
        and the send is transient (the caller sends the same event ids again, which
        receivers dedupe). Another failure is raised once every delivery has settled."""
        producer = self._producer
        outcomes = await asyncio.gather(*(d for _, d in pending), return_exceptions=True)
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        desynced = next((f for f in failures if isinstance(f, _DESYNCED)), None)
        if desynced is not None:
            if producer is not None:
                await self._replace(producer)
            raise ProducerDesynced(f"{type(desynced).__name__}: producer replaced") from desynced
        if failures:
            raise failures[0]
        for topic, _ in pending:
            metrics.MESSAGES_PUBLISHED.labels(self._settings.service_name, topic).inc()

    async def _replace(self, producer: AIOKafkaProducer) -> None:
        async with self._lock:
            current = self._producer is producer
            if current:
                self._producer = None
        if not current:
            return  # another send replaced it already
        log.warning("kafka producer desynchronised by the broker; starting a new one")
        # Its other pending batches fail the same way; stopping must not hang the caller.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(producer.stop(), timeout=5.0)

    async def _enqueue(
        self,
        topic: str,
        envelope: Envelope,
        *,
        value: bytes | None = None,
        extra_headers: list[tuple[str, bytes]] | None = None,
    ) -> tuple[str, asyncio.Future[Any]]:
        await self.start()
        assert self._producer is not None
        headers = [
            ("type", envelope.type.encode()),
            ("schema_version", str(envelope.schema_version).encode()),
            ("event_id", envelope.event_id.encode()),
        ]
        headers += [(k, v.encode()) for k, v in envelope.trace.items()]
        headers += extra_headers or []
        delivery = await self._producer.send(
            topic,
            value=value if value is not None else envelope.model_dump_json().encode(),
            key=envelope.key.encode(),
            headers=headers,
        )
        return topic, delivery


class Outbox:
    """Messages queued on one publisher's producer, not yet known to be delivered."""

    def __init__(self, settings: KitSettings, enqueue: Enqueue) -> None:
        self._settings, self._enqueue = settings, enqueue
        self.spans = ExitStack()  # each message's producer span, open until Kafka has it
        self.pending: list[tuple[str, asyncio.Future[Any]]] = []

    async def queue(self, items: Sequence[tuple[Message, str | None]]) -> list[Envelope]:
        """Queue (payload, event_id) pairs in order, on one idempotent producer, so they keep
        their order per partition. Each gets a producer span of the current trace, whose
        context it carries in its headers and envelope."""
        envelopes = []
        for payload, event_id in items:
            spec, key = route(payload)
            topic, event_id = self._settings.topic(spec.name), event_id or new_event_id()
            span = telemetry.sending(topic, key=key, event_id=event_id)
            carrier = self.spans.enter_context(span)
            envelope = encode(payload, key=key, trace=carrier, event_id=event_id)
            self.pending.append(await self._enqueue(topic, envelope))
            envelopes.append(envelope)
        return envelopes
