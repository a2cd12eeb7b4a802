"""A dependency down or slow is the client's cue to come back later, never a 500."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_kit.faults import is_transient
from service_kit.problems import problem_response

log = logging.getLogger(__name__)

# Seconds a client should wait before retrying a request that met an outage.
RETRY_AFTER_S = "2"


class Outages:
    """Answer 503 with Retry-After when a route meets an unavailable dependency, and give
    every other 503 (readiness, a route's own) a Retry-After too.

    Plain ASGI, inside Observe, so the 503 is what the metrics and the trace see.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_retry_after(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", ()))
                if message["status"] == 503 and all(
                    k.lower() != b"retry-after" for k, _ in headers
                ):
                    headers.append((b"retry-after", RETRY_AFTER_S.encode()))
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_retry_after)
        except Exception as exc:
            if started or not is_transient(exc):
                raise
            error = f"{type(exc).__name__}: {exc}"
            log.warning(
                "dependency unavailable", extra={"fields": {"path": scope["path"], "error": error}}
            )
            detail = f"{type(exc).__name__}; try again shortly"
            response = problem_response(503, "dependency_unavailable", detail)
            await response(scope, receive, send_with_retry_after)
