"""The kit's Mongo helpers against the real MongoDB-API server (FerretDB locally)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import ReturnDocument

from service_kit.mongo import by_ids, micros, upsert_if_newer
from service_kit.retention import Retention, Rule

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture
def db(scratch_db: Any) -> Any:
    """A throwaway database on the stack's MongoDB-API server (the root conftest's)."""
    return scratch_db


async def test_read_model_keeps_the_newest_and_ignores_redelivery(db) -> None:  # type: ignore[no-untyped-def]
    users = db["users"]
    assert await upsert_if_newer(users, "u1", {"level": 1}, stamp=micros(T0)) is True
    assert await upsert_if_newer(users, "u1", {"level": 1}, stamp=micros(T0)) is False
    later = micros(T0 + timedelta(microseconds=1))  # finer than a Mongo date can hold
    assert await upsert_if_newer(users, "u1", {"level": 2}, stamp=later) is True
    assert await upsert_if_newer(users, "u1", {"level": 0}, stamp=micros(T0)) is False
    doc = await users.find_one({"_id": "u1"})
    assert doc == {"_id": "u1", "level": 2, "stamp": later}


async def test_document_round_trips_and_ne_guard_applies_once(db) -> None:  # type: ignore[no-untyped-def]
    goals = db["goals"]
    doc = {
        "_id": "g1",
        "progress": 0,
        "metadata": {"insert_ids": []},
        "exp": T0,
        "breakdown": {},
        "levels": [{"title": "Show", "target": 3}],
    }
    await goals.insert_one(doc)
    stored = await goals.find_one({"_id": "g1"})
    assert stored == {**doc, "exp": T0.replace(microsecond=123000)}  # Mongo dates are ms

    async def count(insert_id: str) -> dict | None:  # type: ignore[type-arg]
        return await goals.find_one_and_update(
            {"_id": "g1", "metadata.insert_ids": {"$ne": insert_id}},
            {
                "$inc": {"progress": 1, "breakdown.v1.cost": 50},
                "$push": {"metadata.insert_ids": insert_id},
            },
            return_document=ReturnDocument.AFTER,
        )

    first = await count("tx-1")
    assert first is not None and first["progress"] == 1
    assert await count("tx-1") is None  # the same payment again: no match, no change
    after = await goals.find_one({"_id": "g1"})
    assert after["progress"] == 1 and after["breakdown"] == {"v1": {"cost": 50}}
    assert after["metadata"]["insert_ids"] == ["tx-1"]


async def test_retention_deletes_old_records_once_per_lease(db) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC).replace(microsecond=0)
    rules = [Rule("seen", "at", 3600), Rule("tasks", "done_at", 3600, {"status": "done"})]
    first = Retention(db, rules, owner="w1", lease_s=60)
    second = Retention(db, rules, owner="w2", lease_s=60)
    for retention in (first, second):
        await retention.ensure_indexes()  # TTL where the server has it, else the timer
    old, recent = now - timedelta(hours=2), now - timedelta(minutes=5)
    await db.seen.insert_many([{"_id": "old", "at": old}, {"_id": "new", "at": recent}])
    await db.tasks.insert_many(
        [
            {"_id": "done", "status": "done", "done_at": old},
            {"_id": "pending", "status": "pending", "done_at": old},
        ]
    )

    if not first.by_timer:
        pytest.skip("this server deletes with TTL indexes (MongoDB's monitor runs each minute)")

    assert await first.sweep(now) == 2
    await db.seen.insert_one({"_id": "old-2", "at": old})
    assert await second.sweep(now) == 0  # w1 holds the lease for this interval
    assert await second.sweep(now + timedelta(seconds=61)) == 1  # lease passed: w2 sweeps
    assert [d["_id"] async for d in db.seen.find({})] == ["new"]
    assert [d["_id"] async for d in db.tasks.find({})] == ["pending"]


async def test_by_ids_finds_each_existing_document_once_across_chunks(db) -> None:  # type: ignore[no-untyped-def]
    docs = db["docs"]
    await docs.insert_many([{"_id": f"d{i}", "n": i} for i in range(5)])
    wanted = ["d3", "missing", "d0", "d3", "d4", "d1"]
    found = await by_ids(docs, wanted, parallel=2)
    assert sorted(d["_id"] for d in found) == ["d0", "d1", "d3", "d4"]
    assert {d["_id"]: d["n"] for d in found} == {"d0": 0, "d1": 1, "d3": 3, "d4": 4}
