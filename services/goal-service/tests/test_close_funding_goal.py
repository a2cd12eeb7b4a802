from __future__ import annotations

from datetime import timedelta

from goal_service.handlers.close_funding_goal import SettleWindow, close_funding_goal
from livestream_schemas.commands import CloseFundingGoal

from .fakes import (
    GOAL_ID,
    SESSION_ID,
    T0,
    Clock,
    FakeEndedSessions,
    FakePurchases,
    FakeTasks,
    count_hold,
    envelope_of,
)

CMD = CloseFundingGoal(goal_id=GOAL_ID)


async def closing(goals, seed, progress: int) -> None:
    await seed()
    goals.docs[GOAL_ID].update(
        active=False, closing=True, progress=progress, version=2, ended_at=T0
    )


async def run(goals, ended=None, event_id: str = "evt-close", **deps):
    return await close_funding_goal(
        CMD,
        envelope=envelope_of(CMD, event_id),
        goals=goals,
        purchases=deps.get("purchases") or FakePurchases(),
        tasks=deps.get("tasks") or FakeTasks(),
        ended_sessions=ended or FakeEndedSessions(),
        window=SettleWindow(recheck_s=1, longest_s=10),
        clock=deps.get("clock") or Clock(T0 + timedelta(seconds=3)),
    )


def purchase(tx: str, accepted_s: float, **fields) -> dict:
    return {
        "_id": tx,
        "goal_id": GOAL_ID,
        "transaction_id": tx,
        "published": True,
        "accepted_at": T0 + timedelta(seconds=accepted_s),
        **fields,
    }


async def test_a_goal_that_reached_its_target_in_the_window_is_funded(goals, seed) -> None:
    await closing(goals, seed, progress=3)
    (event,) = await run(goals)
    assert (event.outcome, event.active, event.version) == ("funded", False, 3)
    assert goals.docs[GOAL_ID]["closing"] is False


async def test_a_goal_short_of_its_target_failed(goals, seed) -> None:
    await closing(goals, seed, progress=2)
    (event,) = await run(goals)
    assert event.outcome == "failed"


async def test_a_goal_whose_session_ended_can_buy_no_show(goals, seed) -> None:
    await closing(goals, seed, progress=3)
    (event,) = await run(goals, FakeEndedSessions(SESSION_ID))
    assert event.outcome == "session_ended"


async def test_redelivery_repeats_the_announcement_and_decides_once(goals, seed) -> None:
    await closing(goals, seed, progress=3)
    first = await run(goals)
    again = await run(goals)
    assert [m.model_dump() for m in again] == [m.model_dump() for m in first]
    assert goals.docs[GOAL_ID]["version"] == 3
    assert await run(goals, event_id="evt-other") == []  # a second timer run says nothing


async def test_an_active_goal_is_not_decided(goals, seed) -> None:
    await seed()
    assert await run(goals) == []
    assert goals.docs[GOAL_ID]["active"] is True


async def test_it_waits_for_a_purchase_accepted_before_the_end(goals, seed) -> None:
    await closing(goals, seed, progress=2)
    purchases, tasks = FakePurchases(), FakeTasks()
    await purchases.insert_if_absent(purchase("tx-landing", -1))
    await purchases.insert_if_absent(purchase("tx-after", +1))  # accepted after: not waited for
    await purchases.insert_if_absent(purchase("tx-refused", -1, failed=True))
    clock = Clock(T0 + timedelta(seconds=3))
    deps = dict(purchases=purchases, tasks=tasks, clock=clock)

    assert await run(goals, **deps) == []  # still landing: look again in a second
    (task,) = tasks.docs.values()
    assert task["kind"] == "close_funding_goal" and task["due_at"] == T0 + timedelta(seconds=4)
    assert goals.docs[GOAL_ID]["closing"] is True

    count_hold(goals, GOAL_ID, "tx-landing")
    goals.docs[GOAL_ID]["progress"] = 3
    (event,) = await run(goals, **deps)
    assert event.outcome == "funded"


async def test_it_stops_waiting_after_the_longest_window(goals, seed) -> None:
    await closing(goals, seed, progress=2)
    purchases = FakePurchases()
    await purchases.insert_if_absent(purchase("tx-lost", -1))
    clock = Clock(T0 + timedelta(seconds=10))
    (event,) = await run(goals, purchases=purchases, clock=clock)
    assert event.outcome == "failed"
