"""The per-streamer channel state a client reads after (re)connecting.

Events can arrive out of order (goal.progressed and goal.ended travel on different
topics), so a goal's snapshot is only replaced by one with a higher `version`, and a
goal that ended never comes back from a late progress event.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

RECENT_ENDED_LIMIT = 20


@dataclass(frozen=True)
class ChannelState:
    streamer_id: str
    goals: dict[str, dict[str, Any]] = field(default_factory=dict)
    recent_ended: tuple[dict[str, Any], ...] = ()
    updated_at: datetime | None = None
    # Optimistic-concurrency counter of the stored document (0: never stored).
    rev: int = 0

    def ended_ids(self) -> set[str]:
        return {goal["goal_id"] for goal in self.recent_ended}

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": f"stream@{self.streamer_id}",
            "streamer_id": self.streamer_id,
            "goals": self.goals,
            "recent_ended": list(self.recent_ended),
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


def _check_key(goal_id: str) -> None:
    # Goal ids become document field names; Mongo gives '.' and a leading '$' meaning.
    if not goal_id or "." in goal_id or goal_id.startswith("$"):
        raise ValueError(f"goal id {goal_id!r} cannot key the channel state")


def apply_goal(
    state: ChannelState,
    goal: dict[str, Any],
    *,
    ended: bool,
    at: datetime,
    limit: int = RECENT_ENDED_LIMIT,
) -> ChannelState | None:
    """The state with this snapshot applied, or None when it changes nothing."""
    goal_id = goal["goal_id"]
    _check_key(goal_id)
    if goal_id in state.ended_ids():
        return None
    if ended:
        goals = {k: v for k, v in state.goals.items() if k != goal_id}
        entry = {**goal, "ended": True, "ended_at": at.isoformat()}
        recent = (entry, *state.recent_ended)[:limit]
        return replace(state, goals=goals, recent_ended=recent, updated_at=at)
    current = state.goals.get(goal_id)
    if current is not None and current.get("version", 0) >= goal.get("version", 0):
        return None
    return replace(state, goals={**state.goals, goal_id: goal}, updated_at=at)
