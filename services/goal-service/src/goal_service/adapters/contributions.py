"""Contribution records and per-contributor totals (`goal_contributions`, `goal_contributors`).

Part of the goal repository: only the goal.commands worker, the goal's single writer,
writes them. The ordering that makes a crash between writes harmless lives in
usecases/contributions.py; here each method is one round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from pymongo import ReplaceOne, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from goal_service.domain.contributions import contributor_id
from service_kit.mongo import by_ids

Doc = dict[str, Any]
_DUPLICATE_KEY = 11000
_PARALLEL = 32


class MongoContributions:
    def __init__(self, db: Any) -> None:
        self._goals = db["goals"]
        self._records = db["goal_contributions"]
        self._contributors = db["goal_contributors"]

    async def ensure_contribution_indexes(self) -> None:
        await self._records.create_index([("goal_id", 1), ("seq", 1)])
        await self._contributors.create_index(
            [("goal_id", 1), ("progress", -1), ("cost", -1), ("user_id", 1)]
        )

    async def find_contributions(self, goal_id: str, insert_ids: Sequence[str]) -> list[Doc]:
        return await by_ids(self._records, [f"{goal_id}:{i}" for i in insert_ids])

    async def insert_contributions(self, records: Sequence[Doc]) -> list[str]:
        clashes = await _insert_ignoring_duplicates(self._records, records)
        return [records[i]["insert_id"] for i in clashes]

    async def write_contributions(self, records: Sequence[Doc]) -> None:
        if records:
            await self._records.bulk_write(
                [ReplaceOne({"_id": r["_id"]}, r, upsert=True) for r in records], ordered=False
            )

    async def find_contributors(self, goal_id: str, user_ids: Sequence[str]) -> dict[str, Doc]:
        found = await by_ids(self._contributors, [contributor_id(goal_id, u) for u in user_ids])
        return {doc["user_id"]: doc for doc in found}

    async def commit(self, goal_id: str, *, base: int, guard: Doc, update: Doc) -> Doc | None:
        return await self._goals.find_one_and_update(  # type: ignore[no-any-return]
            {**guard, "_id": goal_id, "contributions": base},
            update,
            return_document=ReturnDocument.AFTER,
        )

    async def apply_contributors(self, goal_id: str, sums: Sequence[Doc]) -> None:
        # First-time contributors in one insert; the others one update each, concurrently
        # (FerretDB's bulk answer to a failed upsert lacks the counts pymongo merges).
        fresh = [s for s in sums if s.get("new")]
        if fresh:
            docs = [
                {
                    "_id": contributor_id(goal_id, s["user_id"]),
                    "goal_id": goal_id,
                    "user_id": s["user_id"],
                    "progress": s["progress"],
                    "cost": s["cost"],
                    "last_seq": s["last_seq"],
                }
                for s in fresh
            ]
            await _insert_ignoring_duplicates(self._contributors, docs)
        rest = [s for s in sums if not s.get("new")]
        for start in range(0, len(rest), _PARALLEL):
            await asyncio.gather(
                *(self._add_to_contributor(goal_id, s) for s in rest[start : start + _PARALLEL])
            )

    async def _add_to_contributor(self, goal_id: str, s: Doc) -> None:
        guard = {"_id": contributor_id(goal_id, s["user_id"]), "last_seq": {"$lt": s["first_seq"]}}
        update = {
            "$inc": {"progress": s["progress"], "cost": s["cost"]},
            "$set": {"last_seq": s["last_seq"]},
            "$setOnInsert": {"goal_id": goal_id, "user_id": s["user_id"]},
        }
        # A guard that fails upserts into the existing _id: that total has this already.
        with contextlib.suppress(DuplicateKeyError):
            await self._contributors.update_one(guard, update, upsert=True)

    async def counted_holds(self, goal_id: str) -> AsyncIterator[tuple[str, str, int]]:
        goal = await self._goals.find_one({"_id": goal_id})
        if goal is None:
            return
        query = {"goal_id": goal_id, "seq": {"$lte": int(goal.get("contributions", 0))}}
        async for doc in self._records.find(query).sort("seq", 1):
            yield doc["insert_id"], doc["user_id"], int(doc["cost"])

    async def leaderboard(self, goal_id: str, *, offset: int, limit: int) -> list[Doc]:
        cursor = (
            self._contributors.find({"goal_id": goal_id})
            .sort([("progress", -1), ("cost", -1), ("user_id", 1)])
            .skip(offset)
            .limit(limit)
        )
        return [
            {"user_id": d["user_id"], "progress": d["progress"], "cost": d["cost"]}
            async for d in cursor
        ]


async def _insert_ignoring_duplicates(collection: Any, docs: Sequence[Doc]) -> list[int]:
    """Insert all; the positions of those whose _id already existed."""
    if not docs:
        return []
    try:
        await collection.insert_many(list(docs), ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != _DUPLICATE_KEY for e in errors):
            raise
        return [int(e["index"]) for e in errors]
    return []
