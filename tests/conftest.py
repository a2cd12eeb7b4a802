"""Journeys run against the whole running stack (make test starts it)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from journeys.quiescence import assert_quiescent
from journeys.stack import Stack, User

CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture
async def stack(stack_env: dict[str, str]) -> AsyncIterator[Stack]:
    s = Stack()
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def make_user(
    request: pytest.FixtureRequest, stack_env: dict[str, str]
) -> AsyncIterator[Callable[..., User]]:
    """Users are unique per test so runs never see each other's data.

    After a journey that passed, what its users paid into escrow must be quiescent: no hold
    open unless its goal, request, show or session is, and the ledger balanced."""
    made: list[User] = []

    def make(role: str, tags: list[str] | None = None) -> User:
        uid = f"{role}-{uuid.uuid4().hex[:10]}"
        user = User(user_id=uid, username=role.title(), wallet_id=f"w-{uid}", tags=tags or [])
        made.append(user)
        return user

    yield make
    if made and not request.node.stash.get(CALL_FAILED, True):
        check = Stack()
        try:
            await assert_quiescent(check, made)
        finally:
            await check.close()
