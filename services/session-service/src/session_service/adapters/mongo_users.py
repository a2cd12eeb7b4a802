"""The user read model in MongoDB (collection `users`, `_id` = user_id)."""

from __future__ import annotations

from typing import Any

from service_kit.mongo import upsert_if_newer
from session_service.ports import UserProfile


class MongoUserReadModel:
    def __init__(self, db: Any) -> None:
        self._col = db["users"]

    async def get(self, user_id: str) -> UserProfile | None:
        doc = await self._col.find_one({"_id": user_id})
        if doc is None:
            return None
        return UserProfile(
            user_id=doc["_id"],
            wallet_id=doc["wallet_id"],
            username=doc.get("username", ""),
            tags=tuple(doc.get("tags", ())),
            tagsv2=dict(doc.get("tagsv2", {})),
            level=int(doc.get("level", 0)),
        )

    async def save_if_newer(self, profile: UserProfile, version: int) -> bool:
        fields = {
            "wallet_id": profile.wallet_id,
            "username": profile.username,
            "tags": list(profile.tags),
            "tagsv2": profile.tagsv2,
            "level": profile.level,
        }
        return await upsert_if_newer(self._col, profile.user_id, fields, stamp=version)
