"""Finish what an interruption left half done, from the durable intent it wrote first.

Every money movement is written as a `pending` transaction (and listed in `inflight`)
before its first effect, and each step is safe to run again (ledger.py). So a transaction
still pending once no operation is working on it was interrupted (a crash, the store gone
mid-way), and finishing it from its record moves each coin exactly once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from wallet_sandbox.ledger import Ledger
from wallet_sandbox.locks import written_by
from wallet_sandbox.records import LedgerError, now

log = logging.getLogger(__name__)


async def resume_stale(ledger: Ledger, older_than_s: float) -> int:
    """Finish transactions pending for longer than an operation takes; how many were looked
    at. Each one under its locks: an operation still running on it finishes first."""
    cutoff = now() - timedelta(seconds=older_than_s)
    stale = await ledger.inflight.find({"stage": "pending", "at": {"$lt": cutoff}}).to_list(100)
    for entry in stale:
        await _finish_locked(ledger, entry)
    return len(stale)


async def _finish_locked(ledger: Ledger, entry: dict[str, Any]) -> None:
    """Finish one under the locks of what it may write (its split's legs included), then
    the legs it had to write, each under its own."""
    listed = await ledger.transactions.find_one({"_id": entry["_id"]})
    async with ledger.locks.hold(*written_by(listed or entry)):
        written = await _finish(ledger, entry["_id"])
    for leg_id in written:
        await _finish_locked(ledger, {"_id": leg_id})


async def finish_interrupted(ledger: Ledger) -> int:
    """Finish every pending transaction, however recent; the caller holds
    `ledger.locks.exclusive()`, so none of them is an operation still running."""
    pending = await ledger.inflight.find({"stage": "pending"}).to_list(None)
    for entry in pending:
        for leg_id in await _finish(ledger, entry["_id"]):
            await _finish(ledger, leg_id)
    return len(pending)


async def _finish(ledger: Ledger, txn_id: str) -> list[str]:
    """Finish one pending transaction; the ids of the split legs it wrote, still pending.

    Only here can a split's leg lack its sibling (split() writes every leg before it
    finishes any, a crash between the inserts does not), so only here is it looked for."""
    current = await ledger.transactions.find_one({"_id": txn_id})
    if current is None or current["status"] != "pending":
        await _untrack_settled(ledger, txn_id, current)
        return []
    written: list[str] = []
    try:
        if current.get("settlement"):
            written = await ledger.write_missing_legs(current)
        await ledger.apply(current)
        log.warning("resumed interrupted transaction", extra={"fields": {"id": txn_id}})
    except LedgerError as exc:
        log.warning(
            "interrupted transaction refused",
            extra={"fields": {"id": txn_id, "reason": exc.reason}},
        )
    return written


async def _untrack_settled(ledger: Ledger, txn_id: str, current: dict[str, Any] | None) -> None:
    """A listed transaction that is gone or done: keep it listed only for its callback."""
    if current is not None and current.get("callback_pending"):
        await ledger.track(txn_id, "callback")
    else:
        await ledger.inflight.delete_one({"_id": txn_id})
