"""Prometheus metrics with the same names in every service (label `service_name`).

Not `service`: Prometheus' Kubernetes discovery gives every scraped series a `service`
target label (a ServiceMonitor's Service), which would rename ours to `exported_service`
and leave the alerts and panels that select on it matching nothing."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "lsg_http_requests_total", "HTTP requests served", ["service_name", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "lsg_http_request_duration_seconds", "HTTP request latency", ["service_name", "method", "route"]
)
MESSAGES_CONSUMED = Counter(
    "lsg_messages_consumed_total", "Kafka messages handled successfully", ["service_name", "topic"]
)
MESSAGES_FAILED = Counter(
    "lsg_messages_failed_total", "Handler attempts that raised", ["service_name", "topic"]
)
MESSAGES_DEAD_LETTERED = Counter(
    "lsg_messages_dead_lettered_total",
    "Messages sent to the dead-letter topic",
    ["service_name", "topic"],
)
COMMANDS_REFUSED = Counter(
    "lsg_commands_refused_total",
    "Messages a receiver refused to act on (dead-lettered at once, never retried)",
    ["service_name", "topic", "reason"],
)
TRANSIENT_RETRIES = Counter(
    "lsg_consumer_transient_retries_total",
    "Handler attempts that failed on an unavailable dependency and will be retried",
    ["service_name", "topic"],
)
CONSUMER_STALLED = Gauge(
    "lsg_consumer_stalled",
    "1 while the consumer holds a message of this topic, waiting for a dependency",
    ["service_name", "topic"],
)
MESSAGES_PUBLISHED = Counter(
    "lsg_messages_published_total", "Kafka messages published", ["service_name", "topic"]
)
HANDLER_LATENCY = Histogram(
    "lsg_handler_duration_seconds", "Handler latency per topic", ["service_name", "topic"]
)
CONSUMER_LAG = Gauge(
    "lsg_consumer_lag_messages",
    "Messages behind the partition end",
    ["service_name", "topic", "partition"],
)
DEAD_LETTERS = Gauge(
    "lsg_dead_letter_messages",
    "Messages on the service's dead-letter topic not yet redriven",
    ["service_name", "topic"],
)
