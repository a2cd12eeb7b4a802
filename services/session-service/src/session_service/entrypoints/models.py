"""What session-service's routes take and answer, with the bounds the code enforces, so the
OpenAPI document states them. Answers allow extra members: clients ignore what they do not
know, so adding one is not a breaking change."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from livestream_schemas.bounds import EpochSeconds
from session_service.domain.feed import FeedKind
from session_service.domain.session import (
    MAX_DURATION_S,
    ExclusiveGoalPair,
    Pricing,
    ShowGoalPair,
    Status,
)


class OpenSessionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=200)
    pricing: Pricing


class TriggerExclusiveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exp: EpochSeconds = Field(description="epoch seconds; future, at most max_exclusive_request_s")
    duration: int = Field(
        gt=0, le=MAX_DURATION_S, description="seconds; one of the session's priced durations"
    )


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class SessionView(Answer):
    """A session as the caller may see it: who requested an exclusive session is shown only
    to the streamer and to that viewer."""

    session_id: str
    user_id: str = Field(description="the streamer")
    active: bool
    title: str
    pricing: Pricing
    status: Status
    show_goal_pairs: list[ShowGoalPair]
    exclusive_goal_pairs: dict[str, ExclusiveGoalPair] = Field(description="by viewer id")
    created_at: datetime


class FeedEntryView(Answer):
    entry_id: str
    session_id: str
    streamer_id: str
    goal_id: str
    cls: str = Field(alias="_cls")
    kind: FeedKind
    occurred_at: str = Field(description="ISO 8601")
    title: str | None = Field(default=None, description="show_funding_opened")
    target: int | None = Field(default=None, description="show_funding_opened")
    exclusive_to: str | None = Field(default=None, description="exclusive_requested")
    prepaid_duration: int | None = Field(default=None, description="exclusive_requested")


class Feed(Answer):
    session_id: str
    entries: list[FeedEntryView] = Field(description="newest first")


class TriggerAccepted(Answer):
    goal_id: str = Field(description="the TriggerExclusiveGoal tracking the request")
    amount: int = Field(description="coins held in escrow")
    exp: int
    duration: int
    transaction_id: str


class OpenRequestView(Answer):
    viewer_id: str
    goal_id: str
    amount: int | None
    duration: int | None
    exp: int | None
    requested_at: str | None


class OpenRequests(Answer):
    session_id: str
    requests: list[OpenRequestView] = Field(description="oldest first")


class RequestAnswered(Answer):
    goal_id: str
    outcome: Literal["agreed", "declined"]
    session_id: str | None = None
    viewer_id: str | None = None
    exclusive_goal_id: str | None = None
    prepaid_duration: int | None = None


class ExclusiveEnding(Answer):
    session_id: str
    viewer_id: str
    goal_id: str | None = Field(description="the ExclusiveGoal")
    state: Literal["ending", "ended"]
