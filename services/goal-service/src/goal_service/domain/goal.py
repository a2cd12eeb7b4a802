"""The goal document and the rules around it. Pure: no I/O, no clocks."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from goal_service.domain.contributions import Contribution
from livestream_schemas.base import GoalLevel
from livestream_schemas.commands import CreateGoal
from livestream_schemas.goals import (
    EXCLUSIVE_GOAL,
    OUTCOME_CLOSED,
    OUTCOME_COMPLETED,
    OUTCOME_EXPIRED,
    SHOW_FUNDING_GOAL,
    SHOW_GOAL,
    TRIGGER_EXCLUSIVE_GOAL,
    GoalCreated,
    GoalEnded,
    GoalProgressed,
    GoalStarted,
)

GOAL_CLASSES = (SHOW_FUNDING_GOAL, TRIGGER_EXCLUSIVE_GOAL, SHOW_GOAL, EXCLUSIVE_GOAL)
_GOAL_ID = re.compile(r"^[0-9a-f]{24}$")
# Only plain equality on these fields may narrow a deactivate command's filter; anything
# else (operators, other paths) would let a producer reshape the query.
FILTER_FIELDS = frozenset(
    {"active", "metadata.user_id", "_cls", "conditions.session_id", "started"}
)

Doc = dict[str, Any]


class GoalNotFound(LookupError):
    """The command names a goal this service has never created."""


class InvalidCommand(ValueError):
    """A command that can never succeed; it goes to the dead-letter topic."""


def utc_ms(value: datetime) -> datetime:
    """UTC, truncated to milliseconds: what MongoDB stores, so rebuilt events match."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def check_goal_id(goal_id: str) -> str:
    if not _GOAL_ID.match(goal_id):
        raise InvalidCommand(f"goal_id must be 24 lowercase hex characters, got {goal_id!r}")
    return goal_id


def check_breakdown_id(breakdown_id: str) -> str:
    """User ids key the top N and contributor records: no dots, no leading `$`."""
    if not breakdown_id or "." in breakdown_id or breakdown_id.startswith("$"):
        raise InvalidCommand(f"unusable breakdown_id {breakdown_id!r}")
    return breakdown_id


def check_filter(extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if key not in FILTER_FIELDS or isinstance(value, dict | list):
            raise InvalidCommand(f"filter field {key!r} is not allowed")
    return dict(extra)


def new_goal(cmd: CreateGoal, *, now: datetime) -> Doc:
    """The document a create_goal command inserts."""
    if cmd.cls not in GOAL_CLASSES:
        raise InvalidCommand(f"unknown goal class {cmd.cls!r}")
    return {
        "_id": check_goal_id(cmd.goal_id),
        "_cls": cmd.cls,
        "active": cmd.active,
        "nbf": utc_ms(cmd.nbf) if cmd.nbf else None,
        "exp": utc_ms(cmd.exp) if cmd.exp else None,
        "levels": [level.model_dump() for level in cmd.levels],
        "progress": 0,
        "context": dict(cmd.context),
        "conditions": dict(cmd.conditions),
        # Counted holds live in goal_contributions, never here (domain/contributions.py).
        "metadata": {k: v for k, v in cmd.metadata.items() if k != "insert_ids"},
        "cost": 0,
        "contributions": 0,
        "contributors": 0,
        "top": [],
        "version": 1,
        "created_at": utc_ms(now),
        "started": False,
        "started_at": None,
        "ended_at": None,
        # A funding goal that ended but whose settle window is still open (SPEC section 8).
        "closing": False,
        "outcome": None,
        "triggerer": None,
        "ended_by": None,
    }


def _snapshot(doc: Doc) -> dict[str, Any]:
    return {
        "goal_id": doc["_id"],
        "_cls": doc["_cls"],
        "active": doc["active"],
        "conditions": doc.get("conditions") or {},
        "context": doc.get("context") or {},
        "levels": doc.get("levels") or [],
        "progress": doc.get("progress", 0),
        "nbf": doc.get("nbf"),
        "exp": doc.get("exp"),
        "metadata": doc.get("metadata") or {},
        "version": doc["version"],
        "outcome": doc.get("outcome"),
        "started_at": doc.get("started_at"),
        "total_cost": doc.get("cost", 0),
        "contributions": doc.get("contributions", 0),
        "contributors": doc.get("contributors", 0),
        "top": doc.get("top") or [],
    }


def _top_breakdown(doc: Doc) -> dict[str, Any]:
    return {
        e["user_id"]: {"progress": e["progress"], "cost": e["cost"]} for e in doc.get("top") or []
    }


def created_event(doc: Doc) -> GoalCreated:
    return GoalCreated.model_validate(_snapshot(doc))


def started_event(doc: Doc) -> GoalStarted:
    return GoalStarted.model_validate(_snapshot(doc))


def progressed_event(doc: Doc, item: Contribution) -> GoalProgressed:
    """The progressed event for one contribution as counted on `doc`."""
    return GoalProgressed.model_validate(
        {
            **_snapshot(doc),
            "amount": item.amount,
            "cost": item.cost,
            "breakdown_id": item.user_id,
            "insert_id": item.insert_id,
            "breakdown": _top_breakdown(doc),
        }
    )


def ended_event(doc: Doc) -> GoalEnded:
    snapshot = _snapshot(doc)
    snapshot["levels"] = snapshot["levels"][:1]
    return GoalEnded.model_validate(
        {
            **snapshot,
            "triggerer": doc.get("triggerer") or "",
            "breakdown": _top_breakdown(doc),
        }
    )


def end_exp(exp: datetime | None, now: datetime) -> datetime:
    """A goal that ends early expires now; one already past its expiry keeps it."""
    now = utc_ms(now)
    return now if exp is None else min(utc_ms(exp), now)


def is_funded(progress: int, levels: list[GoalLevel] | list[Doc]) -> bool:
    """Reaching the first level's target exactly counts as funded (SPEC §3)."""
    if not levels:
        return False
    first = levels[0]
    target = first.target if isinstance(first, GoalLevel) else int(first.get("target", 0))
    return progress >= target


def countable(goal: Doc, accepted_at: datetime | None) -> bool:
    """A payment still counts while the goal is active, or while a funding goal's settle
    window is open if its purchase was accepted before the end (SPEC section 8)."""
    if goal.get("active"):
        return True
    ended_at = goal.get("ended_at")
    return bool(goal.get("closing") and accepted_at and ended_at and utc_ms(accepted_at) < ended_at)


def count_guard(goal: Doc) -> Doc:
    """What the counting update requires of the goal: as countable as when it was read."""
    return {"active": True} if goal.get("active") else {"closing": True}


def state(doc: Doc) -> str:
    if doc.get("active"):
        return "running" if doc.get("started") else "active"
    if doc.get("closing"):
        return "settling"
    if doc.get("outcome"):
        return str(doc["outcome"])
    if doc["_cls"] == SHOW_FUNDING_GOAL:
        return "funded" if is_funded(doc.get("progress", 0), doc.get("levels") or []) else "failed"
    return "ended"


def outcome(cls: str, progress: int, levels: list[GoalLevel] | list[Doc], triggerer: str) -> str:
    """How a goal ended when its command did not say: funded/failed for shows, else by who
    ended it (the timer completes an exclusive session but expires a request)."""
    if cls == SHOW_FUNDING_GOAL:
        return "funded" if is_funded(progress, levels) else "failed"
    if triggerer == "system":
        return OUTCOME_COMPLETED if cls == EXCLUSIVE_GOAL else OUTCOME_EXPIRED
    return {"wallet": "payment_failed"}.get(triggerer, OUTCOME_CLOSED)


def end_outcome(doc: Doc, requested: str | None) -> str:
    """The outcome a goal ends with: what the command asked for, else the goal's own rule."""
    if requested:
        return requested
    levels = [GoalLevel.model_validate(level) for level in doc.get("levels") or []]
    return outcome(doc["_cls"], doc.get("progress", 0), levels, doc.get("triggerer") or "")
