"""Idempotency-Key semantics: one key, one request body, one answer (kept a while).

A key is scoped to the viewer, the route and the session, so the same key sent by two
viewers (or for two sessions) names two requests. The record holds the first accepted
answer; a retry with the same key and body gets that answer again, whether or not the
request it created is still open, and a retry with another body is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from session_service.domain.errors import IdempotencyKeyReused


def key_id(*, viewer_id: str, route: str, session_id: str, key: str) -> str:
    """The record's id: sha256 over what scopes the key (no raw client key is stored)."""
    material = "\x1f".join((viewer_id, route, session_id, key)).encode()
    return hashlib.sha256(material).hexdigest()


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer to a request sent with an Idempotency-Key."""

    key_id: str
    viewer_id: str
    session_id: str
    route: str
    request: dict[str, Any]  # the body the answer belongs to
    status: int
    body: dict[str, Any]
    created_at: datetime
    expires_at: datetime

    def live(self, now: datetime) -> bool:
        return now < self.expires_at

    def check_same_request(self, request: dict[str, Any]) -> None:
        check_same_request(self.request, request)


def check_same_request(first: dict[str, Any], again: dict[str, Any]) -> None:
    """A key names one request: the same key with another body is a client bug, not a retry."""
    if first != again:
        raise IdempotencyKeyReused(detail="this Idempotency-Key was used with another body")
