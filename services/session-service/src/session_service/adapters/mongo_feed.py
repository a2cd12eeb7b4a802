"""The livestream feed (collection `feed`, `_id` = the goal.added event id)."""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from session_service.domain.feed import FeedEntry


class MongoLivestreamFeed:
    def __init__(self, db: Any) -> None:
        self._col = db["feed"]

    async def ensure_indexes(self) -> None:
        await self._col.create_index([("session_id", 1), ("occurred_at", -1), ("_id", -1)])

    async def append(self, entry: FeedEntry) -> bool:
        try:
            await self._col.insert_one(to_doc(entry))
        except DuplicateKeyError:
            return False  # a redelivered goal.added: its entry is already there
        return True

    async def latest(self, session_id: str, limit: int) -> list[FeedEntry]:
        cursor = (
            self._col.find({"session_id": session_id})
            .sort([("occurred_at", -1), ("_id", -1)])
            .limit(limit)
        )
        return [from_doc(doc) async for doc in cursor]


def to_doc(entry: FeedEntry) -> dict[str, Any]:
    return {
        "_id": entry.entry_id,
        "session_id": entry.session_id,
        "streamer_id": entry.streamer_id,
        "goal_id": entry.goal_id,
        "_cls": entry.cls,
        "kind": entry.kind,
        "title": entry.title,
        "target": entry.target,
        "exclusive_to": entry.exclusive_to,
        "prepaid_duration": entry.prepaid_duration,
        "occurred_at": entry.occurred_at,
    }


def from_doc(doc: dict[str, Any]) -> FeedEntry:
    return FeedEntry(
        entry_id=doc["_id"],
        session_id=doc["session_id"],
        streamer_id=doc["streamer_id"],
        goal_id=doc["goal_id"],
        cls=doc["_cls"],
        kind=doc["kind"],
        title=doc.get("title"),
        target=doc.get("target"),
        exclusive_to=doc.get("exclusive_to"),
        prepaid_duration=doc.get("prepaid_duration"),
        occurred_at=doc["occurred_at"],
    )
