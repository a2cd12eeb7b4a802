from __future__ import annotations

from goal_service.handlers.check_funding_goal_refundable import check_funding_goal_refundable

from .fakes import GOAL_ID, count_hold


async def test_refunds_the_holds_of_an_ended_unfunded_goal(goals, seed) -> None:
    await seed()
    count_hold(goals, GOAL_ID, "tx-1")
    count_hold(goals, GOAL_ID, "tx-2")
    goals.docs[GOAL_ID].update(progress=2, active=False)
    out = await check_funding_goal_refundable(GOAL_ID, goals=goals)
    assert [(m.transaction_id, m.reason) for m in out] == [
        ("tx-1", "funding_missed"),
        ("tx-2", "funding_missed"),
    ]
    # redelivery: the same list (the wallet refunds each transaction id once)
    assert await check_funding_goal_refundable(GOAL_ID, goals=goals) == out


async def test_nothing_while_the_goal_is_open_or_once_funded(goals, seed) -> None:
    await seed()
    count_hold(goals, GOAL_ID, "tx-1")
    assert await check_funding_goal_refundable(GOAL_ID, goals=goals) == []
    goals.docs[GOAL_ID].update(active=False, closing=True)  # in its settle window
    assert await check_funding_goal_refundable(GOAL_ID, goals=goals) == []
    goals.docs[GOAL_ID].update(closing=False)
    goals.docs[GOAL_ID].update(active=False, progress=5)
    assert await check_funding_goal_refundable(GOAL_ID, goals=goals) == []


async def test_unknown_goal_refunds_nothing(goals) -> None:
    assert await check_funding_goal_refundable(GOAL_ID, goals=goals) == []


async def test_a_funded_goal_ended_by_its_session_refunds_every_hold(goals, seed) -> None:
    await seed()
    count_hold(goals, GOAL_ID, "tx-1")
    goals.docs[GOAL_ID].update(active=False, progress=5, outcome="session_ended")
    out = await check_funding_goal_refundable(GOAL_ID, goals=goals)
    assert [(m.transaction_id, m.reason) for m in out] == [("tx-1", "session_ended")]
