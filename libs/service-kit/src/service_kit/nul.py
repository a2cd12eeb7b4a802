"""Refuse a NUL character (U+0000) in a request before any route sees it.

The MongoDB-API server on PostgreSQL can neither store nor compare a string holding one
(SQLSTATE 22P05: a lookup by such an id failed as a 500), and no field of ours has a use for
it. So the path, the query and a JSON or form body are checked once, here, for every route,
and a request holding one is answered 422 like any other malformed request.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_kit.problems import invalid_request

NUL = "\x00"
MESSAGE = "a NUL character (U+0000) is not accepted"


def json_has_nul(body: bytes) -> bool:
    """True when a string or a key of the JSON document holds a NUL. A body that is not JSON
    is left to the route's own validation."""
    try:
        stack: list[Any] = [json.loads(body)]
    except (ValueError, RecursionError):
        return False
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if NUL in node:
                return True
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def where_nul(scope: Scope, body: bytes) -> str | None:
    """Which part of the request holds a NUL: path, query or body; None when none does."""
    if NUL in scope.get("path", ""):
        return "path"
    if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
        return "query"
    content_type = next((v for k, v in scope.get("headers", ()) if k == b"content-type"), b"")
    if b"form-urlencoded" in content_type:
        found = b"\x00" in unquote_to_bytes(body.replace(b"+", b" "))
    else:
        found = b"\x00" in body or (b"\\u0000" in body and json_has_nul(body))
    return "body" if found else None


class RefuseNul:
    """422 `invalid_request` for a request with a NUL in its path, query or body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        messages = [await receive()]
        while messages[-1]["type"] == "http.request" and messages[-1].get("more_body", False):
            messages.append(await receive())
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        if (part := where_nul(scope, body)) is not None:
            error = {"loc": [part], "msg": MESSAGE, "type": "nul_character"}
            await invalid_request([error])(scope, receive, send)
            return
        pending = iter(messages)

        async def replay() -> Message:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)
