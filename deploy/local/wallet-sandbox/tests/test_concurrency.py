"""Operations side by side: different viewers' transfers do not wait for each other, and
concurrent operations on the same accounts and holds still move every coin exactly once."""

from __future__ import annotations

import asyncio
import random

import pytest

from wallet_sandbox.locks import account_key

from .holds import SWAG, escrow

pytestmark = pytest.mark.integration

WALLETS = [f"w-{i}" for i in range(4)]


def pay(txn_id: str, payer: str, amount: int, beneficiary: str = "w-s") -> dict[str, object]:
    """An escrowed payment: a hold for `beneficiary`, the transfer's id as the hold's id."""
    return {
        "id": txn_id,
        "fromAccount": payer,
        "fromAmount": amount,
        "toAccount": None,
        "toAmount": amount,
        "tags": [SWAG, escrow(beneficiary)],
        "forced": False,
        "timestamp": None,
    }


async def test_a_busy_account_does_not_hold_up_another_viewers_transfer(api) -> None:  # type: ignore[no-untyped-def]
    for wallet, coins in (("w-a", 50), ("w-b", 50), ("w-s", 0)):
        await api.put(f"/admin/accounts/{wallet}", json={"balance": coins})
    ledger = api.app.state.ledger
    # Stands for an operation on w-a that is mid-way (its locks held).
    async with ledger.locks.hold(account_key("w-a")):
        waiting = asyncio.create_task(api.post("/transactions", json=pay("t-a", "w-a", 10)))
        other = await api.post("/transactions", json=pay("t-b", "w-b", 10))
        assert other.status_code == 201
        assert not waiting.done(), "w-a's transfer must wait for the operation on w-a"
        assert ledger.locks.held(account_key("w-a"))
    assert (await waiting).status_code == 201
    assert (await api.get("/accounts/w-a")).json()["balance"] == 40


async def test_concurrent_operations_on_shared_accounts_and_holds_keep_every_coin(api) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(20261201)
    for wallet in [*WALLETS, "w-s"]:
        await api.put(f"/admin/accounts/{wallet}", json={"balance": 60})
    bodies = [pay(f"t-{i}", rng.choice(WALLETS), rng.randint(1, 25)) for i in range(24)]
    # Every payment twice at once (a redelivery racing the first), all payments at once.
    paid = await asyncio.gather(*(api.post("/transactions", json=b) for b in bodies * 2))
    twice = [sorted((paid[i].status_code, paid[i + len(bodies)].status_code)) for i in range(24)]
    # Once: created and then found done; or refused, or refused then paid once funds came.
    assert all(pair in ([200, 201], [402, 402], [201, 402]) for pair in twice), twice
    holds = [b["id"] for b, pair in zip(bodies, twice, strict=True) if 201 in pair]
    assert len(holds) > 10
    # Each hold is refunded, released and split at once: exactly one settlement wins.
    settles = [
        call
        for hold in holds
        for call in (
            api.post(f"/holds/{hold}/refund", json={"id": f"refund:{hold}"}),
            api.post(f"/holds/{hold}/release", json={"id": f"release:{hold}"}),
            api.post(f"/holds/{hold}/settle", json={"id": f"settle:{hold}", "release": 1}),
        )
    ]
    answers = await asyncio.gather(*settles)
    for i in range(0, len(answers), 3):
        codes = sorted(r.status_code for r in answers[i : i + 3])
        assert codes in ([201, 409, 409], [404, 404, 404]), codes
    summary = (await api.get("/ledger/summary")).json()
    assert summary["open_holds"] == 0
    assert summary["total_balances"] == summary["minted"] == 60 * (len(WALLETS) + 1)
