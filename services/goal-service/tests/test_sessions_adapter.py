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
