"""The HTTP wallet client: wire format, bounded retries, replies as they come."""

from __future__ import annotations

import json

import httpx
import pytest

from wallet_adapter.adapters.wallet_api import HttpWalletApi
from wallet_adapter.ports import WalletTransfer, WalletUnavailable

ORDER = WalletTransfer(
    "session:trigger-exclusive:g1", "w-v", None, 300, ("swag::x", "escrow::eA==:swag::x")
)


def api(handler) -> tuple[HttpWalletApi, list[httpx.Request]]:  # type: ignore[no-untyped-def]
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request, len(seen))

    client = HttpWalletApi(
        "http://wallet",
        timeout_s=1,
        retries=2,
        backoff_s=0.001,
        transport=httpx.MockTransport(record),
    )
    return client, seen


async def test_transfer_posts_the_seeds_wallet_body() -> None:
    client, seen = api(lambda r, n: httpx.Response(201, json={"id": ORDER.transaction_id}))
    reply = await client.transfer(ORDER)
    assert reply.ok
    (request,) = seen
    assert (request.method, request.url.path) == ("POST", "/transactions")
    assert json.loads(request.content) == {
        "id": "session:trigger-exclusive:g1",
        "fromAccount": "w-v",
        "fromAmount": 300,
        "toAccount": None,
        "toAmount": 300,
        "tags": ["swag::x", "escrow::eA==:swag::x"],
        "forced": False,
        "timestamp": None,
    }


async def test_5xx_and_transport_errors_are_retried_a_bounded_number_of_times() -> None:
    def flaky(request: httpx.Request, n: int) -> httpx.Response:
        if n == 1:
            raise httpx.ConnectError("refused")
        return httpx.Response(503) if n == 2 else httpx.Response(200, json={})

    client, seen = api(flaky)
    assert (await client.transfer(ORDER)).status == 200
    assert len(seen) == 3
    down, seen_down = api(lambda r, n: httpx.Response(502))
    with pytest.raises(WalletUnavailable):
        await down.transfer(ORDER)
    assert len(seen_down) == 3  # first try + 2 retries


async def test_refusals_are_final_and_carry_reason_and_body() -> None:
    body = {"reason": "hold_settled", "detail": "x", "outcome": "refunded"}
    client, seen = api(lambda r, n: httpx.Response(409, json=body))
    reply = await client.settle(
        "session:trigger-exclusive:g1", "release", "release:session:trigger-exclusive:g1"
    )
    assert (reply.status, reply.reason, reply.body["outcome"]) == (409, "hold_settled", "refunded")
    (request,) = seen
    assert request.url.raw_path == b"/holds/session%3Atrigger-exclusive%3Ag1/release"
    assert json.loads(request.content) == {"id": "release:session:trigger-exclusive:g1"}


async def test_balance_is_one_fast_attempt() -> None:
    client, _ = api(lambda r, n: httpx.Response(200, json={"wallet_id": "w-v", "balance": 42}))
    assert await client.balance("w-v") == 42
    missing, _ = api(lambda r, n: httpx.Response(404, json={"reason": "unknown_wallet"}))
    assert await missing.balance("w-x") is None
    down, seen = api(lambda r, n: httpx.Response(503))
    with pytest.raises(WalletUnavailable):
        await down.balance("w-v")
    assert len(seen) == 1


async def test_settlements_are_counted_by_kind_and_result() -> None:
    from prometheus_client import REGISTRY

    def count(kind: str, result: str) -> float:
        labels = {"kind": kind, "result": result}
        return REGISTRY.get_sample_value("lsg_wallet_settlements_total", labels) or 0.0

    before = {(k, r): count(k, r) for k in ("refund", "split") for r in ("ok", "refused")}
    ok, _ = api(lambda r, n: httpx.Response(200, json={}))
    await ok.settle("h1", "refund", "refund:h1")
    refused, _ = api(lambda r, n: httpx.Response(409, json={"reason": "hold_settled"}))
    await refused.split("h2", "s1", 100)
    after = {key: count(*key) for key in before}
    assert {key: after[key] - before[key] for key in before} == {
        ("refund", "ok"): 1,
        ("refund", "refused"): 0,
        ("split", "ok"): 0,
        ("split", "refused"): 1,
    }


async def test_transaction_lookup_by_id_found_unknown_or_unreachable() -> None:
    txn = {"id": ORDER.transaction_id, "status": "completed", "callbackPending": True}
    found, seen = api(lambda r, n: httpx.Response(200, json=txn))
    assert await found.transaction(ORDER.transaction_id) == txn
    assert seen[0].method == "GET"
    assert seen[0].url.raw_path == b"/transactions/session%3Atrigger-exclusive%3Ag1"
    unknown, _ = api(lambda r, n: httpx.Response(404, json={"reason": "no_transaction"}))
    assert await unknown.transaction(ORDER.transaction_id) is None
    for answer in (httpx.Response(503), httpx.ReadTimeout("slow")):

        def reply(r: httpx.Request, n: int, answer: object = answer) -> httpx.Response:
            if isinstance(answer, Exception):
                raise answer
            return answer  # type: ignore[return-value]

        down, _ = api(reply)
        with pytest.raises(WalletUnavailable):
            await down.transaction(ORDER.transaction_id)


async def test_the_container_keeps_one_wallet_client_and_closes_it_at_shutdown() -> None:
    from wallet_adapter.bootstrap import bootstrap
    from wallet_adapter.config import Settings

    closed: list[int] = []

    class Closing(httpx.MockTransport):
        async def aclose(self) -> None:
            closed.append(1)

    seen: list[httpx.Request] = []
    c = bootstrap(Settings(wallet_timeout_s=0.7))
    c.wallet._http.transport = Closing(  # type: ignore[attr-defined]
        lambda r: seen.append(r) or httpx.Response(200, json={"balance": 5})
    )
    assert [await c.wallet.balance("w1") for _ in range(3)] == [5, 5, 5]
    assert seen[0].extensions["timeout"]["read"] == 0.7, "the timeout comes from Settings"
    assert closed == [], "one client for every call"
    await c.close_clients()
    assert closed == [1]
