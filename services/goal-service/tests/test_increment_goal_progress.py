from __future__ import annotations

import pytest

from goal_service.domain.contributions import Contribution
from goal_service.domain.goal import GoalNotFound, InvalidCommand
from goal_service.handlers.increment_goal_progress import (
    increment_goal_progress,
    increment_goal_progress_many,
)
from goal_service.usecases.contributions import count_contributions
from livestream_schemas.base import BreakdownEntry
from livestream_schemas.commands import IncrementGoalProgress, Refund
from livestream_schemas.goals import GoalProgressed, TopContributor

from .fakes import GOAL_ID, VIEWER

OTHER_GOAL = "65f0a1b2c3d4e5f6a7b8c9d1"


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
    assert event.total_cost == 20 and event.contributions == 1 and event.contributors == 1
    assert event.top == [TopContributor(user_id=VIEWER, progress=2, cost=20)]
    assert event.breakdown == {VIEWER: BreakdownEntry(progress=2, cost=20)}
    assert [h async for h in goals.counted_holds(GOAL_ID)] == [("tx-1", VIEWER, 20)]
    assert "insert_ids" not in goals.docs[GOAL_ID]["metadata"]


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
    assert [h async for h in goals.counted_holds(GOAL_ID)] == [("tx-1", VIEWER, 20)]
    assert goals.contributors[f"{GOAL_ID}:{VIEWER}"]["progress"] == 2


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


class Crash(Exception):
    pass


def crash_once(goals, method: str) -> None:
    """The worker dies right before `method` would run, once."""
    real = getattr(goals, method)

    async def dying(*args, **kwargs):
        setattr(goals, method, real)
        raise Crash(method)

    setattr(goals, method, dying)


@pytest.mark.parametrize("before", ["find_contributors", "commit", "apply_contributors"])
async def test_a_crash_between_the_writes_neither_loses_nor_doubles(goals, seed, before) -> None:
    await seed()
    await increment_goal_progress(command("tx-0", "a", 1), goals=goals)
    crash_once(goals, before)
    with pytest.raises(Crash):
        await increment_goal_progress(command("tx-1", "a", 2), goals=goals)
    out = await increment_goal_progress(command("tx-1", "a", 2), goals=goals)  # redelivered
    again = await increment_goal_progress(command("tx-1", "a", 2), goals=goals)
    assert out[0].progress == again[0].progress == 3
    doc = goals.docs[GOAL_ID]
    assert (doc["progress"], doc["cost"], doc["contributions"], doc["contributors"]) == (
        3,
        30,
        2,
        1,
    )
    assert goals.contributors[f"{GOAL_ID}:a"]["progress"] == 3
    assert [h[0] async for h in goals.counted_holds(GOAL_ID)] == ["tx-0", "tx-1"]


async def test_a_crashed_uncommitted_hold_is_refunded_once_the_goal_ended(goals, seed) -> None:
    await seed()
    crash_once(goals, "commit")
    with pytest.raises(Crash):
        await increment_goal_progress(command("tx-1"), goals=goals)
    goals.docs[GOAL_ID]["active"] = False  # the expiry timer ended it meanwhile
    out = await increment_goal_progress(command("tx-1"), goals=goals)
    assert out == [Refund(transaction_id="tx-1", reason="goal_ended")]
    assert [h async for h in goals.counted_holds(GOAL_ID)] == []


async def test_a_batch_counts_each_hold_once_and_keeps_only_the_top_n(goals, seed) -> None:
    await seed()
    items = [Contribution(f"tx-{i}", f"u{i % 25:02d}", 1 + i % 3, 10) for i in range(60)]
    counted = await count_contributions(GOAL_ID, [*items, items[0]], goals=goals)
    events = counted.messages
    assert [e.version for e in events[:60]] == list(range(2, 62))
    assert events[-1] == events[0]  # the repeated hold gets its own event again
    doc = goals.docs[GOAL_ID]
    assert doc["progress"] == sum(it.amount for it in items) == events[59].progress
    assert doc["contributors"] == 25 and len(doc["top"]) == 10 == len(events[59].top)
    board = await goals.leaderboard(GOAL_ID, offset=0, limit=100)
    assert board[:10] == doc["top"] and len(board) == 25


async def test_the_batch_form_answers_each_command_as_if_alone(goals, seed) -> None:
    await seed()
    await seed(goal_id=OTHER_GOAL)
    first = command("tx-1", "a", 1)
    batch = [
        first,
        command("tx-2", "b", 2),
        first,
        command("tx-3", "a", 1).model_copy(update={"goal_id": OTHER_GOAL}),
    ]
    out = await increment_goal_progress_many(batch, goals=goals)
    assert [len(o) for o in out] == [1, 1, 1, 1]
    assert [o[0].progress for o in out] == [1, 3, 1, 1]  # the repeat is counted once
    assert out[3][0].goal_id == OTHER_GOAL and out[3][0].version == 2
    again = await increment_goal_progress(first, goals=goals)  # redelivered alone
    assert again[0].insert_id == "tx-1" and goals.docs[GOAL_ID]["progress"] == 3
