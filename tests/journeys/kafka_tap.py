"""Watch a topic from "now on", the way an operator would with a console consumer."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope, decode
from livestream_schemas.topics import all_topic_specs


class KafkaTap:
    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap, self.topic = bootstrap, topic
        self.seen: list[tuple[Envelope, Message]] = []
        self.headers: list[dict[str, bytes]] = []  # of each record in `seen`, in order
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> KafkaTap:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        spec = next(s for s in all_topic_specs() if s.name == self.topic)
        partitions = [TopicPartition(self.topic, p) for p in range(spec.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:  # resolve the end offsets now, before anything is produced
            await consumer.position(tp)
        self._consumer = consumer
        self._task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self._consumer is not None
        async for record in self._consumer:
            self.seen.append(decode(record.value))
            self.headers.append(dict(record.headers))

    async def __aexit__(self, *_: Any) -> None:
        if self._task:
            self._task.cancel()
        if self._consumer:
            await self._consumer.stop()

    def matching(self, **fields: Any) -> list[Message]:
        return [p for _, p in self.seen if all(getattr(p, k, None) == v for k, v in fields.items())]
