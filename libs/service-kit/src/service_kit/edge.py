"""What every API does before a route runs: cap the body, and answer errors in one shape."""

from __future__ import annotations

import time

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_kit import metrics, telemetry
from service_kit.problems import problem_response

# The methods the metrics label by name; anything else a client sends is counted as "other",
# so a client cannot mint a new series per request.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else "other"


class Observe:
    """Answer with the request's trace, and count every request by route.

    The OpenTelemetry middleware around the app has already opened the server span (continuing
    the caller's `traceparent`); the answer names it, so a client can find its trace.
    Plain ASGI rather than Starlette's BaseHTTPMiddleware, which reads the body in a task
    group: an exception raised while the route reads the body (BodyTooLarge) would reach
    the exception handlers wrapped in an ExceptionGroup and become a 500.
    """

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace = [(k.encode(), v.encode()) for k, v in telemetry.current_carrier().items()]
        started, status = time.perf_counter(), 500

        async def traced_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), *trace]}
            await send(message)

        try:
            await self.app(scope, receive, traced_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = method_label(scope["method"])
            metrics.HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(self.service, method, route).observe(
                time.perf_counter() - started
            )


# A refused body is still read (and dropped) up to this size before the 413 is sent: a server
# that answers and closes while the client is still sending makes the client's kernel see a
# reset instead of the answer. Past this, the connection is closed without reading.
DRAIN_MAX_BYTES = 1024 * 1024


class BodyLimit:
    """Answer 413 to a body over `max_bytes`, before authentication or a signature is checked.

    The body is read here, whole, before the app runs (every body of ours is small JSON), and
    handed on as one message; a larger one never reaches a route, whether its size was
    declared in Content-Length or only became known as chunks arrived.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            if declared <= DRAIN_MAX_BYTES:
                await _drain(receive, DRAIN_MAX_BYTES)
            await _too_large(self.max_bytes)(scope, receive, send)
            return
        body = await self._read(receive)
        if body is None:
            await _drain(receive, DRAIN_MAX_BYTES)
            await _too_large(self.max_bytes)(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only a disconnect can come

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The whole body, or None once it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)  # the client left; the app sees an empty body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


async def _drain(receive: Receive, budget: int) -> None:
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        budget -= len(message.get("body", b""))


def _too_large(max_bytes: int) -> JSONResponse:
    detail = f"request body is larger than {max_bytes} bytes"
    return problem_response(413, "body_too_large", detail, {"Connection": "close"})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Every HTTPException, ours (`problem()`: a dict with a reason) or Starlette's own (unknown
    route, wrong method), as problem details."""
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.detail, dict) and "reason" in exc.detail:
        reason, detail = str(exc.detail["reason"]), str(exc.detail.get("detail", ""))
    else:
        reason = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        detail = str(exc.detail)
    return problem_response(exc.status_code, reason, detail, exc.headers)
