"""Publish to any Pusher-protocol server through the official `pusher` SDK."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pusher

from notifier.config import Settings


def _client(settings: Settings) -> pusher.Pusher:
    # The SDK only accepts numeric app ids (hosted Pusher's format) while Pusher-protocol
    # servers such as Sockudo take any string; build with a placeholder, then use the real id.
    numeric = settings.pusher_app_id.isdigit()
    client = pusher.Pusher(
        app_id=settings.pusher_app_id if numeric else "0",
        key=settings.pusher_key,
        secret=settings.pusher_secret,
        ssl=settings.pusher_ssl,
        host=settings.pusher_host,
        port=settings.pusher_port,
        timeout=settings.pusher_timeout_s,
    )
    if not numeric:
        client._pusher_client._app_id = settings.pusher_app_id
        client._authentication_client._app_id = settings.pusher_app_id
    return client


class PusherPublisher:
    def __init__(self, settings: Settings) -> None:
        self._client = _client(settings)

    async def trigger(self, channels: Sequence[str], event: str, data: dict[str, Any]) -> None:
        # The SDK's default backend blocks on HTTP; keep the event loop (and faust) free.
        await asyncio.to_thread(self._client.trigger, list(channels), event, data)

    def authenticate(
        self, channel: str, socket_id: str, custom_data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Signature only (no I/O); raises ValueError for a malformed channel or socket id."""
        return dict(self._client.authenticate(channel, socket_id, custom_data))
