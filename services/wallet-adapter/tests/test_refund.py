from __future__ import annotations

import pytest

from livestream_schemas.commands import Refund, Release
from livestream_schemas.wallet import TransactionFailed
from service_kit.faults import is_transient
from service_kit.refusals import Refused
from wallet_adapter.handlers._settle_hold import SettlementRefused
from wallet_adapter.handlers.refund import refund, refund_many
from wallet_adapter.handlers.release import release, release_many
from wallet_adapter.ports import WalletUnavailable

TXN = "session:trigger-exclusive:goal-1"


@pytest.fixture
def held(wallet):  # type: ignore[no-untyped-def]
    wallet.balances["w-viewer"] = 200
    wallet.holds[TXN] = {"payer": "w-viewer", "amount": 300}
    return wallet


async def test_refund_returns_the_hold_to_the_payer_with_a_derived_id(held) -> None:  # type: ignore[no-untyped-def]
    assert await refund(Refund(transaction_id=TXN), wallet=held) == []
    assert held.calls == [("refund", (TXN, f"refund:{TXN}"))]
    assert held.balances["w-viewer"] == 500


async def test_redelivered_refund_returns_the_coins_once(held) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert await refund(Refund(transaction_id=TXN), wallet=held) == []
    assert held.balances["w-viewer"] == 500
    assert {call[1] for call in held.calls} == {(TXN, f"refund:{TXN}")}


async def test_refund_of_a_hold_not_there_yet_reports_no_hold(wallet) -> None:  # type: ignore[no-untyped-def]
    (event,) = await refund(Refund(transaction_id=TXN), wallet=wallet)
    assert isinstance(event, TransactionFailed)
    assert (event.transaction_id, event.kind, event.reason) == (TXN, "refund", "no_hold")
    assert wallet.balances["w-viewer"] == 500


async def test_refund_after_release_reports_hold_settled(held) -> None:  # type: ignore[no-untyped-def]
    await release(Release(transaction_id=TXN), wallet=held)
    (event,) = await refund(Refund(transaction_id=TXN), wallet=held)
    assert isinstance(event, TransactionFailed)
    assert (event.reason, event.detail) == ("hold_settled", "released")
    assert held.balances["w-viewer"] == 200


async def test_unavailable_wallet_raises_a_transient_error_so_the_command_waits(held) -> None:  # type: ignore[no-untyped-def]
    held.unavailable = True
    with pytest.raises(WalletUnavailable) as raised:
        await refund(Refund(transaction_id=TXN), wallet=held)
    assert is_transient(raised.value), "the consumer waits for the wallet, no dead letter"
    assert held.balances["w-viewer"] == 200


async def test_timeout_after_the_wallet_refunded_is_looked_up_and_reports_nothing(held) -> None:  # type: ignore[no-untyped-def]
    held.lose_next_answer = True
    assert await refund(Refund(transaction_id=TXN), wallet=held) == []
    assert held.calls[1] == ("lookup", f"refund:{TXN}")
    assert held.balances["w-viewer"] == 500, "refunded once; the callback reports it"


async def test_timeout_the_wallet_never_saw_is_retried_with_the_same_id(held) -> None:  # type: ignore[no-untyped-def]
    held.unavailable = True
    with pytest.raises(WalletUnavailable):
        await refund(Refund(transaction_id=TXN), wallet=held)
    held.unavailable = False
    assert await refund(Refund(transaction_id=TXN), wallet=held) == []  # the redelivery
    sent = [args for kind, args in held.calls if kind == "refund"]
    assert sent == [(TXN, f"refund:{TXN}")] * 2
    assert held.balances["w-viewer"] == 500


async def test_a_refused_refund_raises_so_it_is_dead_lettered_not_reported_done(held) -> None:  # type: ignore[no-untyped-def]
    held.refuse_settle = 422
    with pytest.raises(SettlementRefused):
        await refund(Refund(transaction_id=TXN), wallet=held)
    assert held.balances["w-viewer"] == 200
    assert held.holds[TXN]["amount"] == 300


@pytest.mark.parametrize("settle", [refund, release], ids=["refund", "release"])
@pytest.mark.parametrize("txn", ["someone-elses-transfer", "refund:" + TXN, ""])
async def test_only_holds_our_services_created_are_settled(held, settle, txn: str) -> None:  # type: ignore[no-untyped-def]
    command = Refund(transaction_id=txn) if settle is refund else Release(transaction_id=txn)
    with pytest.raises(Refused) as refused:
        await settle(command, wallet=held)  # type: ignore[arg-type]
    assert refused.value.reason == "foreign_transaction_id"
    assert held.calls == []


# ---------------------------------------------------------------- the batched form


def holds(wallet, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """n holds of 10 coins, one per payer `w-p{i}` (each left with nothing)."""
    ids = [f"{TXN}-{i}" for i in range(n)]
    for i, hold in enumerate(ids):
        wallet.balances[f"w-p{i}"] = 0
        wallet.holds[hold] = {"payer": f"w-p{i}", "amount": 10}
    return ids


async def test_a_batch_of_refunds_goes_side_by_side_and_a_redelivered_one_refunds_once(
    wallet,
) -> None:  # type: ignore[no-untyped-def]
    ids = holds(wallet, 5)
    batch = [Refund(transaction_id=hold) for hold in ids]
    assert await refund_many(batch, wallet=wallet, concurrency=16) == [[]] * 5
    assert wallet.most_at_once == 5
    assert await refund_many(batch, wallet=wallet, concurrency=16) == [[]] * 5  # redelivered
    assert all(wallet.balances[f"w-p{i}"] == 10 for i in range(5)), "each refunded once"


async def test_a_command_redelivered_within_its_batch_runs_after_the_first(wallet) -> None:  # type: ignore[no-untyped-def]
    (hold,) = holds(wallet, 1)
    wallet.holds[hold]["beneficiary"] = "w-streamer"
    batch = [Release(transaction_id=hold), Release(transaction_id=hold)]
    assert await release_many(batch, wallet=wallet, concurrency=16) == [[], []]
    assert wallet.most_of_one == 1, "one hold's commands never overlap"
    assert [kind for kind, _ in wallet.calls] == ["release", "release"]
    assert wallet.holds[hold]["outcome"] == "release"


async def test_a_refused_hold_id_refuses_the_batch_before_any_wallet_call(wallet) -> None:  # type: ignore[no-untyped-def]
    ids = holds(wallet, 2)
    batch = [Refund(transaction_id=ids[0]), Refund(transaction_id="not-ours")]
    with pytest.raises(Refused):
        await refund_many(batch, wallet=wallet, concurrency=16)
    assert wallet.calls == []
