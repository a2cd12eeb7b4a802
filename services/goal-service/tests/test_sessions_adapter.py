from __future__ import annotations

import httpx
import pytest

from goal_service.adapters.sessions import HttpSessions
from goal_service.ports import SessionServiceUnavailable


def directory(handler) -> HttpSessions:
    return HttpSessions(
        "http://sessions.test/", timeout_s=1, transport=httpx.MockTransport(handler)
    )


async def test_reads_the_session_with_the_callers_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"session_id": "s1", "user_id": "u", "active": True})

    session = await directory(handler).get("s1", authorization="Bearer t")
    assert session == {"session_id": "s1", "user_id": "u", "active": True}
    assert str(seen[0].url) == "http://sessions.test/sessions/s1"
    assert seen[0].headers["authorization"] == "Bearer t"


async def test_not_found_is_none() -> None:
    sessions = directory(lambda request: httpx.Response(404, json={}))
    assert await sessions.get("s1", authorization="Bearer t") is None


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_mean_unavailable(status) -> None:
    sessions = directory(lambda request: httpx.Response(status))
    with pytest.raises(SessionServiceUnavailable):
        await sessions.get("s1", authorization="Bearer t")


async def test_connection_errors_mean_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(SessionServiceUnavailable):
        await directory(handler).get("s1", authorization="Bearer t")


class CountingTransport(httpx.MockTransport):
    """Counts how often a client closed it: httpx closes the transport with its client."""

    closed = 0

    async def aclose(self) -> None:
        self.closed += 1


async def test_one_client_for_the_adapters_life_closed_once_at_shutdown() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"session_id": "s1"})

    transport = CountingTransport(handler)
    sessions = HttpSessions("http://sessions.test", timeout_s=0.7, transport=transport)
    for _ in range(3):
        assert await sessions.get("s1", authorization="Bearer t") == {"session_id": "s1"}
    assert transport.closed == 0, "no client was built and closed per request"
    assert seen[0].extensions["timeout"] == {"connect": 0.7, "read": 0.7, "write": 0.7, "pool": 0.7}
    await sessions.close()
    await sessions.close()  # a second shutdown path is harmless
    assert transport.closed == 1


async def test_the_container_closes_the_sessions_client_at_shutdown() -> None:
    from goal_service.bootstrap import bootstrap
    from goal_service.config import Settings

    seen: list[httpx.Request] = []
    transport = CountingTransport(lambda request: seen.append(request) or httpx.Response(404))
    c = bootstrap(Settings(session_service_timeout_s=0.7))
    c.sessions._http.transport = transport  # the adapter the bootstrap built, on the test's wire
    assert await c.sessions.get("s1", authorization="Bearer t") is None
    assert seen[0].extensions["timeout"]["read"] == 0.7, "the timeout comes from Settings"
    assert transport.closed == 0
    await c.close()
    assert transport.closed == 1
