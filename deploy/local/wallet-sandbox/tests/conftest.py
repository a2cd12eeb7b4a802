"""Sandbox fixtures: the app on a throwaway FerretDB database, and a callback receiver."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from pymongo import AsyncMongoClient

from wallet_sandbox.app import create_app
from wallet_sandbox.config import Settings

SECRET = "test-callback-secret"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class CallbackReceiver:
    """A tiny HTTP server: answers each POST with the next scripted status (then 200)."""

    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    accepted: list[Received] = field(default_factory=list)
    server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/notify/wallet/transaction"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")[1:]
        headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines if ln)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        status = self.statuses.pop(0) if self.statuses else 200
        received = Received(headers, body)
        self.requests.append(received)
        if status < 300:
            self.accepted.append(received)
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}".encode()
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def receiver() -> AsyncIterator[CallbackReceiver]:
    rec = CallbackReceiver()
    await rec.start()
    yield rec
    await rec.stop()


@pytest.fixture
async def database(stack_env: dict[str, str]) -> AsyncIterator[str]:
    """A unique database per test, dropped afterwards."""
    name = f"wallet_sandbox_test_{uuid.uuid4().hex[:10]}"
    yield name
    client: AsyncMongoClient = AsyncMongoClient(stack_env["MONGODB_URI"])
    await client.drop_database(name)
    await client.close()


@pytest.fixture
def settings(stack_env: dict[str, str], database: str, receiver: CallbackReceiver) -> Settings:
    return Settings(
        mongodb_uri=stack_env["MONGODB_URI"],
        mongodb_database=database,
        wallet_callback_url=receiver.url,
        wallet_callback_secret=SECRET,
        callback_backoff_s=0.05,
        callback_backoff_max_s=0.4,
        callback_poll_s=0.05,
        recovery_after_s=0.2,
    )


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The sandbox app with its lifespan (and so its callback deliverer) running."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running(settings) as client:
        yield client


async def _eventually(predicate, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    """Poll an async predicate until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@pytest.fixture
def eventually():  # type: ignore[no-untyped-def]
    return _eventually


@pytest.fixture
def sandbox():  # type: ignore[no-untyped-def]
    """Start (and restart) the sandbox app on given settings: `async with sandbox(s) as api`."""
    return running


@pytest.fixture
async def held(api):  # type: ignore[no-untyped-def]
    """Viewer w-v (100 coins) pays 40 into escrow for streamer w-s (tests/holds.py)."""
    from .holds import HOLD, hold_body

    await api.put("/admin/accounts/w-v", json={"balance": 100})
    await api.put("/admin/accounts/w-s", json={"balance": 0})
    response = await api.post("/transactions", json=hold_body())
    assert response.status_code == 201
    assert response.json()["hold"] == HOLD
    return api
