"""Run handlers for one consumed message: transient errors wait, permanent ones dead-letter.

A handler takes (envelope, payload) and returns the messages to publish. It never
touches Kafka itself, so the same handler runs under faust, in unit tests and in
scripts. A transient error (service_kit.faults) is retried with capped, jittered backoff
for as long as it lasts, holding the partition; a permanent one is tried
`consumer_max_attempts` times, then parked on the dead-letter topic. Only a failed
dead-letter write (DeadLetterFailed) and a stop asked for while a dependency holds the
message (StoppedWhileStalled) escape: the worker stops without acking.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope, decode
from service_kit import metrics, telemetry
from service_kit.dead_letters import REDRIVE_GROUP, REDRIVE_HANDLER, park
from service_kit.faults import Failure, Stall, StoppedWhileStalled, backoff_s, is_transient, pause
from service_kit.kafka import Publisher, derived_event_id
from service_kit.receivers import BatchHandler, Handler, batch_receiver, receiver
from service_kit.refusals import Refused
from service_kit.settings import KitSettings

# What a service's bootstrap binds its handlers with (service_kit.receivers), from here too.
__all__ = ["BatchHandler", "Dispatcher", "Handler", "Item", "batch_receiver", "receiver"]

log = logging.getLogger(__name__)

Headers = Iterable[tuple[str, bytes]]
Item = tuple[str, bytes, bytes, Headers]  # topic, raw value, key, headers
STOP_POLL_S = 0.2  # how soon a backoff notices that the worker is stopping


@dataclass(frozen=True)
class Taken:
    """One message of a batched run, decoded once: its headers travel with it."""

    topic: str
    raw: bytes
    key: bytes
    headers: dict[str, str]
    envelope: Envelope
    payload: Message


@dataclass
class Dispatcher:
    settings: KitSettings
    publisher: Publisher

    routes: Mapping[str, Sequence[Handler]]
    # A type listed here has exactly one receiver in `routes`, and this is the same receiver
    # taking consecutive messages together (one store round trip for many). It must be named
    # like that receiver, so a message gets the same derived event ids either way.
    batch_routes: Mapping[str, BatchHandler] = field(default_factory=dict)
    stall: Stall | None = None  # what a transient error holds this consumer on, if anything
    # True once the worker is stopping: a message held by a transient error is then let go
    # unacked (StoppedWhileStalled) instead of waited on past any stop timeout.
    stopping: Callable[[], bool] = lambda: False

    def __post_init__(self) -> None:
        for kind, handler in self.batch_routes.items():
            single = [h.__name__ for h in self.routes.get(kind, ())]
            if single != [handler.__name__]:
                raise ValueError(f"batch receiver of {kind} must replace its one receiver")

    async def dispatch_many(self, items: Sequence[Item]) -> None:
        """Dispatch in order; consecutive messages of a batched type go in one call."""
        run: list[Taken] = []
        for topic, raw, key, raw_headers in items:
            headers = _header_map(raw_headers)
            decoded = _peek(raw)
            # A redriven message runs alone: only the group and receiver it names take it.
            if decoded and decoded[0].type in self.batch_routes and REDRIVE_GROUP not in headers:
                if run and run[0].envelope.type != decoded[0].type:
                    await self._dispatch_run(run)
                    run = []
                run.append(Taken(topic, raw, key, headers, *decoded))
                continue
            await self._dispatch_run(run)
            run = []
            await self._dispatch(topic, raw, key, headers)
        await self._dispatch_run(run)

    async def _dispatch_run(self, run: list[Taken]) -> None:
        """One batched call, its outputs queued together and acknowledged by Kafka once; if
        anything fails, each message alone with its own retries and dead letter."""
        if not run:
            return
        handler = self.batch_routes[run[0].envelope.type]
        contexts = [telemetry.message_context(m.headers, m.envelope.trace) for m in run]
        try:
            with telemetry.processing_batch(handler.__name__, contexts):
                outbound = await handler([(m.envelope, m.payload) for m in run])
            # Returns once Kafka has every output of the run: only then may they be acked.
            async with self.publisher.outbox() as outbox:
                for m, context, messages in zip(run, contexts, outbound, strict=True):
                    # What each message led to continues that message's own trace.
                    with telemetry.processing(m.topic, context, event_id=m.envelope.event_id):
                        await outbox.queue(_derived(m.envelope, handler.__name__, messages))
        except Exception as exc:
            log.info("batch failed; one at a time", extra={"fields": {"error": repr(exc)}})
            for m in run:
                await self._dispatch(m.topic, m.raw, m.key, m.headers)
            return
        for m in run:
            metrics.MESSAGES_CONSUMED.labels(self.settings.service_name, m.topic).inc()

    async def dispatch(
        self, topic: str, raw: bytes, key: bytes = b"", headers: Headers = ()
    ) -> None:
        """Run every receiver of this message's type (or the one a redrive names)."""
        await self._dispatch(topic, raw, key, _header_map(headers))

    async def _dispatch(self, topic: str, raw: bytes, key: bytes, headers: dict[str, str]) -> None:
        group = headers.get(REDRIVE_GROUP)
        if group is not None and group != self.settings.service_name:
            return  # redriven for another consumer group, which failed it; we did not
        try:
            envelope, payload = decode(raw)
        except ValueError as exc:
            undecodable = Failure(1, f"undecodable: {exc}")
            await self.dead_letter(topic, raw, key=key, handler="decode", failure=undecodable)
            return
        only = headers.get(REDRIVE_HANDLER) if group is not None else None
        context = telemetry.message_context(headers, envelope.trace)
        with telemetry.processing(topic, context, event_id=envelope.event_id):
            for handler in self.routes.get(envelope.type, ()):
                if only and handler.__name__ != only:
                    continue
                failure = await self._run(topic, envelope, payload, handler)
                if failure is None:
                    metrics.MESSAGES_CONSUMED.labels(self.settings.service_name, topic).inc()
                    continue
                await self.dead_letter(
                    topic, raw, key=envelope.key.encode(), handler=handler.__name__, failure=failure
                )

    async def _run(
        self, topic: str, envelope: Envelope, payload: Message, handler: Handler
    ) -> Failure | None:
        """None once the handler succeeded; a Failure once it failed permanently enough."""
        s = self.settings
        permanent = transient = 0
        while True:
            try:
                await self._attempt(topic, envelope, payload, handler, permanent + transient + 1)
            except Refused as exc:
                # Retrying cannot change the answer: park it now, with why.
                self._unstalled(topic)
                error = self._refused(topic, envelope, handler, exc)
                return Failure(permanent + transient + 1, error)
            except Exception as exc:
                metrics.MESSAGES_FAILED.labels(s.service_name, topic).inc()
                error = f"{type(exc).__name__}: {exc}"
                if is_transient(exc):
                    transient += 1
                    self._stalled(topic, handler.__name__, error, transient)
                    await self._wait_out(transient)
                    continue
                permanent += 1
                self._log_failure(topic, envelope, handler, permanent, error, exc)
                if permanent >= max(1, s.consumer_max_attempts):
                    self._unstalled(topic)
                    return Failure(permanent + transient, error)
                await self._backoff(permanent)
            else:
                self._unstalled(topic)
                return None

    async def _backoff(self, tries: int) -> None:
        s = self.settings
        await pause(tries, base_s=s.consumer_retry_backoff_s, cap_s=s.consumer_retry_max_backoff_s)

    async def _wait_out(self, tries: int) -> None:
        """The backoff before the next try of a transient error, cut short by a stop."""
        s = self.settings
        wait = backoff_s(
            tries, base_s=s.consumer_retry_backoff_s, cap_s=s.consumer_retry_max_backoff_s
        )
        until = time.monotonic() + wait
        while not self.stopping():
            left = until - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(min(left, STOP_POLL_S))
        held = self.stall.report() if self.stall is not None else {}
        raise StoppedWhileStalled(f"stopping while a dependency holds the message: {held}")

    async def _attempt(
        self, topic: str, envelope: Envelope, payload: Message, handler: Handler, attempt: int
    ) -> None:
        started = time.perf_counter()
        try:
            # A span per try: what the receiver reads, writes and publishes nests under it.
            with telemetry.handling(handler.__name__, attempt=attempt):
                outbound = await handler(envelope, payload)
                await self.publisher.publish_all(_derived(envelope, handler.__name__, outbound))
        finally:
            metrics.HANDLER_LATENCY.labels(self.settings.service_name, topic).observe(
                time.perf_counter() - started
            )

    def _stalled(self, topic: str, handler: str, error: str, retries: int) -> None:
        service = self.settings.service_name
        if self.stall is None or (self.stall.topic, self.stall.handler) != (topic, handler):
            self.stall = Stall(topic, handler, error)
            metrics.CONSUMER_STALLED.labels(service, topic).set(1)
        self.stall.error, self.stall.retries = error, retries
        metrics.TRANSIENT_RETRIES.labels(service, topic).inc()
        # The first retry and then one line in ten: a long outage must not flood the log.
        if retries == 1 or retries % 10 == 0:
            log.warning(
                "dependency unavailable; holding the partition and retrying",
                extra={
                    "fields": {
                        "topic": topic,
                        "handler": handler,
                        "retries": retries,
                        "error": error,
                    }
                },
            )

    def _unstalled(self, topic: str) -> None:
        if self.stall is not None:
            metrics.CONSUMER_STALLED.labels(self.settings.service_name, self.stall.topic).set(0)
            log.info("dependency back", extra={"fields": self.stall.report()})
            self.stall = None

    def _log_failure(
        self,
        topic: str,
        envelope: Envelope,
        handler: Handler,
        attempt: int,
        error: str,
        exc: Exception,
    ) -> None:
        log.warning(
            "handler failed",
            exc_info=attempt >= self.settings.consumer_max_attempts and exc,
            extra={
                "fields": {
                    "handler": handler.__name__,
                    "topic": topic,
                    "event_id": envelope.event_id,
                    "attempt": attempt,
                    "error": error,
                }
            },
        )

    def _refused(self, topic: str, envelope: Envelope, handler: Handler, exc: Refused) -> str:
        metrics.COMMANDS_REFUSED.labels(self.settings.service_name, topic, exc.reason).inc()
        fields = {"handler": handler.__name__, "topic": topic, "reason": exc.reason}
        log.error("message refused", extra={"fields": fields | {"event_id": envelope.event_id}})
        return f"refused: {exc.reason}: {exc}"

    async def dead_letter(
        self, topic: str, raw: bytes, *, key: bytes, handler: str, failure: Failure
    ) -> None:
        """Park the original bytes with who failed them and why; raises DeadLetterFailed."""
        await park(
            self.publisher, self.settings, topic, raw, key=key, handler=handler, failure=failure
        )


def _derived(
    envelope: Envelope, handler: str, outbound: Sequence[Message]
) -> list[tuple[Message, str | None]]:
    """Each output with its id derived from the cause: a redelivery republishes the same."""
    cause = f"{envelope.event_id}/{handler}"
    return [
        (message, derived_event_id(cause, index, message.message_type))
        for index, message in enumerate(outbound)
    ]


def _header_map(headers: Headers | Mapping[str, bytes] | None) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers or ()
    return {k: (v or b"").decode(errors="replace") for k, v in items}


def _peek(raw: bytes) -> tuple[Envelope, Message] | None:
    try:
        return decode(raw)
    except ValueError:
        return None  # dispatch() dead-letters it
