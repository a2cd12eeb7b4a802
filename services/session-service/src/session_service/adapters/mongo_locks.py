"""Open exclusive requests (collection `exclusive_requests`, `_id` = "{session}:{viewer}").

The unique `_id` is the lock: an insert is atomic on MongoDB and FerretDB alike, so two
concurrent requests of one viewer on one session cannot both get in.
"""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from session_service.ports import OpenRequest, lock_id


class MongoOpenRequestLocks:
    def __init__(self, db: Any) -> None:
        self._col = db["exclusive_requests"]

    async def get(self, session_id: str, viewer_id: str) -> OpenRequest | None:
        doc = await self._col.find_one({"_id": lock_id(session_id, viewer_id)})
        return from_doc(doc) if doc else None

    async def take(self, request: OpenRequest) -> bool:
        try:
            await self._col.insert_one(to_doc(request))
        except DuplicateKeyError:
            return False
        return True

    async def replace_stale(self, stale: OpenRequest, request: OpenRequest) -> bool:
        result = await self._col.replace_one(
            {"_id": stale.lock_id, "goal_id": stale.goal_id}, to_doc(request)
        )
        return bool(result.modified_count)

    async def mark_published(self, session_id: str, viewer_id: str, goal_id: str) -> None:
        await self._col.update_one(
            {"_id": lock_id(session_id, viewer_id), "goal_id": goal_id},
            {"$set": {"published": True}},
        )

    async def release(self, session_id: str, viewer_id: str, goal_id: str) -> bool:
        result = await self._col.delete_one(
            {"_id": lock_id(session_id, viewer_id), "goal_id": goal_id}
        )
        return bool(result.deleted_count)


def to_doc(request: OpenRequest) -> dict[str, Any]:
    return {
        "_id": request.lock_id,
        "session_id": request.session_id,
        "viewer_id": request.viewer_id,
        "streamer_id": request.streamer_id,
        "goal_id": request.goal_id,
        "amount": request.amount,
        "duration": request.duration,
        "exp": request.exp,
        "idempotency_key": request.idempotency_key,
        "response": request.response,  # the first answer, as sent
        "created_at": request.created_at,
        "published": request.published,
    }


def from_doc(doc: dict[str, Any]) -> OpenRequest:
    return OpenRequest(
        session_id=doc["session_id"],
        viewer_id=doc["viewer_id"],
        streamer_id=doc["streamer_id"],
        goal_id=doc["goal_id"],
        amount=int(doc["amount"]),
        duration=int(doc["duration"]),
        exp=int(doc["exp"]),
        idempotency_key=doc.get("idempotency_key"),
        created_at=doc["created_at"],
        published=bool(doc.get("published", False)),
    )
