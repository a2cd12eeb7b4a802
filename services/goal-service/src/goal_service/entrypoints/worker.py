from __future__ import annotations

import logging

import faust

from goal_service.bootstrap import Container, batch_routes, routes
from service_kit.worker import build_worker

log = logging.getLogger(__name__)


def create_worker(c: Container) -> faust.App:
    app = build_worker(
        c.settings,
        routes(c),
        publisher=c.publisher,
        ready=c.ready,
        timers=[
            (c.settings.scheduler_interval_s, c.deactivate_due_goals),
            (c.settings.escrow_sweep_interval_s, c.reconcile_escrow),
        ],
        retention=c.retention,
        batch_routes=batch_routes(c),
        close_clients=c.close_clients,
    )

    @app.task
    async def ensure_indexes() -> None:
        # Indexes only speed queries up and the API creates them too: never block start.
        try:
            await c.ensure_indexes()
        except Exception:
            log.exception("could not create indexes")

    return app
