from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from notifier.bootstrap import Container
from notifier.config import Settings
from notifier.entrypoints.api import create_api
from service_kit.auth import issue_token
from service_kit.conformance import CheckedTransport

from .fakes import FakeChannelStates, FakePublishedEvents, FakePublisher, FakeUsers


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def published() -> FakePublishedEvents:
    return FakePublishedEvents()


@pytest.fixture
def states() -> FakeChannelStates:
    return FakeChannelStates()


@pytest.fixture
def users() -> FakeUsers:
    return FakeUsers()


@pytest.fixture
async def client(
    publisher: FakePublisher,
    published: FakePublishedEvents,
    states: FakeChannelStates,
    users: FakeUsers,
) -> AsyncIterator[httpx.AsyncClient]:
    """The notifier API over fakes (no lifespan: nothing real is started)."""
    container = Container(Settings())
    real_client = container.client
    container.pusher, container.published = publisher, published
    container.states, container.users = states, users
    transport = CheckedTransport(create_api(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifier") as http:
        yield http
    await real_client.close()


def bearer(user_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(Settings().jwt_secret, user_id)}"}
