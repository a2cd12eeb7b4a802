"""Run handlers for one consumed message: bounded retries, then the dead-letter topic.

A handler takes (envelope, payload) and returns the messages to publish. It never
touches Kafka itself, so the same handler runs under faust, in unit tests and in
scripts. Nothing raised here escapes into faust, which would ack it silently.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope, decode
from service_kit import metrics, tracing
from service_kit.kafka import Publisher, derived_event_id
from service_kit.refusals import Refused
from service_kit.settings import KitSettings

log = logging.getLogger(__name__)

Handler = Callable[[Envelope, Message], Awaitable[Sequence[Message]]]
# Many messages of one type at once (in order) -> each one's outbound messages.
BatchHandler = Callable[[Sequence[tuple[Envelope, Message]]], Awaitable[list[list[Message]]]]
Item = tuple[str, bytes, bytes]  # topic, raw value, key


@dataclass
class Dispatcher:
    settings: KitSettings
    publisher: Publisher

    routes: Mapping[str, Sequence[Handler]]
    # A type listed here has exactly one receiver in `routes`, and this is the same receiver
    # taking consecutive messages together (one store round trip for many). It must be named
    # like that receiver, so a message gets the same derived event ids either way.
    batch_routes: Mapping[str, BatchHandler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind, handler in self.batch_routes.items():
            single = [h.__name__ for h in self.routes.get(kind, ())]
            if single != [handler.__name__]:
                raise ValueError(f"batch receiver of {kind} must replace its one receiver")

    async def dispatch_many(self, items: Sequence[Item]) -> None:
        """Dispatch in order; consecutive messages of a batched type go in one call."""
        run: list[tuple[Item, Envelope, Message]] = []
        for item in items:
            decoded = _peek(item[1])
            if decoded and decoded[0].type in self.batch_routes:
                if run and run[0][1].type != decoded[0].type:
                    await self._dispatch_run(run)
                    run = []
                run.append((item, *decoded))
                continue
            await self._dispatch_run(run)
            run = []
            await self.dispatch(*item)
        await self._dispatch_run(run)

    async def _dispatch_run(self, run: list[tuple[Item, Envelope, Message]]) -> None:
        """One batched call; if it fails, each message alone with its own retries and DLQ."""
        if not run:
            return
        handler = self.batch_routes[run[0][1].type]
        service = self.settings.service_name
        try:
            outbound = await handler([(envelope, payload) for _, envelope, payload in run])
            for (item, envelope, _), messages in zip(run, outbound, strict=True):
                await self._publish(envelope, handler.__name__, messages)
                metrics.MESSAGES_CONSUMED.labels(service, item[0]).inc()
        except Exception as exc:
            log.info("batch failed; one at a time", extra={"fields": {"error": repr(exc)}})
            for item, _, _ in run:
                await self.dispatch(*item)

    async def _publish(self, envelope: Envelope, handler: str, outbound: Sequence[Message]) -> None:
        cause = f"{envelope.event_id}/{handler}"
        await self.publisher.publish_all(
            [
                (message, derived_event_id(cause, index, message.message_type))
                for index, message in enumerate(outbound)
            ],
            trace=tracing.child_of(envelope.trace.get("traceparent")),
        )

    async def dispatch(self, topic: str, raw: bytes, key: bytes = b"") -> None:
        """Run every receiver of this message's type, each with its own retries."""
        service = self.settings.service_name
        try:
            envelope, payload = decode(raw)
        except ValueError as exc:
            await self.dead_letter(
                topic, raw, key=key, handler="decode", error=f"undecodable: {exc}"
            )
            return
        token = tracing.set_current(envelope.trace)
        try:
            for handler in self.routes.get(envelope.type, ()):
                if await self._run(topic, envelope, payload, handler):
                    metrics.MESSAGES_CONSUMED.labels(service, topic).inc()
                else:
                    await self.dead_letter(
                        topic,
                        raw,
                        key=envelope.key.encode(),
                        handler=handler.__name__,
                        error=self._last_error,
                    )
        finally:
            tracing.reset(token)

    async def _run(
        self, topic: str, envelope: Envelope, payload: Message, handler: Handler
    ) -> bool:
        service = self.settings.service_name
        attempts = max(1, self.settings.consumer_max_attempts)
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                outbound = await handler(envelope, payload)
                await self._publish(envelope, handler.__name__, outbound)
                return True
            except Refused as exc:
                # Retrying cannot change the answer: park it now, with why.
                self._last_error = self._refused(topic, envelope, handler, exc)
                return False
            except Exception as exc:
                metrics.MESSAGES_FAILED.labels(service, topic).inc()
                self._last_error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "handler failed",
                    exc_info=attempt == attempts,
                    extra={
                        "fields": {
                            "handler": handler.__name__,
                            "topic": topic,
                            "event_id": envelope.event_id,
                            "attempt": attempt,
                        }
                    },
                )
                if attempt < attempts:
                    await asyncio.sleep(self.settings.consumer_retry_backoff_s * 2 ** (attempt - 1))
            finally:
                metrics.HANDLER_LATENCY.labels(service, topic).observe(
                    time.perf_counter() - started
                )
        return False

    _last_error: str = ""

    def _refused(self, topic: str, envelope: Envelope, handler: Handler, exc: Refused) -> str:
        metrics.COMMANDS_REFUSED.labels(self.settings.service_name, topic, exc.reason).inc()
        fields = {"handler": handler.__name__, "topic": topic, "reason": exc.reason}
        log.error("message refused", extra={"fields": fields | {"event_id": envelope.event_id}})
        return f"refused: {exc.reason}: {exc}"

    async def dead_letter(
        self, topic: str, raw: bytes, *, key: bytes, handler: str, error: str
    ) -> None:
        """Park the original bytes with why they failed; replayable as they are."""
        service = self.settings.service_name
        envelope = Envelope(
            type="dead_letter", key=key.decode(errors="replace") or "unknown", payload={}
        )
        headers = [
            ("dlq.original_topic", topic.encode()),
            ("dlq.handler", handler.encode()),
            ("dlq.error", error[:2000].encode()),
            ("dlq.attempts", str(self.settings.consumer_max_attempts).encode()),
        ]
        await self.publisher.send(
            self.settings.dlq_topic, envelope, value=raw, extra_headers=headers
        )
        metrics.MESSAGES_DEAD_LETTERED.labels(service, topic).inc()
        log.error(
            "dead-lettered",
            extra={"fields": {"topic": topic, "handler": handler, "error": error}},
        )


def receiver(fn: Callable[..., Awaitable[Sequence[Message]]], **deps: object) -> Handler:
    """Bind a plain handler `fn(message, *, deps...)` to the (envelope, payload) shape.

    `fn` gets `envelope=` too when it declares that keyword (for event ids, times).
    """
    import inspect

    wants_envelope = "envelope" in inspect.signature(fn).parameters

    async def bound(envelope: Envelope, payload: Message) -> Sequence[Message]:
        if wants_envelope:
            return await fn(payload, envelope=envelope, **deps)
        return await fn(payload, **deps)

    bound.__name__ = fn.__name__
    bound.__qualname__ = fn.__qualname__
    return bound


def _peek(raw: bytes) -> tuple[Envelope, Message] | None:
    try:
        return decode(raw)
    except ValueError:
        return None  # dispatch() dead-letters it


def batch_receiver(
    fn: Callable[..., Awaitable[list[list[Message]]]], **deps: object
) -> BatchHandler:
    """Bind `fn(messages, *, deps...) -> [outbound per message]` to the batch shape."""

    async def bound(items: Sequence[tuple[Envelope, Message]]) -> list[list[Message]]:
        return await fn([payload for _, payload in items], **deps)

    bound.__name__ = getattr(fn, "receiver_name", fn.__name__)
    bound.__qualname__ = bound.__name__
    return bound
