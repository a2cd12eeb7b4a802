"""Ticket shows after funding (SPEC section 8): which show a funded goal binds, and where
each funding hold goes once the show is over. Pure: no I/O, no clocks."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from goal_service.domain.goal import end_outcome, utc_ms
from livestream_schemas.commands import CreateGoal
from livestream_schemas.goals import SHOW_FUNDING_GOAL, SHOW_GOAL, GoalEnded

Doc = dict[str, Any]

FUNDED = "funded"
COMPLETED = "completed"
CANCELLED = "cancelled"
SESSION_ENDED = "session_ended"
REFUND = "refund"
RELEASE = "release"


def show_goal_id(funding_goal_id: str) -> str:
    """The show's goal id, derived from its funding goal: a redelivery binds the same show."""
    return hashlib.sha256(f"show:{funding_goal_id}".encode()).hexdigest()[:24]


def show_command(funding: GoalEnded, *, now: datetime, start_within_s: float) -> CreateGoal:
    """The ShowGoal a funded goal binds: it must start before its `exp` (the start deadline)."""
    session_id = funding.conditions.get("session_id")
    title = funding.levels[0].title if funding.levels else ""
    return CreateGoal.model_validate(
        {
            "goal_id": show_goal_id(funding.goal_id),
            "_cls": SHOW_GOAL,
            "exp": utc_ms(now + timedelta(seconds=start_within_s)),
            "levels": [{"title": title, "target": 0}],
            "context": {"type": "show", "funding_goal": funding.goal_id},
            "conditions": {"session_id": session_id, "funding_goal": funding.goal_id},
            "metadata": {"user_id": funding.metadata.get("user_id"), "session_id": session_id},
        }
    )


def funding_settlement(funding: Doc | None, show: Doc | None) -> str | None:
    """What happens to a funding goal's holds: refund, release, or nothing yet (None)."""
    if funding is None or funding["_cls"] != SHOW_FUNDING_GOAL:
        return None
    if funding.get("active") or funding.get("closing"):
        return None
    if end_outcome(funding, funding.get("outcome")) != FUNDED:
        return REFUND
    if show is None or show.get("active"):
        return None  # the show is still to come (or running): the escrow waits for it
    return RELEASE if show.get("outcome") == COMPLETED else REFUND
