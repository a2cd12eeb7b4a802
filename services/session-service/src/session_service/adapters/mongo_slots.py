"""A session's exclusive slot (collection `exclusive_slots`, `_id` = session_id).

Accepting a request takes the slot first: the unique `_id` makes the insert atomic on
MongoDB and FerretDB alike, so two requests accepted at once on one session cannot both
start an exclusive session. The slot is freed when the accept loses or the session ends.
"""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from session_service.ports import Slot


class MongoExclusiveSlots:
    def __init__(self, db: Any) -> None:
        self._col = db["exclusive_slots"]

    async def take(self, slot: Slot) -> Slot:
        try:
            await self._col.insert_one(_doc(slot))
        except DuplicateKeyError:
            held = await self._col.find_one({"_id": slot.session_id})
            if held is not None:
                return _slot(held)
            return await self.take(slot)  # freed in between: try once more
        return slot

    async def replace(self, stale: Slot, slot: Slot) -> bool:
        result = await self._col.replace_one(
            {"_id": stale.session_id, "goal_id": stale.goal_id}, _doc(slot)
        )
        return bool(result.modified_count)

    async def release(self, session_id: str, goal_id: str) -> bool:
        result = await self._col.delete_one({"_id": session_id, "goal_id": goal_id})
        return bool(result.deleted_count)


def _doc(slot: Slot) -> dict[str, Any]:
    return {
        "_id": slot.session_id,
        "goal_id": slot.goal_id,
        "viewer_id": slot.viewer_id,
        "taken_at": slot.taken_at,
    }


def _slot(doc: dict[str, Any]) -> Slot:
    return Slot(doc["_id"], doc["goal_id"], doc["viewer_id"], doc["taken_at"])
