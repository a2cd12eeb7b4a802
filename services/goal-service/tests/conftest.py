from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from goal_service.config import Settings
from goal_service.domain.goal import new_goal
from goal_service.entrypoints.api import create_api
from service_kit.conformance import response_hook

from .fakes import (
    SESSION_ID,
    STREAMER,
    Clock,
    FakeAudit,
    FakeContainer,
    FakeGoals,
    FakeMetrics,
    FakePublisher,
    FakePurchases,
    FakeTasks,
    create_command,
)

Seed = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def goals() -> FakeGoals:
    return FakeGoals()


@pytest.fixture
def tasks() -> FakeTasks:
    return FakeTasks()


@pytest.fixture
def purchases() -> FakePurchases:
    return FakePurchases()


@pytest.fixture
def audit() -> FakeAudit:
    return FakeAudit()


@pytest.fixture
def metrics() -> FakeMetrics:
    return FakeMetrics()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def seed(goals: FakeGoals, clock: Clock) -> Seed:
    """Store a goal as create_goal would (fields of create_command, overridable)."""

    async def _seed(**overrides: Any) -> dict[str, Any]:
        doc = new_goal(create_command(**overrides), now=clock())
        return await goals.insert_if_absent(doc)

    return _seed


@pytest.fixture
def c() -> FakeContainer:
    """The API's container, with fakes and an active session of STREAMER."""
    container = FakeContainer(settings=Settings())
    container.sessions.sessions[SESSION_ID] = {
        "session_id": SESSION_ID,
        "user_id": STREAMER,
        "active": True,
    }
    return container


@pytest.fixture
def http(c: FakeContainer) -> TestClient:
    app = create_api(c)  # type: ignore[arg-type]
    client = TestClient(app)
    # Every answer the tests provoke must be one the OpenAPI document describes.
    client.event_hooks = {"response": [response_hook(app)]}
    return client


@pytest.fixture
def db(scratch_db: Any) -> Any:
    """A throwaway database on the stack's MongoDB-API server (the root conftest's)."""
    return scratch_db
