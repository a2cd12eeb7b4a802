"""Hostile callbacks get a 4xx with a reason: odd signature headers, huge heads and bodies."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from service_kit.runner import server_options
from wallet_adapter.bootstrap import Container
from wallet_adapter.config import Settings
from wallet_adapter.entrypoints.api import create_api

from .conftest import SECRET
from .fakes import FakePublisher, FakeSeen, FakeUsers, FakeWallet
from .test_wallet_callback import URL, raw, signed


async def test_a_non_ascii_signature_is_refused_as_malformed(edge) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    headers = {**signed(raw()), "X-Wallet-Signature": "é".encode("latin-1") * 64}
    response = await client.post(URL, content=raw(), headers=headers)
    assert response.status_code == 401
    assert response.json()["reason"] == "invalid_signature"
    assert c.publisher.sent == []


@pytest.mark.parametrize(
    "signature", ["a" * 100_000, "a" * 63, "g" * 64, "0x" + "a" * 62], ids=str.__len__
)
async def test_a_signature_of_the_wrong_shape_is_refused(edge, signature: str) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    headers = {**signed(raw()), "X-Wallet-Signature": signature}
    response = await client.post(URL, content=raw(), headers=headers)
    assert response.status_code == 401
    assert response.json()["reason"] == "invalid_signature"
    assert c.publisher.sent == []


async def test_an_oversized_body_is_413_before_the_signature_is_looked_at(edge) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    body = b'{"id": "' + b"x" * (c.settings.http_max_body_bytes + 1) + b'"}'
    response = await client.post(URL, content=body)  # unsigned: 413 comes first
    assert response.status_code == 413
    assert response.json()["reason"] == "body_too_large"

    async def chunks() -> Iterator[bytes]:  # type: ignore[misc]
        for _ in range(20):
            yield b"x" * 8192

    chunked = await client.post(URL, content=chunks(), headers=signed(b""))
    assert chunked.status_code == 413
    assert c.publisher.sent == []


@pytest.fixture
def served() -> Iterator[int]:
    """The adapter's API on fakes behind a real uvicorn, configured as in production."""
    container = Container(Settings(wallet_callback_secret=SECRET))
    container.publisher = FakePublisher()  # type: ignore[assignment]
    container.users, container.wallet, container.seen = FakeUsers(), FakeWallet(), FakeSeen()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = server_options(container.settings) | {"port": port, "lifespan": "off"}
    server = uvicorn.Server(uvicorn.Config(create_api(container), **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(10)


def test_a_100_kb_signature_arriving_in_pieces_gets_an_answer_not_a_reset(served: int) -> None:
    head = (
        f"POST {URL} HTTP/1.1\r\nHost: adapter\r\nX-Wallet-Timestamp: {int(time.time())}\r\n"
        f"X-Wallet-Signature: {'a' * 100_000}\r\nContent-Length: 2\r\n\r\n{{}}"
    ).encode()
    with socket.create_connection(("127.0.0.1", served), timeout=10) as conn:
        # Slow enough that the head never arrives in one read, as over a real network.
        for i in range(0, len(head), 4096):
            conn.sendall(head[i : i + 4096])
            time.sleep(0.002)
        answer = http.client.HTTPResponse(conn)
        answer.begin()
        body = json.loads(answer.read())
    assert answer.status == 401
    assert body["reason"] == "invalid_signature"


def test_a_1_mb_body_gets_its_413_over_a_real_connection(served: int) -> None:
    """Answered after the body is read and dropped: answering mid-upload reset the connection."""
    with socket.create_connection(("127.0.0.1", served), timeout=10) as conn:
        conn.sendall(
            f"POST {URL} HTTP/1.1\r\nHost: adapter\r\nContent-Length: 1000000\r\n\r\n".encode()
        )
        for _ in range(100):
            conn.sendall(b"x" * 10_000)
        answer = http.client.HTTPResponse(conn)
        answer.begin()
        body = json.loads(answer.read())
    assert answer.status == 413
    assert body["reason"] == "body_too_large"
