"""Channel names, and who may subscribe to which channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PRIVATE_STREAM = "private-stream@"
PRESENCE_STREAM = "presence-stream@"
PRIVATE_USER = "private-user@"


@dataclass(frozen=True)
class UserProfile:
    """What the notifier knows of a user (from `user.updated`)."""

    user_id: str
    username: str = ""
    level: int = 0
    tags: tuple[str, ...] = ()

    def blocked_by(self, streamer_id: str) -> bool:
        return f"blocked-by:{streamer_id}" in self.tags


def streamer_channels(streamer_id: str) -> list[str]:
    """The three channels a streamer's apps (and the stream's viewers) listen on."""
    return [
        f"{PRIVATE_STREAM}{streamer_id}",
        f"{PRESENCE_STREAM}{streamer_id}",
        f"{PRIVATE_USER}{streamer_id}",
    ]


def user_channel(user_id: str) -> str:
    return f"{PRIVATE_USER}{user_id}"


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: str = ""
    # Presence channels publish who is there; this becomes the member's `channel_data`.
    presence: dict[str, Any] | None = field(default=None)


def _owner(channel: str, prefix: str) -> str | None:
    if channel.startswith(prefix) and len(channel) > len(prefix):
        return channel[len(prefix) :]
    return None


def may_watch_stream(user: UserProfile, streamer_id: str) -> Access:
    """Any signed-in user may follow a stream unless its streamer blocked them."""
    if user.user_id != streamer_id and user.blocked_by(streamer_id):
        return Access(False, "blocked_by_streamer")
    return Access(True)


def decide(user: UserProfile, channel: str) -> Access:
    """Whether `user` may subscribe to `channel`; unknown channel kinds are refused."""
    if (owner := _owner(channel, PRIVATE_USER)) is not None:
        return Access(True) if owner == user.user_id else Access(False, "not_channel_owner")
    if (owner := _owner(channel, PRIVATE_STREAM)) is not None:
        return may_watch_stream(user, owner)
    if (owner := _owner(channel, PRESENCE_STREAM)) is not None:
        access = may_watch_stream(user, owner)
        if not access.allowed:
            return access
        info = {"id": user.user_id, "username": user.username, "level": user.level}
        return Access(True, presence={"user_id": user.user_id, "user_info": info})
    return Access(False, "unknown_channel")
