from __future__ import annotations

import pytest

from goal_service.domain.goal import GoalNotFound, InvalidCommand
from goal_service.handlers.increment_goal_progress import increment_goal_progress
from livestream_schemas.base import BreakdownEntry
from livestream_schemas.commands import IncrementGoalProgress, Refund
from livestream_schemas.goals import GoalProgressed

from .fakes import GOAL_ID, VIEWER


def command(insert_id: str = "tx-1", who: str = VIEWER, amount: int = 2) -> IncrementGoalProgress:
    return IncrementGoalProgress(
        goal_id=GOAL_ID, amount=amount, cost=amount * 10, breakdown_id=who, insert_id=insert_id
    )


async def test_counts_the_payment_and_reports_the_new_state(goals, seed) -> None:
    await seed()
    out = await increment_goal_progress(command(), goals=goals)

    assert len(out) == 1 and isinstance(out[0], GoalProgressed)
    event = out[0]
    assert event.progress == 2 and event.version == 2
    assert event.amount == 2 and event.cost == 20 and event.insert_id == "tx-1"
    assert event.breakdown == {VIEWER: BreakdownEntry(progress=2, cost=20)}
    assert goals.docs[GOAL_ID]["metadata"]["insert_ids"] == ["tx-1"]


async def test_contributors_are_broken_down_separately(goals, seed) -> None:
    await seed()
    await increment_goal_progress(command("tx-1", "a", 1), goals=goals)
    await increment_goal_progress(command("tx-2", "b", 3), goals=goals)
    out = await increment_goal_progress(command("tx-3", "a", 2), goals=goals)
    assert out[0].progress == 6 and out[0].version == 4
    assert out[0].breakdown["a"] == BreakdownEntry(progress=3, cost=30)
    assert out[0].breakdown["b"] == BreakdownEntry(progress=3, cost=30)


async def test_redelivery_counts_once_and_repeats_the_event(goals, seed) -> None:
    await seed()
    first = await increment_goal_progress(command(), goals=goals)
    again = await increment_goal_progress(command(), goals=goals)
    assert [m.model_dump() for m in again] == [m.model_dump() for m in first]
    assert goals.docs[GOAL_ID]["progress"] == 2
    assert goals.docs[GOAL_ID]["metadata"]["insert_ids"] == ["tx-1"]


async def test_a_debit_after_the_goal_ended_is_refunded_not_counted(goals, seed) -> None:
    await seed(active=False)
    out = await increment_goal_progress(command("tx-late"), goals=goals)
    assert out == [Refund(transaction_id="tx-late", reason="goal_ended")]
    assert goals.docs[GOAL_ID]["progress"] == 0
    # redelivered late debit: the same refund again (the wallet refunds once)
    assert await increment_goal_progress(command("tx-late"), goals=goals) == out


async def test_a_counted_payment_stays_counted_after_the_goal_ends(goals, seed) -> None:
    await seed()
    await increment_goal_progress(command("tx-1"), goals=goals)
    goals.docs[GOAL_ID]["active"] = False
    out = await increment_goal_progress(command("tx-1"), goals=goals)
    assert isinstance(out[0], GoalProgressed)  # not a refund: the end-of-goal rule owns it


async def test_unknown_goal_raises_so_the_consumer_retries(goals) -> None:
    with pytest.raises(GoalNotFound):
        await increment_goal_progress(command(), goals=goals)


async def test_breakdown_ids_that_would_be_field_paths_are_refused(goals, seed) -> None:
    await seed()
    with pytest.raises(InvalidCommand):
        await increment_goal_progress(command(who="a.b"), goals=goals)
    assert goals.docs[GOAL_ID]["progress"] == 0


async def test_a_purchase_accepted_before_the_end_counts_in_the_settle_window(goals, seed) -> None:
    from datetime import timedelta

    from .fakes import T0

    await seed()
    goals.docs[GOAL_ID].update(active=False, closing=True, ended_at=T0 + timedelta(seconds=5))
    before = command("tx-early").model_copy(update={"accepted_at": T0 + timedelta(seconds=4)})
    after = command("tx-late").model_copy(update={"accepted_at": T0 + timedelta(seconds=5)})

    (counted,) = await increment_goal_progress(before, goals=goals)
    assert isinstance(counted, GoalProgressed) and counted.progress == 2
    # redelivered: counted once, same event
    assert (await increment_goal_progress(before, goals=goals))[0].progress == 2
    assert await increment_goal_progress(after, goals=goals) == [
        Refund(transaction_id="tx-late", reason="goal_ended")
    ]
    holds = [h async for h in goals.counted_holds(GOAL_ID)]
    assert holds == [("tx-early", VIEWER, 20)]
