"""The user profile the platform announces on `user.updated`, as services keep it.

Each service keeps its own copy (its own collection); this is the one shape and the
one mapping to and from the stored document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from livestream_schemas.base import UserInfo
from livestream_schemas.wallet import UserUpdated


@dataclass(frozen=True)
class UserProfile:
    user_id: str
    wallet_id: str
    username: str = ""
    tags: tuple[str, ...] = ()
    tagsv2: dict[str, str] = field(default_factory=dict)
    level: int = 0

    @classmethod
    def from_event(cls, message: UserUpdated) -> UserProfile:
        return cls(
            user_id=message.user_id,
            wallet_id=message.wallet_id,
            username=message.username,
            tags=tuple(message.tags),
            tagsv2=dict(message.tagsv2),
            level=message.level,
        )

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> UserProfile:
        return cls(
            user_id=doc["_id"],
            wallet_id=doc["wallet_id"],
            username=doc.get("username", ""),
            tags=tuple(doc.get("tags", ())),
            tagsv2=dict(doc.get("tagsv2", {})),
            level=int(doc.get("level", 0)),
        )

    def fields(self) -> dict[str, Any]:
        """The stored document, less its `_id`."""
        return {
            "wallet_id": self.wallet_id,
            "username": self.username,
            "tags": list(self.tags),
            "tagsv2": dict(self.tagsv2),
            "level": self.level,
        }

    def info(self) -> UserInfo:
        """The public part balance events carry as `metadata.user`."""
        return UserInfo(
            id=self.user_id,
            username=self.username,
            tags=list(self.tags),
            tagsv2=dict(self.tagsv2),
            level=self.level,
        )
