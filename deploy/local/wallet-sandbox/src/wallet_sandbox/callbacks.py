"""Deliver each completed transaction's callback, signed, until the receiver acknowledges it.

The outbox is the transaction document itself (`callback_pending`), so pending
callbacks survive a restart. Every non-2xx answer, 4xx included, is retried with
capped exponential backoff: a receiver that restarts or briefly misconfigures
its secret gets the callback later instead of never.

A transaction's first callback is posted as soon as it completes, as a real wallet does;
the loop posts the ones due again (side by side, up to `callback_concurrency` at once, each
with its own backoff) and those a restart left. A callback is never in flight twice: the ids
being posted are kept, and a post reads the outbox first unless it just wrote it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta
from typing import Any

import httpx

from wallet_sandbox.config import Settings
from wallet_sandbox.ledger import Ledger
from wallet_sandbox.locks import transaction_key
from wallet_sandbox.records import now
from wallet_sandbox.recovery import resume_stale

log = logging.getLogger(__name__)


def sign(secret: str, timestamp: int, raw_body: bytes) -> str:
    """Hex HMAC-SHA256 over `{timestamp}.{raw body}`."""
    message = f"{timestamp}.".encode() + raw_body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_request(secret: str, body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Wallet-Timestamp": str(timestamp),
        "X-Wallet-Signature": sign(secret, timestamp, raw),
    }
    return raw, headers


class CallbackDeliverer:
    def __init__(self, ledger: Ledger, settings: Settings, client: httpx.AsyncClient) -> None:
        self.ledger = ledger
        self.settings = settings
        self.client = client
        self.wake = asyncio.Event()
        self.stopping = False
        self.slots = asyncio.Semaphore(settings.callback_concurrency)
        self.posting: set[str] = set()
        self.first_posts: set[asyncio.Task[bool]] = set()

    def completed(self, doc: dict[str, Any]) -> None:
        """Post a just-completed transaction's callback now, not at the loop's next round:
        waiting for the round (and its reads of the outbox) was most of a callback's delay."""
        if self.stopping or not self.settings.wallet_callback_url:
            return
        task = asyncio.get_running_loop().create_task(self._post_once(doc["_id"], doc))
        self.first_posts.add(task)
        task.add_done_callback(self._first_post_done)

    def _first_post_done(self, task: asyncio.Task[bool]) -> None:
        self.first_posts.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("callback delivery failed", exc_info=task.exception())

    def stop(self) -> None:
        """End `run` after this round. A cancel alone can be lost (Python 3.11's wait_for
        returns the inner result when a cancel meets a wake-up): a test's teardown once
        waited 300 s on a loop still polling."""
        self.stopping = True
        self.wake.set()
        for task in list(self.first_posts):
            task.cancel()  # the outbox keeps it: the next start posts it

    async def run(self) -> None:
        """Deliver due callbacks and finish interrupted transactions, until stopped."""
        while not self.stopping:
            self.wake.clear()
            try:
                await self.deliver_due()
                await resume_stale(self.ledger, self.settings.recovery_after_s)
            except Exception:
                log.exception("callback round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.settings.callback_poll_s)

    async def deliver_due(self) -> int:
        """Try every callback whose next attempt is due; returns how many were acknowledged."""
        if not self.settings.wallet_callback_url:
            return 0
        due = (
            await self.ledger.inflight.find(
                {"stage": "callback", "next_attempt_at": {"$lte": now()}}
            )
            .sort("at", 1)
            .to_list(50)
        )
        outcomes = await asyncio.gather(
            *(self._post_once(item["_id"]) for item in due), return_exceptions=True
        )
        for failed in (o for o in outcomes if isinstance(o, BaseException)):
            log.error("callback delivery failed", exc_info=failed)
        return sum(o is True for o in outcomes)

    async def _post_once(self, txn_id: str, doc: dict[str, Any] | None = None) -> bool:
        """Post one callback unless it is being posted; `doc` is the outbox entry if known."""
        if txn_id in self.posting:
            return False
        self.posting.add(txn_id)
        try:
            async with self.slots:
                if doc is None:
                    doc = await self.ledger.transactions.find_one({"_id": txn_id})
                if doc is None or not doc.get("callback_pending"):
                    await self._untrack(txn_id)
                    return False
                return await self._deliver(doc)
        finally:
            self.posting.discard(txn_id)

    async def _deliver(self, doc: dict[str, Any]) -> bool:
        raw, headers = signed_request(self.settings.wallet_callback_secret, doc["callback"])
        try:
            response = await self.client.post(
                self.settings.wallet_callback_url,
                content=raw,
                headers=headers,
                timeout=self.settings.callback_timeout_s,
            )
            error = (
                "" if response.is_success else f"HTTP {response.status_code}: {response.text[:200]}"
            )
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        # The transaction's lock: FerretDB's updates are read-modify-write, and the trim clears
        # transactions too; one of two overlapping writes would be lost.
        async with self.ledger.locks.hold(transaction_key(doc["_id"])):
            if not error:
                await self.ledger.transactions.update_one(
                    {"_id": doc["_id"]},
                    {"$set": {"callback_pending": False, "delivered_at": now()}},
                )
                await self._untrack(doc["_id"])
                return True
            await self._retry_later(doc, error)
            return False

    async def _untrack(self, txn_id: str) -> None:
        # Only the callback stage is the deliverer's: an entry put back to `pending` meanwhile
        # (a transaction to finish) stays listed for `resume_stale`.
        await self.ledger.inflight.delete_one({"_id": txn_id, "stage": "callback"})

    async def _retry_later(self, doc: dict[str, Any], error: str) -> None:
        attempts = doc.get("callback_attempts", 0) + 1
        delay = min(
            self.settings.callback_backoff_max_s,
            self.settings.callback_backoff_s * 2 ** (attempts - 1),
        )
        await self.ledger.transactions.update_one(
            {"_id": doc["_id"]},
            {
                "$set": {
                    "callback_attempts": attempts,
                    "next_attempt_at": now() + timedelta(seconds=delay),
                    "callback_error": error,
                }
            },
        )
        await self.ledger.inflight.update_one(
            {"_id": doc["_id"]}, {"$set": {"next_attempt_at": now() + timedelta(seconds=delay)}}
        )
        log.warning(
            "callback not acknowledged, will retry",
            extra={
                "fields": {
                    "id": doc["_id"],
                    "attempt": attempts,
                    "retry_in_s": delay,
                    "error": error,
                }
            },
        )
