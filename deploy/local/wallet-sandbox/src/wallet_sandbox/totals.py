"""The invariant's totals, read from the store a little at a time instead of whole.

Reading every account, hold and mint while no operation may run took seconds once the store
held a test suite's history (2.6 s p50 with 4,000 accounts and 5,000 holds), and every
transfer waited behind it. So each write to an account, a hold or a mint stamps the document
with the current epoch; a summary, while no operation runs, reads only the documents of the
epoch that ends (an indexed equality), folds them into what it read before and starts a new
epoch. What it adds up is still what the store holds, so a lost update still shows; only the
first summary of a process reads everything.
"""

from __future__ import annotations

import uuid
from typing import Any

Doc = dict[str, Any]


def _new_epoch() -> str:
    return uuid.uuid4().hex


class Totals:
    """The store's balances, open holds and mints as last read; the caller of `read` holds
    the ledger's exclusive lock, so no write falls between two epochs' reads."""

    def __init__(self) -> None:
        self.epoch = _new_epoch()
        self._balances: dict[str, int] | None = None  # None until the first (whole) read
        self._open: dict[str, int] = {}
        self._mints: dict[Any, int] = {}

    def stamp(self) -> Doc:
        """What every write to an account, hold or mint sets beside its change; taken inside
        the operation that writes (ledger.locks.hold), so no summary starts in between."""
        return {"epoch": self.epoch}

    async def read(self, ledger: Any) -> Doc:
        changed: Doc = {} if self._balances is None else self.stamp()
        holds: Doc = changed or {"status": "open"}
        # Everything is fetched before anything is folded in: a read that fails midway leaves
        # the epoch as it was, to be read again whole.
        accounts = await ledger.accounts.find(changed, {"balance": 1}).to_list(None)
        touched = await ledger.holds.find(holds, {"amount": 1, "status": 1}).to_list(None)
        mints = await ledger.mints.find(changed, {"delta": 1}).to_list(None)
        balances = self._balances if self._balances is not None else {}
        balances.update((a["_id"], a["balance"]) for a in accounts)
        for hold in touched:
            if hold["status"] == "open":
                self._open[hold["_id"]] = hold["amount"]
            else:
                self._open.pop(hold["_id"], None)
        self._mints.update((m["_id"], m["delta"]) for m in mints)
        self._balances, self.epoch = balances, _new_epoch()
        return {
            "total_balances": sum(balances.values()),
            "open_holds": sum(self._open.values()),
            "minted": sum(self._mints.values()),
        }
