"""The trigger_exclusive API over fakes: one world per test (loaded by conftest.py)."""

from __future__ import annotations

from typing import Any

import httpx
from session_service_fakes import (
    T0,
    Clock,
    FakeBalances,
    FakeIdempotencyKeys,
    FakeLocks,
    FakePublisher,
    FakeSessions,
    FakeUsers,
    make_session,
    profile,
)

from service_kit.auth import issue_token
from service_kit.conformance import CheckedTransport
from session_service.bootstrap import Container
from session_service.config import Settings
from session_service.entrypoints.api import create_api

SID = "a" * 24
STREAMER, VIEWER = "streamer-1", "viewer-1"
EXP = int(T0.timestamp()) + 600
URL = f"/sessions/{SID}/trigger_exclusive"


class World:
    def __init__(self) -> None:
        # explicit, so a variable in the environment cannot change what is tested
        self.settings = Settings(exclusive_cooldown_s=300)
        self.c = Container(self.settings)
        self.c.sessions = self.sessions = FakeSessions(make_session(SID, STREAMER, per_minute=10))
        self.c.users = self.users = FakeUsers(profile(VIEWER), profile(STREAMER))
        self.c.locks = self.locks = FakeLocks()
        self.c.idempotency = self.idempotency = FakeIdempotencyKeys()
        self.c.balances = self.balances = FakeBalances({VIEWER: 1_000})
        self.c.publisher = self.publisher = FakePublisher()  # type: ignore[assignment]
        self.c.clock = self.clock = Clock()
        self.http = httpx.AsyncClient(
            transport=CheckedTransport(create_api(self.c)), base_url="http://test"
        )

    def token(self, user_id: str = VIEWER) -> str:
        return issue_token(self.settings.jwt_secret, user_id)

    async def trigger(
        self, body: Any = None, *, user: str | None = VIEWER, key: str | None = None, url: str = URL
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        if key:
            headers["Idempotency-Key"] = key
        payload = {"exp": EXP, "duration": 300} if body is None else body
        return await self.http.post(url, json=payload, headers=headers)

    def edit_session(self, **update: Any) -> None:
        self.sessions.docs[SID] = self.sessions.docs[SID].model_copy(update=update)


def reason(response: httpx.Response) -> str:
    body = response.json()
    return str(body["reason"])
