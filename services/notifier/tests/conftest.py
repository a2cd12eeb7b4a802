from __future__ import annotations

import pytest

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
