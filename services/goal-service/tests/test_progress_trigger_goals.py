from __future__ import annotations

from datetime import UTC, datetime

import pytest

from goal_service.domain.goal import GoalNotFound
from goal_service.handlers.progress_trigger_goals import progress_trigger_goals
from livestream_schemas.commands import IncrementGoalProgress
from livestream_schemas.tags import escrow_tag, swag_tag
from livestream_schemas.wallet import BalanceDecremented

from .fakes import GOAL_ID, SESSION_ID, VIEWER


def debit(kind: str, amount: int, tx: str, extra_tags: tuple[str, ...] = ()) -> BalanceDecremented:
    swag = swag_tag(SESSION_ID, kind, GOAL_ID)
    return BalanceDecremented(
        user_id=VIEWER,
        user_wallet_id="w-viewer",
        amount=amount,
        timestamp=datetime(2025, 5, 1, tzinfo=UTC),
        transaction_id=tx,
        tags=[*extra_tags, escrow_tag("w-streamer", swag), swag],
    )


async def test_exclusive_request_counts_one_at_its_price(goals, purchases) -> None:
    tx = f"session:trigger-exclusive:{GOAL_ID}"
    out = await progress_trigger_goals(
        debit("trigger_exclusive", 300, tx), goals=goals, purchases=purchases
    )
    assert out == [
        IncrementGoalProgress(
            goal_id=GOAL_ID, amount=1, cost=300, breakdown_id=VIEWER, insert_id=tx
        )
    ]
    assert goals.writes == 0  # it only sends the command; goal.commands does the write


async def test_ticket_payment_counts_the_tickets_of_its_purchase(goals, purchases, seed) -> None:
    await seed()  # ticket price 10: the record wins over dividing
    tx = f"goal:show-ticket:{GOAL_ID}:p1"
    purchases.docs["p1"] = {"_id": "p1", "transaction_id": tx, "count": 4, "amount": 40}
    out = await progress_trigger_goals(
        debit("show_ticket", 40, tx), goals=goals, purchases=purchases
    )
    assert [(m.amount, m.cost, m.insert_id) for m in out] == [(4, 40, tx)]


async def test_ticket_payment_without_a_record_divides_by_the_price(goals, purchases, seed) -> None:
    await seed()
    out = await progress_trigger_goals(
        debit("show_ticket", 30, "tx-x"), goals=goals, purchases=purchases
    )
    assert out[0].amount == 3


async def test_ticket_payment_for_an_unknown_goal_raises(goals, purchases) -> None:
    with pytest.raises(GoalNotFound):
        await progress_trigger_goals(
            debit("show_ticket", 30, "tx-x"), goals=goals, purchases=purchases
        )


async def test_other_payments_and_refunds_are_ignored(goals, purchases) -> None:
    assert (
        await progress_trigger_goals(debit("karaoke", 5, "tx"), goals=goals, purchases=purchases)
        == []
    )
    refund = debit("trigger_exclusive", 5, "tx", ("refund::tx",))
    assert await progress_trigger_goals(refund, goals=goals, purchases=purchases) == []


async def test_redelivery_sends_the_identical_command(goals, purchases, seed) -> None:
    await seed()
    message = debit("show_ticket", 20, "tx-r")
    first = await progress_trigger_goals(message, goals=goals, purchases=purchases)
    again = await progress_trigger_goals(message, goals=goals, purchases=purchases)
    assert first == again and first[0].amount == 2
    assert goals.writes == 1  # only the seed
