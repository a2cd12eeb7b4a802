"""The user read model in MongoDB (collection `users`, `_id` = user_id)."""

from __future__ import annotations

from typing import Any

from service_kit.mongo import upsert_if_newer
from service_kit.users import UserProfile


class MongoUserReadModel:
    def __init__(self, db: Any) -> None:
        self._col = db["users"]

    async def get(self, user_id: str) -> UserProfile | None:
        doc = await self._col.find_one({"_id": user_id})
        return None if doc is None else UserProfile.from_doc(doc)

    async def save_if_newer(self, profile: UserProfile, version: int) -> bool:
        return await upsert_if_newer(self._col, profile.user_id, profile.fields(), stamp=version)
