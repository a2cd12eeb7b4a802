"""Generate the committed AsyncAPI 3 document of every Kafka topic and Pusher channel:
python -m livestream_schemas.asyncapi [--check]. `make schemas` writes it, `make lint` checks it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from livestream_schemas import pusher
from livestream_schemas.envelope import Envelope
from livestream_schemas.registry import MESSAGE_TYPES
from livestream_schemas.topics import TopicSpec, all_topic_specs

OUT_FILE = Path(__file__).resolve().parents[2] / "asyncapi.json"
SCHEMAS = "#/components/schemas/"
DEAD_LETTER = "dead letter"

KAFKA_HEADERS = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "the message type (envelope `type`)"},
        "schema_version": {"type": "string", "description": "the payload's schema version"},
        "event_id": {"type": "string", "description": "consumers dedupe on it"},
        "traceparent": {"type": "string", "description": "W3C trace context"},
        "tracestate": {"type": "string", "description": "W3C trace context"},
    },
    "required": ["type", "schema_version", "event_id"],
}
DLQ_HEADERS = {
    "type": "object",
    "properties": {
        name: {"type": "string", "description": text}
        for name, text in (
            ("dlq.original_topic", "where the message was consumed"),
            ("dlq.handler", "the receiver that gave up"),
            ("dlq.error", "why (truncated to 2,000 characters)"),
            ("dlq.attempts", "how many times it was tried"),
        )
    },
}


def _schemas() -> tuple[dict[Any, Any], dict[str, Any]]:
    models: list[type[BaseModel]] = [Envelope, *MESSAGE_TYPES.values()]
    models += [spec.data for spec in pusher.EVENTS]
    refs, defs = models_json_schema(
        [(m, "validation") for m in dict.fromkeys(models)],
        ref_template=SCHEMAS + "{model}",
        by_alias=True,
    )
    return refs, defs.get("$defs", {})


def _message_id(message_type: str) -> str:
    return message_type.replace(".", "-")


def _kafka_message(model: Any, ref: dict[str, Any]) -> dict[str, Any]:
    """A Kafka message: the envelope whose `payload` is this model."""
    payload = {
        "allOf": [
            {"$ref": SCHEMAS + "Envelope"},
            {
                "type": "object",
                "properties": {
                    "type": {"const": model.message_type},
                    "schema_version": {"const": model.schema_version},
                    "payload": ref,
                },
            },
        ]
    }
    doc = (model.__doc__ or "").strip().splitlines()
    message = {
        "name": model.message_type,
        "title": f"{model.message_type} v{model.schema_version}",
        "contentType": "application/json",
        "headers": KAFKA_HEADERS,
        "payload": payload,
    }
    if doc and not doc[0].startswith("A payload."):
        message["summary"] = doc[0]
    return message


def _topic_channel(spec: TopicSpec) -> dict[str, Any]:
    parts = [f"Keyed by {spec.key}; {spec.partitions} partitions, kept {spec.retention_hours} h."]
    if spec.producers:
        parts.append("Written by " + ", ".join(spec.producers) + ".")
    if spec.consumers:
        parts.append("Read by " + ", ".join(spec.consumers) + ".")
    if spec.carries == (DEAD_LETTER,):
        parts.append("Holds the original bytes of messages a receiver gave up on.")
        messages = {"dead_letter": {"$ref": "#/components/messages/dead_letter"}}
    else:
        messages = {
            _message_id(t): {"$ref": f"#/components/messages/{_message_id(t)}"}
            for t in spec.carries
        }
    return {
        "address": spec.name,
        "description": " ".join(parts),
        "servers": [{"$ref": "#/servers/kafka"}],
        "messages": messages,
    }


def _pusher_channel(spec: pusher.ChannelSpec) -> dict[str, Any]:
    param = spec.name.split("{", 1)[1].rstrip("}")
    events = [e for e in pusher.EVENTS if spec.name in e.channels]
    return {
        "address": spec.name,
        "description": spec.description,
        "servers": [{"$ref": "#/servers/pusher"}],
        "parameters": {param: {"description": "a user id"}},
        "messages": {
            _message_id(e.name): {"$ref": f"#/components/messages/pusher-{_message_id(e.name)}"}
            for e in events
        },
    }


def _pusher_message(spec: pusher.EventSpec, ref: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": spec.name,
        "title": spec.name,
        "summary": spec.description,
        "contentType": "application/json",
        "payload": ref,
    }


def _channel_id(address: str) -> str:
    return address.split("@", 1)[0].replace(".", "-")


def _operations(channels: dict[str, Any]) -> dict[str, Any]:
    """Per channel: the platform sends on it (apps and operators receive)."""
    return {
        f"send-{cid}": {
            "action": "send",
            "channel": {"$ref": f"#/channels/{cid}"},
            "messages": [{"$ref": f"#/channels/{cid}/messages/{m}"} for m in channel["messages"]],
        }
        for cid, channel in channels.items()
    }


def render() -> str:
    refs, defs = _schemas()
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {
        "dead_letter": {
            "name": DEAD_LETTER,
            "title": "dead letter",
            "summary": "the original message, unchanged, with why it failed in its headers",
            "headers": DLQ_HEADERS,
            "payload": {"$ref": SCHEMAS + "Envelope"},
        }
    }
    for (_name, _version), model in sorted(MESSAGE_TYPES.items()):
        messages[_message_id(model.message_type)] = _kafka_message(
            model, refs[(model, "validation")]
        )
    for topic in all_topic_specs():
        channels[_channel_id(topic.name)] = _topic_channel(topic)
    for channel in pusher.CHANNELS:
        channels[_channel_id(channel.name)] = _pusher_channel(channel)
    for event in pusher.EVENTS:
        messages[f"pusher-{_message_id(event.name)}"] = _pusher_message(
            event, refs[(event.data, "validation")]
        )
    document = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Livestream goals: Kafka topics and Pusher channels",
            "version": "1.0.0",
            "description": (
                "Generated from schemas/ (python -m livestream_schemas.asyncapi). Kafka "
                "messages travel in one JSON envelope whose payload is validated against its "
                "type and schema_version; Pusher events are what the notifier publishes."
            ),
        },
        "servers": {
            "kafka": {"host": "kafka:9092", "protocol": "kafka"},
            "pusher": {"host": "pusher", "protocol": "wss", "description": "Pusher protocol"},
        },
        "channels": channels,
        "operations": _operations(channels),
        "components": {"messages": messages, "schemas": defs},
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not OUT_FILE.exists() or OUT_FILE.read_text() != text:
            print(f"stale {OUT_FILE.name} (run make schemas)")
            return 1
        return 0
    OUT_FILE.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
