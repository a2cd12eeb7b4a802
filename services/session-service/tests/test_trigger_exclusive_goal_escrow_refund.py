from __future__ import annotations

from session_service_fakes import T0, FakeSessions, goal_ended, make_session

from livestream_schemas.commands import Refund
from livestream_schemas.goals import SHOW_FUNDING_GOAL, TRIGGER_EXCLUSIVE_GOAL
from session_service.domain.session import ExclusiveGoalPair
from session_service.handlers.trigger_exclusive_goal_escrow_refund import (
    trigger_exclusive_goal_escrow_refund,
)

SID = "a" * 24
VIEWER = "viewer-1"
GOAL = "1" * 24
TX = f"session:trigger-exclusive:{GOAL}"


def ended(insert_ids=(TX,), cls=TRIGGER_EXCLUSIVE_GOAL):  # type: ignore[no-untyped-def]
    return goal_ended(
        GOAL,
        cls,
        active=False,
        progress=len(insert_ids),
        contributions=len(insert_ids),
        conditions={"session_id": SID, "exclusive_to": VIEWER},
        metadata={"user_id": "streamer-1"},
    )


def session_with(pair: ExclusiveGoalPair) -> FakeSessions:
    return FakeSessions(make_session(SID, exclusive_goal_pairs={VIEWER: pair}))


async def test_an_unanswered_paid_request_is_refunded() -> None:
    sessions = session_with(ExclusiveGoalPair(trigger_exclusive_goal=GOAL))
    out = await trigger_exclusive_goal_escrow_refund(ended(), sessions=sessions)
    assert out == [Refund(transaction_id=TX, reason="exclusive_not_agreed")]


async def test_redelivery_asks_for_the_same_refund_which_the_wallet_does_once() -> None:
    sessions = session_with(ExclusiveGoalPair(trigger_exclusive_goal=GOAL))
    first = await trigger_exclusive_goal_escrow_refund(ended(), sessions=sessions)
    again = await trigger_exclusive_goal_escrow_refund(ended(), sessions=sessions)
    assert again == first and again[0].transaction_id == TX


async def test_an_agreed_request_keeps_its_escrow() -> None:
    pair = ExclusiveGoalPair(trigger_exclusive_goal=GOAL, trigger_exclusive_goal_agreed=T0)
    sessions = session_with(pair)
    assert await trigger_exclusive_goal_escrow_refund(ended(), sessions=sessions) == []


async def test_an_agreement_to_another_request_does_not_keep_this_escrow() -> None:
    pair = ExclusiveGoalPair(trigger_exclusive_goal="2" * 24, trigger_exclusive_goal_agreed=T0)
    out = await trigger_exclusive_goal_escrow_refund(ended(), sessions=session_with(pair))
    assert [r.transaction_id for r in out] == [TX]


async def test_a_debit_not_counted_is_left_to_the_late_debit_rule() -> None:
    sessions = session_with(ExclusiveGoalPair(trigger_exclusive_goal=GOAL))
    out = await trigger_exclusive_goal_escrow_refund(ended(insert_ids=()), sessions=sessions)
    assert out == []


async def test_show_goals_are_not_refunded_here() -> None:
    sessions = session_with(ExclusiveGoalPair(trigger_exclusive_goal=GOAL))
    out = await trigger_exclusive_goal_escrow_refund(
        ended(cls=SHOW_FUNDING_GOAL), sessions=sessions
    )
    assert out == []


async def test_an_agreed_request_is_not_refunded_even_before_the_session_knows() -> None:
    sessions = session_with(ExclusiveGoalPair(trigger_exclusive_goal=GOAL))
    agreed = ended().model_copy(update={"outcome": "agreed"})
    for _ in range(2):
        assert await trigger_exclusive_goal_escrow_refund(agreed, sessions=sessions) == []
