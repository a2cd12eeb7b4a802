"""A money movement interrupted between its writes (a crash, the store gone mid-way) is
finished from the intent it wrote first: no part of it lost, none of it counted half done."""

from __future__ import annotations

import pytest

from wallet_sandbox.locks import hold_key
from wallet_sandbox.records import settlement_doc, split_legs

from .holds import HOLD, balances, hold_body

pytestmark = pytest.mark.integration


async def test_a_split_interrupted_between_writing_its_legs_loses_no_part(held, eventually) -> None:  # type: ignore[no-untyped-def]
    ledger = held.app.state.ledger
    hold = await ledger.holds.find_one({"_id": HOLD})
    release_leg, _ = split_legs("settle:g1", hold, 15)
    # What a crash between the two legs' inserts leaves: the release leg stored and listed,
    # no refund leg, no coin moved yet.
    await ledger.transactions.insert_one(release_leg)
    await ledger.track(release_leg["_id"], "pending")

    async def finished():  # type: ignore[no-untyped-def]
        return await balances(held) == (85, 15)

    await eventually(finished)
    view = (await held.get("/holds", params={"tag": "trigger_exclusive:g1"})).json()["holds"][0]
    assert (view["status"], view["split"]) == ("split", {"release": 15, "refund": 25})
    again = await held.post(f"/holds/{HOLD}/settle", json={"id": "settle:g1", "release": 15})
    assert again.status_code == 200
    assert await balances(held) == (85, 15)
    summary = (await held.get("/ledger/summary")).json()
    assert summary == {"total_balances": 100, "open_holds": 0, "minted": 100}


async def test_the_summary_finishes_an_interrupted_movement_before_counting(
    settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    # The recovery loop would finish it too, later: keep it out of the way.
    quiet = settings.model_copy(update={"recovery_after_s": 3600.0})
    async with sandbox(quiet) as api:
        await api.put("/admin/accounts/w-v", json={"balance": 100})
        await api.put("/admin/accounts/w-s", json={"balance": 0})
        assert (await api.post("/transactions", json=hold_body())).status_code == 201
        ledger = api.app.state.ledger
        refund = settlement_doc(
            f"refund:{HOLD}", "refund", await ledger.holds.find_one({"_id": HOLD})
        )
        # What a crash right after the claim leaves: the refund written and listed, the hold
        # claimed by it, the payer not credited yet.
        await ledger.track(refund["_id"], "pending")
        await ledger.transactions.insert_one(refund)
        # Written as the ledger writes (an operation, stamped: wallet_sandbox.totals).
        async with ledger.locks.hold(hold_key(HOLD)):
            claim = {"status": "refunded", "settled_by": refund["_id"], **ledger.totals.stamp()}
            await ledger.holds.update_one({"_id": HOLD}, {"$set": claim})
        assert await balances(api) == (60, 0)

        summary = (await api.get("/ledger/summary")).json()
        assert summary == {"total_balances": 100, "open_holds": 0, "minted": 100}
        assert await balances(api) == (100, 0)
        done = (await api.get(f"/transactions/{refund['_id']}")).json()
        assert done["status"] == "completed"
