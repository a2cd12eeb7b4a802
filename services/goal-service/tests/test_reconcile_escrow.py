from __future__ import annotations

from datetime import timedelta

from goal_service.domain.goal import new_goal
from goal_service.domain.show import show_goal_id
from goal_service.handlers.accept_exclusive_goal import accept_exclusive_goal
from goal_service.handlers.create_goal import create_goal
from goal_service.handlers.reconcile_escrow import SweepConfig, reconcile_escrow
from goal_service.handlers.settle_exclusive_goal import settle_exclusive_goal
from livestream_schemas.commands import AcceptExclusiveGoal, CreateGoal, Refund, Release, Settle

from .exclusive_fixtures import AMOUNT, HOLD, end_after, paid_request, running_session
from .fakes import (
    GOAL_ID,
    SESSION_ID,
    T0,
    VIEWER,
    FakeEscrowHolds,
    FakeLeases,
    FakeReport,
    count_hold,
    create_command,
    envelope_of,
)

CONFIG = SweepConfig(holder="a", grace_s=60, lease_s=120)


def hold(tx: str, amount: int = 30, kind: str = "show_ticket") -> dict:
    return {
        "_id": tx,
        "goal_id": GOAL_ID,
        "session_id": SESSION_ID,
        "kind": kind,
        "payer": VIEWER,
        "amount": amount,
        "opened_at": T0,
    }


async def sweep(goals, holds, publisher, clock, leases=None, config=CONFIG, report=None):
    return await reconcile_escrow(
        holds=holds,
        goals=goals,
        leases=leases or FakeLeases(),
        publish=publisher.publish,
        report=report or FakeReport(),
        config=config,
        clock=clock,
    )


async def test_a_hold_of_a_failed_goal_is_refunded_once_the_grace_is_over(
    goals, seed, publisher, clock
) -> None:
    await seed()
    count_hold(goals, GOAL_ID, "tx-a")
    goals.docs[GOAL_ID].update(active=False, outcome="failed", ended_at=T0)
    holds = FakeEscrowHolds()
    await holds.opened(hold("tx-a"))
    report = FakeReport()

    clock.advance(59)
    assert await sweep(goals, holds, publisher, clock, report=report) == 0
    assert report.last["overdue"] == 0 and report.last["holds"] == 1
    clock.advance(2)
    assert await sweep(goals, holds, publisher, clock, report=report) == 1
    assert publisher.messages() == [Refund(transaction_id="tx-a", reason="reconciled")]
    assert report.last == {"holds": 1, "coins": 30, "overdue": 1, "coins_overdue": 30}
    # the refund's callback settles the hold: the next sweep has nothing to do (a rerun
    # before it would only repeat a refund the wallet answers once)
    await holds.settled("tx-a", how="refund", at=clock())
    assert await sweep(goals, holds, publisher, clock, report=report) == 0
    assert report.last["holds"] == 0


async def test_a_held_show_releases_and_a_pending_one_waits(goals, seed, publisher, clock) -> None:
    await seed()
    count_hold(goals, GOAL_ID, "tx-a")
    goals.docs[GOAL_ID].update(active=False, outcome="funded", progress=3, ended_at=T0)
    show = new_goal(
        create_command(
            goal_id=show_goal_id(GOAL_ID),
            _cls="ShowGoal",
            conditions={"session_id": SESSION_ID, "funding_goal": GOAL_ID},
        ),
        now=T0,
    )
    await goals.insert_if_absent(show)
    holds = FakeEscrowHolds()
    await holds.opened(hold("tx-a"))
    clock.advance(3600)
    assert await sweep(goals, holds, publisher, clock) == 0  # show still to come
    goals.docs[show["_id"]].update(active=False, outcome="completed", ended_at=clock())
    clock.advance(61)
    assert await sweep(goals, holds, publisher, clock) == 1
    assert publisher.messages() == [Release(transaction_id="tx-a", reason="reconciled")]


async def test_a_debit_the_goal_never_counted_is_refunded(goals, seed, publisher, clock) -> None:
    await seed()
    goals.docs[GOAL_ID].update(active=False, outcome="funded", ended_at=T0)
    holds = FakeEscrowHolds()
    await holds.opened(hold("tx-late"))
    clock.advance(61)
    assert await sweep(goals, holds, publisher, clock) == 1
    assert publisher.messages() == [Refund(transaction_id="tx-late", reason="reconciled")]


async def test_one_replica_at_a_time_holds_the_lease(goals, seed, publisher, clock) -> None:
    await seed()
    goals.docs[GOAL_ID].update(active=False, outcome="failed", ended_at=T0)
    holds = FakeEscrowHolds()
    await holds.opened(hold("tx-a"))
    leases = FakeLeases()
    clock.advance(61)
    other = SweepConfig(holder="b", grace_s=60, lease_s=120)
    assert await sweep(goals, holds, publisher, clock, leases=leases) == 1
    report = FakeReport()
    assert (
        await sweep(goals, holds, publisher, clock, leases=leases, config=other, report=report) == 0
    )
    assert report.last["holds"] == 0  # a replica without the lease reports nothing
    clock.advance(121)
    assert await sweep(goals, holds, publisher, clock, leases=leases, config=other) == 1


async def test_a_hold_for_a_goal_never_created_is_refunded_after_the_orphan_grace(
    goals, publisher, clock
) -> None:
    holds = FakeEscrowHolds()
    await holds.opened(hold("tx-orphan"))
    config = SweepConfig(holder="a", grace_s=60, lease_s=120, orphan_grace_s=600)
    clock.advance(599)
    assert await sweep(goals, holds, publisher, clock, config=config) == 0
    clock.advance(1)
    assert await sweep(goals, holds, publisher, clock, config=config) == 1
    assert publisher.messages() == [Refund(transaction_id="tx-orphan", reason="no_goal")]


async def test_an_overdue_hold_is_re_sent_once_per_grace_period(
    goals, seed, publisher, clock
) -> None:
    await seed()
    goals.docs[GOAL_ID].update(active=False, outcome="failed", ended_at=T0)
    holds = FakeEscrowHolds()
    await holds.opened(hold("tx-a"))
    report = FakeReport()
    clock.advance(61)
    await sweep(goals, holds, publisher, clock, report=report)
    clock.advance(30)  # the refund is slow to land: still overdue, not sent again yet
    await sweep(goals, holds, publisher, clock, report=report)
    assert len(publisher.sent) == 1 and report.last["overdue"] == 1
    clock.advance(30)
    await sweep(goals, holds, publisher, clock, report=report)
    assert len(publisher.sent) == 2 and report.reissued_kinds == ["refund", "refund"]


async def test_a_lost_split_of_an_ended_exclusive_session_is_sent_again(goals, clock, publisher):
    await running_session(goals, clock, duration=300)
    ended = await end_after(goals, clock, 90)  # 2 of 5 minutes used
    (split,) = await settle_exclusive_goal(ended, goals=goals)  # ... and then lost
    holds = FakeEscrowHolds()
    await holds.opened(hold(HOLD, AMOUNT, kind="trigger_exclusive"))
    report = FakeReport()

    clock.advance(59)
    assert await sweep(goals, holds, publisher, clock, report=report) == 0
    clock.advance(2)
    assert await sweep(goals, holds, publisher, clock, report=report) == 1
    # the very split the session's end sent: the wallet applies its settlement id once
    assert publisher.messages() == [split]
    assert isinstance(split, Settle) and split.release_amount == 200
    assert report.reissued_kinds == ["settle"]


async def test_a_running_exclusive_session_keeps_its_hold(goals, clock, publisher) -> None:
    await running_session(goals, clock, duration=3600)
    holds = FakeEscrowHolds()
    await holds.opened(hold(HOLD, AMOUNT, kind="trigger_exclusive"))
    clock.advance(1800)
    assert await sweep(goals, holds, publisher, clock) == 0
    assert publisher.sent == []


async def test_an_agreed_request_whose_session_was_never_created_gets_it(
    goals, clock, publisher
) -> None:
    await paid_request(goals, duration=120)
    accept = AcceptExclusiveGoal(goal_id=GOAL_ID, triggerer="app-1")
    _, start = await accept_exclusive_goal(
        accept, envelope=envelope_of(accept), goals=goals, clock=clock
    )  # its create_goal is lost
    holds = FakeEscrowHolds()
    await holds.opened(hold(HOLD, AMOUNT, kind="trigger_exclusive"))
    config = SweepConfig(holder="a", grace_s=60, lease_s=120, orphan_grace_s=600)
    clock.advance(599)
    assert await sweep(goals, holds, publisher, clock, config=config) == 0
    clock.advance(1)
    assert await sweep(goals, holds, publisher, clock, config=config) == 1
    assert publisher.messages() == [start]  # the same session, from the agreed request
    # created late, it still ends when its prepaid time from the accept is over
    (created,) = await create_goal(start, goals=goals, clock=clock)  # type: ignore[arg-type]
    assert created.exp == T0 + timedelta(seconds=120)
    assert await sweep(goals, holds, publisher, clock, config=config) == 0


async def test_a_funded_goal_whose_show_was_never_bound_binds_it_once(
    goals, seed, publisher, clock
) -> None:
    await seed()
    for tx in ("tx-a", "tx-b"):
        count_hold(goals, GOAL_ID, tx)
    goals.docs[GOAL_ID].update(active=False, outcome="funded", progress=3, ended_at=T0)
    holds = FakeEscrowHolds()
    for tx in ("tx-a", "tx-b"):
        await holds.opened(hold(tx))
    config = SweepConfig(
        holder="a", grace_s=60, lease_s=120, orphan_grace_s=600, show_start_within_s=3600
    )
    report = FakeReport()
    clock.advance(599)
    assert await sweep(goals, holds, publisher, clock, config=config, report=report) == 0
    clock.advance(1)
    assert await sweep(goals, holds, publisher, clock, config=config, report=report) == 2
    (bind,) = publisher.messages()  # one show for both holds
    assert isinstance(bind, CreateGoal) and bind.goal_id == show_goal_id(GOAL_ID)
    assert bind.exp == T0 + timedelta(seconds=3600)  # the deadline it would have had
    assert report.reissued_kinds == ["bind_show"] and report.last["overdue"] == 2
    clock.advance(30)  # not sent again within the grace period
    await sweep(goals, holds, publisher, clock, config=config)
    assert len(publisher.sent) == 1
    await create_goal(bind, goals=goals, clock=clock)
    assert await sweep(goals, holds, publisher, clock, config=config) == 0  # show to come
