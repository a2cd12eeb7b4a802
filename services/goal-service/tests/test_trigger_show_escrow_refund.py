from __future__ import annotations

from goal_service.domain.goal import ended_event
from goal_service.handlers.trigger_show_escrow_refund import trigger_show_escrow_refund
from livestream_schemas.commands import Refund

from .fakes import GOAL_ID, count_hold


async def ended_with(goals, seed, tickets: list[tuple[str, int]], **overrides):
    await seed(**overrides)
    doc = goals.docs[GOAL_ID]
    for tx, count in tickets:
        count_hold(goals, GOAL_ID, tx)
        doc["progress"] += count
    doc["active"] = False
    doc["triggerer"] = "app-1"
    doc["outcome"] = "funded" if doc["progress"] >= 3 else "failed"
    return ended_event(doc)


async def test_a_missed_target_refunds_every_ticket_hold(goals, seed) -> None:
    event = await ended_with(goals, seed, [("tx-a", 1), ("tx-b", 1)])  # 2 of 3
    out = await trigger_show_escrow_refund(event, goals=goals)
    assert out == [
        Refund(transaction_id="tx-a", reason="funding_missed"),
        Refund(transaction_id="tx-b", reason="funding_missed"),
    ]


async def test_reaching_the_target_exactly_keeps_the_escrow(goals, seed) -> None:
    event = await ended_with(goals, seed, [("tx-a", 2), ("tx-b", 1)])  # 3 of 3
    assert await trigger_show_escrow_refund(event, goals=goals) == []


async def test_other_goal_classes_are_not_refunded_here(goals, seed) -> None:
    # An unfunded-looking goal of another class: only the class check stops the refund.
    event = await ended_with(goals, seed, [("tx-a", 1)])
    other = event.model_copy(update={"cls": "TriggerExclusiveGoal"})
    assert await trigger_show_escrow_refund(other, goals=goals) == []
    assert await trigger_show_escrow_refund(event, goals=goals) != []


async def test_redelivery_asks_for_the_same_refunds(goals, seed) -> None:
    event = await ended_with(goals, seed, [("tx-a", 1)])
    first = await trigger_show_escrow_refund(event, goals=goals)
    again = await trigger_show_escrow_refund(event, goals=goals)
    assert first == again == [Refund(transaction_id="tx-a", reason="funding_missed")]
