"""Keep each account's `applied` list (its once-per-transaction guard) short.

The guard matters only while a transaction can still post: once it is completed, a repeat
of it is answered from `transactions` and never posts again, so its id can leave every
account's list. Trimmed transactions are marked so each round only looks at new ones.

A transaction names the accounts it posted to (`from`, `to`), so each id leaves exactly
those lists, one account at a time under that account's lock, and each mark is written
under its transaction's lock. An update over many documents would read whole collections
(FerretDB pushes down no `$in`) while every ledger operation waited for it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from wallet_sandbox.locks import account_key, transaction_key

BATCH = 500


async def trim_applied(ledger: Any) -> int:
    """Drop completed transaction ids from the accounts' lists; how many transactions."""
    trimmed = 0
    while True:
        query = {"status": "completed", "trimmed": {"$exists": False}}
        found = ledger.transactions.find(query, {"_id": 1, "from": 1, "to": 1}).limit(BATCH)
        done = await found.to_list(None)
        if not done:
            return trimmed
        posted: dict[str, list[str]] = defaultdict(list)
        for txn in done:
            for wallet in {txn.get("from"), txn.get("to")} - {None}:
                posted[wallet].append(txn["_id"])
        for wallet, ids in posted.items():
            async with ledger.locks.hold(account_key(wallet)):
                await ledger.accounts.update_one({"_id": wallet}, {"$pullAll": {"applied": ids}})
        # Marked only once out of every list: an interruption before leaves it for next round.
        for txn in done:
            async with ledger.locks.hold(transaction_key(txn["_id"])):
                await ledger.transactions.update_one(
                    {"_id": txn["_id"]}, {"$set": {"trimmed": True}}
                )
        trimmed += len(done)
