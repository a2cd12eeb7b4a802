"""Transfers against the real FerretDB: ids honoured, conflicts, overdrafts, unknown wallets."""

from __future__ import annotations

import pytest
from pymongo import AsyncMongoClient

from wallet_sandbox.ledger import Ledger
from wallet_sandbox.trim import trim_applied

pytestmark = pytest.mark.integration


def transfer(txn_id: str, src: str, amount: int, dst: str | None = None, **extra):  # type: ignore[no-untyped-def]
    return {
        "id": txn_id,
        "fromAccount": src,
        "fromAmount": amount,
        "toAccount": dst,
        "toAmount": amount,
        "tags": ["swag::livestream.session:s1.trigger_exclusive:g1"],
        "forced": False,
        "timestamp": None,
        **extra,
    }


async def balance(api, wallet: str) -> int:  # type: ignore[no-untyped-def]
    response = await api.get(f"/accounts/{wallet}")
    assert response.status_code == 200
    return response.json()["balance"]


async def test_admin_creates_then_sets_and_records_mints(api) -> None:  # type: ignore[no-untyped-def]
    assert (await api.put("/admin/accounts/w-a", json={"balance": 100})).status_code == 201
    assert (await api.put("/admin/accounts/w-a", json={"balance": 40})).status_code == 200
    assert await balance(api, "w-a") == 40
    assert (await api.get("/ledger/summary")).json() == {
        "total_balances": 40,
        "open_holds": 0,
        "minted": 40,
    }
    assert (await api.get("/accounts/nobody")).json()["reason"] == "unknown_wallet"


async def test_direct_transfer_moves_coins_and_a_repeat_changes_nothing(api) -> None:  # type: ignore[no-untyped-def]
    await api.put("/admin/accounts/w-a", json={"balance": 100})
    await api.put("/admin/accounts/w-b", json={"balance": 0})
    first = await api.post("/transactions", json=transfer("t-1", "w-a", 30, "w-b"))
    assert first.status_code == 201
    assert first.json()["status"] == "completed"
    assert first.json()["toAccount"] == "w-b"
    again = await api.post("/transactions", json=transfer("t-1", "w-a", 30, "w-b"))
    assert again.status_code == 200
    assert again.json() == first.json()
    assert (await balance(api, "w-a"), await balance(api, "w-b")) == (70, 30)


async def test_same_id_with_other_amount_or_parties_conflicts(api) -> None:  # type: ignore[no-untyped-def]
    await api.put("/admin/accounts/w-a", json={"balance": 100})
    await api.put("/admin/accounts/w-b", json={"balance": 0})
    await api.post("/transactions", json=transfer("t-1", "w-a", 30))
    for other in (transfer("t-1", "w-a", 31), transfer("t-1", "w-a", 30, "w-b")):
        response = await api.post("/transactions", json=other)
        assert response.status_code == 409
        assert response.json()["reason"] == "transaction_conflict"
    assert await balance(api, "w-a") == 70


async def test_overdraft_is_refused_unless_forced_and_moves_nothing(api) -> None:  # type: ignore[no-untyped-def]
    await api.put("/admin/accounts/w-a", json={"balance": 10})
    refused = await api.post("/transactions", json=transfer("t-1", "w-a", 11))
    assert refused.status_code == 402
    assert refused.json()["reason"] == "insufficient_funds"
    assert await balance(api, "w-a") == 10
    assert (await api.get("/holds")).json()["holds"] == []
    # Nothing happened, so the id can be used once the payer has the coins.
    await api.put("/admin/accounts/w-a", json={"balance": 11})
    assert (await api.post("/transactions", json=transfer("t-1", "w-a", 11))).status_code == 201
    forced = await api.post("/transactions", json=transfer("t-2", "w-a", 5, forced=True))
    assert forced.status_code == 201
    assert await balance(api, "w-a") == -5


async def test_unknown_wallets_and_bad_amounts_are_refused(api) -> None:  # type: ignore[no-untyped-def]
    await api.put("/admin/accounts/w-a", json={"balance": 10})
    for body in (transfer("t-1", "ghost", 1), transfer("t-2", "w-a", 1, "ghost")):
        response = await api.post("/transactions", json=body)
        assert response.status_code == 404
        assert response.json()["reason"] == "unknown_wallet"
    zero = await api.post("/transactions", json=transfer("t-3", "w-a", 0))
    assert zero.status_code == 422
    mismatch = await api.post("/transactions", json={**transfer("t-4", "w-a", 2), "toAmount": 3})
    assert (mismatch.status_code, mismatch.json()["reason"]) == (422, "amount_mismatch")
    assert await balance(api, "w-a") == 10


async def test_completed_ids_leave_the_account_guards_and_repeats_still_change_nothing(
    api, settings
) -> None:  # type: ignore[no-untyped-def]
    await api.put("/admin/accounts/w-a", json={"balance": 100})
    await api.put("/admin/accounts/w-b", json={"balance": 0})
    for txn in ("t-1", "t-2"):
        assert (await api.post("/transactions", json=transfer(txn, "w-a", 10, "w-b"))).is_success
    client: AsyncMongoClient = AsyncMongoClient(settings.mongodb_uri)
    try:
        ledger = Ledger(client[settings.mongodb_database])
        assert await trim_applied(ledger) == 2
        assert await trim_applied(ledger) == 0  # marked: the next round skips them
        accounts = [a async for a in ledger.accounts.find({})]
        assert [a.get("applied") for a in accounts] == [[], []]
    finally:
        await client.close()
    again = await api.post("/transactions", json=transfer("t-1", "w-a", 10, "w-b"))
    assert again.status_code == 200
    assert (await balance(api, "w-a"), await balance(api, "w-b")) == (80, 20)
