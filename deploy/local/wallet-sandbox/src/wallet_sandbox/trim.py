"""Keep each account's `applied` list (its once-per-transaction guard) short.

The guard matters only while a transaction can still post: once it is completed, a repeat
of it is answered from `transactions` and never posts again, so its id can leave every
account's list. A transaction completes marked `untrimmed` (an indexed equality, so a round
reads only those, never the history) and loses the mark once out of every list.

A transaction names the accounts it posted to (`from`, `to`), so each id leaves exactly
those lists, one account at a time under that account's lock, and each mark is cleared
under its transaction's lock. The trim runs in its own task, a slice at a time, so neither
the callbacks' loop nor an operation or the summary waits for a whole round: a round once
ran inside the callbacks' loop and, 1,000 sequential updates long, held up retried
callbacks, recovery and (through the store) the summary.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

from wallet_sandbox.locks import account_key, transaction_key

log = logging.getLogger(__name__)

SLICE = 100


async def trim_every(ledger: Any, interval_s: float) -> None:
    """Trim every `interval_s` until cancelled."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await trim_applied(ledger)
        except Exception:
            log.exception("trim round failed")


async def trim_applied(ledger: Any) -> int:
    """Drop completed transaction ids from the accounts' lists; how many transactions."""
    trimmed = 0
    while True:
        found = ledger.transactions.find({"untrimmed": True}, {"_id": 1, "from": 1, "to": 1})
        done = await found.limit(SLICE).to_list(None)
        if not done:
            return trimmed
        posted: dict[str, list[str]] = defaultdict(list)
        for txn in done:
            for wallet in {txn.get("from"), txn.get("to")} - {None}:
                posted[wallet].append(txn["_id"])
        for wallet, ids in posted.items():
            async with ledger.locks.hold(account_key(wallet)):
                await ledger.accounts.update_one({"_id": wallet}, {"$pullAll": {"applied": ids}})
        # Cleared only once out of every list: an interruption before leaves it for next round.
        for txn in done:
            async with ledger.locks.hold(transaction_key(txn["_id"])):
                await ledger.transactions.update_one(
                    {"_id": txn["_id"]}, {"$unset": {"untrimmed": ""}}
                )
        trimmed += len(done)
