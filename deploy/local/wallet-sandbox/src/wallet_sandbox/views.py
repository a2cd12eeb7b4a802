"""Read-only views of the ledger for tests and operators: holds, and the invariant totals."""

from __future__ import annotations

from typing import Any

from wallet_sandbox.ledger import Ledger
from wallet_sandbox.recovery import finish_interrupted

Doc = dict[str, Any]


async def holds_matching(
    ledger: Ledger, tag: str | None, status: str | None, has_tag: str | None = None
) -> list[Doc]:
    """Holds with a tag containing `tag`, with `status`, carrying `has_tag` whole. The last
    two are indexed lookups; a `tag` alone reads every hold (and their history grows)."""
    query: Doc = {"status": status} if status else {}
    if has_tag:
        query["tags"] = has_tag  # one element of the list equal to it
    holds = await ledger.holds.find(query).sort("opened_at", 1).to_list(None)
    return [h for h in holds if tag is None or any(tag in t for t in h["tags"])]


async def summary(ledger: Ledger) -> Doc:
    """Totals for the invariant total_balances + open_holds == minted."""
    async with ledger.locks.exclusive():
        # No operation runs now, so a pending transaction is an interrupted one: finish it
        # first, so the totals count whole movements, never one half done.
        await finish_interrupted(ledger)
        return await ledger.totals.read(ledger)
