"""Ticket purchases in MongoDB (collection `ticket_purchases`), keyed by purchase id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from goal_service.domain.goal import utc_ms

Doc = dict[str, Any]


class MongoPurchases:
    def __init__(self, db: Any) -> None:
        self._c = db["ticket_purchases"]

    async def ensure_indexes(self) -> None:
        await self._c.create_index("transaction_id", unique=True)
        await self._c.create_index("goal_id")

    async def insert_if_absent(self, doc: Doc) -> tuple[Doc, bool]:
        try:
            await self._c.insert_one(doc)
            return doc, True
        except DuplicateKeyError:
            stored = await self._c.find_one({"_id": doc["_id"]})
            assert stored is not None
            return dict(stored), False

    async def get(self, purchase_id: str) -> Doc | None:
        return await self._c.find_one({"_id": purchase_id})  # type: ignore[no-any-return]

    async def find_by_transaction(self, transaction_id: str) -> Doc | None:
        # The purchase id ends the transaction id: look it up by _id, which FerretDB (no
        # index pushdown beyond _id) answers without scanning every purchase.
        purchase_id = transaction_id.rsplit(":", 1)[-1]
        doc = await self._c.find_one({"_id": purchase_id})
        if doc is not None and doc.get("transaction_id") == transaction_id:
            return doc  # type: ignore[no-any-return]
        return await self._c.find_one({"transaction_id": transaction_id})  # type: ignore[no-any-return]

    async def accepted_before(self, goal_id: str, moment: datetime) -> list[Doc]:
        query = {"goal_id": goal_id, "published": True, "accepted_at": {"$lt": utc_ms(moment)}}
        return [dict(doc) async for doc in self._c.find(query)]

    async def mark_failed(self, transaction_id: str) -> None:
        purchase = await self.find_by_transaction(transaction_id)
        if purchase is not None:
            await self._c.update_one({"_id": purchase["_id"]}, {"$set": {"failed": True}})

    async def mark_published(self, purchase_id: str) -> None:
        await self._c.update_one({"_id": purchase_id}, {"$set": {"published": True}})
