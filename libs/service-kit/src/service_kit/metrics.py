"""Prometheus metrics with the same names in every service (label `service`)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "lsg_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "lsg_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
MESSAGES_CONSUMED = Counter(
    "lsg_messages_consumed_total", "Kafka messages handled successfully", ["service", "topic"]
)
MESSAGES_FAILED = Counter(
    "lsg_messages_failed_total", "Handler attempts that raised", ["service", "topic"]
)
MESSAGES_DEAD_LETTERED = Counter(
    "lsg_messages_dead_lettered_total",
    "Messages sent to the dead-letter topic",
    ["service", "topic"],
)
COMMANDS_REFUSED = Counter(
    "lsg_commands_refused_total",
    "Messages a receiver refused to act on (dead-lettered at once, never retried)",
    ["service", "topic", "reason"],
)
MESSAGES_PUBLISHED = Counter(
    "lsg_messages_published_total", "Kafka messages published", ["service", "topic"]
)
HANDLER_LATENCY = Histogram(
    "lsg_handler_duration_seconds", "Handler latency per topic", ["service", "topic"]
)
CONSUMER_LAG = Gauge(
    "lsg_consumer_lag_messages",
    "Messages behind the partition end",
    ["service", "topic", "partition"],
)
