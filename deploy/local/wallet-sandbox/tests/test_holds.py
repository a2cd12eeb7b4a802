"""Escrow holds: opened by a transfer without destination, refunded or released exactly once."""

from __future__ import annotations

import pytest

from .holds import HOLD, SWAG, balances, escrow

pytestmark = pytest.mark.integration


async def test_escrow_transfer_opens_a_hold_for_the_tagged_beneficiary(held) -> None:  # type: ignore[no-untyped-def]
    assert await balances(held) == (60, 0)
    holds = (await held.get("/holds", params={"tag": "trigger_exclusive:g1"})).json()["holds"]
    assert len(holds) == 1
    assert holds[0]["payer"] == "w-v"
    assert holds[0]["beneficiary"] == "w-s"
    assert (holds[0]["amount"], holds[0]["status"]) == (40, "open")
    assert (await held.get("/holds", params={"tag": "other"})).json()["holds"] == []
    assert (await held.get("/ledger/summary")).json() == {
        "total_balances": 60,
        "open_holds": 40,
        "minted": 100,
    }


async def test_refund_returns_the_coins_once(held) -> None:  # type: ignore[no-untyped-def]
    first = await held.post(f"/holds/{HOLD}/refund", json={"id": f"refund:{HOLD}"})
    assert first.status_code == 201
    assert first.json()["fromAccount"] is None
    assert first.json()["toAccount"] == "w-v"
    assert first.json()["tags"] == [SWAG, escrow("w-s"), f"refund::{HOLD}"]
    again = await held.post(f"/holds/{HOLD}/refund", json={"id": f"refund:{HOLD}"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert await balances(held) == (100, 0)
    summary = (await held.get("/ledger/summary")).json()
    assert summary == {"total_balances": 100, "open_holds": 0, "minted": 100}


async def test_release_after_refund_is_refused_with_the_first_outcome(held) -> None:  # type: ignore[no-untyped-def]
    await held.post(f"/holds/{HOLD}/refund", json={"id": f"refund:{HOLD}"})
    response = await held.post(f"/holds/{HOLD}/release", json={"id": f"release:{HOLD}"})
    assert response.status_code == 409
    assert response.json()["reason"] == "hold_settled"
    assert response.json()["outcome"] == "refunded"
    assert await balances(held) == (100, 0)


async def test_release_pays_the_beneficiary_once(held) -> None:  # type: ignore[no-untyped-def]
    first = await held.post(f"/holds/{HOLD}/release", json={"id": f"release:{HOLD}"})
    assert first.status_code == 201
    assert first.json()["toAccount"] == "w-s"
    assert first.json()["tags"][-1] == f"release::{HOLD}"
    assert (
        await held.post(f"/holds/{HOLD}/release", json={"id": f"release:{HOLD}"})
    ).status_code == 200
    refund = await held.post(f"/holds/{HOLD}/refund", json={"id": f"refund:{HOLD}"})
    assert (refund.status_code, refund.json()["outcome"]) == (409, "released")
    assert await balances(held) == (60, 40)


async def test_unknown_hold_is_reported_and_nothing_moves(held) -> None:  # type: ignore[no-untyped-def]
    response = await held.post("/holds/session:trigger-exclusive:nope/refund", json={"id": "r"})
    assert (response.status_code, response.json()["reason"]) == (404, "no_hold")
    assert await balances(held) == (60, 0)


async def test_a_hold_without_escrow_tag_can_be_refunded_but_not_released(api) -> None:  # type: ignore[no-untyped-def]
    await api.put("/admin/accounts/w-v", json={"balance": 5})
    body = {"id": "h2", "fromAccount": "w-v", "fromAmount": 5, "toAmount": 5, "tags": [SWAG]}
    assert (await api.post("/transactions", json=body)).status_code == 201
    release = await api.post("/holds/h2/release", json={})
    assert (release.status_code, release.json()["reason"]) == (409, "no_beneficiary")
    refund = await api.post("/holds/h2/refund")
    assert (refund.status_code, refund.json()["id"]) == (201, "refund:h2")
    assert (await api.get("/accounts/w-v")).json()["balance"] == 5


async def test_holds_are_found_by_a_whole_tag_whatever_their_status(held) -> None:  # type: ignore[no-untyped-def]
    assert (await held.post(f"/holds/{HOLD}/refund", json={})).status_code == 201
    found = (await held.get("/holds", params={"has_tag": SWAG})).json()["holds"]
    assert [(h["id"], h["status"]) for h in found] == [(HOLD, "refunded")]
    # A whole tag, not a part of one; with a status, both must match.
    assert (await held.get("/holds", params={"has_tag": SWAG[:-1]})).json()["holds"] == []
    still_open = {"has_tag": SWAG, "status": "open"}
    assert (await held.get("/holds", params=still_open)).json()["holds"] == []
