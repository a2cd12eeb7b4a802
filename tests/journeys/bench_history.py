"""Load realistic history straight into the services' databases, for `make bench`.

What months of use leave behind, in the shapes the services write: ended goals with their
contribution records, contributors and audit trail, published-event marks, seen wallet
transactions, idempotency keys, sessions and feed entries, the sandbox's transactions and
holds. Every id carries the run id, so nothing collides with live data.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient

Doc = dict[str, Any]
GOALS_PER_SESSION = 2
CONTRIBUTIONS = 8  # per goal; each from its own user


def _goal_docs(run: str, g: int, at: datetime) -> dict[str, list[Doc]]:
    goal_id = str(ObjectId())
    session = f"hist-{run}-s{g // GOALS_PER_SESSION}"
    streamer = f"hist-{run}-streamer{g // GOALS_PER_SESSION}"
    users = [f"hist-{run}-u{(g * 7 + i) % 5000}" for i in range(CONTRIBUTIONS)]
    records = [
        {
            "_id": f"{goal_id}:tx-{run}-{g}-{i}",
            "goal_id": goal_id,
            "insert_id": f"tx-{run}-{g}-{i}",
            "user_id": u,
            "amount": 1,
            "cost": 10,
            "seq": i + 1,
        }
        for i, u in enumerate(users)
    ]
    top = [{"user_id": u, "progress": 1, "cost": 10} for u in sorted(users)]
    goal = {
        "_id": goal_id,
        "_cls": "ShowFundingGoal",
        "active": False,
        "nbf": None,
        "exp": at,
        "levels": [{"title": "Show", "target": 100}],
        "context": {"type": "show-funding"},
        "conditions": {"session_id": session},
        "metadata": {"user_id": streamer, "session_id": session, "ticket_price": 10},
        "progress": CONTRIBUTIONS,
        "cost": CONTRIBUTIONS * 10,
        "contributions": CONTRIBUTIONS,
        "contributors": CONTRIBUTIONS,
        "top": top,
        "version": CONTRIBUTIONS + 2,
        "created_at": at - timedelta(hours=1),
        "ended_at": at,
        "triggerer": "system",
        "ended_by": f"hist-{run}-{g}",
    }
    contributors = [
        {
            "_id": f"{goal_id}:{u}",
            "goal_id": goal_id,
            "user_id": u,
            "progress": 1,
            "cost": 10,
            "last_seq": i + 1,
        }
        for i, u in enumerate(users)
    ]
    audit = [
        {
            "_id": f"hist-{run}-{g}-{kind}",
            "goal_id": goal_id,
            "type": kind,
            "version": v,
            "occurred_at": at,
        }
        for v, kind in enumerate(("goal.created", "goal.progressed", "goal.ended"), start=1)
    ]
    marks = [{"_id": f"hist-{run}-{g}-{i}:notify", "at": at} for i in range(CONTRIBUTIONS + 2)]
    seen = [{"_id": r["insert_id"], "published": True, "first_seen": at} for r in records]
    return {
        "goal_service.goals": [goal],
        "goal_service.goal_contributions": records,
        "goal_service.goal_contributors": contributors,
        "goal_service.goal_audit": audit,
        "notifier.published_events": marks,
        "wallet_adapter.transactions_seen": seen,
        "wallet_sandbox.transactions": [
            {
                "_id": r["insert_id"],
                "status": "completed",
                "amount": 10,
                "from": f"w-{r['user_id']}",
                "ts": at,
            }
            for r in records
        ],
    }


def history(run: str, total: int) -> dict[str, list[Doc]]:
    """About `total` documents, spread over the collections like real use."""
    out: dict[str, list[Doc]] = {}
    start = datetime.now(UTC) - timedelta(days=1)
    per_goal = 6 + 5 * CONTRIBUTIONS  # what _goal_docs writes for one goal
    for g in range(total // per_goal):
        at = start + timedelta(seconds=g)
        for name, docs in _goal_docs(run, g, at).items():
            out.setdefault(name, []).extend(docs)
    sessions = {d["conditions"]["session_id"] for d in out["goal_service.goals"]}
    out["session_service.sessions"] = [
        {"_id": s, "user_id": s.replace("-s", "-streamer"), "active": False, "show_goal_pairs": []}
        for s in sessions
    ]
    return out


async def load_history(uri: str, run: str, total: int = 100_000) -> tuple[int, float]:
    """Insert the history; (documents, seconds)."""
    client: AsyncMongoClient[Doc] = AsyncMongoClient(uri)
    t0 = time.perf_counter()
    count = 0
    try:
        for name, docs in history(run, total).items():
            db, coll = name.split(".", 1)
            chunks = [docs[i : i + 1000] for i in range(0, len(docs), 1000)]
            for group in range(0, len(chunks), 4):
                await asyncio.gather(
                    *(
                        client[db][coll].insert_many(c, ordered=False)
                        for c in chunks[group : group + 4]
                    )
                )
            count += len(docs)
    finally:
        await client.close()
    return count, time.perf_counter() - t0
