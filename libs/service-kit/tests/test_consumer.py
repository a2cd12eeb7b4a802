"""The consumer wrapper with a fake publisher: retries, dead letters, derived event ids."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace
from typing import Any

from livestream_schemas.commands import Refund
from livestream_schemas.envelope import Envelope, encode
from livestream_schemas.wallet import UserUpdated
from service_kit.consumer import Dispatcher, batch_receiver, receiver
from service_kit.settings import KitSettings


class FakePublisher:
    def __init__(self) -> None:
        self.published: list[tuple[Any, str | None]] = []
        self.sent: list[tuple[str, Envelope, bytes | None, list[tuple[str, bytes]]]] = []

    async def publish(self, payload, *, event_id=None):  # type: ignore[no-untyped-def]
        self.published.append((payload, event_id))

    async def publish_all(self, items):  # type: ignore[no-untyped-def]
        for payload, event_id in items:
            await self.publish(payload, event_id=event_id)

    @contextlib.asynccontextmanager
    async def outbox(self):  # type: ignore[no-untyped-def]
        yield SimpleNamespace(queue=self.publish_all)  # delivered as soon as queued

    async def send(self, topic, envelope, *, value=None, extra_headers=None):  # type: ignore[no-untyped-def]
        self.sent.append((topic, envelope, value, extra_headers or []))


SETTINGS = KitSettings(service_name="svc", consumer_max_attempts=3, consumer_retry_backoff_s=0)
USER = UserUpdated(user_id="u1", username="A", wallet_id="w1")
TRACE = {"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"}


def raw(message: Any = USER) -> bytes:
    return encode(message, key="u1", trace=TRACE).model_dump_json().encode()


async def test_outputs_published_with_ids_derived_from_the_cause() -> None:
    async def refund_user(message: UserUpdated) -> list[Refund]:
        return [Refund(transaction_id=f"t-{message.user_id}")]

    pub = FakePublisher()
    d = Dispatcher(SETTINGS, pub, {"user.updated": [receiver(refund_user)]})  # type: ignore[arg-type]
    message = raw()
    await d.dispatch("user.updated", message)
    await d.dispatch("user.updated", message)  # redelivery
    (p1, id1), (p2, id2) = pub.published
    assert p1 == p2 == Refund(transaction_id="t-u1")
    assert id1 == id2, "a redelivered message republishes the same event id"


async def test_permanent_error_bounded_retries_then_dead_letter_and_other_receivers_still_run() -> (
    None
):
    calls: list[str] = []

    async def broken(message: UserUpdated) -> list[Refund]:
        calls.append("broken")
        raise ValueError("no such goal class")

    async def steady(message: UserUpdated, *, envelope: Envelope) -> list[Refund]:
        calls.append(f"steady:{envelope.key}")
        return []

    pub = FakePublisher()
    d = Dispatcher(SETTINGS, pub, {"user.updated": [receiver(broken), receiver(steady)]})  # type: ignore[arg-type]
    message = raw()
    await d.dispatch("user.updated", message, b"u1")
    assert calls == ["broken", "broken", "broken", "steady:u1"]
    ((topic, _, value, headers),) = pub.sent
    assert topic == "svc.dlq" and value == message
    h = dict(headers)
    assert h["dlq.handler"] == b"broken" and h["dlq.original_topic"] == b"user.updated"
    assert h["dlq.group"] == b"svc" and h["dlq.attempts"] == b"3"
    assert b"ValueError: no such goal class" in h["dlq.error"]


async def test_undecodable_message_is_dead_lettered_not_raised() -> None:
    pub = FakePublisher()
    d = Dispatcher(SETTINGS, pub, {})  # type: ignore[arg-type]
    await d.dispatch("goal.commands", b"{not json", b"k1")
    ((topic, envelope, value, headers),) = pub.sent
    assert topic == "svc.dlq" and value == b"{not json" and envelope.key == "k1"
    assert dict(headers)["dlq.handler"] == b"decode"


async def test_message_types_without_receivers_are_skipped() -> None:
    pub = FakePublisher()
    d = Dispatcher(SETTINGS, pub, {"goal.created": []})  # type: ignore[arg-type]
    await d.dispatch("user.updated", raw())
    assert pub.sent == [] and pub.published == []


async def test_a_refused_message_is_dead_lettered_at_once_with_its_reason_and_counted() -> None:
    from service_kit import metrics
    from service_kit.refusals import Refused

    calls: list[str] = []

    async def guarded(message: UserUpdated) -> list[Refund]:
        calls.append("guarded")
        raise Refused("forced_not_allowed", "a transfer is never forced")

    def refused_count() -> float:
        sample = metrics.COMMANDS_REFUSED.labels("svc", "user.updated", "forced_not_allowed")
        return sample._value.get()

    before = refused_count()
    pub = FakePublisher()
    d = Dispatcher(SETTINGS, pub, {"user.updated": [receiver(guarded)]})  # type: ignore[arg-type]
    await d.dispatch("user.updated", raw(), b"u1")
    assert calls == ["guarded"], "a refusal is final: no retries"
    ((topic, _, _, headers),) = pub.sent
    assert topic == "svc.dlq"
    assert dict(headers)["dlq.error"].startswith(b"refused: forced_not_allowed")
    assert pub.published == []
    assert refused_count() == before + 1


async def test_consecutive_batched_messages_go_together_with_the_single_form_ids() -> None:
    calls: list[list[str]] = []
    singles: list[str] = []

    async def refund_user(message: UserUpdated) -> list[Refund]:
        singles.append(message.user_id)
        return [Refund(transaction_id=f"t-{message.user_id}")]

    async def refund_users(messages: list[UserUpdated]) -> list[list[Refund]]:
        calls.append([m.user_id for m in messages])
        return [[Refund(transaction_id=f"t-{m.user_id}")] for m in messages]

    refund_users.receiver_name = "refund_user"  # type: ignore[attr-defined]
    single, batched = FakePublisher(), FakePublisher()
    routes = {"user.updated": [receiver(refund_user)]}
    one = Dispatcher(SETTINGS, single, routes)  # type: ignore[arg-type]
    many = Dispatcher(SETTINGS, batched, routes, {"user.updated": batch_receiver(refund_users)})  # type: ignore[arg-type]
    users = [raw(USER.model_copy(update={"user_id": u})) for u in ("a", "b")]
    items = [
        ("user.updated", users[0], b"", ()),
        ("t", b"{bad", b"", ()),
        ("user.updated", users[1], b"", ()),
    ]
    for item in items:
        await one.dispatch(*item)
    singles.clear()
    await many.dispatch_many(items)

    assert calls == [["a"], ["b"]]  # the undecodable one in between splits the run
    assert singles == [], "no fallback to one at a time"
    assert [p[:2] for p in batched.published] == [p[:2] for p in single.published]  # same ids
    assert len(batched.sent) == len(single.sent) == 1  # the bad one dead-lettered


async def test_a_failing_batch_falls_back_to_one_at_a_time() -> None:
    async def refund_user(message: UserUpdated) -> list[Refund]:
        if message.user_id == "bad":
            raise RuntimeError("never works")
        return [Refund(transaction_id=f"t-{message.user_id}")]

    async def refund_users(messages: list[UserUpdated]) -> list[list[Refund]]:
        raise RuntimeError("one of them is bad")

    refund_users.receiver_name = "refund_user"  # type: ignore[attr-defined]
    pub = FakePublisher()
    routes = {"user.updated": [receiver(refund_user)]}
    d = Dispatcher(SETTINGS, pub, routes, {"user.updated": batch_receiver(refund_users)})  # type: ignore[arg-type]
    users = [raw(USER.model_copy(update={"user_id": u})) for u in ("a", "bad", "c")]
    await d.dispatch_many([("user.updated", u, b"", ()) for u in users])
    assert [p.transaction_id for p, _ in pub.published] == ["t-a", "t-c"]
    assert len(pub.sent) == 1  # only the bad one dead-lettered
