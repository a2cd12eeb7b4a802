"""Where an open escrow hold should go, judged from its goal and the goal that follows it
(a funded goal's show, an agreed request's exclusive session): pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from goal_service.domain.exclusive import exclusive_goal_id
from goal_service.domain.goal import end_outcome
from goal_service.domain.show import FUNDED, REFUND, funding_settlement, show_goal_id
from livestream_schemas.goals import OUTCOME_AGREED, SHOW_FUNDING_GOAL, TRIGGER_EXCLUSIVE_GOAL

Doc = dict[str, Any]
SETTLE = "settle"  # the per-minute split of an ended exclusive session
# The goal that settles the holds was never created (its create_goal was lost).
BIND_SHOW = "bind_show"
START_EXCLUSIVE = "start_exclusive"
MISSING_FOLLOW_UP = (BIND_SHOW, START_EXCLUSIVE)


@dataclass(frozen=True)
class Due:
    """What a hold is owed (refund, release, settle, or its missing follow-up goal) and since
    when it is owed."""

    kind: str
    since: datetime


def follow_up_id(goal: Doc) -> str | None:
    """The goal whose end settles this goal's holds once this one is over, if any."""
    if goal["_cls"] == SHOW_FUNDING_GOAL:
        return show_goal_id(goal["_id"])
    if goal["_cls"] == TRIGGER_EXCLUSIVE_GOAL:
        return exclusive_goal_id(goal["_id"])
    return None


def settlement_due(goal: Doc | None, *, counted: bool, follow_up: Doc | None) -> Due | None:
    """None while the hold must stay held (goal, request, show or session not over, or
    unknown). `counted`: the goal counted the hold; `follow_up`: the goal named by
    follow_up_id(goal) as stored, or None when there is none."""
    if goal is None or goal.get("active") or goal.get("closing"):
        return None
    ended_at = goal.get("ended_at")
    if ended_at is None:
        return None
    if not counted:
        return Due(REFUND, ended_at)  # a debit the goal never counted: the late-debit rule
    outcome = end_outcome(goal, goal.get("outcome"))
    if goal["_cls"] == TRIGGER_EXCLUSIVE_GOAL:
        if outcome != OUTCOME_AGREED:
            return Due(REFUND, ended_at)
        if follow_up is None:
            return Due(START_EXCLUSIVE, ended_at)
        if follow_up.get("active"):
            return None  # the exclusive session is running
        return Due(SETTLE, follow_up.get("ended_at") or ended_at)
    if goal["_cls"] == SHOW_FUNDING_GOAL:
        if outcome == FUNDED and follow_up is None:
            return Due(BIND_SHOW, ended_at)
        how = funding_settlement(goal, follow_up)
        if how is None:
            return None  # the show is still to come, or running
        since = follow_up.get("ended_at") if follow_up is not None else None
        return Due(how, since or ended_at)
    return None
