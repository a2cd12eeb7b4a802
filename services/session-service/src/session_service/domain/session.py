"""The live session aggregate: pricing, status and the goals bound to it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from session_service.domain.errors import DurationNotAllowed

# Bounds keep prices far inside MongoDB's int64 and reject nonsense pricing.
MAX_PER_MINUTE = 1_000_000_000
MAX_DURATION_S = 24 * 3600


class Pricing(BaseModel):
    model_config = ConfigDict(extra="ignore")

    exclusive_sd_per_minute: int = Field(ge=1, le=MAX_PER_MINUTE)
    exclusive_durations: list[Annotated[int, Field(ge=1, le=MAX_DURATION_S)]] = Field(
        min_length=1, max_length=50
    )

    @field_validator("exclusive_durations")
    @classmethod
    def _unique(cls, durations: list[int]) -> list[int]:
        return sorted(set(durations))

    @model_validator(mode="after")
    def _every_duration_costs_something(self) -> Pricing:
        # A free exclusive session would be a zero-coin transfer, which the wallet refuses.
        free = [d for d in self.exclusive_durations if self.price(d) < 1]
        if free:
            raise ValueError(f"durations {free} would cost 0 coins at this per-minute price")
        return self

    def price(self, duration: int) -> int:
        return self.exclusive_sd_per_minute * duration // 60


class Status(BaseModel):
    model_config = ConfigDict(extra="ignore")

    preset: Literal["hd", "sd"] = "hd"
    exclusive_to: str | None = None


class ShowGoalPair(BaseModel):
    model_config = ConfigDict(extra="ignore")

    funding_goal: str | None = None
    funding_ended: datetime | None = None
    # Set with funding_ended: whether the funding reached its target (a show follows).
    funded: bool | None = None
    show_goal: str | None = None
    show_ended: datetime | None = None

    @property
    def show_pending(self) -> bool:
        """A funded show that has not ended (bound or about to be bound)."""
        return bool(self.funded or self.show_goal) and self.show_ended is None


class ExclusiveGoalPair(BaseModel):
    model_config = ConfigDict(extra="ignore")

    trigger_exclusive_goal: str | None = None
    trigger_exclusive_goal_ended: datetime | None = None
    trigger_exclusive_goal_agreed: datetime | None = None
    trigger_exclusive_goal_cooldown: datetime | None = None
    exclusive_goal: str | None = None
    exclusive_goal_ended: datetime | None = None


class Session(BaseModel):
    model_config = ConfigDict(extra="ignore")

    session_id: str
    user_id: str
    active: bool = True
    title: str = ""
    pricing: Pricing
    status: Status = Field(default_factory=Status)
    show_goal_pairs: list[ShowGoalPair] = Field(default_factory=list)
    exclusive_goal_pairs: dict[str, ExclusiveGoalPair] = Field(default_factory=dict)
    created_at: datetime

    def get_exclusive_sd_price(self, duration: int) -> int:
        """Integer coins for an exclusive SD session of `duration` seconds."""
        if duration not in self.pricing.exclusive_durations:
            allowed = ", ".join(str(d) for d in self.pricing.exclusive_durations)
            raise DurationNotAllowed(detail=f"allowed durations (s): {allowed}")
        return self.pricing.price(duration)

    @property
    def last_show_goal_pair(self) -> ShowGoalPair | None:
        return self.show_goal_pairs[-1] if self.show_goal_pairs else None

    @property
    def is_exclusive(self) -> bool:
        return self.status.preset == "sd" and self.status.exclusive_to is not None

    def show_pair_index_of_show(self, show_goal: str) -> int | None:
        for index, pair in enumerate(self.show_goal_pairs):
            if pair.show_goal == show_goal:
                return index
        return None

    def show_pair_index(self, funding_goal: str) -> int | None:
        for index, pair in enumerate(self.show_goal_pairs):
            if pair.funding_goal == funding_goal:
                return index
        return None

    def trigger_agreed(self, viewer_id: str, goal_id: str) -> bool:
        """Whether the streamer accepted this very request (not an older one)."""
        pair = self.exclusive_goal_pairs.get(viewer_id)
        return bool(
            pair
            and pair.trigger_exclusive_goal == goal_id
            and pair.trigger_exclusive_goal_agreed is not None
        )
