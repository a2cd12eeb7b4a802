"""Transaction documents: how they are built, shown to callers and reported in callbacks."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

REFUND = "refund"
RELEASE = "release"
SETTLED_STATUS = {REFUND: "refunded", RELEASE: "released"}
SPLIT_STATUS = "split"  # part released, part refunded, by one settlement


class LedgerError(Exception):
    """A refusal with an HTTP status and a machine-readable reason."""

    def __init__(self, status: int, reason: str, detail: str = "", **extra: Any) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.status = status
        self.reason = reason
        self.detail = detail
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"reason": self.reason, "detail": self.detail, **self.extra}


@dataclass(frozen=True)
class TransferRequest:
    id: str
    from_account: str
    to_account: str | None
    amount: int
    tags: tuple[str, ...]
    forced: bool = False
    timestamp: datetime | None = None

    def identity(self) -> tuple[Any, ...]:
        """What must match for a repeated id to be the same transaction."""
        return (self.from_account, self.to_account, self.amount, list(self.tags))


def now() -> datetime:
    return datetime.now(UTC)


def as_stored(value: datetime) -> datetime:
    """The time as BSON keeps it (milliseconds), so what is answered from memory matches
    what is read back later."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def transfer_doc(req: TransferRequest) -> dict[str, Any]:
    return {
        "_id": req.id,
        "kind": "transfer",
        "hold": None if req.to_account else req.id,
        "from": req.from_account,
        "to": req.to_account,
        "amount": req.amount,
        "tags": list(req.tags),
        "forced": req.forced,
        "requested_ts": req.timestamp,
        "status": "pending",
        "created_at": now(),
        "callback_pending": False,
    }


def settlement_doc(txn_id: str, outcome: str, hold: dict[str, Any]) -> dict[str, Any]:
    to = hold["payer"] if outcome == REFUND else hold["beneficiary"]
    return {
        "_id": txn_id,
        "kind": outcome,
        "hold": hold["_id"],
        "from": None,
        "to": to,
        "amount": hold["amount"],
        "tags": [*hold["tags"], f"{outcome}::{hold['_id']}"],
        "forced": False,
        "requested_ts": None,
        "status": "pending",
        "created_at": now(),
        "callback_pending": False,
    }


def split_legs(settlement_id: str, hold: dict[str, Any], release: int) -> list[dict[str, Any]]:
    """The money movements of a split settlement: a release leg and a refund leg, each with
    its own transaction id and callback; a leg of zero coins is left out.

    Every leg records the whole split, so a repeat that asks for another split is refused
    whichever leg it finds first, and the hold is claimed for the settlement, not a leg."""
    amount = hold["amount"]
    split = {"release": release, "refund": amount - release}
    status = SETTLED_STATUS[RELEASE] if release == amount else SPLIT_STATUS
    if release == 0:
        status = SETTLED_STATUS[REFUND]
    legs = []
    for outcome in (RELEASE, REFUND):
        if split[outcome] == 0:
            continue
        leg = settlement_doc(f"{settlement_id}:{outcome}", outcome, hold)
        leg |= {
            "amount": split[outcome],
            "settlement": settlement_id,
            "split": split,
            "hold_status": status,
        }
        legs.append(leg)
    return legs


def leg_ids(settlement_id: str) -> list[str]:
    return [f"{settlement_id}:{RELEASE}", f"{settlement_id}:{REFUND}"]


def identity(doc: dict[str, Any]) -> tuple[Any, ...]:
    return (doc["from"], doc["to"], doc["amount"], list(doc["tags"]))


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # BSON dates come back naive unless the client is tz-aware
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def callback_body(doc: dict[str, Any]) -> dict[str, Any]:
    """The wallet's callback body, as the seed shows it."""
    return {
        "id": doc["_id"],
        "ts": _iso(doc.get("ts")),
        "fromAccount": doc["from"],
        "fromAmount": doc["amount"],
        "toAccount": doc["to"],
        "toAmount": doc["amount"],
        "tags": list(doc["tags"]),
    }


def view(doc: dict[str, Any]) -> dict[str, Any]:
    """What the API answers for a transaction."""
    return {
        **callback_body(doc),
        "status": doc["status"],
        "kind": doc["kind"],
        "hold": doc.get("hold"),
        "forced": doc.get("forced", False),
    }


def hold_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["_id"],
        "payer": doc["payer"],
        "beneficiary": doc.get("beneficiary"),
        "amount": doc["amount"],
        "tags": list(doc["tags"]),
        "status": doc["status"],
        "settledBy": doc.get("settled_by"),
        "split": doc.get("split"),
    }


def beneficiary_of(tags: list[str]) -> str | None:
    """The wallet id encoded in the escrow tag `escrow::{base64(wallet id)}:{swag}`."""
    for tag in tags:
        if not tag.startswith("escrow::"):
            continue
        encoded, sep, _ = tag[len("escrow::") :].partition(":")
        if not sep:
            continue
        try:
            return base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            continue
    return None


def already_settled(hold: dict[str, Any]) -> LedgerError:
    return LedgerError(
        409,
        "hold_settled",
        f"{hold['_id']} was already {hold['status']}",
        outcome=hold["status"],
        transaction_id=hold.get("settled_by"),
    )
