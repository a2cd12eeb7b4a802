"""Where an open escrow hold should go, judged from its goal (and show): pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from goal_service.domain.goal import end_outcome
from goal_service.domain.show import REFUND, funding_settlement
from livestream_schemas.goals import SHOW_FUNDING_GOAL, TRIGGER_EXCLUSIVE_GOAL

Doc = dict[str, Any]
AGREED = "agreed"


@dataclass(frozen=True)
class Due:
    """The settlement a hold is owed (refund/release) and since when it is owed."""

    kind: str
    since: datetime


def settlement_due(hold_id: str, goal: Doc | None, show: Doc | None) -> Due | None:
    """None while the hold must stay held (goal, request or show not over, or unknown)."""
    if goal is None or goal.get("active") or goal.get("closing"):
        return None
    ended_at = goal.get("ended_at")
    if ended_at is None:
        return None
    if hold_id not in (goal.get("metadata") or {}).get("insert_ids", []):
        return Due(REFUND, ended_at)  # a debit the goal never counted: the late-debit rule
    if goal["_cls"] == TRIGGER_EXCLUSIVE_GOAL:
        if end_outcome(goal, goal.get("outcome")) == AGREED:
            return None  # the exclusive session settles it (per minute); see ARCHITECTURE
        return Due(REFUND, ended_at)
    if goal["_cls"] == SHOW_FUNDING_GOAL:
        how = funding_settlement(goal, show)
        if how is None:
            return None
        since = show.get("ended_at") if show is not None else None
        return Due(how, since or ended_at)
    return None
