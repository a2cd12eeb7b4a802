"""POST /dev/login mints the JWT the API gateway would pass on, for any demo user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dev_login.config import Settings
from dev_login.users import DEMO_USERS, USER_ID, Directory, NotReady, UserDirectory
from service_kit.auth import issue_token
from service_kit.kafka import Publisher
from service_kit.problems import invalid_request, problem_response


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(pattern=USER_ID.pattern)
    username: str = Field(default="", max_length=60)


def create_app(settings: Settings, directory: UserDirectory | None = None) -> FastAPI:
    http = httpx.AsyncClient(timeout=10)
    publisher = Publisher(settings)
    users = directory or Directory(settings, http, publisher)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await publisher.stop()
            await http.aclose()

    app = FastAPI(title="dev-login (local stack only)", lifespan=lifespan)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_request(exc.errors())

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/dev/users")
    async def demo_users() -> dict[str, Any]:
        return {"users": [vars(u) for u in DEMO_USERS]}

    @app.post("/dev/login")
    async def login(body: LoginBody) -> JSONResponse:
        known = {u.user_id: u.username for u in DEMO_USERS}
        username = body.username or known.get(body.user_id) or body.user_id
        try:
            await users.ensure(body.user_id, username)
        except (NotReady, httpx.HTTPError) as exc:
            return problem_response(503, "stack_not_ready", str(exc), {"Retry-After": "5"})
        token = issue_token(
            settings.jwt_secret, body.user_id, "live-page", ttl_s=settings.token_ttl_s
        )
        return JSONResponse(
            {
                "token": token,
                "user_id": body.user_id,
                "username": username,
                "pusher": {"key": settings.pusher_key},
            }
        )

    return app
