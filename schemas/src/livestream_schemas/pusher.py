"""What apps receive on Pusher channels: each channel kind, each event and its data.

The notifier publishes these (its unit tests check every event they trigger against this
catalogue) and the AsyncAPI document is generated from it. Data models allow extra members:
apps ignore what they do not know, so adding a member is not a breaking change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from livestream_schemas.base import BreakdownEntry, GoalLevel
from livestream_schemas.goals import TopContributor

PRIVATE_STREAM = "private-stream@{streamer_id}"
PRESENCE_STREAM = "presence-stream@{streamer_id}"
PRIVATE_USER = "private-user@{user_id}"


class ClientEvent(BaseModel):
    """Every event carries its id (apps drop duplicates) and when it happened."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    event_id: str
    occurred_at: datetime


class GoalView(BaseModel):
    """A goal as apps see it: no payment ids, the top contributors only."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    goal_id: str
    cls: str = Field(alias="_cls", description="ShowFundingGoal, TriggerExclusiveGoal, ...")
    active: bool
    progress: int = 0
    levels: list[GoalLevel] = Field(default_factory=list)
    conditions: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    nbf: datetime | None = None
    exp: datetime | None = None
    version: int = Field(ge=1, description="increases with every change: apps order by it")
    breakdown: dict[str, BreakdownEntry] = Field(
        default_factory=dict, description="top contributors by coins, keyed by user id"
    )
    contributors: int = Field(default=0, ge=0)
    top: list[TopContributor] = Field(
        default_factory=list, description="the top contributors, most progress first"
    )
    cost: int = Field(default=0, ge=0, description="coins counted on the goal")


class GoalEvent(ClientEvent):
    goal: GoalView


class GoalAddedData(GoalEvent):
    session_id: str
    streamer_id: str


class GoalProgressUpdatedData(GoalEvent):
    amount: int
    breakdown_id: str = Field(description="the contributor (user id)")


class GoalEndedData(GoalEvent):
    triggerer: str


class ShowEndedData(GoalEvent):
    outcome: str | None = None
    funding_goal: str | None = None


class ExclusiveData(ClientEvent):
    session_id: str | None
    viewer_id: str
    goal_id: str
    outcome: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    prepaid_duration: int | None = None
    version: int


class MoneyData(ClientEvent):
    transaction_id: str
    amount: int = Field(ge=0)
    goal_id: str | None = None


class EscrowRefundedData(MoneyData):
    refunded_transaction_id: str = Field(description="the hold this refund settled")
    tags: list[str] = Field(default_factory=list)
    session_id: str | None = None


class EscrowReleasedData(MoneyData):
    released_transaction_id: str = Field(description="the hold this release settled")
    tags: list[str] = Field(default_factory=list)
    session_id: str | None = None
    payer_id: str | None = None


class TransferFailedData(MoneyData):
    reason: str
    tags: list[str] = Field(default_factory=list)
    session_id: str | None = None


class BalanceChangedData(MoneyData):
    direction: Literal["debit", "credit"]
    reason: Literal["exclusive_request", "show_ticket", "refund", "release", "other"]


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    description: str


@dataclass(frozen=True)
class EventSpec:
    name: str
    data: type[ClientEvent]
    channels: tuple[str, ...]
    description: str


STREAM_CHANNELS = (PRIVATE_STREAM, PRESENCE_STREAM, PRIVATE_USER)
CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec(PRIVATE_STREAM, "a stream's goals; any signed-in user not blocked by it"),
    ChannelSpec(PRESENCE_STREAM, "the same, with who is watching; members are users"),
    ChannelSpec(PRIVATE_USER, "one user's own notices; that user only"),
)


def _stream(name: str, data: type[ClientEvent], description: str) -> EventSpec:
    return EventSpec(name, data, STREAM_CHANNELS, description)


def _exclusive(name: str, description: str) -> EventSpec:
    return EventSpec(name, ExclusiveData, STREAM_CHANNELS, description)


EVENTS: tuple[EventSpec, ...] = (
    _stream("goal.added", GoalAddedData, "a goal was opened on the streamer's session"),
    _stream("goal.progress.updated", GoalProgressUpdatedData, "a contribution was counted"),
    _stream(
        "goal.ended",
        GoalEndedData,
        "a goal ended (on the requesting viewer's private-user channel too)",
    ),
    _stream("show.started", GoalEvent, "the streamer started a funded show"),
    _stream("show.ended", ShowEndedData, "the show was held: the streamer is paid"),
    _stream("show.cancelled", ShowEndedData, "the show will not happen: buyers are refunded"),
    _exclusive("exclusive.accepted", "the streamer accepted an exclusive request"),
    _exclusive("exclusive.declined", "the streamer declined an exclusive request"),
    _exclusive("exclusive.started", "an exclusive session started"),
    _exclusive("exclusive.ended", "an exclusive session ended; it is settled per minute"),
    EventSpec(
        "escrow.refunded", EscrowRefundedData, (PRIVATE_USER,), "coins held came back to you"
    ),
    EventSpec(
        "escrow.released", EscrowReleasedData, (PRIVATE_USER,), "coins held were paid to you"
    ),
    EventSpec(
        "transfer.failed", TransferFailedData, (PRIVATE_USER,), "the wallet refused a payment"
    ),
    EventSpec(
        "balance.changed",
        BalanceChangedData,
        (PRIVATE_USER,),
        "your balance changed: read it again",
    ),
)
EVENTS_BY_NAME = {spec.name: spec for spec in EVENTS}


def channel_kind(channel: str) -> str | None:
    """The channel spec a concrete channel name belongs to (`private-user@u1` -> PRIVATE_USER)."""
    for spec in CHANNELS:
        prefix = spec.name.split("{", 1)[0]
        if channel.startswith(prefix) and len(channel) > len(prefix):
            return spec.name
    return None


def check_event(channels: list[str], event: str, data: dict[str, Any]) -> None:
    """Raise ValueError unless `event` is declared, its data fits, and every channel is one it
    is declared on."""
    spec = EVENTS_BY_NAME.get(event)
    if spec is None:
        raise ValueError(f"undeclared Pusher event {event!r}")
    spec.data.model_validate(data)
    for channel in channels:
        if channel_kind(channel) not in spec.channels:
            raise ValueError(f"{event} is not declared on channel {channel!r}")
