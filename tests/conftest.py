"""Journeys run against the whole running stack (make test starts it)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from journeys.stack import Stack, User


@pytest.fixture
async def stack(stack_env: dict[str, str]) -> AsyncIterator[Stack]:
    s = Stack()
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
def make_user():  # type: ignore[no-untyped-def]
    """Users are unique per test so runs never see each other's data."""

    def make(role: str, tags: list[str] | None = None) -> User:
        uid = f"{role}-{uuid.uuid4().hex[:10]}"
        return User(user_id=uid, username=role.title(), wallet_id=f"w-{uid}", tags=tags or [])

    return make
