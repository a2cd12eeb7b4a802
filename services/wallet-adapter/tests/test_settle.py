from __future__ import annotations

import pytest

from livestream_schemas.commands import Refund, Settle
from livestream_schemas.wallet import TransactionFailed
from service_kit.faults import is_transient
from service_kit.refusals import Refused
from wallet_adapter.handlers.refund import refund
from wallet_adapter.handlers.settle import settle, settle_many
from wallet_adapter.ports import WalletUnavailable

TXN = "session:trigger-exclusive:goal-9"
MAX = 10_000


@pytest.fixture
def held(wallet):  # type: ignore[no-untyped-def]
    wallet.balances["w-viewer"] = 0
    wallet.holds[TXN] = {"payer": "w-viewer", "amount": 300}
    return wallet


async def test_settle_splits_the_hold_under_a_settlement_id_derived_from_it(held) -> None:  # type: ignore[no-untyped-def]
    assert (
        await settle(Settle(transaction_id=TXN, release_amount=200), wallet=held, max_amount=MAX)
        == []
    )
    assert held.calls == [("settle", (TXN, f"settle:{TXN}", 200))]
    assert held.balances["w-viewer"] == 100  # the unreleased rest went back


async def test_redelivered_settle_reports_nothing_and_moves_coins_once(held) -> None:  # type: ignore[no-untyped-def]
    command = Settle(transaction_id=TXN, release_amount=100, settlement_id="settle:x")
    for _ in range(3):
        assert await settle(command, wallet=held, max_amount=MAX) == []
    assert held.balances["w-viewer"] == 200
    assert {call[1] for call in held.calls} == {(TXN, "settle:x", 100)}


async def test_settle_after_a_refund_reports_hold_settled(held) -> None:  # type: ignore[no-untyped-def]
    await refund(Refund(transaction_id=TXN), wallet=held)
    (event,) = await settle(
        Settle(transaction_id=TXN, release_amount=100), wallet=held, max_amount=MAX
    )
    assert isinstance(event, TransactionFailed)
    assert (event.transaction_id, event.kind, event.reason) == (TXN, "settle", "hold_settled")
    assert held.balances["w-viewer"] == 300


async def test_settle_of_an_unknown_hold_reports_no_hold(wallet) -> None:  # type: ignore[no-untyped-def]
    (event,) = await settle(
        Settle(transaction_id=TXN, release_amount=1), wallet=wallet, max_amount=MAX
    )
    assert (event.kind, event.reason) == ("settle", "no_hold")  # type: ignore[attr-defined]


async def test_an_unreachable_wallet_raises_so_the_command_is_retried(held) -> None:  # type: ignore[no-untyped-def]
    held.unavailable = True
    with pytest.raises(WalletUnavailable):
        await settle(Settle(transaction_id=TXN, release_amount=1), wallet=held, max_amount=MAX)


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (
            Settle(transaction_id="someone-elses-transfer", release_amount=1),
            "foreign_transaction_id",
        ),
        (Settle(transaction_id=TXN, release_amount=MAX + 1), "amount_out_of_bounds"),
    ],
    ids=["foreign-hold", "amount"],
)
async def test_a_settle_no_producer_of_ours_sends_is_refused(held, command, reason) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as refusal:
        await settle(command, wallet=held, max_amount=MAX)
    assert refusal.value.reason == reason
    assert held.calls == []


@pytest.mark.parametrize(("release_amount", "leg"), [(200, "release"), (0, "refund")])
async def test_timeout_after_the_wallet_split_is_looked_up_by_a_leg_and_reports_nothing(
    held, release_amount, leg
) -> None:  # type: ignore[no-untyped-def]
    held.lose_next_answer = True
    command = Settle(transaction_id=TXN, release_amount=release_amount, settlement_id="settle:y")
    assert await settle(command, wallet=held, max_amount=MAX) == []
    assert held.calls[1] == ("lookup", f"settle:y:{leg}")
    assert held.balances["w-viewer"] == 300 - release_amount, "split once"


async def test_timeout_the_wallet_never_saw_stays_transient_until_it_answers(held) -> None:  # type: ignore[no-untyped-def]
    held.unavailable = True
    command = Settle(transaction_id=TXN, release_amount=200)
    with pytest.raises(WalletUnavailable) as raised:
        await settle(command, wallet=held, max_amount=MAX)
    assert is_transient(raised.value)
    held.unavailable = False
    assert await settle(command, wallet=held, max_amount=MAX) == []  # the redelivery
    assert held.balances["w-viewer"] == 100


async def test_a_batch_of_splits_goes_side_by_side_and_a_redelivered_one_moves_nothing(
    wallet,
) -> None:  # type: ignore[no-untyped-def]
    ids = [f"{TXN}-{i}" for i in range(4)]
    for i, hold in enumerate(ids):
        wallet.balances[f"w-p{i}"] = 0
        wallet.holds[hold] = {"payer": f"w-p{i}", "amount": 30}
    batch = [Settle(transaction_id=hold, release_amount=20) for hold in ids]
    for _ in range(2):  # the second time, a redelivery
        out = await settle_many(batch, wallet=wallet, max_amount=MAX, concurrency=16)
        assert out == [[]] * 4
    assert wallet.most_at_once == 4 and wallet.most_of_one == 1
    assert all(wallet.balances[f"w-p{i}"] == 10 for i in range(4)), "each rest refunded once"
