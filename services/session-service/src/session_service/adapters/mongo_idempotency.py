"""First answers to requests sent with an Idempotency-Key (collection `idempotency_keys`).

`_id` = sha256(viewer, route, session, key). A record counts until its `expires_at`;
reads ignore expired records and a new first answer replaces an expired one, so nothing
depends on the records being deleted. The service's retention rule deletes them once
expired: a TTL index on MongoDB, a leased timer on FerretDB (service_kit.retention).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from session_service.domain.idempotency import StoredAnswer


class MongoIdempotencyKeys:
    def __init__(self, db: Any) -> None:
        self._col = db["idempotency_keys"]

    async def get(self, key_id: str, *, now: datetime) -> StoredAnswer | None:
        doc = await self._col.find_one({"_id": key_id, "expires_at": {"$gt": now}})
        return from_doc(doc) if doc else None

    async def put(self, answer: StoredAnswer, *, now: datetime) -> StoredAnswer:
        try:
            await self._col.insert_one(to_doc(answer))
            return answer
        except DuplicateKeyError:
            pass
        # Taken: by an expired record (replace it) or by a live first answer (keep that).
        result = await self._col.replace_one(
            {"_id": answer.key_id, "expires_at": {"$lte": now}}, to_doc(answer)
        )
        if result.matched_count:
            return answer
        return await self.get(answer.key_id, now=now) or answer


def to_doc(answer: StoredAnswer) -> dict[str, Any]:
    return {
        "_id": answer.key_id,
        "viewer_id": answer.viewer_id,
        "session_id": answer.session_id,
        "route": answer.route,
        "request": answer.request,
        "status": answer.status,
        "body": answer.body,
        "created_at": answer.created_at,
        "expires_at": answer.expires_at,
    }


def from_doc(doc: dict[str, Any]) -> StoredAnswer:
    return StoredAnswer(
        key_id=doc["_id"],
        viewer_id=doc["viewer_id"],
        session_id=doc["session_id"],
        route=doc["route"],
        request=dict(doc["request"]),
        status=int(doc["status"]),
        body=dict(doc["body"]),
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
    )
