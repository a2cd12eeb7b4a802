"""Consumer lag per partition, exported as lsg_consumer_lag_messages, and the depth of the
service's dead-letter topic, as lsg_dead_letter_messages.

Read from the broker (committed group offsets vs. log end offsets), so it measures
what an autoscaler or an alert cares about: how far the group is behind.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from service_kit import metrics
from service_kit.kafka_security import client_options
from service_kit.settings import KitSettings

log = logging.getLogger(__name__)


async def partitions(admin: AIOKafkaAdminClient, topics: Sequence[str]) -> list[TopicPartition]:
    """Every partition of these topics as the brokers describe them; a topic they do not
    know (not yet created) has none.

    Described, not looked up in a consumer's metadata: that knows only the topics the
    consumer reads, so a first look saw no partitions and a later one all of them.
    """
    described = await admin.describe_topics(list(topics))
    return [
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if not t["error_code"]
        for p in t["partitions"]
    ]


class LagProbe:
    def __init__(self, settings: KitSettings, topics: list[str]) -> None:
        self.settings = settings
        self.topics = set(topics)
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._consumer is None:
            self._admin = AIOKafkaAdminClient(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                client_id=f"{self.settings.service_name}-lag",
                **client_options(self.settings),
            )
            await self._admin.start()
            self._consumer = AIOKafkaConsumer(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                enable_auto_commit=False,
                client_id=f"{self.settings.service_name}-lag",
                **client_options(self.settings),
            )
            await self._consumer.start()
        return self._admin, self._consumer

    async def measure(self) -> dict[tuple[str, int], int]:
        admin, consumer = await self._clients()
        committed: dict[Any, Any] = await admin.list_consumer_group_offsets(
            self.settings.service_name
        )
        ours = {tp: meta for tp, meta in committed.items() if tp.topic in self.topics}
        if not ours:
            return {}
        ends = await consumer.end_offsets(list(ours))
        lag = {
            (tp.topic, tp.partition): max(0, ends[tp] - meta.offset) for tp, meta in ours.items()
        }
        for (topic, partition), value in lag.items():
            metrics.CONSUMER_LAG.labels(self.settings.service_name, topic, str(partition)).set(
                value
            )
        return lag

    async def dead_letters(self) -> int:
        """Messages on the service's dead-letter topic not yet redriven (past the
        `<service>.dlq-redrive` group's position; from the log start if it never ran)."""
        admin, consumer = await self._clients()
        topic = self.settings.dlq_topic
        tps = await partitions(admin, [topic])
        if not tps:
            return 0
        redriven: dict[Any, Any] = await admin.list_consumer_group_offsets(
            f"{self.settings.service_name}.dlq-redrive"
        )
        starts = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        depth = sum(
            max(0, ends[tp] - max(starts[tp], getattr(redriven.get(tp), "offset", -1)))
            for tp in tps
        )
        metrics.DEAD_LETTERS.labels(self.settings.service_name, topic).set(depth)
        return depth

    async def tick(self) -> None:
        try:
            await self.measure()
            await self.dead_letters()
        except Exception as exc:
            log.warning("lag probe failed: %s", exc)
            await self.close()

    async def close(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
        if self._admin is not None:
            await self._admin.close()
        self._admin = self._consumer = None
