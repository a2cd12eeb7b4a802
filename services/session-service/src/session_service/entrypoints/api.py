"""HTTP edge: decode, call the handler, publish what it returns."""

from __future__ import annotations

from fastapi import FastAPI

from service_kit.http import create_app
from service_kit.runner import api_lifespan
from session_service.bootstrap import Container


def create_api(c: Container) -> FastAPI:
    app = create_app(c.settings, ready=c.ready, lifespan=api_lifespan(c))
    return app
