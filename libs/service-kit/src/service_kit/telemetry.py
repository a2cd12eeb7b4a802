"""OpenTelemetry for every process: one tracer provider; spans over HTTP, MongoDB and Kafka.

Spans are always recorded, so every log line written inside one carries its trace id. They
leave the process only when an exporter is configured in the service's Settings: OTLP over
HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT`) and/or the console (`OTEL_TRACES_CONSOLE`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from service_kit.settings import KitSettings

_tracer = trace.get_tracer("service_kit")

# The W3C trace context a Kafka message carries in its headers (the same pair as HTTP).
TRACE_HEADERS = ("traceparent", "tracestate")

# Probes come every few seconds from every kubelet and the local stack: not worth a trace.
UNTRACED_URLS = "/healthz,/readyz"


def configure(settings: KitSettings, *, kind: str) -> TracerProvider:
    """Install the process's tracer provider and instrument pymongo and httpx.

    Call before any Mongo client is built: pymongo's instrumentation is a command listener,
    registered for the clients created after it.
    """
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

    provider = provider_for(settings, kind=kind, processors=processors(settings))
    trace.set_tracer_provider(provider)
    PymongoInstrumentor().instrument(tracer_provider=provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    return provider


def provider_for(
    settings: KitSettings, *, kind: str, processors: list[SpanProcessor]
) -> TracerProvider:
    resource = Resource.create(
        {
            "service.name": settings.service_name,
            "service.namespace": "livestream-goals",
            "service.instance.id": f"{kind}-{socket.gethostname()}-{os.getpid()}",
            "deployment.environment.name": settings.environment,
        }
    )
    # A caller's sampling decision wins, so a trace is kept or dropped whole across services.
    sampler = ParentBased(TraceIdRatioBased(settings.otel_traces_sampler_ratio))
    provider = TracerProvider(resource=resource, sampler=sampler)
    for processor in processors:
        provider.add_span_processor(processor)
    return provider


def processors(settings: KitSettings) -> list[SpanProcessor]:
    out: list[SpanProcessor] = []
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The same meaning as the SDK gives this variable: a base URL, the signal path added.
        endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        out.append(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if settings.otel_traces_console:
        out.append(SimpleSpanProcessor(ConsoleSpanExporter()))
    return out


def instrument_app(app: Any) -> None:
    """A server span per request, continuing the caller's `traceparent`."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # The ASGI receive/send spans would double the span count and say nothing about the route.
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls=UNTRACED_URLS, exclude_spans=["receive", "send"]
    )


def current_carrier() -> dict[str, str]:
    """The current span as W3C trace context (`traceparent`, maybe `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def trace_ids() -> tuple[str, str] | None:
    """The current trace and span ids in hex, or None outside any span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def _kafka(topic: str, operation: str, **more: object) -> dict[str, Any]:
    attributes = {
        "messaging.system": "kafka",
        "messaging.operation.type": operation,
        "messaging.destination.name": topic,
    }
    return attributes | {f"messaging.{k.replace('_', '.')}": v for k, v in more.items()}


@contextmanager
def sending(topic: str, *, key: str, event_id: str) -> Iterator[dict[str, str]]:
    """A producer span around one message's send; yields its context for the message.

    Not made current: the messages a receiver publishes together are siblings, each the
    parent of whatever consumes it.
    """
    attributes = _kafka(topic, "send", kafka_message_key=key, message_id=event_id)
    with _tracer.start_span(
        f"send {topic}", kind=trace.SpanKind.PRODUCER, attributes=attributes
    ) as span:
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(span))
        yield carrier


def message_context(headers: Mapping[str, str], fallback: Mapping[str, str]) -> Any:
    """The producer's context from a message's headers, or the envelope's copy when the
    headers lack it (a dead letter replayed by hand, a tool that only wrote the envelope)."""
    carrier = {k: headers[k] for k in TRACE_HEADERS if k in headers} or dict(fallback)
    return propagate.extract(carrier)


@contextmanager
def processing(topic: str, context: Any, *, event_id: str) -> Iterator[None]:
    """The consumer span of one message, child of the producer span that sent it."""
    with _tracer.start_as_current_span(
        f"process {topic}",
        context=context,
        kind=trace.SpanKind.CONSUMER,
        attributes=_kafka(topic, "process", message_id=event_id),
    ):
        yield


@contextmanager
def processing_batch(handler: str, contexts: Sequence[Any]) -> Iterator[None]:
    """One call of a batch receiver over many messages: a span of its own, linked to each
    message's producer span (it has many parents, so it starts a trace of its own)."""
    links = [
        trace.Link(sc)
        for c in contexts
        if (sc := trace.get_current_span(c).get_span_context()).is_valid
    ]
    with _tracer.start_as_current_span(
        handler,
        context=trace.set_span_in_context(trace.INVALID_SPAN),
        kind=trace.SpanKind.CONSUMER,
        links=links,
        attributes={"code.function.name": handler, "messaging.batch.message_count": len(contexts)},
    ):
        yield


@contextmanager
def handling(handler: str, *, attempt: int) -> Iterator[None]:
    """One try of one receiver: what it reads, writes and publishes nests under it."""
    attributes: dict[str, str | int] = {"code.function.name": handler, "lsg.attempt": attempt}
    with _tracer.start_as_current_span(handler, attributes=attributes):
        yield


@contextmanager
def timer(name: str) -> Iterator[None]:
    """One tick of a timer: what an expiry or a sweep then publishes continues its trace."""
    with _tracer.start_as_current_span(f"timer {name}", attributes={"code.function.name": name}):
        yield
