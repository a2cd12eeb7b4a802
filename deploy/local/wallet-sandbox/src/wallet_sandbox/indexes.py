"""The indexes the sandbox's lookups other than by `_id` use, created at start (idempotent).

The local store serves an equality filter on an indexed field without reading the whole
collection; without one, every summary, holds view and trim round read all the history.
"""

from __future__ import annotations

from wallet_sandbox.ledger import Ledger


async def create_indexes(ledger: Ledger) -> None:
    # `epoch`: the summary reads what changed since the last one (wallet_sandbox.totals).
    for collection in (ledger.accounts, ledger.holds, ledger.mints):
        await collection.create_index("epoch")
    await ledger.holds.create_index("status")  # the holds view, the first summary
    await ledger.holds.create_index("tags")  # the holds view: every hold with a given tag
    await ledger.transactions.create_index("untrimmed")  # wallet_sandbox.trim
