"""Callbacks: one per completed transaction, signed, retried until acknowledged, kept across restarts."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time

import pytest
from pymongo import AsyncMongoClient

from wallet_sandbox.records import now

pytestmark = pytest.mark.integration

SECRET = "test-callback-secret"
SWAG = "swag::livestream.session:s1.trigger_exclusive:g1"


def escrow_body(txn_id: str = "session:trigger-exclusive:g1", amount: int = 25) -> dict:
    return {
        "id": txn_id,
        "fromAccount": "w-v",
        "fromAmount": amount,
        "toAccount": None,
        "toAmount": amount,
        "tags": [SWAG],
    }


def verify(received) -> dict:  # type: ignore[no-untyped-def]
    """Check the signature exactly as the adapter does; returns the parsed body."""
    timestamp = received.headers["x-wallet-timestamp"]
    expected = hmac.new(
        SECRET.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(expected, received.headers["x-wallet-signature"])
    assert abs(int(timestamp) - time.time()) < 60
    return json.loads(received.body)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/notify/wallet/transaction"


async def test_a_completed_transfer_is_called_back_signed_with_the_seed_body(
    api, receiver, eventually
) -> None:  # type: ignore[no-untyped-def]
    await api.put("/admin/accounts/w-v", json={"balance": 100})
    await api.post("/transactions", json=escrow_body())
    await eventually(lambda: _true(receiver.accepted))
    body = verify(receiver.accepted[0])
    assert set(body) == {"id", "ts", "fromAccount", "fromAmount", "toAccount", "toAmount", "tags"}
    assert body["id"] == "session:trigger-exclusive:g1"
    assert (body["fromAccount"], body["toAccount"]) == ("w-v", None)
    assert (body["fromAmount"], body["toAmount"]) == (25, 25)
    assert body["tags"] == [SWAG]
    assert body["ts"].endswith("+00:00")

    async def acknowledged():  # type: ignore[no-untyped-def]
        view = (await api.get("/transactions/session:trigger-exclusive:g1")).json()
        return view["callbackPending"] is False

    # The receiver answers before the sandbox records the acknowledgement.
    await eventually(acknowledged)
    # A repeated transfer is not a new transaction: no second callback.
    await api.post("/transactions", json=escrow_body())
    refund = await api.post("/holds/session:trigger-exclusive:g1/refund", json={})
    assert refund.status_code == 201
    await eventually(lambda: _true(len(receiver.accepted) == 2))
    refunded = verify(receiver.accepted[1])
    assert (refunded["fromAccount"], refunded["toAccount"]) == (None, "w-v")
    assert refunded["tags"] == [SWAG, "refund::session:trigger-exclusive:g1"]
    assert [json.loads(r.body)["id"] for r in receiver.requests] == [
        "session:trigger-exclusive:g1",
        "refund:session:trigger-exclusive:g1",
    ]


async def test_refused_callbacks_are_retried_with_backoff_until_acknowledged(
    api, receiver, eventually
) -> None:  # type: ignore[no-untyped-def]
    receiver.statuses = [500, 401, 503]
    await api.put("/admin/accounts/w-v", json={"balance": 100})
    await api.post("/transactions", json=escrow_body())
    await eventually(lambda: _true(receiver.accepted))
    assert len(receiver.requests) == 4
    bodies = {r.body for r in receiver.requests}
    assert len(bodies) == 1, "every attempt carries the same body"
    for request in receiver.requests:
        verify(request)

    async def delivered() -> bool:
        # The sandbox records the acknowledgement after the receiver answered: wait for it.
        view = (await api.get("/transactions/session:trigger-exclusive:g1")).json()
        return view["callbackPending"] is False

    await eventually(delivered)


async def test_pending_callbacks_survive_a_restart(settings, sandbox, receiver, eventually) -> None:  # type: ignore[no-untyped-def]
    down = settings.model_copy(update={"wallet_callback_url": closed_port_url()})
    async with sandbox(down) as api:
        await api.put("/admin/accounts/w-v", json={"balance": 100})
        await api.post("/transactions", json=escrow_body("t-a", 10))
        await api.post("/transactions", json=escrow_body("t-b", 20))
        view = await eventually(lambda: _attempted(api, "t-a"))
        assert view["callbackPending"] is True
    assert receiver.requests == []
    async with sandbox(settings):
        await eventually(lambda: _true(len(receiver.accepted) == 2))
    assert sorted(json.loads(r.body)["id"] for r in receiver.accepted) == ["t-a", "t-b"]


async def test_a_transfer_interrupted_after_the_debit_is_finished_once(
    settings, sandbox, receiver, eventually, stack_env
) -> None:  # type: ignore[no-untyped-def]
    client: AsyncMongoClient = AsyncMongoClient(stack_env["MONGODB_URI"], tz_aware=True)
    db = client[settings.mongodb_database]
    # What a crash right after the debit leaves behind: the work listed, the pending
    # record, the debit applied.
    await db.inflight.insert_one({"_id": "t-crash", "stage": "pending", "at": now()})
    await db.accounts.insert_one({"_id": "w-v", "balance": 70, "applied": ["t-crash"]})
    await db.mints.insert_one({"wallet_id": "w-v", "delta": 100, "balance": 100, "at": now()})
    await db.transactions.insert_one(
        {
            "_id": "t-crash",
            "kind": "transfer",
            "hold": "t-crash",
            "from": "w-v",
            "to": None,
            "amount": 30,
            "tags": [SWAG],
            "forced": False,
            "requested_ts": None,
            "status": "pending",
            "created_at": now(),
            "callback_pending": False,
        }
    )
    async with sandbox(settings) as api:
        await eventually(lambda: _true(receiver.accepted))
        summary = (await api.get("/ledger/summary")).json()
    await client.close()
    assert summary == {"total_balances": 70, "open_holds": 30, "minted": 100}
    assert [json.loads(r.body)["id"] for r in receiver.accepted] == ["t-crash"]


async def _true(value: object) -> object:
    return value


async def _attempted(api, txn_id: str):  # type: ignore[no-untyped-def]
    view = (await api.get(f"/transactions/{txn_id}")).json()
    raw = await api.app.state.ledger.transactions.find_one({"_id": txn_id})
    return view if raw.get("callback_attempts", 0) >= 1 else None
