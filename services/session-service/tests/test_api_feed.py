"""GET /sessions/{id}/feed through the real FastAPI app, with fakes behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from session_service_fakes import T0, FakeFeed, FakeSessions, make_session

from livestream_schemas.goals import SHOW_FUNDING_GOAL, TRIGGER_EXCLUSIVE_GOAL
from service_kit.auth import issue_token
from service_kit.conformance import CheckedTransport
from session_service.bootstrap import Container
from session_service.config import Settings
from session_service.domain.feed import FeedEntry
from session_service.entrypoints.api import create_api

SID = "a" * 24
URL = f"/sessions/{SID}/feed"


def auth(user_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(Settings().jwt_secret, user_id)}"}


def entry(n: int, session_id: str = SID) -> FeedEntry:
    exclusive = n % 2 == 1
    return FeedEntry(
        entry_id=f"event-{n:03d}",
        session_id=session_id,
        streamer_id="streamer-1",
        goal_id=f"goal-{n}",
        cls=TRIGGER_EXCLUSIVE_GOAL if exclusive else SHOW_FUNDING_GOAL,
        kind="exclusive_requested" if exclusive else "show_funding_opened",
        occurred_at=T0 + timedelta(seconds=n),
        title=None if exclusive else "show",
        target=None if exclusive else 10,
        exclusive_to="viewer-1" if exclusive else None,
        prepaid_duration=300 if exclusive else None,
    )


@pytest.fixture
async def feed() -> FakeFeed:
    return FakeFeed()


@pytest.fixture
async def http(feed: FakeFeed) -> AsyncIterator[httpx.AsyncClient]:
    c = Container(Settings())
    c.sessions = FakeSessions(make_session(SID), make_session("b" * 24))
    c.feed = feed
    transport = CheckedTransport(create_api(c))
    # The streamer reads their own feed unless a test says otherwise.
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=auth("streamer-1")
    ) as client:
        yield client


async def test_newest_first_twenty_by_default(http: httpx.AsyncClient, feed: FakeFeed) -> None:
    for n in range(25):
        await feed.append(entry(n))
    await feed.append(entry(99, session_id="b" * 24))
    response = await http.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["session_id"] == SID
    assert [e["goal_id"] for e in body["entries"]] == [f"goal-{n}" for n in range(24, 4, -1)]
    assert body["entries"][0] == {
        "entry_id": "event-024",
        "session_id": SID,
        "streamer_id": "streamer-1",
        "goal_id": "goal-24",
        "_cls": SHOW_FUNDING_GOAL,
        "kind": "show_funding_opened",
        "title": "show",
        "target": 10,
        "occurred_at": (T0 + timedelta(seconds=24)).isoformat(),
    }
    assert body["entries"][1]["exclusive_to"] == "viewer-1"


async def test_limit_picks_how_many(http: httpx.AsyncClient, feed: FakeFeed) -> None:
    for n in range(3):
        await feed.append(entry(n))
    response = await http.get(URL, params={"limit": 2})
    assert [e["goal_id"] for e in response.json()["entries"]] == ["goal-2", "goal-1"]
    response = await http.get(URL, params={"limit": 100})
    assert len(response.json()["entries"]) == 3


@pytest.mark.parametrize("limit", ["0", "101", "-1", "many"])
async def test_a_limit_out_of_range_is_422(http: httpx.AsyncClient, limit: str) -> None:
    response = await http.get(URL, params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["reason"] == "invalid_request"


async def test_a_session_without_entries_has_an_empty_feed(http: httpx.AsyncClient) -> None:
    response = await http.get(URL)
    assert response.json() == {"session_id": SID, "entries": []}


async def test_an_unknown_session_is_404(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/sessions/{'0' * 24}/feed")
    assert response.status_code == 404
    assert response.json()["reason"] == "session_not_found"


async def test_reading_a_feed_needs_a_token(http: httpx.AsyncClient, feed: FakeFeed) -> None:
    await feed.append(entry(1))
    response = await http.get(URL, headers={"Authorization": ""})
    assert response.status_code == 401
    assert response.json()["reason"] == "unauthenticated"


@pytest.mark.parametrize(
    ("reader", "sees"),
    [("streamer-1", "viewer-1"), ("viewer-1", "viewer-1"), ("viewer-2", None)],
    ids=["owner", "the-viewer-concerned", "anyone-else"],
)
async def test_who_paid_for_a_request_is_shown_to_the_owner_and_that_viewer_only(
    http: httpx.AsyncClient, feed: FakeFeed, reader: str, sees: str | None
) -> None:
    await feed.append(entry(1))
    response = await http.get(URL, headers=auth(reader))
    [request] = response.json()["entries"]
    assert request["kind"] == "exclusive_requested"
    assert request["exclusive_to"] == sees
