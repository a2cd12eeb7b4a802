from __future__ import annotations

import pytest

from livestream_schemas.commands import Transfer
from livestream_schemas.tags import TRIGGER_EXCLUSIVE, escrow_tag, parse_escrow_tag, swag_tag
from livestream_schemas.wallet import TransactionFailed
from service_kit.faults import is_transient
from service_kit.refusals import Refused
from wallet_adapter.handlers.transfer import transfer, transfer_many
from wallet_adapter.ports import WalletUnavailable, WalletUser

from .conftest import STREAMER
from .fakes import FakeUsers, FakeWallet

SWAG = swag_tag("session-1", TRIGGER_EXCLUSIVE, "goal-1")
TXN = "session:trigger-exclusive:goal-1"
MAX = 10_000


def command(**overrides: object) -> Transfer:
    fields: dict[str, object] = {
        "transaction_id": TXN,
        "from_user_id": "viewer-1",
        "to_user_id": None,
        "escrow_user_id": "streamer-1",
        "amount": 300,
        "tags": [SWAG],
    }
    return Transfer.model_validate({**fields, **overrides})


async def test_escrow_transfer_has_no_destination_and_the_streamers_escrow_tag(
    wallet, users
) -> None:  # type: ignore[no-untyped-def]
    assert await transfer(command(), wallet=wallet, users=users, max_amount=MAX) == []
    ((_, order),) = wallet.calls
    assert order.transaction_id == TXN
    assert (order.from_wallet, order.to_wallet, order.amount) == ("w-viewer", None, 300)
    assert order.tags == (SWAG, escrow_tag("w-streamer", SWAG))
    assert parse_escrow_tag(order.tags[1]) == ("w-streamer", SWAG)
    assert (order.forced, order.timestamp) == (False, None)
    assert wallet.balances["w-viewer"] == 200
    assert wallet.holds[TXN]["amount"] == 300


async def test_redelivered_transfer_sends_the_same_transaction_to_the_wallet_each_time(
    wallet, users
) -> None:  # type: ignore[no-untyped-def]
    # "Once" is the wallet's promise for a repeated id; the handler's part is to repeat the
    # command's id and order exactly, never to mint a new one per delivery.
    for _ in range(3):
        assert await transfer(command(), wallet=wallet, users=users, max_amount=MAX) == []
    orders = [order for kind, order in wallet.calls if kind == "transfer"]
    assert len(orders) == 3 and orders[0].transaction_id == TXN
    assert orders[1] == orders[0] and orders[2] == orders[0]
    assert wallet.balances["w-viewer"] == 200


async def test_timeout_after_the_wallet_committed_is_looked_up_and_reports_nothing(
    wallet, users
) -> None:  # type: ignore[no-untyped-def]
    wallet.lose_next_answer = True
    assert await transfer(command(), wallet=wallet, users=users, max_amount=MAX) == []
    assert [kind for kind, _ in wallet.calls] == ["transfer", "lookup"]
    assert wallet.calls[1][1] == TXN
    assert wallet.balances["w-viewer"] == 200, "charged once; the callback reports it"


async def test_unknown_outcome_is_retried_never_reported_as_failed(wallet, users) -> None:  # type: ignore[no-untyped-def]
    wallet.unavailable = True
    with pytest.raises(WalletUnavailable) as raised:
        await transfer(command(), wallet=wallet, users=users, max_amount=MAX)
    assert is_transient(raised.value), "the consumer waits for the wallet, no dead letter"
    assert wallet.balances["w-viewer"] == 500
    wallet.unavailable = False
    # the redelivery
    assert await transfer(command(), wallet=wallet, users=users, max_amount=MAX) == []
    assert wallet.balances["w-viewer"] == 200


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"to_user_id": "streamer-1", "escrow_user_id": None}, "destination_not_allowed"),
        ({"to_user_id": "streamer-1"}, "destination_not_allowed"),
        ({"forced": True}, "forced_not_allowed"),
        ({"escrow_user_id": None}, "no_escrow_beneficiary"),
        ({"tags": [SWAG, escrow_tag("w-attacker", SWAG)]}, "escrow_tag_not_allowed"),
        ({"amount": MAX + 1}, "amount_out_of_bounds"),
        ({"transaction_id": "anything-else"}, "foreign_transaction_id"),
        ({"transaction_id": "session:trigger-exclusive:"}, "foreign_transaction_id"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
async def test_a_command_no_producer_of_ours_sends_is_refused_and_moves_nothing(
    wallet, users, overrides, reason
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as refused:
        await transfer(command(**overrides), wallet=wallet, users=users, max_amount=MAX)
    assert refused.value.reason == reason
    assert wallet.calls == []
    assert wallet.balances == {"w-viewer": 500, "w-streamer": 0}


async def test_the_largest_allowed_amount_goes_through(wallet, users) -> None:  # type: ignore[no-untyped-def]
    wallet.balances["w-viewer"] = MAX
    assert await transfer(command(amount=MAX), wallet=wallet, users=users, max_amount=MAX) == []
    assert wallet.holds[TXN]["amount"] == MAX


async def test_overdraft_becomes_transaction_failed_insufficient_funds(wallet, users) -> None:  # type: ignore[no-untyped-def]
    (event,) = await transfer(command(amount=501), wallet=wallet, users=users, max_amount=MAX)
    assert isinstance(event, TransactionFailed)
    assert (event.transaction_id, event.kind, event.reason) == (
        TXN,
        "transfer",
        "insufficient_funds",
    )
    assert (event.from_user_id, event.amount) == ("viewer-1", 501)
    assert event.tags == [SWAG, escrow_tag("w-streamer", SWAG)]
    assert wallet.balances["w-viewer"] == 500


async def test_unknown_user_in_the_read_model_fails_without_calling_the_wallet(
    wallet, users
) -> None:  # type: ignore[no-untyped-def]
    for cmd in (command(from_user_id="ghost"), command(escrow_user_id="ghost")):
        (event,) = await transfer(cmd, wallet=wallet, users=users, max_amount=MAX)
        assert isinstance(event, TransactionFailed)
        assert event.reason == "unknown_wallet"
    assert wallet.calls == []


async def test_wallet_refusals_map_to_reasons(wallet, users) -> None:  # type: ignore[no-untyped-def]
    del wallet.balances["w-viewer"]
    (unknown,) = await transfer(command(), wallet=wallet, users=users, max_amount=MAX)
    assert unknown.reason == "unknown_wallet"  # type: ignore[attr-defined]
    wallet.balances["w-viewer"] = 500
    await transfer(command(), wallet=wallet, users=users, max_amount=MAX)
    (conflict,) = await transfer(command(amount=299), wallet=wallet, users=users, max_amount=MAX)
    assert conflict.reason == "conflict"  # type: ignore[attr-defined]
    assert wallet.balances["w-viewer"] == 200


# ---------------------------------------------------------------- the batched form


def buyers(n: int) -> FakeUsers:
    """The streamer and n viewers (`viewer-{i}`, wallet `w-viewer-{i}`)."""
    viewers = [WalletUser(f"viewer-{i}", f"w-viewer-{i}") for i in range(n)]
    return FakeUsers(STREAMER, *viewers)


def purchase(viewer: int, n: int, amount: int = 100) -> Transfer:
    return command(
        transaction_id=f"{TXN}-{viewer}-{n}", from_user_id=f"viewer-{viewer}", amount=amount
    )


async def test_a_batch_sends_different_payers_side_by_side_and_one_payers_in_order() -> None:
    users = buyers(3)
    wallet = FakeWallet(balances={f"w-viewer-{i}": 250 for i in range(3)} | {"w-streamer": 0})
    batch = [purchase(v, n) for n in range(3) for v in range(3)]  # interleaved payers
    out = await transfer_many(batch, wallet=wallet, users=users, max_amount=MAX, concurrency=16)
    assert wallet.most_at_once == 3, "one call per payer in flight at once"
    assert wallet.most_of_one == 1, "a payer's transfers never overlap"
    for v in range(3):
        sent = [o.transaction_id for k, o in wallet.calls if o.from_wallet == f"w-viewer-{v}"]
        assert sent == [f"{TXN}-{v}-{n}" for n in range(3)], "in the order consumed"
    # Each payer affords two of three: the third of each, and only it, is refused.
    assert [len(o) for o in out] == [0, 0, 0, 0, 0, 0, 1, 1, 1]
    assert {e.reason for o in out for e in o} == {"insufficient_funds"}  # type: ignore[attr-defined]
    assert users.reads == 1, "the batch's users read once"


async def test_a_batch_gets_what_each_command_would_get_alone() -> None:
    batch = [purchase(0, 0), purchase(1, 0, amount=900), command(from_user_id="ghost")]
    alone, together = (
        FakeWallet(balances={"w-viewer-0": 500, "w-viewer-1": 500, "w-streamer": 0})
        for _ in range(2)
    )
    singles = [await transfer(m, wallet=alone, users=buyers(2), max_amount=MAX) for m in batch]
    batched = await transfer_many(
        batch, wallet=together, users=buyers(2), max_amount=MAX, concurrency=16
    )
    assert batched == singles
    assert together.balances == alone.balances and together.holds == alone.holds


async def test_a_redelivered_batch_charges_each_transfer_once() -> None:
    users = buyers(4)
    wallet = FakeWallet(balances={f"w-viewer-{i}": 500 for i in range(4)} | {"w-streamer": 0})
    batch = [purchase(v, n) for v in range(4) for n in range(2)]
    first = await transfer_many(batch, wallet=wallet, users=users, max_amount=MAX, concurrency=3)
    again = await transfer_many(batch, wallet=wallet, users=users, max_amount=MAX, concurrency=3)
    assert first == again == [[]] * len(batch)
    assert all(wallet.balances[f"w-viewer-{i}"] == 300 for i in range(4))
    assert len(wallet.holds) == len(batch)
    assert wallet.most_at_once <= 3, "never more calls at once than the setting"


async def test_a_payer_whose_call_fails_stops_there_and_the_batch_fails_after_the_others() -> None:
    users = buyers(2)
    wallet = FakeWallet(balances={"w-viewer-0": 500, "w-viewer-1": 500, "w-streamer": 0})
    wallet.silent_for = {"w-viewer-0"}
    batch = [purchase(0, 0), purchase(1, 0), purchase(0, 1), purchase(1, 1)]
    with pytest.raises(WalletUnavailable):
        await transfer_many(batch, wallet=wallet, users=users, max_amount=MAX, concurrency=16)
    sent = [o.transaction_id for kind, o in wallet.calls if kind == "transfer"]
    assert f"{TXN}-0-1" not in sent, "a payer's later transfer never overtakes a failed one"
    assert wallet.balances["w-viewer-1"] == 300, "the other payer's batch ran to its end"
    # The consumer then takes the messages one at a time, as redeliveries: each once.
    wallet.silent_for = set()
    for message in batch:
        assert await transfer(message, wallet=wallet, users=users, max_amount=MAX) == []
    assert wallet.balances == {"w-viewer-0": 300, "w-viewer-1": 300, "w-streamer": 0}


async def test_one_refused_command_refuses_the_batch_before_any_wallet_call() -> None:
    wallet = FakeWallet(balances={"w-viewer-0": 500, "w-streamer": 0})
    batch = [purchase(0, 0), command(forced=True)]
    with pytest.raises(Refused):
        await transfer_many(batch, wallet=wallet, users=buyers(1), max_amount=MAX, concurrency=16)
    assert wallet.calls == [], "alone, the good one is sent and the bad one dead-lettered"
