"""Fixtures shared by every test folder: where the real stack is, the spans recorded."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo import AsyncMongoClient

from service_kit import telemetry
from service_kit.settings import KitSettings

ROOT = Path(__file__).parent
_KEYS = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "MONGODB_URI",
    "PUSHER_HOST",
    "PUSHER_PORT",
    "PUSHER_APP_ID",
    "PUSHER_KEY",
    "PUSHER_SECRET",
    "JWT_SECRET",
    "WALLET_CALLBACK_SECRET",
    "WALLET_SANDBOX_PORT",
)


def _stack_env() -> dict[str, str]:
    """The local stack's addresses; explicit variables in the environment win (env.sh keeps them)."""
    out = subprocess.run(
        ["bash", "-c", f"source {ROOT / 'deploy/local/env.sh'} && env -0"],
        capture_output=True,
        check=True,
        env=os.environ.copy(),
    ).stdout.decode()
    pairs = dict(item.split("=", 1) for item in out.split("\0") if "=" in item)
    return {k: pairs[k] for k in _KEYS}


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def stack_env() -> dict[str, str]:
    env = _stack_env()
    kafka_host, kafka_port = env["KAFKA_BOOTSTRAP_SERVERS"].split(",")[0].rsplit(":", 1)
    mongo_netloc = env["MONGODB_URI"].split("//", 1)[1].split("/", 1)[0]
    mongo_hostport = mongo_netloc.rsplit("@", 1)[-1].split(",")[0]  # without user:password@
    mongo_host, _, mongo_port = mongo_hostport.rpartition(":")
    needed = {
        "Kafka": (kafka_host, int(kafka_port)),
        "MongoDB API": (mongo_host, int(mongo_port or 27017)),
        "Pusher server": (env["PUSHER_HOST"], int(env["PUSHER_PORT"])),
    }
    down = [name for name, (h, p) in needed.items() if not _reachable(h, p)]
    if down:
        pytest.fail(
            f"{', '.join(down)} not reachable: start the stack with `make stack` (or make test)"
        )
    return env


@pytest.fixture
async def scratch_db(stack_env: dict[str, str]) -> AsyncIterator[Any]:
    """A database of its own on the real MongoDB API, dropped afterwards."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack_env["MONGODB_URI"], tz_aware=True, serverSelectionTimeoutMS=3000
    )
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


@pytest.fixture(scope="session")
def _span_exporter() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    processors = [SimpleSpanProcessor(exporter)]
    settings = KitSettings(service_name="tests")
    # Once per process, as in a service: OpenTelemetry's global provider is set only once.
    trace.set_tracer_provider(telemetry.provider_for(settings, kind="test", processors=processors))
    return exporter


@pytest.fixture(autouse=True)
def spans(_span_exporter: InMemorySpanExporter) -> Iterator[InMemorySpanExporter]:
    """The spans the code under test finished (in-process: services export their own)."""
    _span_exporter.clear()
    yield _span_exporter
    _span_exporter.clear()
