"""Contracts between the services: the envelope, every event and command, and the topics."""

from livestream_schemas.envelope import Envelope, decode, encode
from livestream_schemas.registry import MESSAGE_TYPES, payload_model
from livestream_schemas.topics import TOPICS, TopicSpec, dlq_topic

__all__ = [
    "MESSAGE_TYPES",
    "TOPICS",
    "Envelope",
    "TopicSpec",
    "decode",
    "dlq_topic",
    "encode",
    "payload_model",
]
