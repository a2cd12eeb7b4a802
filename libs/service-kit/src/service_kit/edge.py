"""What every API does before a route runs: cap the body, and answer errors in one shape."""

from __future__ import annotations

import time
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_kit import metrics, tracing

# The methods the metrics label by name; anything else a client sends is counted as "other",
# so a client cannot mint a new series per request.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else "other"


class Observe:
    """Continue the caller's trace, answer with it, and count every request by route.

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
        incoming = dict(scope.get("headers", ())).get(b"traceparent", b"")
        trace = tracing.child_of(incoming.decode("latin-1"))
        token = tracing.set_current(trace)
        started, status = time.perf_counter(), 500

        async def traced_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    *message.get("headers", ()),
                    (b"traceparent", trace["traceparent"].encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, traced_send)
        finally:
            tracing.reset(token)
            route = getattr(scope.get("route"), "path", "unmatched")
            method = method_label(scope["method"])
            metrics.HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(self.service, method, route).observe(
                time.perf_counter() - started
            )


def problem_body(reason: str, detail: str) -> dict[str, Any]:
    """The one documented error shape: {"detail": {"reason", "detail"}}."""
    return {"detail": {"reason": reason, "detail": detail}}


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Answer 413 to a body over `max_bytes`, before authentication or a signature is checked.

    A declared Content-Length is refused before anything is read; a chunked body is counted
    as it arrives and refused at the first chunk past the limit.
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
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the route's body read; `too_large` below answers it.
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _too_large(self.max_bytes)
        await response(scope, receive, send)


def _too_large(max_bytes: int) -> JSONResponse:
    detail = f"request body is larger than {max_bytes} bytes"
    return JSONResponse(
        problem_body("body_too_large", detail), status_code=413, headers={"Connection": "close"}
    )


async def too_large(request: Request, exc: Exception) -> JSONResponse:
    return _too_large(exc.args[0] if exc.args else 0)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (unknown route, wrong method) in the documented shape."""
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.detail, dict) and "reason" in exc.detail:
        body: dict[str, Any] = {"detail": exc.detail}
    else:
        reason = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        body = problem_body(reason, str(exc.detail))
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
