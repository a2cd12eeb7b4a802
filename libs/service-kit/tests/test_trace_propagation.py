"""One trace across Kafka hops: producer spans, context in the headers, consumer and handler
spans, with the real Publisher and Dispatcher over a producer that keeps what it is sent."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from livestream_schemas.commands import Refund
from livestream_schemas.envelope import Envelope, encode
from livestream_schemas.wallet import UserUpdated
from service_kit.consumer import Dispatcher, batch_receiver, receiver
from service_kit.kafka import Publisher
from service_kit.settings import KitSettings
from service_kit.worker import _timer

SETTINGS = KitSettings(service_name="svc", consumer_max_attempts=2, consumer_retry_backoff_s=0)
USER = UserUpdated(user_id="u1", username="A", wallet_id="w1")


class Producer:
    """Stands in for aiokafka's producer: keeps each record as Kafka would deliver it."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    async def send(self, topic: str, **record: Any) -> asyncio.Future[None]:
        self.records.append({"topic": topic, **record})
        delivered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        delivered.set_result(None)
        return delivered


def publisher() -> tuple[Publisher, Producer]:
    pub, producer = Publisher(SETTINGS), Producer()
    pub._producer = producer  # type: ignore[assignment]
    return pub, producer


def named(spans: Any, name: str) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.name == name]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None


def traceparent(record: dict[str, Any]) -> tuple[int, int]:
    """(trace id, parent span id) a record's headers name."""
    _, trace_id, span_id, _ = dict(record["headers"])["traceparent"].decode().split("-")
    return int(trace_id, 16), int(span_id, 16)


async def refund_user(message: UserUpdated) -> list[Refund]:
    return [Refund(transaction_id=f"t-{message.user_id}")]


async def test_each_published_message_carries_its_own_producer_span(spans) -> None:  # type: ignore[no-untyped-def]
    pub, producer = publisher()
    with trace.get_tracer("test").start_as_current_span("request") as request:
        envelopes = await pub.publish_all(
            [(USER, None), (USER.model_copy(update={"user_id": "u2"}), None)]
        )
    sends = {s.context.span_id: s for s in named(spans, "send user.updated")}
    assert {parent_of(s) for s in sends.values()} == {request.get_span_context().span_id}
    assert len(sends) == len(producer.records) == 2  # siblings, one a message
    for record, envelope in zip(producer.records, envelopes, strict=True):
        trace_id, span_id = traceparent(record)
        send = sends[span_id]
        assert send.kind is SpanKind.PRODUCER and send.context.trace_id == trace_id
        assert envelope.trace == {"traceparent": dict(record["headers"])["traceparent"].decode()}
        assert send.attributes is not None
        assert send.attributes["messaging.message.id"] == envelope.event_id


async def test_consumer_handler_and_the_next_send_nest_under_the_incoming_header(spans) -> None:  # type: ignore[no-untyped-def]
    upstream, first_hop = publisher()
    with trace.get_tracer("test").start_as_current_span("request"):
        await upstream.publish(USER)
    (record,) = first_hop.records
    downstream, second_hop = publisher()
    dispatcher = Dispatcher(SETTINGS, downstream, {"user.updated": [receiver(refund_user)]})
    await dispatcher.dispatch("user.updated", record["value"], record["key"], record["headers"])

    names = ["request", "send user.updated", "process user.updated", "refund_user"]
    chain = [named(spans, n)[0] for n in [*names, "send wallet.commands"]]
    assert len({span.context.trace_id for span in chain}) == 1
    for parent, child in itertools.pairwise(chain):
        assert parent_of(child) == parent.context.span_id, child.name
    assert chain[2].kind is SpanKind.CONSUMER
    (sent,) = second_hop.records
    assert traceparent(sent)[1] == chain[-1].context.span_id


async def test_without_trace_headers_the_envelope_copy_is_followed(spans) -> None:  # type: ignore[no-untyped-def]
    parent = "00-" + "1" * 32 + "-" + "2" * 16 + "-01"
    raw = encode(USER, key="u1", trace={"traceparent": parent}).model_dump_json().encode()
    pub, _ = publisher()
    dispatcher = Dispatcher(SETTINGS, pub, {"user.updated": [receiver(refund_user)]})
    await dispatcher.dispatch("user.updated", raw, b"u1", [])
    (process,) = named(spans, "process user.updated")
    assert process.context.trace_id == int("1" * 32, 16) and parent_of(process) == int("2" * 16, 16)


async def test_each_failed_try_is_an_error_span_with_its_attempt(spans) -> None:  # type: ignore[no-untyped-def]
    async def broken(message: UserUpdated, *, envelope: Envelope) -> list[Refund]:
        raise RuntimeError("bad data")

    pub, producer = publisher()
    dispatcher = Dispatcher(SETTINGS, pub, {"user.updated": [receiver(broken)]})
    raw = encode(USER, key="u1").model_dump_json().encode()
    await dispatcher.dispatch("user.updated", raw, b"u1")
    tries = named(spans, "broken")
    assert [s.attributes["lsg.attempt"] for s in tries if s.attributes] == [1, 2]
    assert all(s.status.status_code is StatusCode.ERROR for s in tries)
    assert [r["topic"] for r in producer.records] == ["svc.dlq"]


async def test_a_batch_links_every_message_and_each_ones_output_continues_its_own_trace(
    spans,
) -> None:  # type: ignore[no-untyped-def]
    async def refund_users(messages: list[UserUpdated]) -> list[list[Refund]]:
        return [[Refund(transaction_id=f"t-{m.user_id}")] for m in messages]

    refund_users.receiver_name = "refund_user"  # type: ignore[attr-defined]
    upstream, first_hop = publisher()
    for user in ("a", "b"):  # two requests, two traces
        with trace.get_tracer("test").start_as_current_span(f"request {user}"):
            await upstream.publish(USER.model_copy(update={"user_id": user}))
    downstream, second_hop = publisher()
    routes = {"user.updated": [receiver(refund_user)]}
    batched = {"user.updated": batch_receiver(refund_users)}
    dispatcher = Dispatcher(SETTINGS, downstream, routes, batched)
    await dispatcher.dispatch_many(
        [("user.updated", r["value"], r["key"], r["headers"]) for r in first_hop.records]
    )

    (batch,) = named(spans, "refund_user")
    incoming = [traceparent(r) for r in first_hop.records]
    assert [(link.context.trace_id, link.context.span_id) for link in batch.links] == incoming
    processes = named(spans, "process user.updated")
    assert [(p.context.trace_id, parent_of(p)) for p in processes] == incoming
    for record, process in zip(second_hop.records, processes, strict=True):
        (send,) = [
            s
            for s in named(spans, "send wallet.commands")
            if parent_of(s) == process.context.span_id
        ]
        assert traceparent(record) == (process.context.trace_id, send.context.span_id)


async def test_a_timer_tick_starts_a_trace_that_what_it_publishes_continues(spans) -> None:  # type: ignore[no-untyped-def]
    pub, producer = publisher()

    async def expire_due_goals() -> None:
        await pub.publish(USER)

    await _timer(expire_due_goals)()
    (tick,) = named(spans, "timer expire_due_goals")
    (send,) = named(spans, "send user.updated")
    assert tick.parent is None and parent_of(send) == tick.context.span_id
    assert traceparent(producer.records[0]) == (tick.context.trace_id, send.context.span_id)


async def test_a_batched_message_reads_its_headers_once_for_its_redrive_mark_and_trace(
    spans,
) -> None:  # type: ignore[no-untyped-def]
    """Headers are any iterable of pairs (a one-pass one too): read once, they travel with
    the message, so its trace is the one its headers name, not the envelope's copy."""

    async def refund_users(messages: list[UserUpdated]) -> list[list[Refund]]:
        return [[Refund(transaction_id=f"t-{m.user_id}")] for m in messages]

    refund_users.receiver_name = "refund_user"  # type: ignore[attr-defined]
    stale = {"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"}  # the envelope's copy
    sent = "00-" + "3" * 32 + "-" + "4" * 16 + "-01"  # what the headers say
    raw = encode(USER, key="u1", trace=stale).model_dump_json().encode()
    downstream, _ = publisher()
    routes = {"user.updated": [receiver(refund_user)]}
    dispatcher = Dispatcher(
        SETTINGS, downstream, routes, {"user.updated": batch_receiver(refund_users)}
    )
    headers = iter([("traceparent", sent.encode())])
    await dispatcher.dispatch_many([("user.updated", raw, b"u1", headers)])
    (process,) = named(spans, "process user.updated")
    assert (process.context.trace_id, parent_of(process)) == (int("3" * 32, 16), int("4" * 16, 16))
