from __future__ import annotations

import pytest

from livestream_schemas.commands import Refund, Release
from livestream_schemas.wallet import TransactionFailed
from wallet_adapter.handlers.refund import refund
from wallet_adapter.handlers.release import release

TXN = "goal:show-ticket:goal-9:purchase-1"


@pytest.fixture
def held(wallet):  # type: ignore[no-untyped-def]
    wallet.holds[TXN] = {"payer": "w-viewer", "amount": 50}
    return wallet


async def test_release_settles_the_hold_with_a_derived_id(held) -> None:  # type: ignore[no-untyped-def]
    assert await release(Release(transaction_id=TXN), wallet=held) == []
    assert held.calls == [("release", (TXN, f"release:{TXN}"))]
    assert held.holds[TXN]["outcome"] == "release"


async def test_redelivered_release_reports_nothing_and_settles_once(held) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert await release(Release(transaction_id=TXN), wallet=held) == []
    assert held.holds[TXN]["outcome"] == "release"
    assert {call[1] for call in held.calls} == {(TXN, f"release:{TXN}")}


async def test_timeout_after_the_wallet_released_is_looked_up_and_reports_nothing(held) -> None:  # type: ignore[no-untyped-def]
    held.lose_next_answer = True
    assert await release(Release(transaction_id=TXN), wallet=held) == []
    assert [kind for kind, _ in held.calls] == ["release", "lookup"]
    assert held.calls[1][1] == f"release:{TXN}"
    assert held.holds[TXN]["outcome"] == "release"


async def test_release_after_refund_reports_hold_settled(held) -> None:  # type: ignore[no-untyped-def]
    await refund(Refund(transaction_id=TXN), wallet=held)
    (event,) = await release(Release(transaction_id=TXN), wallet=held)
    assert isinstance(event, TransactionFailed)
    assert (event.kind, event.reason, event.detail) == ("release", "hold_settled", "refunded")


async def test_release_of_unknown_hold_reports_no_hold(wallet) -> None:  # type: ignore[no-untyped-def]
    (event,) = await release(Release(transaction_id=TXN), wallet=wallet)
    assert isinstance(event, TransactionFailed)
    assert (event.kind, event.reason) == ("release", "no_hold")
