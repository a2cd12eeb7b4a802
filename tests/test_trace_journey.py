"""One OpenTelemetry trace across the running services, as they export it (OTLP/HTTP) to the
local stack's trace receiver: from the viewer's HTTP request to the Pusher publish."""

from __future__ import annotations

import secrets
import time
from typing import Any

import pytest

from journeys.flows import open_session
from journeys.stack import Stack, eventually

pytestmark = pytest.mark.journey

# The hops a trigger_exclusive request makes before the streamer's screen hears of it:
# (service, span name), in order along the path from the Pusher publish back to the request.
HOPS = [
    ("session-service", "POST /sessions/{session_id}/trigger_exclusive"),
    ("session-service", "send goal.commands"),
    ("goal-service", "process goal.commands"),
    ("goal-service", "send goal.created"),
    ("session-service", "process goal.created"),
    ("session-service", "send goal.added"),
    ("notifier", "process goal.added"),
    ("notifier", "pusher trigger goal.added"),
]


BALANCE = "GET /balances/{user_id}"
SERVICES = {"goal-service", "session-service", "notifier"}


def is_mongo(span: dict[str, Any]) -> bool:
    return bool(span["attributes"].get("db.system") == "mongodb")


def path_to_root(spans: list[dict[str, Any]], leaf: dict[str, Any]) -> list[dict[str, Any]]:
    by_id = {s["span_id"]: s for s in spans}
    path = [leaf]
    while path[-1]["parent_span_id"] in by_id:
        path.append(by_id[path[-1]["parent_span_id"]])
    return path[::-1]


async def test_one_trace_from_the_request_through_kafka_to_the_pusher_publish(
    stack: Stack, make_user
) -> None:  # type: ignore[no-untyped-def]
    viewer = await stack.add_user(make_user("viewer"), 1_000)
    streamer = await stack.add_user(make_user("streamer"), 0)
    await stack.wait_users_known(viewer, streamer)
    session_id = await open_session(stack, streamer)
    # The caller's own trace: the services continue it rather than start one.
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    r = await stack.http.post(
        f"{stack.ep.session}/sessions/{session_id}/trigger_exclusive",
        json={"exp": int(time.time() + 30), "duration": 60},
        headers=viewer.headers(stack.ep, traceparent=f"00-{trace_id}-{caller_span}-01"),
    )
    assert r.status_code == 202, r.text
    assert r.headers["traceparent"].split("-")[1] == trace_id

    async def exported() -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
        """The trace once every span this test reads has arrived: each process exports in
        its own batches, every few seconds, so they arrive in any order."""
        answer = await stack.http.get(f"{stack.ep.traces}/traces/{trace_id}")
        spans: list[dict[str, Any]] = answer.json()["spans"] if answer.status_code == 200 else []
        leaves = [s for s in spans if s["name"] == "pusher trigger goal.added"]
        path = path_to_root(spans, leaves[0]) if leaves else []
        arrived = {
            # The request continued the caller's trace: its span is the path's parent.
            "path": bool(path) and path[0]["parent_span_id"] == caller_span,
            "balance": any(s["name"] == BALANCE for s in spans),
            "mongo": {s["service"] for s in spans if is_mongo(s)} >= SERVICES,
        }
        return (spans, path) if all(arrived.values()) else None

    spans, path = await eventually(exported, what="the trace to the Pusher publish", within=90)
    leaf = path[-1]
    on_path = [(s["service"], s["name"]) for s in path]
    assert [hop for hop in on_path if hop in HOPS] == HOPS, on_path
    assert leaf["kind"] == "client" and leaf["attributes"]["pusher.channels"]
    # Every hop's handler is a span of its own, with its reads and writes under it.
    handlers = [s for s in path if s["attributes"].get("code.function.name")]
    assert {s["service"] for s in handlers} == SERVICES
    # The balance check over HTTP (httpx) continues the trace in the wallet-adapter.
    by_id = {s["span_id"]: s for s in spans}
    for balance in [s for s in spans if s["name"] == BALANCE]:
        assert balance["service"] == "wallet-adapter" and balance["kind"] == "server"
        assert by_id[balance["parent_span_id"]]["service"] == "session-service"
