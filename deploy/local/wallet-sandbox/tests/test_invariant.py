"""sum(balances) + open holds == minted, across a random sequence of every operation,
splits (part released, part refunded) and their redeliveries included."""

from __future__ import annotations

import base64
import random

import pytest

from wallet_sandbox.locks import account_key

pytestmark = pytest.mark.integration

WALLETS = [f"w-{i}" for i in range(5)]


def escrow(beneficiary: str, swag: str) -> str:
    return f"escrow::{base64.b64encode(beneficiary.encode()).decode()}:{swag}"


async def random_step(api, rng: random.Random, step: int, txns: list[dict]) -> None:  # type: ignore[no-untyped-def]
    roll = rng.random()
    if roll < 0.1:
        await api.put(
            f"/admin/accounts/{rng.choice(WALLETS)}", json={"balance": rng.randint(0, 80)}
        )
    elif roll < 0.5:
        payer, other = rng.sample(WALLETS, 2)
        swag = f"swag::livestream.session:s.trigger_exclusive:g{step}"
        escrowed = rng.random() < 0.6
        body = {
            "id": f"t-{step}",
            "fromAccount": payer,
            "fromAmount": (amount := rng.randint(1, 60)),
            "toAccount": None if escrowed else other,
            "toAmount": amount,
            "tags": [swag, escrow(other, swag)] if escrowed else [swag],
            "forced": rng.random() < 0.05,
        }
        response = await api.post("/transactions", json=body)
        assert response.status_code in (201, 402)
        txns.append({"body": body, "done": response.status_code == 201})
    elif roll < 0.65 and txns:
        # Redeliver an earlier request: a completed one must change nothing; a refused one
        # moved nothing, so it may complete now if the payer has been given coins since.
        txn = rng.choice(txns)
        response = await api.post("/transactions", json=txn["body"])
        if txn["done"]:
            assert response.status_code == 200
        else:
            assert response.status_code in (201, 402)
            txn["done"] = response.status_code == 201
    elif roll < 0.8 and txns:
        hold = rng.choice(txns)["body"]["id"]
        outcome = rng.choice(["refund", "release"])
        response = await api.post(f"/holds/{hold}/{outcome}", json={"id": f"{outcome}:{hold}"})
        assert response.status_code in (200, 201, 404, 409)
    elif txns:
        txn = rng.choice(txns)["body"]
        # Mostly a valid split of this hold; sometimes more than it holds (refused).
        release = rng.randint(0, txn["fromAmount"] + 2)
        split = {"id": f"settle:{txn['id']}", "release": release}
        response = await api.post(f"/holds/{txn['id']}/settle", json=split)
        assert response.status_code in (200, 201, 404, 409, 422)
        if response.status_code in (200, 201):
            movements = response.json()["transactions"]
            assert sum(m["toAmount"] for m in movements) == txn["fromAmount"]


async def _whole_store(ledger) -> dict[str, int]:  # type: ignore[no-untyped-def]
    accounts = await ledger.accounts.find({}).to_list(None)
    holds = await ledger.holds.find({"status": "open"}).to_list(None)
    mints = await ledger.mints.find({}).to_list(None)
    return {
        "total_balances": sum(a["balance"] for a in accounts),
        "open_holds": sum(h["amount"] for h in holds),
        "minted": sum(m["delta"] for m in mints),
    }


async def test_random_operations_keep_every_coin_accounted_for(api) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(20250428)
    for wallet in WALLETS:
        await api.put(f"/admin/accounts/{wallet}", json={"balance": 50})
    txns: list[dict] = []
    for step in range(150):
        await random_step(api, rng, step, txns)
        if step % 25 == 0:
            s = (await api.get("/ledger/summary")).json()
            assert s["total_balances"] + s["open_holds"] == s["minted"]
            # It reads only what changed since the one before (wallet_sandbox.totals).
            assert s == await _whole_store(api.app.state.ledger)
    s = (await api.get("/ledger/summary")).json()
    assert s["total_balances"] + s["open_holds"] == s["minted"]
    holds = (await api.get("/holds")).json()["holds"]
    settled = [h for h in holds if h["status"] != "open"]
    assert settled, "the sequence should have settled some holds"
    assert any(h["status"] == "split" for h in holds), "and split some"
    assert sum(h["amount"] for h in holds if h["status"] == "open") == s["open_holds"]


async def test_a_coin_lost_by_a_write_shows_in_the_next_summary(held) -> None:  # type: ignore[no-untyped-def]
    ledger = held.app.state.ledger
    assert (await held.get("/ledger/summary")).json() == await _whole_store(ledger)
    # A write that loses a coin (as one write-back over another would), made as the ledger
    # makes its writes (an operation, stamped): the next summary, reading only what
    # changed, counts it.
    async with ledger.locks.hold(account_key("w-v")):
        lost = {"$inc": {"balance": -1}, "$set": ledger.totals.stamp()}
        await ledger.accounts.update_one({"_id": "w-v"}, lost)
    s = (await held.get("/ledger/summary")).json()
    assert s == {"total_balances": 59, "open_holds": 40, "minted": 100}
