"""What goal-service's routes take and answer, with the bounds the code enforces, so the
OpenAPI document states them. Answers allow extra members: clients ignore what they do not
know, so adding one is not a breaking change."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from livestream_schemas.bounds import MAX_COINS, EpochSeconds

# Ids are ours (24 hex characters) or a session's; anything else cannot name a goal.
SESSION_ID = r"^[A-Za-z0-9_-]+$"


class OpenGoalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=1, max_length=64, pattern=SESSION_ID)
    title: str = Field(min_length=1, max_length=200)
    target: int = Field(ge=1, le=1_000_000, description="tickets")
    ticket_price: int = Field(ge=1, le=1_000_000_000, description="coins per ticket")
    exp: EpochSeconds | None = Field(
        default=None, description="epoch seconds, future, at most 7 days; none: 24 h"
    )


class TicketsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=100)


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class GoalOpened(Answer):
    goal_id: str
    cls: str = Field(alias="_cls")
    session_id: str
    title: str
    target: int
    ticket_price: int
    exp: int = Field(description="epoch seconds")
    status: Literal["pending"] = Field(description="goal.created follows once the worker ran")


class Contributor(Answer):
    user_id: str
    progress: int = Field(ge=0)
    cost: int = Field(ge=0, le=MAX_COINS * 1000)


class GoalState(Answer):
    goal_id: str
    cls: str = Field(alias="_cls")
    active: bool
    state: str = Field(description="active, running, settling, or how it ended (its outcome)")
    outcome: str | None
    funding_goal: str | None = Field(description="a ShowGoal: the funding goal it pays for")
    started_at: int | None
    title: str
    progress: int
    target: int | None
    ticket_price: int | None
    session_id: str | None
    streamer_id: str | None
    exp: int | None = Field(description="epoch seconds")
    ended_at: int | None
    version: int
    contributors: int = Field(default=0, description="how many users contributed")
    leaderboard: list[Contributor] = Field(
        description="the top contributors, most tickets first; the rest: /leaderboard"
    )


class RankedContributor(Contributor):
    rank: int = Field(ge=1)


class LeaderboardPage(Answer):
    goal_id: str
    contributors: int
    offset: int
    entries: list[RankedContributor] = Field(description="most progress first, then coins")
    next_offset: int | None = Field(description="the next page's offset; none: last page")


class GoalChange(Answer):
    """A change asked of the goal's worker; the goal events follow."""

    goal_id: str
    status: str = Field(description="ending, starting, cancelling: applied in a moment")


class TicketsBought(Answer):
    purchase_id: str
    transaction_id: str = Field(description="the escrow hold's wallet transaction id")
    goal_id: str
    amount: int = Field(description="coins held in escrow")
    count: int


class RequestAnswered(Answer):
    goal_id: str
    outcome: Literal["agreed", "declined"]
    session_id: str | None
    viewer_id: str | None
    exclusive_goal_id: str | None = Field(default=None, description="accepted: the session")
    prepaid_duration: int | None = Field(default=None, description="accepted: seconds")
