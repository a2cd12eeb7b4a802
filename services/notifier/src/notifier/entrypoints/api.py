"""HTTP edge: decode, call the handler, publish what it returns."""

from __future__ import annotations

from fastapi import FastAPI

from notifier.bootstrap import Container
from service_kit.http import create_app
from service_kit.runner import api_lifespan


def create_api(c: Container) -> FastAPI:
    app = create_app(c.settings, ready=c.ready, lifespan=api_lifespan(c))
    return app
