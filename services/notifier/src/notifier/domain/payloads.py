"""What clients receive: small, versioned goal snapshots that fit in one Pusher event."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from livestream_schemas.goals import GoalSnapshot

# Pusher refuses events over 10 KB; the budget leaves room for the channel list and name.
MAX_EVENT_BYTES = 8 * 1024
TOP_CONTRIBUTORS = 10

_GOAL_FIELDS = {
    "goal_id",
    "cls",
    "active",
    "progress",
    "levels",
    "conditions",
    "context",
    "nbf",
    "exp",
    "metadata",
    "version",
}


def streamer_of(goal: GoalSnapshot) -> str:
    """The streamer who owns a goal (`metadata.user_id`, or `streamer_id` on goal.added)."""
    streamer = getattr(goal, "streamer_id", None) or goal.metadata.get("user_id")
    if not streamer:
        raise ValueError(f"goal {goal.goal_id} names no streamer (metadata.user_id)")
    return str(streamer)


def top_breakdown(breakdown: dict[str, Any], limit: int) -> dict[str, Any]:
    """The largest contributors by coins, then by progress; ties keep a stable order."""
    ranked = sorted(
        breakdown.items(),
        key=lambda item: (-item[1].get("cost", 0), -item[1].get("progress", 0), item[0]),
    )
    return dict(ranked[:limit])


def goal_view(goal: GoalSnapshot, *, top: int = TOP_CONTRIBUTORS) -> dict[str, Any]:
    """The goal as clients see it: no insert ids (they list every payment), top contributors."""
    view = goal.model_dump(mode="json", by_alias=True, include=_GOAL_FIELDS)
    view["metadata"] = {k: v for k, v in view["metadata"].items() if k != "insert_ids"}
    breakdown = goal.model_dump(mode="json").get("breakdown", {})
    view["breakdown"] = top_breakdown(breakdown, top)
    # The goal's ranked top N (the live page's leaderboard) and its counters: `breakdown`
    # holds the top N only, so the counts come from the goal's own totals.
    view["top"] = [entry.model_dump() for entry in goal.top[:top]]
    view["cost"] = goal.total_cost
    view["contributors"] = max(goal.contributors, len(breakdown))
    return view


def encoded_size(data: dict[str, Any]) -> int:
    return len(json.dumps(data, ensure_ascii=False).encode())


def event_payload(
    goal: GoalSnapshot, *, event_id: str, occurred_at: datetime, **extra: Any
) -> dict[str, Any]:
    """{event_id, occurred_at, goal, ...extra}, trimmed until it fits one event."""
    for top in (TOP_CONTRIBUTORS, 3, 0):
        payload = {
            "event_id": event_id,
            "occurred_at": occurred_at.isoformat(),
            "goal": goal_view(goal, top=top),
            **extra,
        }
        if encoded_size(payload) <= MAX_EVENT_BYTES:
            return payload
    # Only the owner survives; clients refetch the rest from GET /channels/.../state.
    payload["goal"]["metadata"] = {"user_id": goal.metadata.get("user_id")}
    if encoded_size(payload) > MAX_EVENT_BYTES:
        raise ValueError(f"goal {goal.goal_id} event exceeds {MAX_EVENT_BYTES} bytes")
    return payload


def client_tags(tags: list[str]) -> list[str]:
    """Wallet tags a client may see: escrow tags carry a beneficiary's wallet id, so not those."""
    return [tag for tag in tags if not tag.startswith("escrow::")]
