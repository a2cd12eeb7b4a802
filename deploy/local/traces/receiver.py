"""The local stack's trace receiver: OTLP/HTTP in, the last traces kept in memory, read back.

The services export to it as they would to an OpenTelemetry collector (protobuf on
POST /v1/traces). GET /traces lists the latest traces (?min_services=2: only those that
crossed a service boundary), GET /traces/{id} gives one trace's spans as JSON,
GET /traces/{id}/tree as an indented tree. Local development and tests only: nothing is
stored on disk, the oldest traces are dropped past --keep.
"""

from __future__ import annotations

import argparse
import gzip
import json
import threading
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

Spans = list[dict[str, Any]]


class Store:
    """Spans by trace id, oldest trace dropped first."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._traces: OrderedDict[str, Spans] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, request: ExportTraceServiceRequest) -> None:
        decoded = [
            span_dict(span, attributes(rs.resource.attributes))
            for rs in request.resource_spans
            for ss in rs.scope_spans
            for span in ss.spans
        ]
        with self._lock:
            for span in decoded:
                self._traces.setdefault(span["trace_id"], []).append(span)
                self._traces.move_to_end(span["trace_id"])
            while len(self._traces) > self.keep:
                self._traces.popitem(last=False)

    def trace(self, trace_id: str) -> Spans:
        with self._lock:
            spans = list(self._traces.get(trace_id, ()))
        return sorted(spans, key=lambda s: s["start_ns"])

    def latest(self, limit: int, min_services: int = 1) -> list[dict[str, Any]]:
        """The most recently added-to traces first, those reaching `min_services` services."""
        with self._lock:
            ids = list(reversed(self._traces))
        found: list[dict[str, Any]] = []
        for trace_id in ids:
            if len(found) >= limit:
                break
            brief = summary(trace_id, self.trace(trace_id))
            if len(brief["services"]) >= min_services:
                found.append(brief)
        return found


def value(v: AnyValue) -> Any:
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [value(item) for item in v.array_value.values]
    if kind == "kvlist_value":
        return attributes(v.kvlist_value.values)
    return getattr(v, kind) if kind else None


def attributes(pairs: Any) -> dict[str, Any]:
    return {kv.key: value(kv.value) for kv in pairs}


def span_dict(span: Span, resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "trace_id": span.trace_id.hex(),
        "span_id": span.span_id.hex(),
        "parent_span_id": span.parent_span_id.hex(),
        "name": span.name,
        "kind": Span.SpanKind.Name(span.kind).removeprefix("SPAN_KIND_").lower(),
        "service": resource.get("service.name", ""),
        "instance": resource.get("service.instance.id", ""),
        "start_ns": span.start_time_unix_nano,
        "duration_ms": (span.end_time_unix_nano - span.start_time_unix_nano) / 1e6,
        "status": Status.StatusCode.Name(span.status.code).removeprefix("STATUS_CODE_").lower(),
        "attributes": attributes(span.attributes),
    }


def summary(trace_id: str, spans: Spans) -> dict[str, Any]:
    ids = {s["span_id"] for s in spans}
    roots = [s for s in spans if s["parent_span_id"] not in ids]
    return {
        "trace_id": trace_id,
        "root": roots[0]["name"] if roots else "",
        "services": sorted({s["service"] for s in spans}),
        "spans": len(spans),
    }


def tree(spans: Spans) -> str:
    """One line per span, indented under its parent: service, name, duration."""
    children: dict[str, Spans] = {}
    ids = {s["span_id"] for s in spans}
    for s in spans:
        parent = s["parent_span_id"] if s["parent_span_id"] in ids else ""
        children.setdefault(parent, []).append(s)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        for s in children.get(parent, ()):
            lines.append(f"{'  ' * depth}{s['service']}: {s['name']} ({s['duration_ms']:.1f} ms)")
            walk(s["span_id"], depth + 1)

    walk("", 0)
    return "\n".join(lines) + "\n"


class Handler(BaseHTTPRequestHandler):
    store: Store

    def do_POST(self) -> None:
        if self.path != "/v1/traces":
            return self.answer(404, b"", "text/plain")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        try:
            self.store.add(ExportTraceServiceRequest.FromString(body))
        except Exception:
            return self.answer(400, b"not an OTLP protobuf trace export", "text/plain")
        self.answer(200, ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        parts = [p for p in path.split("/") if p]
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        if parts == ["healthz"]:
            return self.json({"status": "ok"})
        if parts == ["traces"]:
            wanted = params.get("min_services", "1")
            return self.json(self.store.latest(50, int(wanted) if wanted.isdigit() else 1))
        if len(parts) in (2, 3) and parts[0] == "traces":
            spans = self.store.trace(parts[1].lower())
            if len(parts) == 3 and parts[2] == "tree":
                return self.answer(200 if spans else 404, tree(spans).encode(), "text/plain")
            return self.json({"trace_id": parts[1], "spans": spans}, 200 if spans else 404)
        self.answer(404, b"", "text/plain")

    def json(self, body: Any, status: int = 200) -> None:
        self.answer(status, json.dumps(body).encode(), "application/json")

    def answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per export would drown the log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--keep", type=int, default=20000, help="traces kept in memory")
    args = parser.parse_args()
    Handler.store = Store(args.keep)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"trace receiver on http://{args.host}:{args.port}/traces", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
