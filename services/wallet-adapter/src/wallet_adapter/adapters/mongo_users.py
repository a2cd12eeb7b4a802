"""The user read model: `users` by user id, `wallets` mapping wallet id -> user id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from service_kit.mongo import by_ids, micros, upsert_if_newer
from wallet_adapter.ports import WalletUser


class MongoUserReadModel:
    def __init__(self, db: Any) -> None:
        self._users = db["users"]
        self._wallets = db["wallets"]

    async def save(self, user: WalletUser, *, as_of: datetime) -> None:
        # The mapping first: once a user is readable, their wallet resolves too. Older
        # wallet ids keep pointing at the user so their past transactions still map.
        await self._wallets.replace_one(
            {"_id": user.wallet_id}, {"user_id": user.user_id}, upsert=True
        )
        await upsert_if_newer(self._users, user.user_id, user.fields(), stamp=micros(as_of))

    async def by_user_id(self, user_id: str) -> WalletUser | None:
        doc = await self._users.find_one({"_id": user_id})
        if doc is None:
            return None
        return WalletUser.from_doc(doc)

    async def by_user_ids(self, user_ids: Sequence[str]) -> dict[str, WalletUser]:
        docs = await by_ids(self._users, user_ids)
        return {doc["_id"]: WalletUser.from_doc(doc) for doc in docs}

    async def by_wallet_ids(self, wallet_ids: Sequence[str]) -> dict[str, WalletUser]:
        mappings = await by_ids(self._wallets, wallet_ids)
        owners = await self.by_user_ids(sorted({m["user_id"] for m in mappings}))
        return {m["_id"]: owners[m["user_id"]] for m in mappings if m["user_id"] in owners}

    async def by_wallet_id(self, wallet_id: str) -> WalletUser | None:
        mapping = await self._wallets.find_one({"_id": wallet_id})
        if mapping is None:
            return None
        return await self.by_user_id(mapping["user_id"])
