"""The livestream feed: what happened in a session, one entry per goal opened on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from livestream_schemas.goals import SHOW_FUNDING_GOAL, TRIGGER_EXCLUSIVE_GOAL, GoalAdded

FeedKind = Literal["show_funding_opened", "exclusive_requested"]
DEFAULT_FEED_LIMIT = 20
MAX_FEED_LIMIT = 100


@dataclass(frozen=True)
class FeedEntry:
    entry_id: str  # the goal.added event id: a redelivery finds its entry already there
    session_id: str
    streamer_id: str
    goal_id: str
    cls: str
    kind: FeedKind
    occurred_at: datetime
    title: str | None = None
    target: int | None = None
    exclusive_to: str | None = None
    prepaid_duration: int | None = None

    def view(self) -> dict[str, Any]:
        """The JSON shape clients read; each kind carries its own fields."""
        view: dict[str, Any] = {
            "entry_id": self.entry_id,
            "session_id": self.session_id,
            "streamer_id": self.streamer_id,
            "goal_id": self.goal_id,
            "_cls": self.cls,
            "kind": self.kind,
        }
        if self.kind == "show_funding_opened":
            view |= {"title": self.title, "target": self.target}
        else:
            view |= {"exclusive_to": self.exclusive_to, "prepaid_duration": self.prepaid_duration}
        return view | {"occurred_at": self.occurred_at.isoformat()}


def feed_entry(goal: GoalAdded, *, entry_id: str, occurred_at: datetime) -> FeedEntry | None:
    """The entry announcing this goal, or None for a goal class the feed does not show."""
    common: dict[str, Any] = {
        "entry_id": entry_id,
        "session_id": goal.session_id,
        "streamer_id": goal.streamer_id,
        "goal_id": goal.goal_id,
        "cls": goal.cls,
        "occurred_at": _ms(occurred_at),
    }
    if goal.cls == SHOW_FUNDING_GOAL:
        level = goal.levels[0] if goal.levels else None
        return FeedEntry(
            kind="show_funding_opened",
            title=level.title if level else None,
            target=level.target if level else None,
            **common,
        )
    if goal.cls == TRIGGER_EXCLUSIVE_GOAL:
        viewer = goal.conditions.get("exclusive_to") or goal.context.get("exclusive_to")
        duration = goal.metadata.get("prepaid_duration")
        return FeedEntry(
            kind="exclusive_requested",
            exclusive_to=str(viewer) if viewer else None,
            prepaid_duration=int(duration) if duration is not None else None,
            **common,
        )
    return None


def _ms(at: datetime) -> datetime:
    # MongoDB keeps milliseconds; the entry should read back as it was built.
    return at.replace(microsecond=at.microsecond // 1000 * 1000)
