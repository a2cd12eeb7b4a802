"""Locks per aggregate, so the ledger's operations on different accounts run side by side.

FerretDB's updates are read-modify-write, not atomic against concurrent writers, so two
operations that write the same account, hold or transaction must never overlap in this
process. Each operation names the documents it may write and holds their locks for its
whole run; a lock is taken in sorted order, so two operations never wait on each other in a
cycle. A sweep over many accounts at once (`exclusive`) waits until no operation runs and
keeps new ones out meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from wallet_sandbox.records import leg_ids

T = TypeVar("T")


def account_key(wallet_id: str | None) -> str | None:
    return None if wallet_id is None else f"account:{wallet_id}"


def hold_key(hold_id: str) -> str:
    return f"hold:{hold_id}"


def transaction_key(txn_id: str) -> str:
    return f"transaction:{txn_id}"


def written_by(doc: dict[str, Any]) -> tuple[str | None, ...]:
    """The locks of what finishing a transaction may write (its id alone if it is gone).

    A transfer's hold has the transfer's id; a settlement writes its hold and the account
    it credits."""
    keys: tuple[str | None, ...] = (
        transaction_key(doc["_id"]),
        hold_key(doc.get("hold") or doc["_id"]),
    )
    if "kind" not in doc:
        return keys
    if doc.get("settlement"):  # finishing a split's leg writes its other legs first
        keys += tuple(transaction_key(leg) for leg in leg_ids(doc["settlement"]))
    if doc["kind"] == "transfer":
        return (*keys, account_key(doc["from"]), account_key(doc["to"]))
    return (*keys, account_key(doc["to"]))


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holders and waiters: the entry goes when the last one leaves


class LedgerLocks:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._gate = asyncio.Condition()
        self._running = 0
        self._sweeps_waiting = 0
        self._sweeping = False

    @asynccontextmanager
    async def hold(self, *keys: str | None) -> AsyncIterator[None]:
        """Hold the lock of every named document (None is skipped) until the block ends."""
        async with self._operation():
            taken: list[str] = []
            try:
                for key in sorted({k for k in keys if k is not None}):
                    await self._take(key)
                    taken.append(key)
                yield
            finally:
                for key in reversed(taken):
                    self._entries[key].lock.release()
                    self._leave(key)

    def held(self, key: str) -> bool:
        entry = self._entries.get(key)
        return entry is not None and entry.lock.locked()

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """No operation runs while the block does (it waits for the running ones)."""
        async with self._gate:
            self._sweeps_waiting += 1
            try:
                await self._gate.wait_for(lambda: not self._running and not self._sweeping)
            finally:
                self._sweeps_waiting -= 1
            self._sweeping = True
        try:
            yield
        finally:
            async with self._gate:
                self._sweeping = False
                self._gate.notify_all()

    @asynccontextmanager
    async def _operation(self) -> AsyncIterator[None]:
        async with self._gate:
            # A waiting sweep goes first, so a steady stream of operations cannot starve it.
            await self._gate.wait_for(lambda: not self._sweeping and not self._sweeps_waiting)
            self._running += 1
        try:
            yield
        finally:
            async with self._gate:
                self._running -= 1
                self._gate.notify_all()

    async def _take(self, key: str) -> None:
        entry = self._entries.setdefault(key, _Entry())
        entry.users += 1
        try:
            await entry.lock.acquire()
        except BaseException:
            self._leave(key)
            raise

    def _leave(self, key: str) -> None:
        entry = self._entries[key]
        entry.users -= 1
        if not entry.users:
            del self._entries[key]


class SingleFlight:
    """An identical request that arrives while the first one runs gets the first one's
    answer instead of a run of its own.

    A client that times out sends the same request again; queued behind the first run on the
    same locks, each repeat waited longer than the last, past the client's timeout again, and
    one busy hold kept a caller retrying for minutes (a retry storm of one's own making)."""

    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[Any]] = {}

    async def run(
        self, key: Hashable, start: Callable[[], Awaitable[tuple[T, bool]]]
    ) -> tuple[T, bool]:
        """`start()`'s (answer, created); one that joined a running request is a repeat:
        created is False for it, as for a repeat that came later."""
        flight = self._running.get(key)
        joined = flight is not None
        if flight is None:
            flight = asyncio.ensure_future(start())
            self._running[key] = flight
            flight.add_done_callback(lambda _: self._running.pop(key, None))
        # A caller that goes away (its connection closed) must not cancel the others' run.
        answer, created = await asyncio.shield(flight)
        return answer, created and not joined
