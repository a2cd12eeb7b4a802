"""W3C trace context, carried from the HTTP edge through every Kafka hop."""

from __future__ import annotations

import contextvars
import re
import secrets

# A trace id the caller sends travels on into Kafka headers: only a well-formed one does.
_TRACE_ID = re.compile(r"[0-9a-f]{32}")

_current: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "trace", default=None
)


def new_traceparent(trace_id: str | None = None) -> str:
    return f"00-{trace_id or secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child_of(traceparent: str | None) -> dict[str, str]:
    """A new span id under the incoming trace (or a new trace when absent/invalid)."""
    parts = (traceparent or "").split("-")
    if len(parts) == 4 and _TRACE_ID.fullmatch(parts[1]):
        return {"traceparent": new_traceparent(parts[1])}
    return {"traceparent": new_traceparent()}


def set_current(trace: dict[str, str]) -> contextvars.Token[dict[str, str] | None]:
    return _current.set(trace)


def current() -> dict[str, str]:
    return dict(_current.get() or {})


def reset(token: contextvars.Token[dict[str, str] | None]) -> None:
    _current.reset(token)
