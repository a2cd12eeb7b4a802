from __future__ import annotations

import faust

from notifier.bootstrap import Container, routes
from service_kit.worker import build_worker


def create_worker(c: Container) -> faust.App:
    return build_worker(
        c.settings, routes(c), publisher=c.publisher, ready=c.ready, retention=c.retention
    )
