"""Keep each account's `applied` list (its once-per-transaction guard) short.

The guard matters only while a transaction can still post: once it is completed, a repeat
of it is answered from `transactions` and never posts again, so its id can leave every
account's list. Trimmed transactions are marked so each round only looks at new ones.
"""

from __future__ import annotations

from typing import Any

BATCH = 500


async def trim_applied(ledger: Any) -> int:
    """Drop completed transaction ids from the accounts' lists; how many transactions."""
    trimmed = 0
    while True:
        query = {"status": "completed", "trimmed": {"$exists": False}}
        ids = [d["_id"] async for d in ledger.transactions.find(query, {"_id": 1}).limit(BATCH)]
        if not ids:
            return trimmed
        # Many accounts and transactions in one update each: no ledger operation or callback
        # acknowledgement may write one meanwhile.
        async with ledger.locks.exclusive():
            await ledger.accounts.update_many(
                {"applied": {"$in": ids}}, {"$pullAll": {"applied": ids}}
            )
            await ledger.transactions.update_many(
                {"_id": {"$in": ids}}, {"$set": {"trimmed": True}}
            )
        trimmed += len(ids)
