"""What goal-service keeps about sessions and escrow besides goals.

`ended_sessions`: sessions whose session.ended was seen (a goal created on one ends).
`escrow_open` / `escrow_settled`: the holds the wallet opened for goals and has not yet
settled, as its callbacks reported them. Only open holds stay in `escrow_open`, so the
reconciliation sweep scans a small collection (FerretDB scans whole collections).
`leases`: one named lease per periodic job, so one replica at a time runs it.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from goal_service.domain.goal import utc_ms

Doc = dict[str, Any]


class MongoEndedSessions:
    def __init__(self, db: Any) -> None:
        self._c = db["ended_sessions"]

    async def mark_ended(self, session_id: str, *, at: datetime) -> None:
        await self._c.update_one(
            {"_id": session_id}, {"$setOnInsert": {"ended_at": utc_ms(at)}}, upsert=True
        )

    async def is_ended(self, session_id: str) -> bool:
        return await self._c.find_one({"_id": session_id}) is not None


class MongoEscrowHolds:
    def __init__(self, db: Any) -> None:
        self._open = db["escrow_open"]
        self._settled = db["escrow_settled"]

    async def opened(self, hold: Doc) -> None:
        try:
            await self._open.insert_one(hold)
        except DuplicateKeyError:
            return
        # Checked after the insert: a settlement recorded in between is never missed.
        if await self._settled.find_one({"_id": hold["_id"]}) is not None:
            await self._open.delete_one({"_id": hold["_id"]})

    async def settled(self, hold_id: str, *, how: str, at: datetime) -> None:
        with contextlib.suppress(DuplicateKeyError):
            await self._settled.insert_one({"_id": hold_id, "how": how, "at": utc_ms(at)})
        await self._open.delete_one({"_id": hold_id})

    async def open_holds(self, *, opened_before: datetime, limit: int) -> list[Doc]:
        cursor = self._open.find({"opened_at": {"$lt": utc_ms(opened_before)}}).limit(limit)
        return [dict(doc) async for doc in cursor]

    async def mark_reissued(self, hold_id: str, *, at: datetime) -> None:
        await self._open.update_one({"_id": hold_id}, {"$set": {"reissued_at": utc_ms(at)}})

    async def totals(self) -> tuple[int, int]:
        holds = coins = 0
        async for doc in self._open.find({}, {"amount": 1}):
            holds += 1
            coins += int(doc.get("amount", 0))
        return holds, coins


class MongoLeases:
    def __init__(self, db: Any) -> None:
        self._c = db["leases"]

    async def acquire(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        free = {"$or": [{"until": {"$lte": utc_ms(now)}}, {"holder": holder}]}
        result = await self._c.update_one(
            {"_id": name, **free}, {"$set": {"holder": holder, "until": utc_ms(until)}}
        )
        if result.modified_count or result.matched_count:
            return True
        try:
            await self._c.insert_one({"_id": name, "holder": holder, "until": utc_ms(until)})
        except DuplicateKeyError:
            return False  # another replica holds it
        return True
