"""Goal events (produced by goal-service, and goal.added by session-service)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from livestream_schemas.base import BreakdownEntry, GoalLevel, Message

SHOW_FUNDING_GOAL = "ShowFundingGoal"
TRIGGER_EXCLUSIVE_GOAL = "TriggerExclusiveGoal"
# The 1-to-1 session an accepted TriggerExclusiveGoal starts (metadata.trigger_goal).
EXCLUSIVE_GOAL = "ExclusiveGoal"
# The show a funded ShowFundingGoal pays for; conditions.funding_goal names that goal.
SHOW_GOAL = "ShowGoal"

# How a goal ended (`outcome` on the goal and on goal.ended).
OUTCOME_AGREED = "agreed"  # the streamer accepted an exclusive request
OUTCOME_DECLINED = "declined"  # the streamer declined it
OUTCOME_EXPIRED = "expired"  # the expiry timer ended it
OUTCOME_COMPLETED = "completed"  # an exclusive session ran its prepaid duration
OUTCOME_CLOSED = "closed"  # ended early by a user


class TopContributor(BaseModel):
    """One entry of a goal's top N: most progress first, then most coins."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    user_id: str
    progress: int = 0
    cost: int = 0


class GoalSnapshot(Message):
    """Fields every goal event carries; `version` increases with every change.

    Bounded whatever the goal's size: totals (`progress`, `total_cost`, `contributions`
    counted holds, `contributors` distinct users) and the `top` N contributors; the full
    list pages through goal-service's leaderboard endpoint.
    """

    goal_id: str
    cls: str = Field(alias="_cls")
    active: bool
    conditions: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)
    levels: list[GoalLevel] = Field(default_factory=list)
    progress: int = 0
    nbf: datetime | None = None
    exp: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    version: int = Field(ge=1)
    outcome: str | None = None  # set once the goal has ended
    # When a goal that waits for its owner to begin (a ShowGoal) began; None before.
    started_at: datetime | None = None
    total_cost: int = 0
    contributions: int = 0
    contributors: int = 0
    top: list[TopContributor] = Field(default_factory=list)


class GoalCreated(GoalSnapshot):
    message_type = "goal.created"


class GoalAdded(GoalSnapshot):
    """A goal was bound to its session (the streamer's apps show it)."""

    message_type = "goal.added"
    session_id: str
    streamer_id: str


class GoalProgressed(GoalSnapshot):
    message_type = "goal.progressed"
    amount: int
    cost: int = 0
    breakdown_id: str
    insert_id: str
    # The top N again, keyed by user, for consumers written before `top` (never the full list).
    breakdown: dict[str, BreakdownEntry] = Field(default_factory=dict)


class GoalStarted(GoalSnapshot):
    """A goal that waits for its owner began (a ShowGoal: the streamer started the show)."""

    message_type = "goal.started"


class GoalEnded(GoalSnapshot):
    """The goal stopped; `levels` holds levels[0] only, `triggerer` who ended it.

    `outcome` says how: funded | failed | agreed | declined | expired | payment_failed |
    session_ended | closed | completed | cancelled (None from producers that predate it).
    """

    message_type = "goal.ended"
    triggerer: str
    # The top N again, keyed by user, for consumers written before `top` (never the full list).
    breakdown: dict[str, BreakdownEntry] = Field(default_factory=dict)
