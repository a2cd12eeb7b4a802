"""What every API does before its routes: body cap, error shape, bounded metric labels."""

from __future__ import annotations

import httpx
import pytest
from fastapi import Request
from opentelemetry.trace import SpanKind

from service_kit import metrics
from service_kit.http import CallerDep, create_app
from service_kit.settings import KitSettings


async def _ready() -> dict[str, bool]:
    return {"ok": True}


@pytest.fixture
async def client():  # type: ignore[no-untyped-def]
    app = create_app(KitSettings(service_name="edge-test", http_max_body_bytes=1024), ready=_ready)

    @app.post("/echo")
    async def echo(request: Request, caller: CallerDep) -> dict[str, int]:
        return {"n": len(await request.body())}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as http:
        yield http


async def test_a_body_over_the_limit_is_413_before_authentication(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/echo", content=b"x" * 1025)  # no token at all
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "tag:livestream-goals,2026:problems/body_too_large",
        "title": "Body too large",
        "status": 413,
        "detail": "request body is larger than 1024 bytes",
        "reason": "body_too_large",
    }


async def test_a_body_at_the_limit_reaches_authentication(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/echo", content=b"x" * 1024)
    assert response.status_code == 401
    assert response.json()["reason"] == "unauthenticated"


@pytest.mark.parametrize(
    ("method", "path", "status", "reason"),
    [("GET", "/nowhere", 404, "not_found"), ("PUT", "/echo", 405, "method_not_allowed")],
)
async def test_routing_errors_come_in_the_documented_shape(  # type: ignore[no-untyped-def]
    client, method: str, path: str, status: int, reason: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert response.json()["reason"] == reason
    assert isinstance(response.json()["detail"], str) and response.json()["status"] == status


async def test_a_made_up_method_is_counted_as_other(client) -> None:  # type: ignore[no-untyped-def]
    for method in ("BREW", "X-RANDOM-1", "X-RANDOM-2"):
        await client.request(method, "/healthz")
    samples = [
        s.labels["method"]
        for m in metrics.HTTP_REQUESTS.collect()
        for s in m.samples
        if s.labels.get("service_name") == "edge-test" and s.name.endswith("_total")
    ]
    assert "other" in samples
    assert not {"BREW", "X-RANDOM-1", "X-RANDOM-2"} & set(samples)


async def test_every_answer_names_its_server_span_in_the_callers_trace(client, spans) -> None:  # type: ignore[no-untyped-def]
    parent = "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01"
    response = await client.post("/echo", headers={"traceparent": parent})
    assert response.status_code == 401  # refused answers are traced too
    _, trace_id, span_id, _ = response.headers["traceparent"].split("-")
    assert trace_id == "ab" * 16
    (server,) = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert format(server.context.span_id, "016x") == span_id
    assert server.parent is not None and server.parent.span_id == int("cd" * 8, 16)
    assert server.attributes["http.route"] == "/echo"
    forged = await client.post("/echo", headers={"traceparent": "00-" + "Z" * 32 + "-x-01"})
    assert forged.headers["traceparent"].split("-")[1] not in {"Z" * 32, "0" * 32}


async def test_probes_open_no_trace(client, spans) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/healthz")
    assert response.status_code == 200 and "traceparent" not in response.headers
    assert spans.get_finished_spans() == ()


async def test_the_api_port_serves_no_metrics(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/metrics")
    assert response.status_code == 404
    assert "lsg_http_requests_total" not in response.text


def test_metrics_are_served_on_their_own_port() -> None:
    import socket
    import urllib.request

    from service_kit.runner import serve_metrics

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve_metrics(KitSettings(metrics_port=port))
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        assert b"lsg_http_requests_total" in answer.read()
