"""A dead letter: the original bytes on `<service>.dlq`, with headers saying which topic it
came from, which group and receiver failed it, why and after how many tries.
`service_kit.admin redrive` sends it back to its topic with the two redrive headers; only
the group and the receiver they name run it again.
"""

from __future__ import annotations

import logging

from livestream_schemas.envelope import Envelope
from service_kit import metrics
from service_kit.faults import DeadLetterFailed, Failure
from service_kit.kafka import Publisher
from service_kit.settings import KitSettings

log = logging.getLogger(__name__)

REDRIVE_GROUP = "redrive.group"
REDRIVE_HANDLER = "redrive.handler"


async def park(
    publisher: Publisher,
    settings: KitSettings,
    topic: str,
    raw: bytes,
    *,
    key: bytes,
    handler: str,
    failure: Failure,
) -> None:
    """Write the dead letter; raises DeadLetterFailed when Kafka does not take it."""
    service = settings.service_name
    envelope = Envelope(
        type="dead_letter", key=key.decode(errors="replace") or "unknown", payload={}
    )
    headers = [
        ("dlq.original_topic", topic.encode()),
        ("dlq.group", service.encode()),
        ("dlq.handler", handler.encode()),
        ("dlq.error", failure.error[:2000].encode()),
        ("dlq.attempts", str(failure.attempts).encode()),
    ]
    try:
        await publisher.send(settings.dlq_topic, envelope, value=raw, extra_headers=headers)
    except Exception as exc:
        raise DeadLetterFailed(f"{type(exc).__name__}: {exc}") from exc
    metrics.MESSAGES_DEAD_LETTERED.labels(service, topic).inc()
    log.error(
        "dead-lettered",
        extra={"fields": {"topic": topic, "handler": handler, "error": failure.error}},
    )
