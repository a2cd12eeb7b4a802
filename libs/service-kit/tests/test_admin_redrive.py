"""`service_kit.admin redrive` against the real Kafka: dead letters go back to their topics once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from livestream_schemas.envelope import encode
from livestream_schemas.wallet import UserUpdated
from service_kit.consumer import Dispatcher
from service_kit.faults import Failure
from service_kit.kafka import Publisher
from service_kit.settings import KitSettings

pytestmark = pytest.mark.integration


def admin(env: dict[str, str], *args: str) -> str:
    """Run the operator command as an operator would; returns its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "service_kit.admin", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def read_all(
    bootstrap: str, topic: str, headers: list[dict[str, bytes]] | None = None
) -> list[tuple[bytes | None, bytes | None]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=5000)
        records = [r for rs in batch.values() for r in rs]
        if headers is not None:
            headers.extend(dict(r.headers) for r in records)
        return [(r.key, r.value) for r in records]
    finally:
        await consumer.stop()


async def test_redrive_republishes_original_bytes_and_keys_once(
    stack_env: dict[str, str],
) -> None:
    bootstrap = stack_env["KAFKA_BOOTSTRAP_SERVERS"]
    service = f"kit-redrive-{uuid.uuid4().hex[:8]}"
    original = f"{service}.user.updated"
    kafka_admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await kafka_admin.start()
    try:
        await kafka_admin.create_topics(
            [NewTopic(original, 1, 1), NewTopic(f"{service}.dlq", 1, 1)]
        )
    finally:
        await kafka_admin.close()

    settings = KitSettings(service_name=service, kafka_bootstrap_servers=bootstrap)
    publisher = Publisher(settings)
    dispatcher = Dispatcher(settings, publisher, routes={})
    letters = []
    for user_id in ("u-a", "u-b"):
        message = UserUpdated(user_id=user_id, username=user_id, wallet_id=f"w-{user_id}")
        raw = encode(message, key=user_id)
        value = raw.model_dump_json().encode()
        letters.append((user_id.encode(), value))
        await dispatcher.dead_letter(
            original, value, key=user_id.encode(), handler="record_user", failure=Failure(3, "boom")
        )
    await publisher.stop()

    env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    dry = admin(env, "redrive", "--group", service, "--dry-run")
    assert "would redrive: 2 message(s)" in dry
    assert f"topic={original}  key=u-a  handler=record_user  attempts=3  error=boom" in dry
    assert await read_all(bootstrap, original) == []

    first = admin(env, "redrive", "--group", service)
    assert first.count(f"topic={original}") == 2 and "redriven: 2 message(s)" in first
    headers: list[dict[str, bytes]] = []
    assert await read_all(bootstrap, original, headers) == letters
    # Aimed at the group and receiver that failed: other groups on the topic skip it.
    assert [(h["redrive.group"], h["redrive.handler"]) for h in headers] == [
        (service.encode(), b"record_user")
    ] * 2

    again = admin(env, "redrive", "--group", service)
    assert "redriven: 0 message(s)" in again
    assert await read_all(bootstrap, original) == letters
