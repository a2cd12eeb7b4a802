"""Build the faust worker: one agent per consumed topic, concurrency 1, raw bytes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service_kit.consumer import Dispatcher, Handler
from service_kit.kafka import Publisher
from service_kit.settings import KitSettings

log = logging.getLogger(__name__)

ReadyCheck = Callable[[], Awaitable[dict[str, bool]]]


def build_worker(
    settings: KitSettings,
    routes: Mapping[str, Sequence[Handler]],
    *,
    publisher: Publisher,
    ready: ReadyCheck,
) -> faust.App:
    """`routes` maps a declared topic to the handlers (receivers) it feeds, in order."""
    app = faust.App(
        settings.service_name,
        broker=f"kafka://{settings.kafka_bootstrap_servers}",
        key_serializer="raw",
        value_serializer="raw",
        web_host=settings.http_host,
        web_port=settings.worker_web_port,
        topic_allow_declare=False,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        broker_commit_every=100,
        broker_commit_interval=1.0,
        producer_acks=-1,
        store="memory://",
        datadir=f"/tmp/faust-{settings.service_name}",
    )
    dispatcher = Dispatcher(settings, publisher)

    for declared, handlers in routes.items():
        topic_name = settings.topic(declared)
        topic = app.topic(topic_name, key_serializer="raw", value_serializer="raw")
        app.agent(topic, name=f"{settings.service_name}.{declared}", concurrency=1)(
            _agent(dispatcher, topic_name, tuple(handlers))
        )

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        checks = await ready()
        return web.json({"ready": all(checks.values()), "checks": checks},
                        status=200 if all(checks.values()) else 503)

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST)

    return app


def _agent(dispatcher: Dispatcher, topic_name: str, handlers: tuple[Handler, ...]) -> Any:
    async def consume(stream: Any) -> None:
        async for value in stream:
            await dispatcher.dispatch(topic_name, value, handlers)

    consume.__name__ = f"consume_{topic_name.replace('.', '_')}"
    return consume
