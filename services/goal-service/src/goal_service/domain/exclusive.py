"""Exclusive sessions: accepting a request, the session it starts, and the per-minute split.

Pure: no I/O, no clocks. Every value derives from stored goal fields, so a redelivered
command or event computes exactly what the first delivery did.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from goal_service.domain.goal import utc_ms
from livestream_schemas.commands import CreateGoal, Settle
from livestream_schemas.goals import EXCLUSIVE_GOAL

Doc = dict[str, Any]
MINUTE_S = 60


def exclusive_goal_id(trigger_goal_id: str) -> str:
    """The session's goal id, derived from the request's: one accept starts one session."""
    return hashlib.sha256(f"exclusive:{trigger_goal_id}".encode()).hexdigest()[:24]


def settlement_id(hold: str) -> str:
    return f"settle:{hold}"


def refusal(trigger: Doc, *, paid: bool, now: datetime) -> str | None:
    """Why an active request cannot be accepted now (None: it can)."""
    if not paid:
        return "not_paid"
    exp = trigger.get("exp")
    if exp is not None and utc_ms(now) >= utc_ms(exp):
        return "request_expired"
    return None


def start_command(trigger: Doc, *, hold: str, amount: int) -> CreateGoal:
    """create_goal of the ExclusiveGoal an agreed request starts, from the agreed goal."""
    started = utc_ms(trigger["ended_at"])
    metadata = trigger.get("metadata") or {}
    duration = int(metadata.get("prepaid_duration") or MINUTE_S)
    viewer = (trigger.get("conditions") or {}).get("exclusive_to")
    return CreateGoal.model_validate(
        {
            "goal_id": exclusive_goal_id(trigger["_id"]),
            "_cls": EXCLUSIVE_GOAL,
            "active": True,
            "nbf": started,
            "exp": started + timedelta(seconds=duration),
            "levels": [],
            "context": {"type": "exclusive", "exclusive_to": viewer},
            "conditions": dict(trigger.get("conditions") or {}),
            "metadata": {
                "user_id": metadata.get("user_id"),
                "prepaid_duration": duration,
                "trigger_goal": trigger["_id"],
                "hold": hold,
                "amount": amount,
            },
        }
    )


@dataclass(frozen=True)
class Split:
    minutes_used: int
    prepaid_minutes: int
    released: int
    refunded: int


def prepaid_minutes(duration_s: int) -> int:
    return max(1, -(-duration_s // MINUTE_S))


def per_minute_split(amount: int, *, duration_s: int, started: datetime, ended: datetime) -> Split:
    """Minutes used = whole minutes started (at least 1, at most the prepaid minutes);
    released = amount x used / prepaid, rounded down; refunded = the rest."""
    prepaid = prepaid_minutes(duration_s)
    elapsed_ms = max(0, int((utc_ms(ended) - utc_ms(started)).total_seconds() * 1000))
    used = min(prepaid, elapsed_ms // (MINUTE_S * 1000) + 1)
    released = amount * used // prepaid
    return Split(used, prepaid, released, amount - released)


def settle_command(session: Doc, *, hold: str, amount: int) -> Settle:
    """The split settlement of an ended exclusive session's hold, from the stored goal alone
    (its start and end never change once ended): every sender sends the very same one."""
    split = per_minute_split(
        amount,
        duration_s=int((session.get("metadata") or {}).get("prepaid_duration") or 0),
        started=session["nbf"],
        ended=session["ended_at"],
    )
    return Settle(
        transaction_id=hold,
        release_amount=split.released,
        settlement_id=settlement_id(hold),
        reason=f"exclusive:{split.minutes_used}/{split.prepaid_minutes}min",
    )
