"""`python -m <service> api|worker`: one entrypoint, two process kinds."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import prometheus_client
import uvicorn

from service_kit import telemetry
from service_kit.logs import configure_logging
from service_kit.settings import KitSettings

log = logging.getLogger(__name__)


def run(
    settings: KitSettings,
    *,
    build_api: Callable[[], Any],
    build_worker: Callable[[], Any] | None,
    argv: list[str] | None = None,
) -> None:
    kind = process_kind(argv)
    prepare(settings, kind)
    start(settings, kind, build_api=build_api, build_worker=build_worker)


def process_kind(argv: list[str] | None = None) -> str:
    args = argv if argv is not None else sys.argv[1:]
    return args[0] if args else "api"


def prepare(settings: KitSettings, kind: str) -> None:
    """Logs, traces and /metrics, before anything else of the process is built."""
    configure_logging(f"{settings.service_name}.{kind}", settings.log_level)
    telemetry.configure(settings, kind=kind)
    serve_metrics(settings)


def start(
    settings: KitSettings,
    kind: str,
    *,
    build_api: Callable[[], Any],
    build_worker: Callable[[], Any] | None,
) -> None:
    if kind == "openapi":  # the document the api serves, for the committed copy
        print(json.dumps(build_api().openapi(), sort_keys=True))
        return
    if kind == "api":
        # uvicorn handles SIGTERM: stops accepting, drains in-flight requests, runs shutdown.
        uvicorn.run(build_api(), **server_options(settings))
    elif kind == "worker" and build_worker is not None:
        app = build_worker()
        # faust's worker traps SIGTERM, stops agents and commits offsets before exiting.
        from faust.worker import Worker

        worker = Worker(
            app,
            loglevel=settings.log_level.lower(),
            quiet=True,
            redirect_stdouts=False,
            override_logging=False,
        )
        worker.execute_from_commandline()
    else:
        raise SystemExit(
            f"usage: python -m {settings.service_name.replace('-', '_')} api|worker|openapi"
        )


def serve_metrics(settings: KitSettings) -> None:
    """/metrics on a port of its own (METRICS_PORT), never on the API port: Kubernetes lets
    only the monitoring namespace reach it. 0 serves none (unit tests)."""
    if settings.metrics_port:
        prometheus_client.start_http_server(settings.metrics_port, addr=settings.http_host)


def server_options(settings: KitSettings) -> dict[str, Any]:
    """How uvicorn serves an API (also used by the tests that start a real server)."""
    return {
        "host": settings.http_host,
        "port": settings.http_port,
        "log_config": None,
        "timeout_graceful_shutdown": 20,
        # h11 closes the connection when a request head outgrows its buffer (16 KiB by
        # default) while it arrives in pieces, so the client saw a dropped connection instead
        # of a 4xx. Heads up to this size are parsed and answered; bodies are capped apart.
        "h11_max_incomplete_event_size": settings.http_max_head_bytes,
    }


def serve(
    settings: KitSettings,
    bootstrap: Callable[[Any], Any],
    *,
    create_api: Callable[[Any], Any],
    create_worker: Callable[[Any], Any],
) -> None:
    """A service's `__main__`: build the container once, run the process kind asked for."""
    kind = process_kind()
    # Before the container: pymongo's tracing listener only sees clients built after it.
    prepare(settings, kind)
    container = bootstrap(settings)
    start(
        settings,
        kind,
        build_api=lambda: create_api(container),
        build_worker=lambda: create_worker(container),
    )


def api_lifespan(container: Any) -> Any:
    """FastAPI lifespan that starts and closes a service container."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        await container.start()
        yield
        await container.close()

    return lifespan
