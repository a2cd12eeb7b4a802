from __future__ import annotations

import faust

from service_kit.worker import build_worker
from session_service.bootstrap import Container, routes


def create_worker(c: Container) -> faust.App:
    return build_worker(
        c.settings,
        routes(c),
        publisher=c.publisher,
        ready=c.ready,
        retention=c.retention,
        close_clients=c.close_clients,
    )
