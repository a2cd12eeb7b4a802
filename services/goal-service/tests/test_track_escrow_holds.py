from __future__ import annotations

from goal_service.handlers.track_escrow_holds import track_escrow_holds
from livestream_schemas.tags import SHOW_TICKET, escrow_tag, swag_tag
from livestream_schemas.wallet import BalanceDecremented, BalanceIncremented

from .fakes import GOAL_ID, SESSION_ID, T0, VIEWER, FakeEscrowHolds

SWAG = swag_tag(SESSION_ID, SHOW_TICKET, GOAL_ID)
HOLD = f"goal:show-ticket:{GOAL_ID}:p1"


def debit(tags: list[str]) -> BalanceDecremented:
    return BalanceDecremented(
        user_id=VIEWER, user_wallet_id="w", amount=30, timestamp=T0, transaction_id=HOLD, tags=tags
    )


def credit(prefix: str) -> BalanceIncremented:
    return BalanceIncremented(
        user_id=VIEWER,
        user_wallet_id="w",
        amount=30,
        timestamp=T0,
        transaction_id=f"{prefix}:{HOLD}",
        tags=[SWAG, f"{prefix}::{HOLD}"],
    )


async def test_a_hold_is_open_from_its_debit_until_its_settlement() -> None:
    holds = FakeEscrowHolds()
    await track_escrow_holds(debit([SWAG, escrow_tag("w-s", SWAG)]), holds=holds)
    assert holds.open[HOLD]["goal_id"] == GOAL_ID and holds.open[HOLD]["amount"] == 30
    await track_escrow_holds(credit("refund"), holds=holds)
    assert holds.open == {} and holds.done == {HOLD: "refund"}


async def test_redelivered_or_reordered_callbacks_leave_a_settled_hold_settled() -> None:
    holds = FakeEscrowHolds()
    await track_escrow_holds(credit("release"), holds=holds)  # the settlement overtook
    for _ in range(2):
        await track_escrow_holds(debit([SWAG, escrow_tag("w-s", SWAG)]), holds=holds)
    assert holds.open == {} and holds.done == {HOLD: "release"}


async def test_a_debit_without_escrow_or_goal_is_no_hold() -> None:
    holds = FakeEscrowHolds()
    await track_escrow_holds(debit([SWAG]), holds=holds)
    await track_escrow_holds(debit(["gift"]), holds=holds)
    assert holds.open == {}
