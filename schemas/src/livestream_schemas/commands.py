"""Commands: imperative requests handled by exactly one service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from livestream_schemas.base import GoalLevel, Message
from livestream_schemas.bounds import MAX_COINS


class CreateGoal(Message):
    message_type = "create_goal"

    goal_id: str
    cls: str = Field(alias="_cls")
    active: bool = True
    nbf: datetime | None = None
    exp: datetime | None = None
    levels: list[GoalLevel] = Field(default_factory=list)
    context: dict[str, Any] = Field(default_factory=dict)
    conditions: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


class DeactivateGoal(Message):
    """End a goal if it still matches `filter` (e.g. active and owned by the caller)."""

    message_type = "deactivate_goal"

    goal_id: str
    filter: dict[str, Any] = Field(default_factory=dict)
    triggerer: str
    metadata: dict[str, Any] | None = None
    # How the goal ends when this command ends it (e.g. cancelled, completed,
    # session_ended); None lets goal-service decide from the goal (funded/failed, ...).
    outcome: str | None = None


class StartGoal(Message):
    """Begin a goal that waits for its owner (a ShowGoal) if it still matches `filter`."""

    message_type = "start_goal"

    goal_id: str
    filter: dict[str, Any] = Field(default_factory=dict)
    triggerer: str


class CloseFundingGoal(Message):
    """Decide an ended funding goal (funded or failed) once its settle window is over."""

    message_type = "close_funding_goal"

    goal_id: str


class AcceptExclusiveGoal(Message):
    """The streamer accepts an exclusive request: end its trigger goal as agreed, once,
    if it is still active, paid and not past its expiry, and start the exclusive session."""

    message_type = "accept_exclusive_goal"

    goal_id: str
    triggerer: str


class IncrementGoalProgress(Message):
    message_type = "increment_goal_progress"

    goal_id: str
    amount: int = Field(ge=1, le=MAX_COINS)
    cost: int = Field(ge=0, le=MAX_COINS)
    breakdown_id: str
    insert_id: str
    # When the goal accepted the payment (a ticket purchase's 202); a payment accepted
    # before the goal ended is counted during its settle window.
    accepted_at: datetime | None = None


class Transfer(Message):
    """Move coins from a user's wallet; `to_user_id` None means into escrow."""

    message_type = "transfer"

    transaction_id: str
    from_user_id: str
    to_user_id: str | None = None
    escrow_user_id: str | None = None  # whose escrow tag the hold carries
    amount: int = Field(gt=0, le=MAX_COINS)
    tags: list[str] = Field(default_factory=list)
    forced: bool = False
    timestamp: datetime | None = None


class Refund(Message):
    """Return an escrow hold (by its transaction id) to the payer, exactly once."""

    message_type = "refund"

    transaction_id: str
    reason: str = ""


class Release(Message):
    """Pay an escrow hold (by its transaction id) on to the beneficiary, exactly once."""

    message_type = "release"

    transaction_id: str
    reason: str = ""


class Settle(Message):
    """Split an escrow hold once: `release_amount` to the beneficiary, the rest refunded.

    One wallet operation keyed by `settlement_id` (default `settle:{transaction_id}`), so a
    redelivered command, or a retry after a crash, never moves a coin twice."""

    message_type = "settle"

    transaction_id: str
    release_amount: int = Field(ge=0)
    settlement_id: str | None = None
    reason: str = ""

    @property
    def wallet_settlement_id(self) -> str:
        return self.settlement_id or f"settle:{self.transaction_id}"
