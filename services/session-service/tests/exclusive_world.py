"""The exclusive-request routes over fakes: one world per test (loaded by conftest.py)."""

from __future__ import annotations

from typing import Any

import httpx
from session_service_fakes import Clock as _Clock
from session_service_fakes import (
    FakeLocks,
    FakePublisher,
    FakeSessions,
    make_session,
)

from service_kit.auth import issue_token
from service_kit.conformance import CheckedTransport
from session_service.bootstrap import Container
from session_service.config import Settings
from session_service.entrypoints.api import create_api
from session_service.ports import GoalServiceUnavailable, Slot

SID = "a" * 24
STREAMER, VIEWER, OTHER = "streamer-1", "viewer-1", "viewer-2"
TRIGGER = "1" * 24


class FakeSlots:
    def __init__(self) -> None:
        self.docs: dict[str, Slot] = {}

    async def take(self, slot: Slot) -> Slot:
        return self.docs.setdefault(slot.session_id, slot)

    async def replace(self, stale: Slot, slot: Slot) -> bool:
        held = self.docs.get(stale.session_id)
        if held is None or held.goal_id != stale.goal_id:
            return False
        self.docs[slot.session_id] = slot
        return True

    async def release(self, session_id: str, goal_id: str) -> bool:
        held = self.docs.get(session_id)
        if held is None or held.goal_id != goal_id:
            return False
        del self.docs[session_id]
        return True


class FakeGoalRequests:
    """Answers like goal-service: scripted (status, body) per goal, else 200 with the outcome."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.answers: dict[str, tuple[int, dict[str, Any]]] = {}
        self.down = False

    async def answer(
        self, goal_id: str, decision: str, *, authorization: str
    ) -> tuple[int, dict[str, Any]]:
        self.calls.append((goal_id, decision, authorization))
        if self.down:
            raise GoalServiceUnavailable("connection refused")
        outcome = {"accept": "agreed", "decline": "declined"}[decision]
        return self.answers.get(goal_id, (200, {"goal_id": goal_id, "outcome": outcome}))


class ExclusiveWorld:
    def __init__(self, **session_fields: Any) -> None:
        self.settings = Settings(exclusive_slot_stale_s=60)
        self.c = Container(self.settings)
        self.c.sessions = self.sessions = FakeSessions(
            make_session(SID, STREAMER, **session_fields)
        )
        self.c.locks = self.locks = FakeLocks()
        self.c.slots = self.slots = FakeSlots()
        self.c.goal_requests = self.goals = FakeGoalRequests()
        self.c.publisher = self.publisher = FakePublisher()  # type: ignore[assignment]
        self.c.clock = self.clock = _Clock()
        self.http = httpx.AsyncClient(
            transport=CheckedTransport(create_api(self.c)), base_url="http://test"
        )

    def headers(self, user: str | None) -> dict[str, str]:
        if user is None:
            return {}
        return {"Authorization": f"Bearer {issue_token(self.settings.jwt_secret, user)}"}

    async def post(self, path: str, user: str | None = STREAMER) -> httpx.Response:
        return await self.http.post(f"/sessions/{SID}{path}", headers=self.headers(user))

    async def get(self, path: str, user: str | None = STREAMER) -> httpx.Response:
        return await self.http.get(f"/sessions/{SID}{path}", headers=self.headers(user))
