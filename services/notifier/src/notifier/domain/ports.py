"""What handlers and routes need from the outside world; adapters and fakes implement it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from notifier.domain.channel_state import ChannelState
from notifier.domain.channels import UserProfile
from service_kit.faults import DependencyUnavailable


class PusherUnavailable(DependencyUnavailable):
    """The Pusher server did not answer in time, or answered 5xx/429: try again later."""


class ChannelPublisher(Protocol):
    async def trigger(self, channels: Sequence[str], event: str, data: dict[str, Any]) -> None:
        """Publish one event to channels; raises when the server did not take it
        (PusherUnavailable when it may take it later)."""

    def authenticate(
        self, channel: str, socket_id: str, custom_data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The subscription signature {"auth": "key:hex"} (+ "channel_data" for presence)."""


class PublishedEvents(Protocol):
    """Which (event, receiver) pairs already reached Pusher."""

    async def seen(self, key: str) -> bool: ...

    async def record(self, key: str, *, at: datetime) -> None: ...


class ChannelStates(Protocol):
    async def load(self, streamer_id: str) -> ChannelState: ...

    async def save(self, state: ChannelState) -> bool:
        """Store `state` if nobody stored another since it was loaded (its `rev`)."""


class Users(Protocol):
    async def get(self, user_id: str) -> UserProfile | None: ...

    async def upsert(self, profile: UserProfile, *, as_of: datetime) -> None:
        """Keep the newest profile: an older `as_of` than stored changes nothing."""
