"""Base classes for contract models."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from livestream_schemas.bounds import MAX_COINS


class Message(BaseModel):
    """A payload. Additive changes only; a breaking change is a new schema_version."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    message_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


class GoalLevel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    title: str = ""
    target: int = Field(ge=0, le=MAX_COINS)


class BreakdownEntry(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    progress: int = 0
    cost: int = 0


class UserInfo(BaseModel):
    """Public profile data attached to balance events (`metadata.user`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    username: str = ""
    tags: list[str] = Field(default_factory=list)
    tagsv2: dict[str, str] = Field(default_factory=dict)
    level: int = 0
