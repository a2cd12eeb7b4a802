"""The Mongo adapters' conditional updates against the real FerretDB of the local stack."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pymongo import AsyncMongoClient

from goal_service.adapters.audit import MongoAudit
from goal_service.adapters.goals import MongoGoals
from goal_service.adapters.purchases import MongoPurchases
from goal_service.adapters.tasks import MongoTasks
from goal_service.domain.goal import created_event, new_goal

from .fakes import GOAL_ID, STREAMER, T0, create_command

pytestmark = pytest.mark.integration


@pytest.fixture
async def db(stack_env: dict[str, str]):  # type: ignore[no-untyped-def]
    name = f"goal_service_it_{uuid.uuid4().hex[:8]}"
    client: AsyncMongoClient = AsyncMongoClient(
        stack_env["MONGODB_URI"], tz_aware=True, serverSelectionTimeoutMS=3000
    )
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


async def test_goal_writes_are_conditional_and_idempotent(db) -> None:  # type: ignore[no-untyped-def]
    goals = MongoGoals(db)
    await goals.ensure_indexes()
    doc = new_goal(create_command(exp=T0 + timedelta(hours=1)), now=T0)
    stored = await goals.insert_if_absent(doc)
    again = await goals.insert_if_absent({**doc, "progress": 99})
    assert created_event(again) == created_event(stored) == created_event(doc)

    inc = dict(insert_id="tx-1", breakdown_id="v1", amount=2, cost=20)
    after = await goals.increment(GOAL_ID, **inc)
    assert after is not None and after["progress"] == 2 and after["version"] == 2
    assert after["breakdown"] == {"v1": {"progress": 2, "cost": 20}}
    assert after["metadata"]["insert_ids"] == ["tx-1"]
    assert await goals.increment(GOAL_ID, **inc) is None  # insert_id already counted
    after = await goals.increment(GOAL_ID, **{**inc, "insert_id": "tx-2", "amount": 1})
    assert after is not None and after["breakdown"]["v1"] == {"progress": 3, "cost": 40}

    other = {"active": True, "metadata.user_id": "intruder"}
    now = T0 + timedelta(minutes=5)
    assert await goals.end(GOAL_ID, other, now=now, triggerer="x", ended_by="e0") is None
    owner = {"active": True, "metadata.user_id": STREAMER}
    ended = await goals.end(GOAL_ID, owner, now=now, triggerer="app", ended_by="e1")
    assert ended is not None and ended["active"] is False and ended["version"] == 4
    assert ended["exp"] == now and ended["ended_by"] == "e1"
    assert await goals.end(GOAL_ID, owner, now=now, triggerer="app", ended_by="e2") is None
    assert await goals.increment(GOAL_ID, **{**inc, "insert_id": "tx-late"}) is None
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
    purchase = {"_id": "p1", "transaction_id": "tx-p1", "count": 2, "published": False}
    assert await purchases.insert_if_absent(purchase) == (purchase, True)
    stored, inserted = await purchases.insert_if_absent({**purchase, "count": 9})
    assert not inserted and stored["count"] == 2
    await purchases.mark_published("p1")
    found = await purchases.find_by_transaction("tx-p1")
    assert found is not None and found["published"] is True

    assert await audit.record({"_id": "evt-1", "goal_id": "g", "version": 1})
    assert not await audit.record({"_id": "evt-1", "goal_id": "g", "version": 1})
