"""Publish to any Pusher-protocol server through the official `pusher` SDK."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pusher
import requests
from opentelemetry import trace
from pusher.errors import PusherBadStatus

from notifier.config import Settings
from notifier.domain.ports import PusherUnavailable
from service_kit.faults import RETRYABLE_STATUS

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
            await self._send(channels, event, data)

    async def _send(self, channels: Sequence[str], event: str, data: dict[str, Any]) -> None:
        # The SDK's default backend blocks on HTTP; keep the event loop (and faust) free.
        # Its requests carry the `timeout` setting, so a hung server cannot hold a worker.
        try:
            await asyncio.to_thread(self._client.trigger, list(channels), event, data)
        except requests.RequestException as exc:  # refused, reset, timed out
            raise PusherUnavailable(f"{type(exc).__name__}: {exc}") from exc
        except PusherBadStatus as exc:  # "<status>: <body>" for anything but 2xx/400/401/403
            if _status(exc) in RETRYABLE_STATUS:
                raise PusherUnavailable(str(exc)) from exc
            raise

    def authenticate(
        self, channel: str, socket_id: str, custom_data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Signature only (no I/O); raises ValueError for a malformed channel or socket id."""
        return dict(self._client.authenticate(channel, socket_id, custom_data))


def _status(exc: PusherBadStatus) -> int:
    head = str(exc).split(":", 1)[0].strip()
    return int(head) if head.isdigit() else 0
