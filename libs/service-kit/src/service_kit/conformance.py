"""Tests' check that an API answers what its OpenAPI document says: every answer's status is
documented for its route, with the documented content type and a body that fits the schema.

The services' unit tests send every request through `checked_transport(app)` (or the hook),
so the committed documents cannot describe answers the code does not give.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from jsonschema import Draft202012Validator

# Building a document walks every model (most of a service's API test time), and each test
# builds a fresh app from the same routes: one document per distinct app shape.
_DOCUMENTS: dict[Hashable, dict[str, Any]] = {}


def _identity(call: Any) -> object:
    """A function by its code (closures made by one factory share it), else its type."""
    return getattr(call, "__code__", None) or type(call)


def _calls(dependant: Dependant | None) -> tuple[object, ...]:
    if dependant is None:
        return ()
    return (_identity(dependant.call), *(c for d in dependant.dependencies for c in _calls(d)))


def _shape(app: FastAPI) -> Hashable:
    """What the document is made from: each route's path, methods, code and declared answers."""
    routes = tuple(
        (
            type(r).__name__,
            getattr(r, "path", None),
            tuple(sorted(getattr(r, "methods", None) or ())),
            getattr(r, "response_model", None),
            getattr(r, "status_code", None),
            repr(getattr(r, "responses", None)),
            getattr(r, "include_in_schema", None),
            _calls(getattr(r, "dependant", None)),
        )
        for r in app.routes
    )
    return (app.title, app.version, app.description, _identity(app.openapi), routes)


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, built once per app shape (callers must not change it)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    shape = _shape(app)
    if shape not in _DOCUMENTS:
        _DOCUMENTS[shape] = app.openapi()
    return _DOCUMENTS[shape]


class Conformance:
    def __init__(self, app: FastAPI) -> None:
        self.doc = document(app)
        self.routes = [
            (re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", path) + "$"), path)
            for path in self.doc.get("paths", {})
        ]

    def problems(self, method: str, path: str, status: int, ctype: str, body: bytes) -> list[str]:
        template = next((t for pattern, t in self.routes if pattern.match(path)), None)
        if template is None:
            return []  # an unknown route: the 404 shape is the fuzz test's concern
        operation = self.doc["paths"][template].get(method.lower())
        if operation is None:
            return []
        where = f"{method} {template} -> {status}"
        response = operation["responses"].get(str(status))
        if response is None:
            return [f"{where}: status not documented"]
        content = response.get("content") or {}
        if not content:
            return []
        media = ctype.split(";", 1)[0].strip()
        if media not in content:
            return [f"{where}: content type {media!r} not in {sorted(content)}"]
        schema = content[media].get("schema")
        if not schema or not body:
            return []
        pointer = {**self.doc, **schema}
        errors = Draft202012Validator(pointer).iter_errors(json.loads(body))
        return [f"{where}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]

    def check(self, response: httpx.Response) -> None:
        request = response.request
        found = self.problems(
            request.method,
            request.url.path,
            response.status_code,
            response.headers.get("content-type", ""),
            response.content,
        )
        assert not found, "answer does not match the OpenAPI document:\n" + "\n".join(found)


class CheckedTransport(httpx.ASGITransport):
    """An ASGI transport that checks every answer against the app's OpenAPI document."""

    def __init__(self, app: FastAPI, **kwargs: Any) -> None:
        super().__init__(app=app, **kwargs)
        self.conformance = Conformance(app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        body = await response.aread()
        checked = httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )
        self.conformance.check(checked)
        return checked


def response_hook(app: FastAPI) -> Any:
    """A sync httpx response hook (for starlette's TestClient) doing the same check."""
    conformance = Conformance(app)

    def hook(response: httpx.Response) -> None:
        response.read()
        conformance.check(response)

    return hook
