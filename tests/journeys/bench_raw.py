"""The raw limits of the running stack, measured the way the services use it.

Kafka: an idempotent acks=all producer (the services' Publisher settings) and a plain
consumer on a scratch topic; MongoDB API: the goal writer's guarded single-document update,
one at a time, and independent updates in parallel. Flow figures are read against these.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient, ReturnDocument

PAYLOAD = b"x" * 1024  # about the size of a goal event


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


@dataclass
class RawLimits:
    kafka_produce_per_s: float
    kafka_consume_per_s: float
    kafka_hop_p50_ms: float
    kafka_hop_p99_ms: float
    mongo_guarded_updates_per_s: float
    mongo_parallel_updates_per_s: float


async def _producer(bootstrap: str) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=2
    )
    await producer.start()
    return producer


async def kafka_limits(bootstrap: str, messages: int = 5000, hops: int = 200) -> dict[str, float]:
    topic = f"bench.raw-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)])
    producer = await _producer(bootstrap)
    try:
        t0 = time.perf_counter()
        deliveries = [
            await producer.send(topic, PAYLOAD, key=str(i).encode()) for i in range(messages)
        ]
        await asyncio.gather(*deliveries)
        produce = messages / (time.perf_counter() - t0)
        consume = await _consume_all(bootstrap, topic, messages)
        hop = await _hops(bootstrap, producer, topic, hops)
    finally:
        await producer.stop()
        await admin.delete_topics([topic])
        await admin.close()
    return {
        "kafka_produce_per_s": produce,
        "kafka_consume_per_s": consume,
        "kafka_hop_p50_ms": percentile(hop, 50),
        "kafka_hop_p99_ms": percentile(hop, 99),
    }


async def _consume_all(bootstrap: str, topic: str, expected: int) -> float:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        seen, t0 = 0, time.perf_counter()
        while seen < expected:
            batches = await consumer.getmany(timeout_ms=1000, max_records=2000)
            seen += sum(len(records) for records in batches.values())
        return expected / (time.perf_counter() - t0)
    finally:
        await consumer.stop()


async def _hops(bootstrap: str, producer: AIOKafkaProducer, topic: str, n: int) -> list[float]:
    """Produce one message, wait until a subscribed consumer has it: n times, one at a time."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest")
    await consumer.start()
    try:
        await consumer.getmany(timeout_ms=500)  # joined, positions at the end
        out = []
        for i in range(n):
            marker = f"hop-{i}".encode()
            t0 = time.perf_counter()
            await producer.send_and_wait(topic, marker, key=marker)
            while True:
                batches = await consumer.getmany(timeout_ms=1000)
                if any(r.value == marker for rs in batches.values() for r in rs):
                    break
            out.append((time.perf_counter() - t0) * 1000)
        return out
    finally:
        await consumer.stop()


async def mongo_limits(uri: str, updates: int = 500, writers: int = 8) -> dict[str, float]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    db = client[f"bench_raw_{uuid.uuid4().hex[:8]}"]
    try:
        docs = db["docs"]
        await docs.insert_many([{"_id": f"d{i}", "version": 0, "n": 0} for i in range(writers)])
        t0 = time.perf_counter()
        for v in range(updates):  # the single writer's guarded read-modify-write
            await docs.find_one_and_update(
                {"_id": "d0", "version": v},
                {"$inc": {"version": 1, "n": 1}},
                return_document=ReturnDocument.AFTER,
            )
        guarded = updates / (time.perf_counter() - t0)

        async def writer(i: int) -> None:
            for _ in range(updates // writers):
                await docs.update_one({"_id": f"d{i}"}, {"$inc": {"n": 1}})

        t0 = time.perf_counter()
        await asyncio.gather(*(writer(i) for i in range(writers)))
        parallel = (updates // writers) * writers / (time.perf_counter() - t0)
    finally:
        await client.drop_database(db.name)
        await client.close()
    return {"mongo_guarded_updates_per_s": guarded, "mongo_parallel_updates_per_s": parallel}


async def raw_limits(bootstrap: str, mongo_uri: str) -> RawLimits:
    return RawLimits(**(await kafka_limits(bootstrap)), **(await mongo_limits(mongo_uri)))
