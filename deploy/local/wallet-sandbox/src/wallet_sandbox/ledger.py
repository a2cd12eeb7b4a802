"""Balances, escrow holds and transactions, each applied exactly once.

There are no multi-document transactions (FerretDB), so a transaction is first
written as `pending`, then each step is a conditional update that is safe to run
again: a balance change is guarded by the transaction id in the account's
`applied` list, a hold by its status. Completion sets `callback_pending` on the
same document, so the callback (the outbox) can never be lost. A crash between
steps leaves a pending record that wallet_sandbox.recovery finishes later.

The work still to do (transactions pending, callbacks undelivered) is also listed in the
small `inflight` collection, which the background loops scan instead of the history. Every
write to an account, hold or mint is stamped with the summary's epoch (wallet_sandbox.totals).

FerretDB's updates are not atomic against concurrent writers to the same document, so an
operation holds the locks of the accounts, hold and transactions it may write
(wallet_sandbox.locks): operations on the same documents run one at a time, others side by
side. Which accounts a hold or transaction touches never changes after it is written, so it
is read before its locks are taken, and read again under them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from pymongo.errors import DuplicateKeyError

from wallet_sandbox.locks import (
    LedgerLocks,
    SingleFlight,
    account_key,
    hold_key,
    transaction_key,
)
from wallet_sandbox.records import (
    RELEASE,
    SETTLED_STATUS,
    LedgerError,
    TransferRequest,
    already_settled,
    as_stored,
    beneficiary_of,
    callback_body,
    identity,
    leg_ids,
    now,
    settlement_doc,
    split_legs,
    transfer_doc,
)
from wallet_sandbox.totals import Totals

Doc = dict[str, Any]


class Ledger:
    def __init__(self, db: Any, on_completed: Callable[[Doc], None] = lambda _: None) -> None:
        self.accounts = db["accounts"]
        self.transactions = db["transactions"]
        self.holds = db["holds"]
        self.mints = db["mints"]
        self.inflight = db["inflight"]
        self.on_completed = on_completed
        self.locks = LedgerLocks()
        self.flights = SingleFlight()
        self.totals = Totals()

    async def transfer(self, req: TransferRequest) -> tuple[Doc, bool]:
        """Returns the transaction and whether this call created it."""
        keys = (transaction_key(req.id), hold_key(req.id), account_key(req.from_account))
        async with self.locks.hold(*keys, account_key(req.to_account)):
            existing = await self.transactions.find_one({"_id": req.id})
            if existing is not None:
                if existing["kind"] != "transfer" or identity(existing) != req.identity():
                    raise LedgerError(409, "transaction_conflict", f"{req.id} differs")
                if existing["status"] == "completed":
                    return existing, False
                return await self.apply(existing), True
            # An unknown payer shows at the debit (the first effect), a recipient before it.
            recipient = req.to_account
            if recipient is not None and not await self.accounts.count_documents(
                {"_id": recipient}
            ):
                raise LedgerError(404, "unknown_wallet", recipient)
            doc = transfer_doc(req)
            await self.track(doc["_id"], "pending")
            await self.transactions.insert_one(doc)
            return await self.apply(doc), True

    async def settle(self, hold_id: str, outcome: str, txn_id: str) -> tuple[Doc, bool]:
        """Refund or release a hold, once; a repeat answers with the first result."""
        async with self.locks.hold(
            *await self._hold_keys(hold_id, outcome), transaction_key(txn_id)
        ):
            hold = await self._hold(hold_id)
            if hold["status"] != "open":
                return await self._settled(hold, outcome)
            if outcome == RELEASE and not hold.get("beneficiary"):
                raise LedgerError(409, "no_beneficiary", f"{hold_id} has no escrow tag")
            doc = await self.transactions.find_one({"_id": txn_id})
            if doc is None:
                doc = settlement_doc(txn_id, outcome, hold)
                await self.track(txn_id, "pending")
                await self.transactions.insert_one(doc)
            elif doc["kind"] != outcome or doc.get("hold") != hold_id:
                raise LedgerError(409, "transaction_conflict", f"{txn_id} is another transaction")
            return await self.apply(doc), True

    async def split(self, hold_id: str, settlement_id: str, release: int) -> tuple[list[Doc], bool]:
        """Release `release` coins of a hold and refund the rest, as one settlement, once.

        Both legs are written (pending, listed in `inflight`) before the first one claims
        the hold, so a crash at any step is finished by a repeat or by wallet_sandbox.recovery."""
        legs_keys = [transaction_key(leg) for leg in leg_ids(settlement_id)]
        async with self.locks.hold(*await self._hold_keys(hold_id), *legs_keys):
            hold = await self._hold(hold_id)
            if not 0 <= release <= hold["amount"]:
                raise LedgerError(422, "invalid_split", f"release must be 0..{hold['amount']}")
            if release and not hold.get("beneficiary"):
                raise LedgerError(409, "no_beneficiary", f"{hold_id} has no escrow tag")
            if hold["status"] != "open" and hold.get("settled_by") != settlement_id:
                raise already_settled(hold)
            legs = split_legs(settlement_id, hold, release)
            stored = await self._legs(settlement_id)
            if any(d.get("split") != legs[0]["split"] for d in stored.values()):
                raise LedgerError(409, "transaction_conflict", f"{settlement_id} split differs")
            await self._write_legs(legs, stored)
            created = any(stored[leg["_id"]]["status"] != "completed" for leg in legs)
            done = [await self._finish(stored[leg["_id"]]) for leg in legs]
            return done, created

    async def _legs(self, settlement_id: str) -> dict[str, Doc]:
        # By _id one at a time: FerretDB scans the whole collection for an `$in` on _id.
        found = [await self.transactions.find_one({"_id": leg}) for leg in leg_ids(settlement_id)]
        return {d["_id"]: d for d in found if d is not None}

    async def _write_legs(self, legs: list[Doc], stored: dict[str, Doc]) -> list[str]:
        """Store (pending, listed) every leg of a split not in `stored`; the ids written."""
        written = []
        for leg in legs:
            if leg["_id"] not in stored:
                await self.track(leg["_id"], "pending")
                with contextlib.suppress(DuplicateKeyError):  # written by an earlier run
                    await self.transactions.insert_one(leg)
                stored[leg["_id"]] = leg
                written.append(leg["_id"])
        return written

    async def write_missing_legs(self, leg: Doc) -> list[str]:
        """Store the split's legs missing beside `leg` (a crash between split()'s inserts);
        the ids written. Recovery calls it, holding every leg's lock, before finishing `leg`."""
        hold = await self._hold(leg["hold"])
        legs = split_legs(leg["settlement"], hold, leg["split"]["release"])
        return await self._write_legs(legs, await self._legs(leg["settlement"]))

    async def _hold(self, hold_id: str) -> Doc:
        found = await self.holds.find_one({"_id": hold_id})
        if found is None:
            raise LedgerError(404, "no_hold", hold_id)
        return found

    async def _hold_keys(self, hold_id: str, outcome: str | None = None) -> tuple[str | None, ...]:
        """The locks of a hold and of the account its `outcome` credits (both for a split):
        locking the beneficiary for a refund made a streamer's refunds wait for each other."""
        found = await self._hold(hold_id)
        payer, beneficiary = account_key(found["payer"]), account_key(found.get("beneficiary"))
        if outcome is not None:
            return hold_key(hold_id), beneficiary if outcome == RELEASE else payer
        return hold_key(hold_id), payer, beneficiary

    async def _finish(self, doc: Doc) -> Doc:
        return doc if doc["status"] == "completed" else await self.apply(doc)

    async def _settled(self, hold: Doc, outcome: str) -> tuple[Doc, bool]:
        if hold.get("split") or hold["status"] != SETTLED_STATUS[outcome]:
            raise already_settled(hold)
        first = await self.transactions.find_one({"_id": hold["settled_by"]})
        if first is None:  # claimed by a record that is gone: cannot happen, claim follows insert
            raise LedgerError(500, "ledger_inconsistent", hold["_id"])
        if first["status"] == "completed":
            return first, False
        return await self.apply(first), True

    async def apply(self, doc: Doc) -> Doc:
        """Run every step of a pending transaction (each one safe to run again), complete it."""
        if doc["kind"] == "transfer":
            await self._apply_transfer(doc)
        else:
            await self._apply_settlement(doc)
        return await self._complete(doc)

    async def _apply_transfer(self, doc: Doc) -> None:
        txn_id, amount = doc["_id"], doc["amount"]
        try:
            debited = await self._post(doc["from"], -amount, txn_id, need_funds=not doc["forced"])
        except LedgerError:
            await self._forget(txn_id)
            raise
        if not debited:
            # The debit is the first effect, so nothing moved: forget the attempt.
            await self._forget(txn_id)
            raise LedgerError(402, "insufficient_funds", f"{doc['from']} cannot pay {amount}")
        if doc["to"] is not None:
            await self._post(doc["to"], amount, txn_id)
            return
        hold = {
            "_id": txn_id,
            "payer": doc["from"],
            "beneficiary": beneficiary_of(doc["tags"]),
            "amount": amount,
            "tags": doc["tags"],
            "status": "open",
            "settled_by": None,
            "opened_at": now(),
            **self.totals.stamp(),
        }
        # A duplicate means an earlier, interrupted run already opened it.
        with contextlib.suppress(DuplicateKeyError):
            await self.holds.insert_one(hold)

    async def _apply_settlement(self, doc: Doc) -> None:
        txn_id, hold_id = doc["_id"], doc["hold"]
        # A split's legs claim the hold for their settlement: the first leg claims it, the
        # second finds it claimed by the same settlement and goes on.
        claim_id = doc.get("settlement") or txn_id
        claim = {
            "status": doc.get("hold_status") or SETTLED_STATUS[doc["kind"]],
            "settled_by": claim_id,
            "settled_at": now(),
            **self.totals.stamp(),
        }
        if doc.get("split"):
            claim["split"] = doc["split"]
        claimed = await self.holds.update_one({"_id": hold_id, "status": "open"}, {"$set": claim})
        if not claimed.modified_count:
            hold = await self.holds.find_one({"_id": hold_id})
            if hold is None or hold.get("settled_by") != claim_id:
                # The claim is the first effect: nothing moved for this attempt.
                await self._forget(txn_id)
                status = hold["status"] if hold else "missing"
                raise LedgerError(409, "hold_settled", f"{hold_id} is {status}", outcome=status)
        await self._post(doc["to"], doc["amount"], txn_id)

    async def _forget(self, txn_id: str) -> None:
        """Drop an attempt that moved nothing, so a later one with its id starts afresh."""
        await self.transactions.delete_one({"_id": txn_id, "status": "pending"})
        await self.inflight.delete_one({"_id": txn_id})

    async def _post(
        self, wallet: str, delta: int, txn_id: str, *, need_funds: bool = False
    ) -> bool:
        """Change a balance once per transaction id; False when funds are short."""
        query: Doc = {"_id": wallet, "applied": {"$ne": txn_id}}
        if need_funds:
            query["balance"] = {"$gte": -delta}
        result = await self.accounts.update_one(
            query,
            {"$inc": {"balance": delta}, "$push": {"applied": txn_id}, "$set": self.totals.stamp()},
        )
        if result.modified_count:
            return True
        account = await self.accounts.find_one({"_id": wallet})
        if account is None:
            raise LedgerError(404, "unknown_wallet", wallet)
        return txn_id in account.get("applied", [])

    async def _complete(self, doc: Doc) -> Doc:
        """Complete a pending transaction, its callback in the outbox. Only a pending one gets
        here, under its locks, so the update applies and nothing needs reading back."""
        changed: Doc = {"status": "completed", "ts": as_stored(doc.get("requested_ts") or now())}
        changed |= {"callback": callback_body({**doc, **changed}), "callback_pending": True}
        # `untrimmed`: its id is still in its accounts' `applied` lists (wallet_sandbox.trim).
        changed |= {"callback_attempts": 0, "next_attempt_at": now(), "untrimmed": True}
        await self.transactions.update_one(
            {"_id": doc["_id"], "status": "pending"}, {"$set": changed}
        )
        await self.track(doc["_id"], "callback")
        done = {**doc, **changed}
        self.on_completed(done)
        return done

    async def track(self, txn_id: str, stage: str) -> None:
        """List a transaction as still needing work: `pending` or `callback`."""
        at = now()
        await self.inflight.update_one(
            {"_id": txn_id},
            {"$set": {"stage": stage, "at": at, "next_attempt_at": at}},
            upsert=True,
        )
