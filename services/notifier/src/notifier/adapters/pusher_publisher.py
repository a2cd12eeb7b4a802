"""Publish to any Pusher-protocol server through the official `pusher` SDK."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pusher
from opentelemetry import trace

from notifier.config import Settings

_tracer = trace.get_tracer(__name__)


def _client(settings: Settings) -> pusher.Pusher:
    return pusher.Pusher(
        app_id=settings.pusher_app_id,
        key=settings.pusher_key,
        secret=settings.pusher_secret,
        ssl=settings.pusher_ssl,
        host=settings.pusher_host,
        port=settings.pusher_port,
        timeout=settings.pusher_timeout_s,
    )


class PusherPublisher:
    def __init__(self, settings: Settings) -> None:
        self._client = _client(settings)

    async def trigger(self, channels: Sequence[str], event: str, data: dict[str, Any]) -> None:
        attributes = {"pusher.event": event, "pusher.channels": list(channels)}
        with _tracer.start_as_current_span(
            f"pusher trigger {event}", kind=trace.SpanKind.CLIENT, attributes=attributes
        ):
            # The SDK's default backend blocks on HTTP; keep the event loop (and faust) free.
            await asyncio.to_thread(self._client.trigger, list(channels), event, data)

    def authenticate(
        self, channel: str, socket_id: str, custom_data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Signature only (no I/O); raises ValueError for a malformed channel or socket id."""
        return dict(self._client.authenticate(channel, socket_id, custom_data))
