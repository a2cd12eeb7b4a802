"""In-memory stand-ins for the notifier's ports, plus builders of test messages."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope, encode
from livestream_schemas.goals import (
    EXCLUSIVE_GOAL,
    SHOW_FUNDING_GOAL,
    TRIGGER_EXCLUSIVE_GOAL,
    GoalAdded,
    GoalEnded,
    GoalProgressed,
)
from livestream_schemas.pusher import check_event
from notifier.domain.channel_state import ChannelState
from notifier.domain.channels import UserProfile

KEY, SECRET = "test-key", "test-secret"
T0 = datetime(2025, 4, 28, 3, 0, tzinfo=UTC)


def pusher_signature(secret: str, string_to_sign: str) -> str:
    """Pusher's subscription signature, computed independently of the SDK."""
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class Trigger:
    channels: list[str]
    event: str
    data: dict[str, Any]


@dataclass
class FakePublisher:
    triggers: list[Trigger] = field(default_factory=list)
    fail_next: int = 0

    async def trigger(self, channels: Sequence[str], event: str, data: dict[str, Any]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("pusher unavailable")
        # Round-trip through JSON as the SDK does, so unserialisable payloads fail here too.
        sent = json.loads(json.dumps(data))
        # Every event the handlers publish is one the AsyncAPI document declares, on its
        # declared channels, with data that fits its declared model.
        check_event(list(channels), event, sent)
        self.triggers.append(Trigger(list(channels), event, sent))

    def authenticate(
        self, channel: str, socket_id: str, custom_data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        if "." not in socket_id:
            raise ValueError(f"Invalid socket ID: {socket_id}")
        to_sign = f"{socket_id}:{channel}"
        result: dict[str, Any] = {}
        if custom_data:
            result["channel_data"] = json.dumps(custom_data)
            to_sign += f":{result['channel_data']}"
        return {"auth": f"{KEY}:{pusher_signature(SECRET, to_sign)}", **result}


@dataclass
class FakePublishedEvents:
    keys: dict[str, datetime] = field(default_factory=dict)

    async def seen(self, key: str) -> bool:
        return key in self.keys

    async def record(self, key: str, *, at: datetime) -> None:
        self.keys.setdefault(key, at)


@dataclass
class FakeChannelStates:
    docs: dict[str, ChannelState] = field(default_factory=dict)
    # Simulates another replica saving first: the next N saves lose the race.
    conflicts: int = 0

    async def load(self, streamer_id: str) -> ChannelState:
        return self.docs.get(streamer_id, ChannelState(streamer_id))

    async def save(self, state: ChannelState) -> bool:
        stored = self.docs.get(state.streamer_id)
        if self.conflicts:
            self.conflicts -= 1
            self.docs[state.streamer_id] = replace(
                stored or ChannelState(state.streamer_id), rev=state.rev + 1
            )
            return False
        if (stored.rev if stored else 0) != state.rev:
            return False
        self.docs[state.streamer_id] = replace(state, rev=state.rev + 1)
        return True


@dataclass
class FakeUsers:
    profiles: dict[str, tuple[UserProfile, datetime]] = field(default_factory=dict)

    async def get(self, user_id: str) -> UserProfile | None:
        stored = self.profiles.get(user_id)
        return stored[0] if stored else None

    async def upsert(self, profile: UserProfile, *, as_of: datetime) -> None:
        stored = self.profiles.get(profile.user_id)
        if stored is None or stored[1] < as_of:
            self.profiles[profile.user_id] = (profile, as_of)

    def add(self, user_id: str, *, username: str = "", level: int = 0, tags: Sequence[str] = ()):  # type: ignore[no-untyped-def]
        self.profiles[user_id] = (UserProfile(user_id, username, level, tuple(tags)), T0)


# ---- message builders -------------------------------------------------------------


def envelope_of(message: Message, *, key: str = "k", at: datetime = T0) -> Envelope:
    envelope = encode(message, key=key)
    return envelope.model_copy(update={"occurred_at": at})


def _goal_fields(cls: str, overrides: dict[str, Any]) -> dict[str, Any]:
    viewer = overrides.pop("viewer", "viewer-1")
    exclusive = cls in (TRIGGER_EXCLUSIVE_GOAL, EXCLUSIVE_GOAL)
    fields: dict[str, Any] = {
        "goal_id": "goal-1",
        "_cls": cls,
        "active": True,
        "conditions": {
            "session_id": "session-1",
            **({"exclusive_to": viewer} if exclusive else {}),
        },
        "context": {"type": "trigger-exclusive", "exclusive_to": viewer} if exclusive else {},
        "levels": [] if exclusive else [{"title": "show", "target": 10}],
        "progress": 0,
        "exp": T0 + timedelta(hours=1),
        "metadata": {"user_id": "streamer-1", "insert_ids": ["tx-1", "tx-2"]},
        "version": 1,
    }
    fields.update(overrides)
    return fields


def goal_added(cls: str = SHOW_FUNDING_GOAL, **overrides: Any) -> GoalAdded:
    fields = _goal_fields(cls, overrides)
    fields.setdefault("session_id", "session-1")
    fields.setdefault("streamer_id", fields["metadata"].get("user_id", "streamer-1"))
    return GoalAdded.model_validate(fields)


def goal_progressed(cls: str = SHOW_FUNDING_GOAL, **overrides: Any) -> GoalProgressed:
    fields = _goal_fields(cls, {"progress": 1, "version": 2, **overrides})
    fields.setdefault("amount", 1)
    fields.setdefault("cost", 100)
    fields.setdefault("breakdown_id", "viewer-1")
    fields.setdefault("insert_id", "tx-1")
    fields.setdefault("breakdown", {"viewer-1": {"progress": 1, "cost": 100}})
    return GoalProgressed.model_validate(fields)


def goal_ended(cls: str = SHOW_FUNDING_GOAL, **overrides: Any) -> GoalEnded:
    fields = _goal_fields(cls, {"active": False, "progress": 1, "version": 3, **overrides})
    fields.setdefault("triggerer", "web")
    fields.setdefault("breakdown", {"viewer-1": {"progress": 1, "cost": 100}})
    return GoalEnded.model_validate(fields)
