"""The Mongo adapters' conditional updates against the real FerretDB of the local stack."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from goal_service.adapters.audit import MongoAudit
from goal_service.adapters.escrow import MongoEscrowHolds, MongoLeases
from goal_service.adapters.goals import MongoGoals
from goal_service.adapters.purchases import MongoPurchases
from goal_service.adapters.tasks import MongoTasks
from goal_service.domain.contributions import Contribution
from goal_service.domain.goal import created_event, new_goal
from goal_service.usecases.contributions import count_contributions
from livestream_schemas.commands import Refund
from livestream_schemas.goals import GoalProgressed

from .fakes import GOAL_ID, STREAMER, T0, create_command

pytestmark = pytest.mark.integration


async def test_goal_writes_are_conditional_and_idempotent(db) -> None:  # type: ignore[no-untyped-def]
    goals = MongoGoals(db)
    await goals.ensure_indexes()
    doc = new_goal(create_command(exp=T0 + timedelta(hours=1)), now=T0)
    stored = await goals.insert_if_absent(doc)
    again = await goals.insert_if_absent({**doc, "progress": 99})
    assert created_event(again) == created_event(stored) == created_event(doc)

    first, second = Contribution("tx-1", "v1", 2, 20), Contribution("tx-2", "v1", 1, 20)
    await count_contributions(GOAL_ID, [first], goals=goals)
    await count_contributions(GOAL_ID, [first, second], goals=goals)  # tx-1 counted once
    after = await goals.get(GOAL_ID)
    assert after is not None and after["progress"] == 3 and after["version"] == 3
    assert after["top"] == [{"user_id": "v1", "progress": 3, "cost": 40}]
    assert await goals.leaderboard(GOAL_ID, offset=0, limit=5) == after["top"]
    assert [h async for h in goals.counted_holds(GOAL_ID)] == [
        ("tx-1", "v1", 20),
        ("tx-2", "v1", 20),
    ]
    # a guarded contributor update that was already applied is a no-op, not an error
    await goals.apply_contributors(
        GOAL_ID, [{"user_id": "v1", "progress": 2, "cost": 20, "first_seq": 1, "last_seq": 1}]
    )
    assert (await goals.leaderboard(GOAL_ID, offset=0, limit=5))[0]["progress"] == 3

    other = {"active": True, "metadata.user_id": "intruder"}
    now = T0 + timedelta(minutes=5)
    assert await goals.end(GOAL_ID, other, now=now, triggerer="x", ended_by="e0") is None
    owner = {"active": True, "metadata.user_id": STREAMER}
    ended = await goals.end(GOAL_ID, owner, now=now, triggerer="app", ended_by="e1")
    assert ended is not None and ended["active"] is False and ended["version"] == 4
    assert ended["exp"] == now and ended["ended_by"] == "e1"
    assert await goals.end(GOAL_ID, owner, now=now, triggerer="app", ended_by="e2") is None
    late = await count_contributions(GOAL_ID, [Contribution("tx-late", "v1", 1, 10)], goals=goals)
    assert late.messages == [Refund(transaction_id="tx-late", reason="goal_ended")]
    assert (await goals.get(GOAL_ID))["progress"] == 3  # type: ignore[index]


async def test_due_tasks_are_claimed_once_per_lease(db) -> None:  # type: ignore[no-untyped-def]
    tasks = MongoTasks(db)
    await tasks.ensure_indexes()
    due = T0 + timedelta(minutes=1)
    await tasks.schedule("deactivate:g", goal_id="g", due_at=due)
    await tasks.schedule("deactivate:g", goal_id="g", due_at=due + timedelta(days=1))

    lease = due + timedelta(seconds=30)
    assert await tasks.claim_due(now=T0, lease_until=lease) is None
    claimed = await tasks.claim_due(now=due, lease_until=lease)
    assert claimed is not None and claimed["goal_id"] == "g" and claimed["due_at"] == due
    assert await tasks.claim_due(now=due + timedelta(seconds=5), lease_until=lease) is None
    assert not await tasks.complete("deactivate:g", lease_until=due, now=due)  # not our lease
    assert await tasks.complete("deactivate:g", lease_until=lease, now=due)
    later = due + timedelta(hours=1)
    assert await tasks.claim_due(now=later, lease_until=later) is None


async def test_purchases_and_audit_insert_once(db) -> None:  # type: ignore[no-untyped-def]
    purchases, audit = MongoPurchases(db), MongoAudit(db)
    await purchases.ensure_indexes()
    await audit.ensure_indexes()
    purchase = {
        "_id": "p1",
        "goal_id": "g",
        "transaction_id": "tx-p1",
        "count": 2,
        "published": False,
        "accepted_at": T0,
    }
    assert await purchases.insert_if_absent(purchase) == (purchase, True)
    stored, inserted = await purchases.insert_if_absent({**purchase, "count": 9})
    assert not inserted and stored["count"] == 2
    assert await purchases.accepted_before("g", T0 + timedelta(seconds=1)) == []  # unsent
    await purchases.mark_published("p1")
    found = await purchases.find_by_transaction("tx-p1")
    assert found is not None and found["published"] is True
    assert [p["_id"] for p in await purchases.accepted_before("g", T0 + timedelta(1))] == ["p1"]
    assert await purchases.accepted_before("g", T0) == []
    await purchases.mark_failed("tx-p1")
    assert (await purchases.get("p1"))["failed"] is True  # type: ignore[index]

    assert await audit.record({"_id": "evt-1", "goal_id": "g", "version": 1})
    assert not await audit.record({"_id": "evt-1", "goal_id": "g", "version": 1})


async def test_a_closing_goal_counts_only_what_it_accepted_before_its_end(db) -> None:  # type: ignore[no-untyped-def]
    goals = MongoGoals(db)
    await goals.insert_if_absent(new_goal(create_command(), now=T0))

    async def count(insert_id: str, accepted_at: datetime | None = None) -> bool:
        item = Contribution(insert_id, "v1", 1, 10, accepted_at)
        (out,) = (await count_contributions(GOAL_ID, [item], goals=goals)).messages
        return isinstance(out, GoalProgressed)

    assert await count("tx-1")
    end = T0 + timedelta(seconds=30)
    closing = await goals.end(
        GOAL_ID, {"active": True}, now=end, triggerer="app", ended_by="e1", closing=True
    )
    assert closing is not None and closing["closing"] is True and closing["outcome"] is None
    before, after = end - timedelta(seconds=1), end + timedelta(seconds=1)
    assert await count("tx-2", before)
    assert not await count("tx-3", after)
    assert not await count("tx-4")
    assert [h async for h in goals.counted_holds(GOAL_ID)] == [
        ("tx-1", "v1", 10),
        ("tx-2", "v1", 10),
    ]
    assert [g["_id"] for g in await goals.open_on_session("sess-1")] == [GOAL_ID]
    decided = await goals.close(GOAL_ID, outcome="failed", closed_by="e2")
    assert decided is not None and decided["outcome"] == "failed" and decided["closing"] is False
    assert await goals.close(GOAL_ID, outcome="funded", closed_by="e3") is None
    assert not await count("tx-5", before)
    assert await goals.open_on_session("sess-1") == []


async def test_a_show_starts_once_and_only_for_its_owner(db) -> None:  # type: ignore[no-untyped-def]
    goals = MongoGoals(db)
    await goals.insert_if_absent(new_goal(create_command(_cls="ShowGoal"), now=T0))
    assert await goals.start(GOAL_ID, {"metadata.user_id": "x"}, now=T0, started_by="e0") is None
    started = await goals.start(GOAL_ID, {"metadata.user_id": STREAMER}, now=T0, started_by="e1")
    assert started is not None and started["started"] is True and started["exp"] is None
    assert await goals.start(GOAL_ID, {}, now=T0, started_by="e2") is None
    timer = {"active": True, "started": False}
    assert await goals.end(GOAL_ID, timer, now=T0, triggerer="system", ended_by="e3") is None


async def test_escrow_holds_stay_settled_and_the_lease_has_one_holder(db) -> None:  # type: ignore[no-untyped-def]
    holds, leases = MongoEscrowHolds(db), MongoLeases(db)
    hold = {"_id": "tx-1", "goal_id": GOAL_ID, "amount": 30, "opened_at": T0}
    await holds.settled("tx-0", how="refund", at=T0)  # a settlement that overtook its debit
    await holds.opened({**hold, "_id": "tx-0"})
    for _ in range(2):
        await holds.opened(hold)
    assert [h["_id"] for h in await holds.open_holds(opened_before=T0 + timedelta(1), limit=9)] == [
        "tx-1"
    ]
    assert await holds.open_holds(opened_before=T0, limit=9) == []
    assert await holds.totals() == (1, 30)
    await holds.settled("tx-1", how="release", at=T0)
    assert await holds.totals() == (0, 0)

    until = T0 + timedelta(seconds=10)
    assert await leases.acquire("sweep", holder="a", now=T0, until=until)
    assert not await leases.acquire("sweep", holder="b", now=T0, until=until)
    assert await leases.acquire("sweep", holder="a", now=T0, until=until)  # renewal
    assert await leases.acquire("sweep", holder="b", now=until, until=until + timedelta(10))
