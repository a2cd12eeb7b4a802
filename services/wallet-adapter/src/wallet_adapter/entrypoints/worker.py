from __future__ import annotations

import faust

from service_kit.worker import build_worker
from wallet_adapter.bootstrap import Container, batch_routes, routes


def create_worker(c: Container) -> faust.App:
    return build_worker(
        c.settings,
        routes(c),
        publisher=c.publisher,
        ready=c.ready,
        retention=c.retention,
        close_clients=c.close_clients,
        batch_routes=batch_routes(c),
    )
