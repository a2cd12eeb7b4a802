"""Goal lifecycle audit trail in MongoDB (collection `goal_audit`), one record per event id."""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

Doc = dict[str, Any]


class MongoAudit:
    def __init__(self, db: Any) -> None:
        self._c = db["goal_audit"]

    async def ensure_indexes(self) -> None:
        await self._c.create_index([("goal_id", 1), ("version", 1)])

    async def record(self, entry: Doc) -> bool:
        try:
            await self._c.insert_one(entry)
            return True
        except DuplicateKeyError:
            return False
