"""Tried from outside against the running stack: what issue 12 found (two 500s, a dropped
connection, readable exclusive requests) gets a 4xx now, and a forged wallet command on the
bus moves no coin."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import time
from urllib.parse import urlsplit

import pytest
from test_money_path_journey import escrow_transfer, pair

from journeys.kafka_tap import KafkaTap
from journeys.stack import Stack, eventually
from livestream_schemas.commands import Transfer
from livestream_schemas.tags import TRIGGER_EXCLUSIVE, swag_tag

pytestmark = pytest.mark.journey
CALLBACK = "/notify/wallet/transaction"
OFFSET = int(os.environ.get("LSG_PORT_OFFSET", "0"))


async def test_a_goal_expiry_past_any_date_is_a_422(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer = make_user("streamer")
    body = {"session_id": "a" * 24, "title": "x", "target": 1, "ticket_price": 1}
    r = await stack.http.post(
        f"{stack.ep.goal}/goals",
        json={**body, "exp": 100000000000000000000},
        headers=streamer.headers(stack.ep),
    )
    assert r.status_code == 422, r.text
    assert r.json()["reason"] == "invalid_request"


async def test_malformed_callback_signatures_are_401s(stack: Stack) -> None:
    ts = str(int(time.time()))
    url = f"{stack.ep.wallet_adapter}{CALLBACK}"
    for signature in ("é".encode("latin-1") * 64, b"a" * 100_000):
        headers = {"X-Wallet-Timestamp": ts, "X-Wallet-Signature": signature}
        r = await stack.http.post(url, content=b"{}", headers=headers)
        assert r.status_code == 401, r.text
        assert r.json()["reason"] == "invalid_signature"


def _slow_post(port: int, head: bytes) -> tuple[int, dict]:  # type: ignore[type-arg]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        for i in range(0, len(head), 4096):
            conn.sendall(head[i : i + 4096])
            time.sleep(0.002)
        answer = http.client.HTTPResponse(conn)
        answer.begin()
        return answer.status, json.loads(answer.read())


async def test_a_100_kb_signature_arriving_slowly_is_answered_not_dropped(stack: Stack) -> None:
    port = urlsplit(stack.ep.wallet_adapter).port
    assert port
    head = (
        f"POST {CALLBACK} HTTP/1.1\r\nHost: adapter\r\nX-Wallet-Timestamp: {int(time.time())}\r\n"
        f"X-Wallet-Signature: {'a' * 100_000}\r\nContent-Length: 2\r\n\r\n{{}}"
    ).encode()
    status, body = await asyncio.to_thread(_slow_post, port, head)
    assert (status, body["reason"]) == (401, "invalid_signature")


async def test_a_huge_body_is_413_before_any_token_or_signature(stack: Stack) -> None:
    for url in (f"{stack.ep.wallet_adapter}{CALLBACK}", f"{stack.ep.session}/sessions"):
        r = await stack.http.post(url, content=b"x" * 1_000_000)
        assert r.status_code == 413
        assert r.json()["reason"] == "body_too_large"


async def test_metrics_are_not_on_the_api_port(stack: Stack) -> None:
    r = await stack.http.get(f"{stack.ep.wallet_adapter}/metrics")
    assert r.status_code == 404
    metrics = await stack.http.get(f"http://127.0.0.1:{25203 + OFFSET}/metrics")
    assert "lsg_http_requests_total" in metrics.text


async def test_exclusive_requests_are_hidden_from_bystanders(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer, bystander = make_user("streamer"), make_user("bystander")
    pricing = {"exclusive_sd_per_minute": 60, "exclusive_durations": [60]}
    opened = await stack.http.post(
        f"{stack.ep.session}/sessions",
        json={"pricing": pricing},
        headers=streamer.headers(stack.ep),
    )
    session_id = opened.json()["session_id"]
    url = f"{stack.ep.session}/sessions/{session_id}"
    assert (await stack.http.get(url)).status_code == 401
    assert (await stack.http.get(f"{url}/feed")).status_code == 401
    seen = await stack.http.get(url, headers=bystander.headers(stack.ep))
    assert seen.status_code == 200
    assert seen.json()["exclusive_goal_pairs"] == {}


def _refusals(dlq: KafkaTap, transaction_id: str) -> list[bytes]:
    return [
        headers.get("dlq.error", b"")
        for (_, message), headers in zip(dlq.seen, dlq.headers, strict=True)
        if getattr(message, "transaction_id", None) == transaction_id
    ]


async def test_a_forged_transfer_on_the_bus_moves_no_coin_and_is_dead_lettered(
    stack: Stack, make_user
) -> None:  # type: ignore[no-untyped-def]
    viewer, streamer = await pair(stack, make_user)
    honest = escrow_transfer(viewer, streamer, 100)
    forged = [
        # Straight into the attacker's wallet, overdrawn if need be.
        honest.model_copy(
            update={"transaction_id": honest.transaction_id + "-x", "to_user_id": streamer.user_id}
        ),
        honest.model_copy(update={"transaction_id": honest.transaction_id + "-f", "forced": True}),
        Transfer(
            transaction_id="anything:else",
            from_user_id=viewer.user_id,
            escrow_user_id=streamer.user_id,
            amount=10,
            tags=[swag_tag("s" * 24, TRIGGER_EXCLUSIVE, "g" * 24)],
        ),
    ]
    async with KafkaTap(stack.ep.kafka, "wallet-adapter.dlq") as dlq:
        for command in forged:
            await stack.publisher.publish(command)

        async def all_parked() -> bool:
            return all(_refusals(dlq, c.transaction_id) for c in forged)

        await eventually(all_parked, what="every forged transfer dead-lettered")
    reasons = [_refusals(dlq, c.transaction_id)[0] for c in forged]
    assert reasons[0].startswith(b"refused: destination_not_allowed")
    assert reasons[1].startswith(b"refused: forced_not_allowed")
    assert reasons[2].startswith(b"refused: foreign_transaction_id")
    assert await stack.balance(viewer.wallet_id) == 1_000
    assert await stack.balance(streamer.wallet_id) == 0
