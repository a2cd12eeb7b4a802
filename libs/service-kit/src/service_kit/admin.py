"""Operator commands.

python -m service_kit.admin ensure-topics [--timeout S]
python -m service_kit.admin redrive --group <service> [--limit N] [--dry-run]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from aiokafka.errors import KafkaError

from livestream_schemas.topics import all_topic_specs
from service_kit.dead_letters import REDRIVE_GROUP, REDRIVE_HANDLER
from service_kit.kafka_security import client_options
from service_kit.settings import KitSettings


async def ensure_topics(
    bootstrap: str, timeout_s: float, *, security: dict[str, Any] | None = None
) -> list[str]:
    """Create every declared topic that is missing; returns the names created."""
    deadline = time.monotonic() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap, client_id="lsg-admin", **(security or {})
        )
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [
                NewTopic(
                    spec.name,
                    num_partitions=spec.partitions,
                    replication_factor=1,
                    topic_configs={"retention.ms": str(spec.retention_hours * 3600 * 1000)},
                )
                for spec in all_topic_specs()
                if spec.name not in existing
            ]
            if missing:
                await admin.create_topics(missing)
            await _grow_partitions(admin, existing)
            return [t.name for t in missing]
        except (KafkaError, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await admin.close()


async def _grow_partitions(admin: AIOKafkaAdminClient, existing: set[str]) -> None:
    """A topic created with fewer partitions than declared gets more (never fewer)."""
    wanted = {s.name: s.partitions for s in all_topic_specs() if s.name in existing}
    if not wanted:
        return
    have = {
        t.get("topic", t.get("name")): len(t["partitions"])
        for t in await admin.describe_topics(list(wanted))
    }
    grow = {
        name: NewPartitions(total_count=count)
        for name, count in wanted.items()
        if 0 < have.get(name, count) < count
    }
    if grow:
        await admin.create_partitions(grow)


@dataclass(frozen=True)
class DeadLetter:
    """One record of `<service>.dlq`, as Dispatcher.dead_letter wrote it."""

    record: ConsumerRecord[bytes, bytes]

    def header(self, name: str) -> str:
        for key, value in self.record.headers or ():
            if key == name:
                return value.decode(errors="replace")
        return ""

    @property
    def original_topic(self) -> str:
        return self.header("dlq.original_topic")

    @property
    def where(self) -> str:
        return f"{self.record.topic}/{self.record.partition}/{self.record.offset}"

    def line(self) -> str:
        key = (self.record.key or b"").decode(errors="replace")
        handler, error = self.header("dlq.handler"), self.header("dlq.error")
        attempts = self.header("dlq.attempts")
        return (
            f"{self.where}  topic={self.original_topic or '?'}  key={key}  handler={handler}"
            f"  attempts={attempts}  error={error}"
        )


async def redrive(
    bootstrap: str,
    service: str,
    dlq_topic: str,
    *,
    limit: int | None = None,
    dry_run: bool = False,
    say: Callable[[str], None] = print,
    security: dict[str, Any] | None = None,
) -> int:
    """Republish dead letters to their original topics; returns how many (would be) sent.

    The `<service>.dlq-redrive` group commits after each republish, so a message is
    redriven once; a dry run reads from the same place and commits nothing.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"{service}.dlq-redrive",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id="lsg-admin-redrive",
        **(security or {}),
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **(security or {})
    )
    await consumer.start()
    try:
        await producer.start()
        if dlq_topic not in await consumer.topics():
            raise LookupError(f"no topic {dlq_topic!r}")
        sent = 0
        async for letter in _backlog(consumer, dlq_topic, limit):
            say(letter.line())
            if not letter.original_topic:
                say(f"{letter.where}  skipped: no dlq.original_topic header")
            elif not dry_run:
                await _republish(producer, letter, service)
            sent += bool(letter.original_topic)
            if not dry_run:
                tp = TopicPartition(letter.record.topic, letter.record.partition)
                await consumer.commit({tp: letter.record.offset + 1})
        return sent
    finally:
        await producer.stop()
        await consumer.stop()


async def _backlog(
    consumer: AIOKafkaConsumer, topic: str, limit: int | None
) -> AsyncIterator[DeadLetter]:
    """Dead letters from the group's committed position up to the end offsets seen at start."""
    consumer.subscribe([topic])
    deadline = time.monotonic() + 60
    while not consumer.assignment():  # the group coordinator assigns in the background
        if time.monotonic() > deadline:
            raise TimeoutError(f"no partitions of {topic} assigned to the redrive group")
        await asyncio.sleep(0.1)
    partitions = sorted(consumer.assignment())
    ends = await consumer.end_offsets(partitions)
    left = limit if limit is not None else float("inf")
    while left > 0:
        pending = [tp for tp in partitions if await consumer.position(tp) < ends[tp]]
        if not pending:
            return
        batch = await consumer.getmany(*pending, timeout_ms=1000)
        for tp, records in batch.items():
            for record in records:
                if record.offset >= ends[tp] or left <= 0:
                    break
                left -= 1
                yield DeadLetter(record)


def redrive_headers(letter: DeadLetter, group: str) -> list[tuple[str, bytes]]:
    """Only the group (and receiver) that failed runs the message again; the others, which
    handled it the first time, skip it (service_kit.consumer honours these headers)."""
    headers = [
        ("dlq.redriven_from", letter.where.encode()),
        (REDRIVE_GROUP, (letter.header("dlq.group") or group).encode()),
    ]
    handler = letter.header("dlq.handler")
    if handler and handler != "decode":
        headers.append((REDRIVE_HANDLER, handler.encode()))
    return headers


async def _republish(producer: AIOKafkaProducer, letter: DeadLetter, group: str) -> None:
    await producer.send_and_wait(
        letter.original_topic,
        value=letter.record.value,
        key=letter.record.key,
        headers=redrive_headers(letter, group),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="service_kit.admin")
    commands = parser.add_subparsers(dest="command", required=True)
    topics = commands.add_parser(
        "ensure-topics", help="create every declared topic that is missing"
    )
    topics.add_argument("--timeout", type=float, default=60)
    again = commands.add_parser(
        "redrive", help="republish a service's dead letters to their original topics"
    )
    again.add_argument("--group", required=True, help="the service (consumer group), e.g. notifier")
    again.add_argument("--limit", type=int, default=None, help="at most this many messages")
    again.add_argument("--dry-run", action="store_true", help="only print what would be redriven")
    args = parser.parse_args(argv)
    if args.command == "redrive":
        settings = KitSettings(service_name=args.group)
        try:
            count = asyncio.run(
                redrive(
                    settings.kafka_bootstrap_servers,
                    args.group,
                    settings.dlq_topic,
                    limit=args.limit,
                    dry_run=args.dry_run,
                    security=client_options(settings),
                )
            )
        except LookupError as exc:
            print(f"redrive: {exc}", file=sys.stderr)
            return 1
        verb = "would redrive" if args.dry_run else "redriven"
        print(f"{verb}: {count} message(s) from {settings.dlq_topic}")
        return 0
    settings = KitSettings()
    created = asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap_servers, args.timeout, security=client_options(settings)
        )
    )
    print(f"topics ready ({len(created)} created)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
