"""Telemetry setup: which exporters the settings ask for, trace ids in every log line."""

from __future__ import annotations

import json
import logging

import pytest
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

from service_kit import telemetry
from service_kit.logs import JsonFormatter
from service_kit.settings import KitSettings


def test_nothing_leaves_the_process_unless_configured() -> None:
    assert telemetry.processors(KitSettings()) == []


def test_an_otlp_endpoint_exports_in_batches_to_its_traces_path() -> None:
    settings = KitSettings(otel_exporter_otlp_endpoint="http://collector:4318/")
    (processor,) = telemetry.processors(settings)
    assert isinstance(processor, BatchSpanProcessor)
    exporter = processor._batch_processor._exporter  # type: ignore[attr-defined]
    assert isinstance(exporter, OTLPSpanExporter)
    assert exporter._endpoint == "http://collector:4318/v1/traces"
    processor.shutdown()


def test_the_console_exporter_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_CONSOLE", "true")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_RATIO", "0.25")
    settings = KitSettings()
    assert [type(p) for p in telemetry.processors(settings)] == [SimpleSpanProcessor]
    assert settings.otel_traces_sampler_ratio == 0.25
    with pytest.raises(ValueError):
        KitSettings(otel_traces_sampler_ratio=1.5)


def test_the_provider_names_the_service_and_keeps_a_callers_decision() -> None:
    provider = telemetry.provider_for(
        KitSettings(service_name="svc", otel_traces_sampler_ratio=0.0), kind="worker", processors=[]
    )
    assert provider.resource.attributes["service.name"] == "svc"
    assert str(provider.resource.attributes["service.instance.id"]).startswith("worker-")
    tracer = provider.get_tracer("t")
    assert not tracer.start_span("new trace").is_recording()  # ratio 0: new traces dropped
    parent = "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01"
    from opentelemetry import propagate

    sampled = propagate.extract({"traceparent": parent})
    assert tracer.start_span("continued", context=sampled).is_recording()


def record(msg: str) -> logging.LogRecord:
    return logging.LogRecord("x", logging.INFO, __file__, 1, msg, None, None)


def test_log_lines_inside_a_span_carry_its_trace_and_span_ids() -> None:
    formatter = JsonFormatter("svc.worker")
    with trace.get_tracer("test").start_as_current_span("handler") as span:
        inside = json.loads(formatter.format(record("inside")))
    context = span.get_span_context()
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    outside = json.loads(formatter.format(record("outside")))
    assert "trace_id" not in outside
