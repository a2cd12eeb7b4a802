"""Build the faust worker: one agent (concurrency 1) over every topic the service consumes,
and one more over the platform's feeds (user.updated) it reads.

One agent per aggregate's topics means one writer per aggregate inside a worker; across
replicas, keys (goal_id, session_id, ...) keep each aggregate on one partition. A feed's
read model (the users) has its own writer: its agent.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import faust

from livestream_schemas.topics import TOPICS
from service_kit import telemetry
from service_kit.consumer import BatchHandler, Dispatcher, Handler, Item
from service_kit.faults import StopUnacked
from service_kit.kafka import Publisher
from service_kit.kafka_security import faust_credentials
from service_kit.lag import LagProbe
from service_kit.retention import Retention
from service_kit.settings import KitSettings

log = logging.getLogger(__name__)

ReadyCheck = Callable[[], Awaitable[dict[str, bool]]]


def topics_for(settings: KitSettings, message_types: Sequence[str]) -> list[str]:
    wanted = set(message_types)
    names = [settings.topic(spec.name) for spec in TOPICS if wanted & set(spec.carries)]
    unknown = wanted - {t for spec in TOPICS for t in spec.carries}
    if unknown:
        raise KeyError(f"no topic carries {sorted(unknown)}")
    return names


def build_worker(
    settings: KitSettings,
    routes: Mapping[str, Sequence[Handler]],
    *,
    publisher: Publisher,
    ready: ReadyCheck,
    timers: Sequence[tuple[float, Callable[[], Awaitable[None]]]] = (),
    retention: Retention | None = None,
    batch_routes: Mapping[str, BatchHandler] | None = None,
    close_clients: Callable[[], Awaitable[None]] | None = None,
) -> faust.App:
    """`routes` maps a message type to its receivers, run in order; `retention` deletes old
    dedup and audit records (service_kit.retention) from a timer in every worker;
    `close_clients` closes the service's HTTP clients at shutdown."""
    app = faust.App(
        settings.service_name,
        broker=f"kafka://{settings.kafka_bootstrap_servers}",
        broker_credentials=faust_credentials(settings),
        key_serializer="raw",
        value_serializer="raw",
        web_host=settings.http_host,
        web_bind=settings.http_host,
        web_port=settings.worker_web_port,
        topic_allow_declare=False,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        broker_commit_every=100,
        broker_commit_interval=1.0,
        broker_session_timeout=settings.kafka_session_timeout_s,
        broker_heartbeat_interval=settings.kafka_heartbeat_interval_s,
        broker_rebalance_timeout=settings.kafka_rebalance_timeout_s,
        store="memory://",
        datadir=str(
            Path(tempfile.gettempdir())
            / f"faust-{settings.service_name}-{settings.worker_web_port}"
        ),
    )
    dispatchers = []
    for name, part in own_agents(routes):
        batched = {kind: h for kind, h in (batch_routes or {}).items() if kind in part}
        dispatcher = Dispatcher(settings, publisher, part, batched)
        dispatcher.stopping = lambda: bool(app.should_stop)
        _agent(app, f"{settings.service_name}.{name}", topics_for(settings, list(part)), dispatcher)
        dispatchers.append(dispatcher)

    lag = LagProbe(settings, topics_for(settings, list(routes)) if routes else [])
    every = [*timers, (settings.lag_probe_interval_s, lag.tick)]
    if retention is not None:
        every.append((settings.retention_interval_s, retention.tick))

        @app.task
        async def ensure_retention_indexes() -> None:
            try:
                await retention.ensure_indexes()
            except Exception:
                log.exception("could not create retention indexes")

    for interval, tick in every:
        app.timer(interval, on_leader=False)(_timer(tick))

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        checks, body = await readiness(ready, *dispatchers)
        ok = all(checks.values())
        return web.json({"ready": ok, "checks": checks, **body}, status=200 if ok else 503)

    @app.on_before_shutdown.connect
    async def _stop_publisher(*_: Any, **__: Any) -> None:
        # faust sends this once the consumer has stopped and the agents' messages are done.
        if close_clients is not None:
            await close_clients()
        await lag.close()
        await publisher.stop()

    return app


async def readiness(
    ready: ReadyCheck, *dispatchers: Dispatcher
) -> tuple[dict[str, bool], dict[str, Any]]:
    """The dependency checks, plus `consumer`: false while a message waits on a dependency."""
    checks = await ready()
    stalled = [d.stall for d in dispatchers if d.stall is not None]
    if not stalled:
        return {**checks, "consumer": True}, {}
    return {**checks, "consumer": False}, {"stalled": stalled[0].report()}


def own_agents(
    routes: Mapping[str, Sequence[Handler]],
) -> list[tuple[str, dict[str, Sequence[Handler]]]]:
    """Which receivers each agent runs: the platform's feeds (topics none of our services
    writes: user.updated) on an agent of their own, so a profile is never read only after
    the commands queued before it, nor held by a receiver waiting out an outage (the
    wallet-adapter retried timed-out wallet calls while a sign-in waited 30 s for a profile)."""
    external = {kind for spec in TOPICS if not spec.producers for kind in spec.carries}
    feeds = {kind: handlers for kind, handlers in routes.items() if kind in external}
    rest = {kind: handlers for kind, handlers in routes.items() if kind not in external}
    return [(name, part) for name, part in (("receivers", rest), ("feeds", feeds)) if part]


def _agent(app: faust.App, name: str, topics: list[str], dispatcher: Dispatcher) -> None:
    """One agent (concurrency 1, so one writer per aggregate) over these topics."""
    channel = app.topic(*topics, key_serializer="raw", value_serializer="raw")
    settings = dispatcher.settings

    async def consume(stream: Any) -> None:
        if not dispatcher.batch_routes:
            await consume_events(stream.events(), dispatcher)
            return
        # What arrived within a few ms, in order; faust acks the events only after the loop
        # body returns, so a crash mid-batch redelivers them (at least once, as before).
        batches = stream.take_events(
            settings.consumer_batch_max, within=settings.consumer_batch_wait_s
        )
        await consume_batches(batches, dispatcher)

    app.agent(channel, name=name, concurrency=1)(consume)


def halt(code: int = 70) -> None:
    """Exit at once: no shutdown path runs, so nothing acks or commits the message in hand."""
    logging.shutdown()
    os._exit(code)


async def consume_events(
    events: AsyncIterable[Any], dispatcher: Dispatcher, *, stop: Callable[[int], None] = halt
) -> None:
    """faust acks an event when the agent asks for the next one (or leaves the loop); a
    failed dead-letter write, or a stop while a dependency holds the event, exits the process
    before that, so the message is redelivered after the restart."""
    async for event in events:
        if not await _dispatched(dispatcher.dispatch(*_item(event)), event, stop):
            return


async def consume_batches(
    batches: AsyncIterable[Sequence[Any]],
    dispatcher: Dispatcher,
    *,
    stop: Callable[[int], None] = halt,
) -> None:
    """The same for events taken together: none of a batch is acked past a failed write."""
    async for events in batches:
        work = dispatcher.dispatch_many([_item(e) for e in events])
        if not await _dispatched(work, events[0], stop):
            return


def _item(event: Any) -> Item:
    message = event.message
    return (message.topic, event.value, message.key or b"", message.headers or ())


async def _dispatched(work: Awaitable[None], first: Any, stop: Callable[[int], None]) -> bool:
    try:
        await work
    except StopUnacked as exc:
        message = first.message
        fields = {"topic": message.topic, "offset": message.offset, "error": str(exc)}
        log.critical(f"{type(exc).__name__}: stopping without acking", extra={"fields": fields})
        stop(exc.exit_code)
        return False
    return True


def _timer(tick: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    name = getattr(tick, "__name__", "tick")
    owner = getattr(tick, "__self__", None)  # a bound method: LagProbe.tick, not just tick
    span = f"{type(owner).__name__}.{name}" if owner is not None else name

    async def run_timer() -> None:
        try:
            with telemetry.timer(span):
                await tick()
        except Exception:
            log.exception("timer failed", extra={"fields": {"timer": name}})

    run_timer.__name__ = run_timer.__qualname__ = f"timer_{name}"
    return run_timer
