from __future__ import annotations

from datetime import timedelta

import pytest

from goal_service.domain.exclusive import per_minute_split
from goal_service.handlers.settle_exclusive_goal import settle_exclusive_goal
from livestream_schemas.commands import DeactivateGoal, Settle

from .exclusive_fixtures import AMOUNT, HOLD, end_after, end_goal, paid_request, running_session
from .fakes import GOAL_ID, T0


@pytest.mark.parametrize(
    ("seconds", "used", "released"),
    [(0, 1, 100), (59.9, 1, 100), (60, 2, 200), (150, 3, 300), (299, 5, 500), (900, 5, 500)],
)
async def test_the_streamer_is_paid_for_whole_minutes_started(
    goals, clock, seconds, used, released
) -> None:
    await running_session(goals, clock, duration=300)  # 5 prepaid minutes, 500 coins
    ended = await end_after(goals, clock, seconds)

    (settle,) = await settle_exclusive_goal(ended, goals=goals)

    assert isinstance(settle, Settle)
    assert (settle.transaction_id, settle.settlement_id) == (HOLD, f"settle:{HOLD}")
    assert settle.release_amount == released
    assert settle.reason == f"exclusive:{used}/5min"


async def test_redelivery_sends_the_very_same_settlement(goals, clock) -> None:
    await running_session(goals, clock)
    ended = await end_after(goals, clock, 61)
    first = await settle_exclusive_goal(ended, goals=goals)
    clock.advance(600)  # later deliveries must not count the time since
    again = await settle_exclusive_goal(ended, goals=goals)
    assert [m.model_dump() for m in again] == [m.model_dump() for m in first]


async def test_the_timer_ending_it_releases_everything(goals, clock) -> None:
    await running_session(goals, clock, duration=120)
    ended = await end_after(goals, clock, 121, triggerer="system")
    assert ended.outcome == "completed"
    (settle,) = await settle_exclusive_goal(ended, goals=goals)
    assert settle.release_amount == AMOUNT  # type: ignore[attr-defined]


async def test_other_goals_are_not_settled_here(goals, clock) -> None:
    await paid_request(goals)
    end = DeactivateGoal(goal_id=GOAL_ID, filter={"active": True}, triggerer="system")
    (ended,) = await end_goal(goals, clock, end, "evt-1")
    assert await settle_exclusive_goal(ended, goals=goals) == []


def test_rounding_never_loses_a_coin() -> None:
    for amount in (1, 7, 99, 1001):
        for duration in (60, 90, 120, 300, 3600):
            for seconds in range(0, duration + 120, 17):
                split = per_minute_split(
                    amount, duration_s=duration, started=T0, ended=T0 + timedelta(seconds=seconds)
                )
                assert split.released + split.refunded == amount
                assert 0 <= split.released <= amount
                assert 1 <= split.minutes_used <= split.prepaid_minutes
