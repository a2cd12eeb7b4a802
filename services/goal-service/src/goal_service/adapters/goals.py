"""Goal documents in MongoDB (collection `goals`), written only by the goal.commands worker.

FerretDB has no transactions and its updates are not atomic against concurrent
writers; that is safe here because one agent per partition is the only writer of a
goal. Every write is still conditional so a redelivered command finds it applied.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from goal_service.adapters.contributions import MongoContributions
from goal_service.domain.goal import end_exp, utc_ms

Doc = dict[str, Any]


class MongoGoals(MongoContributions):
    def __init__(self, db: Any) -> None:
        super().__init__(db)
        self._c = db["goals"]

    async def ensure_indexes(self) -> None:
        await self._c.create_index([("metadata.user_id", 1), ("active", 1)])
        await self._c.create_index([("conditions.session_id", 1), ("active", 1)])
        await self.ensure_contribution_indexes()

    async def insert_if_absent(self, doc: Doc) -> Doc:
        # A redelivered create_goal finds its goal already there: keep the stored one.
        with contextlib.suppress(DuplicateKeyError):
            await self._c.insert_one(doc)
        stored = await self._c.find_one({"_id": doc["_id"]})
        assert stored is not None
        return dict(stored)

    async def get(self, goal_id: str) -> Doc | None:
        return await self._c.find_one({"_id": goal_id})  # type: ignore[no-any-return]

    async def end(
        self,
        goal_id: str,
        extra: Doc,
        *,
        now: datetime,
        triggerer: str,
        ended_by: str,
        outcome: str | None = None,
        closing: bool = False,
    ) -> Doc | None:
        query = {**extra, "_id": goal_id}
        before = await self._c.find_one(query)
        if before is None:
            return None
        # exp = min(exp, now) is computed from the read document because `$min` against
        # a null exp would keep the null; the version guard makes read-then-write safe.
        update = {
            "$set": {
                "active": False,
                "closing": closing,
                "outcome": outcome,
                "exp": end_exp(before.get("exp"), now),
                "ended_at": utc_ms(now),
                "triggerer": triggerer,
                "ended_by": ended_by,
            },
            "$inc": {"version": 1},
        }
        return await self._c.find_one_and_update(  # type: ignore[no-any-return]
            {**query, "version": before["version"]},
            update,
            return_document=ReturnDocument.AFTER,
        )

    async def close(self, goal_id: str, *, outcome: str, closed_by: str) -> Doc | None:
        """Decide a closing goal once: the document after, or None when not closing."""
        return await self._c.find_one_and_update(  # type: ignore[no-any-return]
            {"_id": goal_id, "closing": True},
            {
                "$set": {"closing": False, "outcome": outcome, "closed_by": closed_by},
                "$inc": {"version": 1},
            },
            return_document=ReturnDocument.AFTER,
        )

    async def start(
        self, goal_id: str, extra: Doc, *, now: datetime, started_by: str
    ) -> Doc | None:
        """Begin an active goal that has not begun; the document after, or None."""
        return await self._c.find_one_and_update(  # type: ignore[no-any-return]
            {**extra, "_id": goal_id, "active": True, "started": {"$ne": True}},
            {
                # Started, the start deadline no longer applies: the show runs until ended.
                "$set": {
                    "started": True,
                    "started_at": utc_ms(now),
                    "started_by": started_by,
                    "exp": None,
                },
                "$inc": {"version": 1},
            },
            return_document=ReturnDocument.AFTER,
        )

    async def open_on_session(self, session_id: str) -> list[Doc]:
        """Goals of the session that are not over: active, or ended and still closing."""
        cursor = self._c.find(
            {"conditions.session_id": session_id, "$or": [{"active": True}, {"closing": True}]}
        )
        return [dict(doc) async for doc in cursor]
