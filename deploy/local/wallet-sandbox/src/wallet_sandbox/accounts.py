"""Accounts as fixtures set them: a balance set directly, recorded as a mint."""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument

from wallet_sandbox.ledger import Ledger
from wallet_sandbox.locks import account_key
from wallet_sandbox.records import LedgerError, now

Doc = dict[str, Any]


async def set_balance(ledger: Ledger, wallet_id: str, balance: int) -> tuple[Doc, bool]:
    """Create the account or set its balance; the change is recorded as a mint."""
    async with ledger.locks.hold(account_key(wallet_id)):
        before = await ledger.accounts.find_one_and_update(
            {"_id": wallet_id},
            {
                "$set": {"balance": balance, **ledger.totals.stamp()},
                "$setOnInsert": {"applied": []},
            },
            upsert=True,
            return_document=ReturnDocument.BEFORE,
        )
        old = before["balance"] if before else 0
        mint = {"wallet_id": wallet_id, "delta": balance - old, "balance": balance}
        await ledger.mints.insert_one({**mint, "at": now(), **ledger.totals.stamp()})
    return {"wallet_id": wallet_id, "balance": balance}, before is None


async def balance(ledger: Ledger, wallet_id: str) -> Doc:
    account = await ledger.accounts.find_one({"_id": wallet_id})
    if account is None:
        raise LedgerError(404, "unknown_wallet", wallet_id)
    return {"wallet_id": wallet_id, "balance": account["balance"]}
