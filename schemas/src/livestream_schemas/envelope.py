"""The one envelope every Kafka message travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from livestream_schemas.base import Message


def _now() -> datetime:
    return datetime.now(UTC)


def new_event_id() -> str:
    return uuid.uuid4().hex


class Envelope(BaseModel):
    """Metadata shared by every message; `payload` is validated against `type`."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(default_factory=new_event_id)
    type: str
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=_now)
    key: str
    # W3C trace context (traceparent/tracestate) carried from the HTTP edge.
    trace: dict[str, str] = Field(default_factory=dict)
    payload: dict[str, Any]


def encode(
    payload: Message,
    *,
    key: str,
    trace: dict[str, str] | None = None,
    event_id: str | None = None,
) -> Envelope:
    """Wrap a payload model in an envelope of its declared type and version."""
    kwargs: dict[str, Any] = {}
    if event_id:
        kwargs["event_id"] = event_id
    return Envelope(
        type=payload.message_type,
        schema_version=payload.schema_version,
        key=key,
        trace=trace or {},
        payload=payload.model_dump(mode="json", by_alias=True),
        **kwargs,
    )


def decode(raw: bytes | str) -> tuple[Envelope, Message]:
    """Parse raw bytes into the envelope and its typed payload (raises ValueError)."""
    from livestream_schemas.registry import payload_model

    envelope = Envelope.model_validate_json(raw)
    model = payload_model(envelope.type, envelope.schema_version)
    return envelope, model.model_validate(envelope.payload)
