"""The journeys' client helpers, as the apps behave: a 503 is sent again after Retry-After."""

from __future__ import annotations

import httpx
import pytest

from journeys import stack as journey_stack
from journeys.stack import until_not_503


def answers(*statuses: int, retry_after: str = "3") -> list[httpx.Response]:
    return [httpx.Response(s, headers={"Retry-After": retry_after}) for s in statuses]


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(journey_stack.asyncio, "sleep", sleep)
    return waits


async def test_a_503_is_sent_again_after_its_retry_after_until_decided(slept) -> None:  # type: ignore[no-untyped-def]
    queued = answers(503, 503, 409)
    seen: list[int] = []

    async def send() -> httpx.Response:
        return queued.pop(0)

    last = await until_not_503(send, within=60, seen=lambda r: seen.append(r.status_code))
    assert last.status_code == 409 and seen == [503, 503, 409]
    assert slept == [3.0, 3.0]


async def test_the_wait_is_capped_and_the_last_503_returned_once_time_is_up(slept) -> None:  # type: ignore[no-untyped-def]
    queued = answers(503, 503, retry_after="30")

    async def send() -> httpx.Response:
        return queued.pop(0)

    last = await until_not_503(send, within=-1, longest_wait=5.0)
    assert last.status_code == 503 and len(queued) == 1 and slept == []
    queued = answers(503, 200, retry_after="30")
    assert (await until_not_503(send, within=60, longest_wait=5.0)).status_code == 200
    assert slept == [5.0]
