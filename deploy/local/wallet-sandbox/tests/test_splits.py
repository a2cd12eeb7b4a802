"""Split settlement: part of a hold released to its beneficiary, the rest refunded, once."""

from __future__ import annotations

import json

import pytest
from pymongo import AsyncMongoClient

from wallet_sandbox.records import now

from .holds import HOLD, SWAG, balances, escrow

pytestmark = pytest.mark.integration

SETTLE = f"/holds/{HOLD}/settle"


async def test_a_split_releases_part_and_refunds_the_rest_in_one_settlement(held) -> None:  # type: ignore[no-untyped-def]
    first = await held.post(SETTLE, json={"id": "settle:g1", "release": 30})
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["release"], body["refund"]) == (30, 10)
    release, refund = body["transactions"]
    assert (release["id"], release["toAccount"], release["toAmount"]) == (
        "settle:g1:release",
        "w-s",
        30,
    )
    assert release["tags"] == [SWAG, escrow("w-s"), f"release::{HOLD}"]
    assert (refund["id"], refund["toAccount"], refund["toAmount"]) == (
        "settle:g1:refund",
        "w-v",
        10,
    )
    assert refund["fromAccount"] is None and refund["tags"][-1] == f"refund::{HOLD}"
    assert await balances(held) == (70, 30)
    hold = (await held.get("/holds", params={"tag": "trigger_exclusive:g1"})).json()["holds"][0]
    assert (hold["status"], hold["settledBy"]) == ("split", "settle:g1")
    assert hold["split"] == {"release": 30, "refund": 10}
    summary = (await held.get("/ledger/summary")).json()
    assert summary == {"total_balances": 100, "open_holds": 0, "minted": 100}


async def test_a_repeated_split_answers_the_first_result_and_moves_nothing(held) -> None:  # type: ignore[no-untyped-def]
    first = await held.post(SETTLE, json={"id": "settle:g1", "release": 25})
    again = await held.post(SETTLE, json={"id": "settle:g1", "release": 25})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert await balances(held) == (75, 25)


async def test_the_same_settlement_with_another_split_is_refused(held) -> None:  # type: ignore[no-untyped-def]
    await held.post(SETTLE, json={"id": "settle:g1", "release": 40})
    other = await held.post(SETTLE, json={"id": "settle:g1", "release": 0})
    assert (other.status_code, other.json()["reason"]) == (409, "transaction_conflict")
    assert await balances(held) == (60, 40)


async def test_one_settlement_per_hold_whatever_comes_first(held) -> None:  # type: ignore[no-untyped-def]
    await held.post(f"/holds/{HOLD}/refund", json={"id": f"refund:{HOLD}"})
    split = await held.post(SETTLE, json={"id": "settle:g1", "release": 20})
    assert (split.status_code, split.json()["outcome"]) == (409, "refunded")
    refund = await held.post(f"/holds/{HOLD}/refund", json={"id": f"refund:{HOLD}"})
    assert refund.status_code == 200
    assert await balances(held) == (100, 0)


async def test_a_refund_or_release_after_a_split_is_refused(held) -> None:  # type: ignore[no-untyped-def]
    await held.post(SETTLE, json={"id": "settle:g1", "release": 40})  # all of it: "released"
    for outcome in ("release", "refund"):
        response = await held.post(f"/holds/{HOLD}/{outcome}", json={"id": f"{outcome}:{HOLD}"})
        assert (response.status_code, response.json()["reason"]) == (409, "hold_settled")
    assert await balances(held) == (60, 40)


async def test_a_zero_release_is_a_plain_refund_with_one_movement(held) -> None:  # type: ignore[no-untyped-def]
    response = await held.post(SETTLE, json={"release": 0})
    assert response.status_code == 201
    assert [t["id"] for t in response.json()["transactions"]] == [f"settle:{HOLD}:refund"]
    assert await balances(held) == (100, 0)


async def test_bad_splits_are_refused_and_nothing_moves(held, api) -> None:  # type: ignore[no-untyped-def]
    too_much = await held.post(SETTLE, json={"release": 41})
    assert (too_much.status_code, too_much.json()["reason"]) == (422, "invalid_split")
    negative = await held.post(SETTLE, json={"release": -1})
    assert negative.status_code == 422
    unknown = await held.post("/holds/nope/settle", json={"release": 1})
    assert (unknown.status_code, unknown.json()["reason"]) == (404, "no_hold")
    await api.put("/admin/accounts/w-x", json={"balance": 5})
    plain = {"id": "h2", "fromAccount": "w-x", "fromAmount": 5, "toAmount": 5, "tags": [SWAG]}
    await api.post("/transactions", json=plain)
    no_beneficiary = await api.post("/holds/h2/settle", json={"release": 1})
    assert (no_beneficiary.status_code, no_beneficiary.json()["reason"]) == (409, "no_beneficiary")
    assert await balances(held) == (60, 0)


async def test_an_injected_fault_refuses_the_split_until_it_is_used_up(held) -> None:  # type: ignore[no-untyped-def]
    await held.put(f"/admin/faults/holds/{HOLD}", json={"status": 422, "times": 1})
    refused = await held.post(SETTLE, json={"id": "settle:g1", "release": 10})
    assert (refused.status_code, refused.json()["reason"]) == (422, "injected_fault")
    assert await balances(held) == (60, 0)  # nothing moved
    assert (await held.post(SETTLE, json={"id": "settle:g1", "release": 10})).status_code == 201
    assert await balances(held) == (90, 10)


async def test_one_signed_callback_per_money_movement(held, receiver, eventually) -> None:  # type: ignore[no-untyped-def]
    await held.post(SETTLE, json={"id": "settle:g1", "release": 10})
    await held.post(SETTLE, json={"id": "settle:g1", "release": 10})

    async def callbacks():  # type: ignore[no-untyped-def]
        ids = [json.loads(r.body)["id"] for r in receiver.accepted]
        return ids if len(ids) >= 3 else None

    ids = await eventually(callbacks)
    assert sorted(ids) == sorted([HOLD, "settle:g1:release", "settle:g1:refund"])
    assert all("x-wallet-signature" in r.headers for r in receiver.accepted)


async def test_a_split_interrupted_after_its_first_leg_is_finished_once(
    held, settings, stack_env, eventually
) -> None:  # type: ignore[no-untyped-def]
    ledger = held.app.state.ledger
    # What a crash after the release leg leaves behind: both legs written, the hold claimed,
    # the release paid, the refund leg still pending.
    legs, _ = await ledger.split(HOLD, "settle:g1", 15)

    async def quiet():  # type: ignore[no-untyped-def]
        return await ledger.inflight.count_documents({}) == 0

    # The crash is staged over a settled ledger: a callback still being delivered would write
    # its transaction back (FerretDB updates are read-modify-write) over the staged state.
    await eventually(quiet)
    client: AsyncMongoClient = AsyncMongoClient(stack_env["MONGODB_URI"], tz_aware=True)
    db = client[settings.mongodb_database]
    await db.accounts.update_one(
        {"_id": "w-v"}, {"$inc": {"balance": -25}, "$pull": {"applied": "settle:g1:refund"}}
    )
    await db.transactions.update_one(
        {"_id": "settle:g1:refund"}, {"$set": {"status": "pending", "callback_pending": False}}
    )
    await db.inflight.update_one(
        {"_id": "settle:g1:refund"}, {"$set": {"stage": "pending", "at": now()}}, upsert=True
    )
    await client.close()
    assert await balances(held) == (60, 15)

    async def finished():  # type: ignore[no-untyped-def]
        return await balances(held) == (85, 15)

    await eventually(finished)
    again = await held.post(SETTLE, json={"id": "settle:g1", "release": 15})
    assert again.status_code == 200
    assert await balances(held) == (85, 15)
    assert len(legs) == 2
