"""The kit's publisher and faust worker against the real Kafka and FerretDB."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient

from livestream_schemas.wallet import TransactionCreated, UserUpdated
from service_kit.kafka import Publisher
from service_kit.settings import KitSettings

pytestmark = pytest.mark.integration
HERE = Path(__file__).parent
WEB_PORT = 25199 + int(os.environ.get("LSG_PORT_OFFSET", "0"))
METRICS_PORT = 25299 + int(os.environ.get("LSG_PORT_OFFSET", "0"))


async def _wait_for(predicate, timeout: float = 60.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


def spawn(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(HERE / "probe_worker.py"), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
async def probe(stack_env: dict[str, str]):  # type: ignore[no-untyped-def]
    run_id = uuid.uuid4().hex[:8]
    topic = f"kit-probe-{run_id}.user.updated"
    overrides = {"user.updated": topic, "transaction.created": f"kit-probe-{run_id}.transactions"}
    service = f"kit-probe-{run_id}"
    admin = AIOKafkaAdminClient(bootstrap_servers=stack_env["KAFKA_BOOTSTRAP_SERVERS"])
    await admin.start()
    await admin.create_topics(
        [NewTopic(t, 3, 1) for t in overrides.values()] + [NewTopic(f"{service}.dlq", 1, 1)]
    )
    await admin.close()
    env = {
        **os.environ,
        **stack_env,
        "SERVICE_NAME": service,
        "MONGODB_DATABASE": f"kit_probe_{run_id}",
        "TOPIC_OVERRIDES": json.dumps(overrides),
        "WORKER_WEB_PORT": str(WEB_PORT),
        "METRICS_PORT": str(METRICS_PORT),
        "CONSUMER_MAX_ATTEMPTS": "3",
        "CONSUMER_RETRY_BACKOFF_S": "0.05",
        "LAG_PROBE_INTERVAL_S": "1",
    }
    proc = spawn(env)
    settings = KitSettings(
        service_name=service,
        kafka_bootstrap_servers=stack_env["KAFKA_BOOTSTRAP_SERVERS"],
        topic_overrides=overrides,
    )
    client: AsyncMongoClient = AsyncMongoClient(stack_env["MONGODB_URI"], tz_aware=True)
    procs = [proc]
    try:
        yield settings, client[f"kit_probe_{run_id}"], procs, env
    finally:
        for p in procs:
            stop(p)
        await client.drop_database(f"kit_probe_{run_id}")
        await client.close()


async def test_agent_consumes_and_dead_letters_poison_then_continues(probe) -> None:  # type: ignore[no-untyped-def]
    settings, db, (proc,), _ = probe
    publisher = Publisher(settings)
    good = UserUpdated(user_id="u-good-1", username="alice", wallet_id="w1")
    poison = UserUpdated(user_id="u-poison", username="poison", wallet_id="w2")
    after = UserUpdated(user_id="u-good-2", username="bob", wallet_id="w3")
    try:
        first = await publisher.publish(good)
        bad = await publisher.publish(poison)
        last = await publisher.publish(after)
    finally:
        await publisher.stop()

    async def both_received():  # type: ignore[no-untyped-def]
        docs = await db.received.find({}).to_list(None)
        return {d["event_id"] for d in docs} >= {first.event_id, last.event_id} and docs

    docs = await _wait_for(both_received, timeout=90)
    assert {d["user_id"] for d in docs} == {"u-good-1", "u-good-2"}
    # bounded retries: exactly max_attempts tries of the poison message, no more
    assert await db.attempts.count_documents({"event_id": bad.event_id}) == 3

    records = await dead_letters(settings)
    assert len(records) == 1
    headers = dict(records[0].headers)
    assert headers["dlq.original_topic"].decode() == settings.topic("user.updated")
    assert headers["dlq.handler"] == b"record_user"
    assert b"poison message" in headers["dlq.error"]
    assert bad.event_id.encode() in records[0].value  # the original bytes, replayable
    assert proc.poll() is None, "a poison message must not crash the worker"

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{WEB_PORT}", timeout=5) as web:
        assert (await web.get("/healthz")).json() == {"status": "ok"}
        ready = await web.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {
            "mongodb": True,
            "kafka": True,
            "consumer": True,
        }

        assert (await web.get("/metrics")).status_code == 404, "metrics have a port of their own"

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{METRICS_PORT}", timeout=5) as scrape:
        name, topic = settings.service_name, settings.topic("user.updated")
        # The probe's first pass after the dead letter: the lag and the dead-letter depth.
        depth = (
            f'lsg_dead_letter_messages{{service_name="{name}",topic="{settings.dlq_topic}"}} 1.0'
        )

        async def probed():  # type: ignore[no-untyped-def]
            text = (await scrape.get("/metrics")).text
            lag = (
                f'lsg_consumer_lag_messages{{partition="0",service_name="{name}",topic="{topic}"}}'
            )
            return lag in text and depth in text and text

        text = await _wait_for(probed, timeout=30)
        assert f'lsg_messages_dead_lettered_total{{service_name="{name}"' in text


async def test_a_receiver_held_by_an_outage_does_not_hold_the_user_feed(probe) -> None:  # type: ignore[no-untyped-def]
    settings, db, _, _ = probe
    publisher = Publisher(settings)
    stalled = TransactionCreated(
        id="stall", ts=datetime.now(UTC), fromAccount="w1", fromAmount=1, toAmount=0
    )
    try:
        await publisher.publish(stalled)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{WEB_PORT}", timeout=5) as web:

            async def held():  # type: ignore[no-untyped-def]
                try:
                    body = (await web.get("/readyz")).json()
                except httpx.HTTPError:
                    return None  # not serving yet
                return body.get("stalled", {}).get("topic") == settings.topic("transaction.created")

            await _wait_for(held, timeout=90)
            profile = await publisher.publish(
                UserUpdated(user_id="u-late", username="carol", wallet_id="w4")
            )

            async def read():  # type: ignore[no-untyped-def]
                return await db.received.find_one({"event_id": profile.event_id})

            await _wait_for(read, timeout=60)
            assert await held(), "the profile went past the receiver still held"
    finally:
        await publisher.stop()


async def dead_letters(settings: KitSettings) -> list[Any]:
    consumer = AIOKafkaConsumer(
        settings.dlq_topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=10000)
        return [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()


@pytest.mark.parametrize("batched", [False, True], ids=["one-by-one", "batched"])
async def test_a_failed_dead_letter_write_stops_the_worker_and_the_message_comes_back(
    probe,  # type: ignore[no-untyped-def]
    batched: bool,
) -> None:
    settings, db, procs, env = probe
    stop(procs[0])
    env = {**env, "PROBE_BATCHED": "1" if batched else "0"}
    # Clients may not produce to Kafka's internal offsets topic: every dead-letter write fails.
    overrides = {**settings.topic_overrides, settings.dlq_topic: "__consumer_offsets"}
    broken = spawn({**env, "TOPIC_OVERRIDES": json.dumps(overrides)})
    procs.append(broken)
    publisher = Publisher(settings)
    try:
        poison = await publisher.publish(
            UserUpdated(user_id="u-p", username="poison", wallet_id="w")
        )
    finally:
        await publisher.stop()
    assert await asyncio.to_thread(broken.wait, 90) == 70, "stopped, not carried on"
    assert await db.attempts.count_documents({"event_id": poison.event_id}) == 3

    procs.append(spawn(env))  # the operator fixes the cause and restarts it

    async def parked():  # type: ignore[no-untyped-def]
        return await dead_letters(settings)

    (record,) = await _wait_for(parked, timeout=90)
    # Never acked before the crash: the restarted worker got the message again.
    assert await db.attempts.count_documents({"event_id": poison.event_id}) == 6
    assert poison.event_id.encode() in record.value
