"""The consumer's retry decisions: transient errors wait for as long as they last, permanent
ones dead-letter after a bounded number of tries, a failed dead-letter write stops the worker."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, UnknownTopicOrPartitionError
from pydantic import ValidationError
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    ServerSelectionTimeoutError,
    WriteError,
)

from livestream_schemas.envelope import encode
from livestream_schemas.wallet import UserUpdated
from service_kit import metrics
from service_kit.consumer import Dispatcher, receiver
from service_kit.faults import DeadLetterFailed, DependencyUnavailable, backoff_s, is_transient
from service_kit.settings import KitSettings
from service_kit.worker import consume_events, readiness

USER = UserUpdated(user_id="u1", username="A", wallet_id="w1")
RAW = encode(USER, key="u1").model_dump_json().encode()
SETTINGS = KitSettings(service_name="svc", consumer_max_attempts=3, consumer_retry_backoff_s=0)


class FakePublisher:
    def __init__(self, *, dlq_fails: bool = False) -> None:
        self.dlq_fails = dlq_fails
        self.sent: list[tuple[str, bytes | None, dict[str, bytes]]] = []

    async def publish(self, payload, *, event_id=None, trace=None):  # type: ignore[no-untyped-def]
        return None

    async def publish_all(self, items, *, trace=None):  # type: ignore[no-untyped-def]
        return None

    async def send(self, topic, envelope, *, value=None, extra_headers=None):  # type: ignore[no-untyped-def]
        if self.dlq_fails:
            raise KafkaTimeoutError("dead-letter topic unreachable")
        self.sent.append((topic, value, dict(extra_headers or [])))


def _response(status: int) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("POST", "http://wallet/transactions"))


def _validation_error() -> ValidationError:
    try:
        UserUpdated.model_validate({})
    except ValidationError as exc:
        return exc
    raise AssertionError("unreachable")


def _wrapped_outage() -> RuntimeError:
    try:
        raise RuntimeError("adapter gave up") from ConnectionRefusedError("refused")
    except RuntimeError as exc:
        return exc


TRANSIENT = [
    AutoReconnect("primary gone"),
    ServerSelectionTimeoutError("no server in 3000 ms"),
    NetworkTimeout("socket timed out"),
    ExecutionTimeout("operation exceeded time limit", 50),
    OperationFailure("not writable", 10107, {"errorLabels": ["RetryableWriteError"]}),
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("read timed out"),
    httpx.HTTPStatusError("503", request=_response(503).request, response=_response(503)),
    httpx.HTTPStatusError("429", request=_response(429).request, response=_response(429)),
    KafkaConnectionError("broker down"),
    KafkaTimeoutError("no ack in time"),
    UnknownTopicOrPartitionError(),  # retriable: the leader moved during a broker restart
    TimeoutError("asyncio timeout"),
    ConnectionResetError("reset by peer"),
    DependencyUnavailable("wallet answered 503"),
    _wrapped_outage(),
    # FerretDB while its PostgreSQL restarts (as answered during the containers path's outage).
    OperationFailure(
        "failed to connect to `user=postgres database=postgres`: server error: FATAL: the"
        " database system is shutting down (SQLSTATE 57P03)",
        1,
    ),
    OperationFailure(
        "failed to connect to `user=postgres database=postgres`: dial error: connect:"
        " connection refused",
        1,
    ),
]
PERMANENT = [
    ValueError("no such goal class"),
    KeyError("goal_id"),
    _validation_error(),
    DuplicateKeyError("E11000"),
    WriteError("document failed validation", 121),
    OperationFailure("unknown operator $foo", 2),
    # FerretDB on PostgreSQL given a NUL in a string: the same bytes fail every time.
    OperationFailure("ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)", 1),
    httpx.HTTPStatusError("400", request=_response(400).request, response=_response(400)),
    httpx.HTTPStatusError("404", request=_response(404).request, response=_response(404)),
    RuntimeError("a bug"),
]


@pytest.mark.parametrize("exc", TRANSIENT, ids=lambda e: type(e).__name__)
def test_unreachable_or_slow_dependencies_are_transient(exc: BaseException) -> None:
    assert is_transient(exc)


@pytest.mark.parametrize("exc", PERMANENT, ids=lambda e: type(e).__name__)
def test_errors_about_the_message_are_permanent(exc: BaseException) -> None:
    assert not is_transient(exc)


def test_backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() -> None:
    rng = random.Random(7)
    for attempt, step in [(1, 0.2), (2, 0.4), (3, 0.8), (6, 5.0), (60, 5.0)]:
        waits = [backoff_s(attempt, base_s=0.2, cap_s=5.0, rng=rng) for _ in range(200)]
        assert all(step / 2 <= w <= step for w in waits), (attempt, min(waits), max(waits))
        assert max(waits) - min(waits) > step / 4, "jittered, not one fixed delay"


def _dispatcher(handler: Any, publisher: FakePublisher | None = None) -> Dispatcher:
    return Dispatcher(SETTINGS, publisher or FakePublisher(), {"user.updated": [receiver(handler)]})  # type: ignore[arg-type]


def _retries() -> float:
    return metrics.TRANSIENT_RETRIES.labels("svc", "user.updated")._value.get()  # type: ignore[no-any-return]


async def test_transient_error_is_retried_past_the_attempt_limit_and_never_dead_lettered() -> None:
    seen: list[dict[str, object] | None] = []
    dispatcher: Dispatcher

    async def record(message: UserUpdated) -> list[Any]:
        seen.append(dispatcher.stall and dispatcher.stall.report())
        if len(seen) <= 20:  # an outage far longer than consumer_max_attempts tries
            raise ServerSelectionTimeoutError("ferretdb down")
        return []

    pub = FakePublisher()
    dispatcher = _dispatcher(record, pub)
    before = _retries()
    await dispatcher.dispatch("user.updated", RAW, b"u1")
    assert len(seen) == 21 and pub.sent == []
    assert _retries() - before == 20
    stalled = seen[5]
    assert stalled is not None and stalled["handler"] == "record" and stalled["retries"] == 5
    assert "ServerSelectionTimeoutError" in str(stalled["error"])
    assert dispatcher.stall is None, "cleared once the dependency answered"


async def test_readyz_reports_the_stall_while_it_lasts() -> None:
    dispatcher: Dispatcher
    views: list[tuple[dict[str, bool], dict[str, Any]]] = []

    async def ready() -> dict[str, bool]:
        return {"mongodb": True, "kafka": True}

    async def record(message: UserUpdated) -> list[Any]:
        views.append(await readiness(ready, dispatcher))
        if len(views) == 1:
            raise httpx.ConnectTimeout("wallet")
        return []

    dispatcher = _dispatcher(record)
    await dispatcher.dispatch("user.updated", RAW)
    first, retry = views
    assert first == ({"mongodb": True, "kafka": True, "consumer": True}, {})
    assert retry[0] == {"mongodb": True, "kafka": True, "consumer": False}
    assert retry[1]["stalled"]["handler"] == "record"
    assert await readiness(ready, dispatcher) == (
        {"mongodb": True, "kafka": True, "consumer": True},
        {},
    )


async def test_permanent_errors_count_only_their_own_tries_towards_the_limit() -> None:
    errors = [
        AutoReconnect("blip"),
        ValueError("bad"),
        KafkaConnectionError("x"),
        ValueError("bad"),
    ]
    errors += [ValueError("bad")]
    calls = 0

    async def record(message: UserUpdated) -> list[Any]:
        nonlocal calls
        calls += 1
        raise errors[calls - 1]

    pub = FakePublisher()
    await _dispatcher(record, pub).dispatch("user.updated", RAW, b"u1")
    assert calls == 5, "three permanent failures, the two transient ones in between not counted"
    ((topic, value, headers),) = pub.sent
    assert topic == "svc.dlq" and value == RAW
    assert headers["dlq.attempts"] == b"5" and headers["dlq.error"] == b"ValueError: bad"


async def test_a_failed_dead_letter_write_raises_instead_of_returning() -> None:
    async def record(message: UserUpdated) -> list[Any]:
        raise ValueError("bad")

    with pytest.raises(DeadLetterFailed, match="dead-letter topic unreachable"):
        await _dispatcher(record, FakePublisher(dlq_fails=True)).dispatch("user.updated", RAW)


async def test_worker_stops_on_a_failed_dead_letter_write_without_taking_the_next_event() -> None:
    pulled: list[int] = []
    stops: list[int] = []

    async def events() -> AsyncIterator[Any]:
        # faust acks an event when the agent pulls the next one
        for offset in range(3):
            pulled.append(offset)
            message = SimpleNamespace(topic="user.updated", key=b"u1", headers=[], offset=offset)
            yield SimpleNamespace(message=message, value=RAW)

    async def record(message: UserUpdated) -> list[Any]:
        raise ValueError("bad")

    await consume_events(
        events(), _dispatcher(record, FakePublisher(dlq_fails=True)), stop=stops.append
    )
    assert stops == [70] and pulled == [0], "stopped on the first event, never acked it"


async def test_redrive_runs_only_in_the_group_and_receiver_that_failed() -> None:
    calls: list[str] = []

    async def first(message: UserUpdated) -> list[Any]:
        calls.append("first")
        return []

    async def second(message: UserUpdated) -> list[Any]:
        calls.append("second")
        return []

    d = Dispatcher(SETTINGS, FakePublisher(), {"user.updated": [receiver(first), receiver(second)]})  # type: ignore[arg-type]
    other = [("redrive.group", b"notifier"), ("redrive.handler", b"second")]
    await d.dispatch("user.updated", RAW, b"u1", other)
    assert calls == [], "another group's redrive is skipped"
    await d.dispatch(
        "user.updated", RAW, b"u1", [("redrive.group", b"svc"), ("redrive.handler", b"second")]
    )
    assert calls == ["second"]
    await d.dispatch("user.updated", RAW, b"u1", [("redrive.group", b"svc")])
    assert calls == ["second", "first", "second"]
