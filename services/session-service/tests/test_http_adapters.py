"""The balance reader and the answer forwarder: one client each, Settings' timeouts, closed
at shutdown."""

from __future__ import annotations

import httpx

from session_service.bootstrap import bootstrap
from session_service.config import Settings


class CountingTransport(httpx.MockTransport):
    """Records the requests and counts the clients that closed it."""

    def __init__(self, response: httpx.Response) -> None:
        self.requests: list[httpx.Request] = []
        self.closed = 0
        super().__init__(lambda request: self.requests.append(request) or response)

    async def aclose(self) -> None:
        self.closed += 1


async def test_each_client_has_its_settings_timeout_and_the_container_closes_both() -> None:
    c = bootstrap(Settings(wallet_timeout_s=0.7, goal_service_timeout_s=3.5))
    wallet = CountingTransport(httpx.Response(200, json={"balance": 42}))
    goals = CountingTransport(httpx.Response(200, json={"outcome": "agreed"}))
    c.balances._http.transport = wallet  # type: ignore[attr-defined]
    c.goal_requests._http.transport = goals  # type: ignore[attr-defined]
    for _ in range(2):
        assert await c.balances.balance("v1", authorization="Bearer t") == 42
        status, _body = await c.goal_requests.answer("g1", "accept", authorization="Bearer t")
        assert status == 200
    assert wallet.requests[0].extensions["timeout"]["read"] == 0.7
    assert goals.requests[0].extensions["timeout"]["read"] == 3.5
    assert (wallet.closed, goals.closed) == (0, 0), "one client each, reused across calls"
    await c.close()
    assert (wallet.closed, goals.closed) == (1, 1)
