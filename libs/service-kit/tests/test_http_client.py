"""The one outbound HTTP client of an adapter: built on first use, reused, closed at shutdown."""

from __future__ import annotations

import httpx

from service_kit.http_client import LazyClient
from service_kit.kafka import Publisher
from service_kit.settings import KitSettings
from service_kit.worker import build_worker


class CountingTransport(httpx.MockTransport):
    """Answers 200 and counts the clients that closed it (httpx closes it with its client)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.closed = 0
        super().__init__(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"ok": True})

    async def aclose(self) -> None:
        self.closed += 1


async def test_every_call_uses_the_same_client_until_shutdown_closes_it_once() -> None:
    transport = CountingTransport()
    lazy = LazyClient("http://peer.test", timeout_s=1, transport=transport)
    first = lazy()
    for _ in range(3):
        assert (await lazy().get("/x")).status_code == 200
    assert lazy() is first, "a client rebuilt per call opens a connection per call"
    assert transport.closed == 0, "no client was built and closed between calls"
    await lazy.aclose()
    assert transport.closed == 1, "shutdown closes the client (and its connections)"
    assert first.is_closed


async def test_a_second_shutdown_is_harmless_and_a_later_call_gets_a_fresh_client() -> None:
    transport = CountingTransport()
    lazy = LazyClient("http://peer.test", timeout_s=1, transport=transport)
    old = lazy()
    await lazy.aclose()
    await lazy.aclose()
    assert transport.closed == 1
    fresh = lazy()
    assert fresh is not old and not fresh.is_closed
    await lazy.aclose()


async def test_requests_carry_the_timeout_given_and_go_to_the_base_url() -> None:
    transport = CountingTransport()
    lazy = LazyClient("http://peer.test/", timeout_s=0.7, transport=transport)
    await lazy().get("/sessions/s1")
    (request,) = transport.requests
    assert str(request.url) == "http://peer.test/sessions/s1"
    assert request.extensions["timeout"] == {"connect": 0.7, "read": 0.7, "write": 0.7, "pool": 0.7}
    await lazy.aclose()


async def test_nothing_is_built_until_the_first_call() -> None:
    # Built lazily, a transport plugged in after construction is the one the client uses
    # (and a process that never calls out never builds one).
    lazy = LazyClient("http://peer.test", timeout_s=1)
    transport = CountingTransport()
    lazy.transport = transport
    await lazy().get("/x")
    assert len(transport.requests) == 1
    await lazy.aclose()
    await LazyClient("http://never.test", timeout_s=1).aclose()  # never built: nothing to close


async def test_the_worker_closes_the_services_clients_at_shutdown() -> None:
    settings = KitSettings(service_name="svc")
    transport = CountingTransport()
    lazy = LazyClient("http://peer.test", timeout_s=1, transport=transport)
    await lazy().get("/x")

    async def ready() -> dict[str, bool]:
        return {}

    app = build_worker(
        settings, {}, publisher=Publisher(settings), ready=ready, close_clients=lazy.aclose
    )
    await app.on_before_shutdown.send()
    assert transport.closed == 1
