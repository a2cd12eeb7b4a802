from __future__ import annotations

from datetime import timedelta

import pytest

from goal_service.domain.exclusive import exclusive_goal_id
from goal_service.domain.goal import InvalidCommand
from goal_service.handlers.accept_exclusive_goal import accept_exclusive_goal
from livestream_schemas.commands import AcceptExclusiveGoal, CreateGoal, DeactivateGoal
from livestream_schemas.goals import GoalEnded

from .exclusive_fixtures import AMOUNT, HOLD, end_goal, paid_request
from .fakes import GOAL_ID, SESSION_ID, STREAMER, T0, VIEWER, envelope_of

ACCEPT = AcceptExclusiveGoal(goal_id=GOAL_ID, triggerer="app-1")


async def accept(goals, clock, event_id: str = "evt-accept"):  # type: ignore[no-untyped-def]
    return await accept_exclusive_goal(
        ACCEPT, envelope=envelope_of(ACCEPT, event_id), goals=goals, clock=clock
    )


async def test_accept_ends_the_request_as_agreed_and_starts_the_session(goals, clock) -> None:
    await paid_request(goals, duration=300)
    clock.advance(10)

    ended, start = await accept(goals, clock)

    assert isinstance(ended, GoalEnded) and ended.outcome == "agreed" and not ended.active
    assert isinstance(start, CreateGoal) and start.cls == "ExclusiveGoal"
    assert start.goal_id == exclusive_goal_id(GOAL_ID)
    assert (start.nbf, start.exp) == (T0 + timedelta(seconds=10), T0 + timedelta(seconds=310))
    assert start.conditions == {"session_id": SESSION_ID, "exclusive_to": VIEWER}
    assert start.metadata == {
        "user_id": STREAMER,
        "prepaid_duration": 300,
        "trigger_goal": GOAL_ID,
        "hold": HOLD,
        "amount": AMOUNT,
    }
    assert goals.docs[GOAL_ID]["outcome"] == "agreed"


async def test_redelivered_accept_repeats_the_same_messages(goals, clock) -> None:
    await paid_request(goals)
    first = await accept(goals, clock)
    clock.advance(5)
    again = await accept(goals, clock)
    assert [m.model_dump() for m in again] == [m.model_dump() for m in first]
    assert goals.docs[GOAL_ID]["version"] == 3  # created, paid, ended: once


async def test_an_unpaid_request_is_not_accepted(goals, clock) -> None:
    await paid_request(goals, paid=False)
    assert await accept(goals, clock) == []
    assert goals.docs[GOAL_ID]["active"] is True


async def test_a_request_past_its_expiry_is_not_accepted_even_before_the_timer(
    goals, clock
) -> None:
    await paid_request(goals, exp_in=30)
    clock.advance(30)
    assert await accept(goals, clock) == []
    assert goals.docs[GOAL_ID]["active"] is True  # the timer ends it as expired


@pytest.mark.parametrize("first", ["expiry", "accept"])
async def test_accept_and_expiry_racing_have_exactly_one_winner(goals, clock, first) -> None:
    await paid_request(goals)
    expire = DeactivateGoal(goal_id=GOAL_ID, filter={"active": True}, triggerer="system")

    async def run_expiry():  # type: ignore[no-untyped-def]
        return await end_goal(goals, clock, expire, "evt-timer")

    if first == "expiry":
        won, lost = await run_expiry(), await accept(goals, clock)
    else:
        won, lost = await accept(goals, clock), await run_expiry()
    assert won and lost == []
    expected = "expired" if first == "expiry" else "agreed"
    assert goals.docs[GOAL_ID]["outcome"] == expected


async def test_accepting_something_that_is_not_a_request_is_refused(goals, clock, seed) -> None:
    await seed()  # a ShowFundingGoal
    with pytest.raises(InvalidCommand):
        await accept(goals, clock)
