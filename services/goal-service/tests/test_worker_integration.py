"""The goal-service worker on the real Kafka and FerretDB: a funding goal that expires
short of its target is ended by the timer and its ticket hold is refunded.

The test decides when the expiry comes. A goal expiring a fixed 20 s after the test
started raced the worker's start-up and the payment: under load the payment was counted
after the timer had ended the goal, so it was refunded as late and never progressed it."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient

from goal_service.domain.goal import utc_ms
from livestream_schemas.commands import CreateGoal
from livestream_schemas.envelope import Envelope
from livestream_schemas.tags import swag_tag
from livestream_schemas.topics import TOPICS
from livestream_schemas.wallet import BalanceDecremented
from service_kit.kafka import Publisher
from service_kit.settings import KitSettings

pytestmark = pytest.mark.integration

WAIT_S = 90  # the longest wait for anything the worker does, under load


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def worker(stack_env: dict[str, str]):  # type: ignore[no-untyped-def]
    run_id = uuid.uuid4().hex[:8]
    service = f"goal-service-it-{run_id}"
    overrides = {spec.name: f"{service}.{spec.name}" for spec in TOPICS}
    admin = AIOKafkaAdminClient(bootstrap_servers=stack_env["KAFKA_BOOTSTRAP_SERVERS"])
    await admin.start()
    topics = [NewTopic(name, 1, 1) for name in overrides.values()]
    await admin.create_topics([*topics, NewTopic(f"{service}.dlq", 1, 1)])
    await admin.close()
    database = service.replace("-", "_")
    env = {
        **os.environ,
        **stack_env,
        "SERVICE_NAME": service,
        "MONGODB_DATABASE": database,
        "TOPIC_OVERRIDES": json.dumps(overrides),
        "WORKER_WEB_PORT": str(_free_port()),
        "SCHEDULER_INTERVAL_S": "0.5",
        "CONSUMER_RETRY_BACKOFF_S": "0.05",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "goal_service", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    settings = KitSettings(
        service_name=service,
        kafka_bootstrap_servers=stack_env["KAFKA_BOOTSTRAP_SERVERS"],
        topic_overrides=overrides,
    )
    client: AsyncMongoClient = AsyncMongoClient(stack_env["MONGODB_URI"], tz_aware=True)
    try:
        yield settings, client[database], proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        await client.drop_database(database)
        await client.close()


async def _next_of(consumer: AIOKafkaConsumer, wanted: str, timeout: float = WAIT_S) -> Envelope:
    async def scan() -> Envelope:
        async for record in consumer:
            envelope = Envelope.model_validate_json(record.value)
            if envelope.type == wanted:
                return envelope
        raise AssertionError("consumer stopped")

    return await asyncio.wait_for(scan(), timeout)


async def _eventually(probe: Callable[[], Awaitable[Any]], timeout: float = WAIT_S) -> Any:
    """The probe's first truthy answer (it reads what the worker writes after an event)."""
    async with asyncio.timeout(timeout):
        while not (found := await probe()):
            await asyncio.sleep(0.2)
    return found


async def _expire_now(db: Any, goal_id: str, exp: datetime) -> None:
    """The goal's expiry arrives: its timer task, scheduled for `exp`, falls due now."""
    task_id = f"deactivate:{goal_id}"
    task = await _eventually(lambda: db.goal_tasks.find_one({"_id": task_id}))
    assert task["due_at"] == utc_ms(exp) and task["status"] == "pending"
    now = datetime.now(UTC)
    # Only the timer writes this task otherwise, and not before it is due.
    await db.goal_tasks.update_one({"_id": task_id}, {"$set": {"due_at": now, "lease_until": now}})


async def test_expired_funding_goal_is_ended_and_its_ticket_refunded(worker) -> None:  # type: ignore[no-untyped-def]
    settings, db, proc = worker
    goal_id = uuid.uuid4().hex[:24]
    exp = datetime.now(UTC) + timedelta(hours=1)  # it comes when _expire_now says
    consumer = AIOKafkaConsumer(
        *(settings.topic(t) for t in ("goal.created", "goal.progressed", "goal.ended")),
        settings.topic("wallet.commands"),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    publisher = Publisher(settings)
    try:
        await publisher.publish(
            CreateGoal(
                goal_id=goal_id,
                _cls="ShowFundingGoal",
                exp=exp,
                levels=[{"title": "Show", "target": 2}],  # type: ignore[list-item]
                conditions={"session_id": "s1"},
                metadata={"user_id": "streamer", "session_id": "s1", "ticket_price": 10},
            )
        )
        created = await _next_of(consumer, "goal.created")
        assert created.payload["goal_id"] == goal_id

        await publisher.publish(
            BalanceDecremented(
                user_id="viewer",
                user_wallet_id="w-viewer",
                amount=10,
                timestamp=datetime.now(UTC),
                transaction_id="tx-ticket-1",
                tags=[swag_tag("s1", "show_ticket", goal_id)],
            )
        )
        progressed = await _next_of(consumer, "goal.progressed")
        assert progressed.payload["progress"] == 1 and progressed.payload["version"] == 2

        await _expire_now(db, goal_id, exp)
        ended = await _next_of(consumer, "goal.ended")
        assert ended.payload["triggerer"] == "system" and ended.payload["progress"] == 1
        refund = await _next_of(consumer, "refund")
        assert refund.payload == {"transaction_id": "tx-ticket-1", "reason": "funding_missed"}
    finally:
        await publisher.stop()
        await consumer.stop()

    goal = await db.goals.find_one({"_id": goal_id})
    assert goal["active"] is False and goal["contributions"] == 1
    assert await db.goal_contributions.find_one({"_id": f"{goal_id}:tx-ticket-1"}) is not None
    task = await db.goal_tasks.find_one({"_id": f"deactivate:{goal_id}"})
    assert task["status"] == "done"

    # track_goals runs after the refund receiver on goal.ended: wait for its record.
    async def all_three_audited() -> bool:
        return bool(await db.goal_audit.count_documents({"goal_id": goal_id}) == 3)

    await _eventually(all_three_audited)
    assert proc.poll() is None
