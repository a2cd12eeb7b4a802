"""Every query on goal-service's hot paths is served by an index the service creates.

Asked of the real server with `explain`, on collections big enough that a planner would
rather scan than use a useless index: MongoDB must answer IXSCAN (or its _id fast path);
FerretDB must run the filter in PostgreSQL (`filterPushdown`) through an index scan.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from goal_service.adapters.goals import MongoGoals
from goal_service.adapters.purchases import MongoPurchases
from goal_service.adapters.tasks import MongoTasks

pytestmark = pytest.mark.integration
ROWS = 3_000

HOT = [
    ("goals", {"_id": "g-7"}, "every command: the goal by id"),
    ("goals", {"_id": "g-7", "active": True, "contributions": 3}, "the guarded commit"),
    ("goal_contributions", {"_id": "g-7:tx-7"}, "the counted-once guard"),
    ("goal_contributions", {"goal_id": "g-7"}, "counted_holds of one goal"),
    ("goal_contributors", {"_id": "g-7:u-7"}, "a contributor's totals"),
    ("goal_contributors", {"goal_id": "g-7"}, "the leaderboard of one goal"),
    ("ticket_purchases", {"transaction_id": "tx-7"}, "a debit's purchase"),
    ("goal_tasks", {"status": "pending"}, "due lifecycle tasks"),
]


def filler(collection: str, i: int) -> dict[str, Any]:
    return {
        "_id": f"g-{i}:x-{i}" if collection.startswith("goal_contrib") else f"g-{i}",
        "goal_id": f"g-{i}",
        "transaction_id": f"tx-{i}",
        "status": "done",
        "active": False,
        "contributions": i,
        "pad": "x" * 100,
    }


def uses_index(plan: dict[str, Any]) -> bool:
    text = json.dumps(plan)
    if "queryPlanner" in plan and "winningPlan" in plan["queryPlanner"]:  # MongoDB
        return any(s in text for s in ('"IXSCAN"', '"IDHACK"', '"EXPRESS_IXSCAN"', '"EXPRESS'))
    return bool(plan.get("filterPushdown")) and '"Index Name"' in text  # FerretDB on PostgreSQL


async def test_hot_queries_use_indexes(db) -> None:  # type: ignore[no-untyped-def]
    for repo in (MongoGoals(db), MongoTasks(db), MongoPurchases(db)):
        await repo.ensure_indexes()
    for name in {c for c, _, _ in HOT}:
        await db[name].insert_many([filler(name, i) for i in range(ROWS)])
    missing = []
    for collection, query, what in HOT:
        plan = await db.command("explain", {"find": collection, "filter": query})
        if not uses_index(plan):
            missing.append(f"{what}: {collection} {query}")
    assert not missing, "scans instead of index lookups:\n" + "\n".join(missing)
