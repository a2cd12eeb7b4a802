from __future__ import annotations

from goal_service.domain.goal import ended_event, new_goal
from goal_service.domain.show import show_goal_id
from goal_service.handlers.settle_show_escrow import settle_show_escrow
from livestream_schemas.commands import Refund, Release

from .fakes import GOAL_ID, SESSION_ID, T0, count_hold, create_command

SHOW_ID = show_goal_id(GOAL_ID)


async def show_over(goals, seed, outcome: str):
    await seed()
    funding = goals.docs[GOAL_ID]
    count_hold(goals, GOAL_ID, "tx-a")
    count_hold(goals, GOAL_ID, "tx-b")
    funding.update(active=False, progress=3, outcome="funded")
    show = new_goal(
        create_command(
            goal_id=SHOW_ID,
            _cls="ShowGoal",
            conditions={"session_id": SESSION_ID, "funding_goal": GOAL_ID},
        ),
        now=T0,
    )
    show.update(active=False, outcome=outcome, ended_at=T0)
    await goals.insert_if_absent(show)
    return ended_event(show)


async def test_a_show_held_and_ended_releases_every_ticket_to_the_streamer(goals, seed) -> None:
    out = await settle_show_escrow(await show_over(goals, seed, "completed"), goals=goals)
    assert out == [
        Release(transaction_id="tx-a", reason="show_ended"),
        Release(transaction_id="tx-b", reason="show_ended"),
    ]


async def test_a_cancelled_or_missed_show_refunds_every_ticket(goals, seed) -> None:
    out = await settle_show_escrow(await show_over(goals, seed, "cancelled"), goals=goals)
    assert [type(m) for m in out] == [Refund, Refund]
    assert {m.transaction_id for m in out} == {"tx-a", "tx-b"}


async def test_redelivery_asks_for_the_same_settlements(goals, seed) -> None:
    event = await show_over(goals, seed, "expired")
    first = await settle_show_escrow(event, goals=goals)
    assert await settle_show_escrow(event, goals=goals) == first
    assert [m.reason for m in first] == ["show_expired", "show_expired"]


async def test_other_goals_settle_nothing_here(goals, seed) -> None:
    event = await show_over(goals, seed, "completed")
    other = event.model_copy(update={"cls": "ShowFundingGoal"})
    assert await settle_show_escrow(other, goals=goals) == []
