"""Wallet transaction ids whose callback arrived (`transactions_seen`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError


class MongoSeenTransactions:
    def __init__(self, db: Any) -> None:
        self._seen = db["transactions_seen"]

    async def claim(self, transaction_id: str) -> bool:
        try:
            await self._seen.insert_one(
                {"_id": transaction_id, "published": False, "first_seen": datetime.now(UTC)}
            )
            return True
        except DuplicateKeyError:
            doc = await self._seen.find_one({"_id": transaction_id})
            # Not yet published: the first attempt died before Kafka had it; publish again.
            return doc is None or not doc.get("published", False)

    async def mark_published(self, transaction_id: str) -> None:
        await self._seen.update_one(
            {"_id": transaction_id},
            {"$set": {"published": True, "published_at": datetime.now(UTC)}},
        )
