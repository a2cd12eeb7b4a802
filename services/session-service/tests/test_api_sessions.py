"""Session create / read / end through the real FastAPI app, with fakes behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from session_service_fakes import T0, Clock, FakePublisher, FakeSessions

from livestream_schemas.sessions import SessionEnded
from service_kit.auth import issue_token
from service_kit.conformance import CheckedTransport
from session_service.bootstrap import Container
from session_service.config import Settings
from session_service.domain.session import Status
from session_service.entrypoints.api import create_api

PRICING = {"exclusive_sd_per_minute": 10, "exclusive_durations": [300, 60, 600]}


class Api:
    def __init__(self) -> None:
        # explicit, so a variable in the environment cannot change what is tested
        self.settings = Settings(exclusive_cooldown_s=300)
        c = Container(self.settings)
        c.sessions = self.sessions = FakeSessions()
        c.clock = Clock()
        c.publisher = self.publisher = FakePublisher()  # type: ignore[assignment]
        self.http = httpx.AsyncClient(
            transport=CheckedTransport(create_api(c)), base_url="http://test"
        )

    def auth(self, user_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.settings.jwt_secret, user_id)}"}

    async def open(self, user_id: str = "streamer-1", body: Any = None) -> httpx.Response:
        payload = {"title": "late show", "pricing": PRICING} if body is None else body
        return await self.http.post("/sessions", json=payload, headers=self.auth(user_id))


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    a = Api()
    yield a
    await a.http.aclose()


async def test_a_streamer_opens_a_session(api: Api) -> None:
    response = await api.open()
    assert response.status_code == 201
    body = response.json()
    assert len(body["session_id"]) == 24
    assert body == {
        "session_id": body["session_id"],
        "user_id": "streamer-1",
        "active": True,
        "title": "late show",
        "pricing": {"exclusive_sd_per_minute": 10, "exclusive_durations": [60, 300, 600]},
        "status": {"preset": "hd", "exclusive_to": None},
        "show_goal_pairs": [],
        "exclusive_goal_pairs": {},
        "created_at": T0.isoformat().replace("+00:00", "Z"),
    }
    assert body["session_id"] in api.sessions.docs


async def test_opening_needs_a_token(api: Api) -> None:
    response = await api.http.post("/sessions", json={"pricing": PRICING})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x"},
        {"pricing": {"exclusive_sd_per_minute": 0, "exclusive_durations": [60]}},
        {"pricing": {"exclusive_sd_per_minute": 1, "exclusive_durations": []}},
        {"pricing": {"exclusive_sd_per_minute": 1, "exclusive_durations": [-5]}},
        {"pricing": PRICING, "user_id": "someone-else"},
    ],
)
async def test_bad_session_bodies_are_422(api: Api, body: Any) -> None:
    response = await api.open(body=body)
    assert response.status_code == 422
    assert api.sessions.docs == {}


async def test_any_signed_in_user_reads_a_session(api: Api) -> None:
    session_id = (await api.open()).json()["session_id"]
    response = await api.http.get(f"/sessions/{session_id}", headers=api.auth("viewer-9"))
    assert response.status_code == 200
    assert response.json()["user_id"] == "streamer-1"


async def test_reading_a_session_needs_a_token(api: Api) -> None:
    session_id = (await api.open()).json()["session_id"]
    response = await api.http.get(f"/sessions/{session_id}")
    assert response.status_code == 401
    assert response.json()["reason"] == "unauthenticated"


@pytest.mark.parametrize(
    ("reader", "pairs", "exclusive_to"),
    [
        ("streamer-1", {"viewer-1", "viewer-2"}, "viewer-1"),
        ("viewer-1", {"viewer-1"}, "viewer-1"),
        ("viewer-2", {"viewer-2"}, None),
        ("viewer-3", set(), None),
    ],
    ids=["owner", "viewer-in-session", "other-requester", "bystander"],
)
async def test_exclusive_requests_are_shown_to_the_owner_and_the_viewer_concerned(
    api: Api, reader: str, pairs: set[str], exclusive_to: str | None
) -> None:
    session_id = (await api.open()).json()["session_id"]
    for viewer in ("viewer-1", "viewer-2"):
        await api.sessions.bind_trigger_goal(session_id, viewer, f"goal-of-{viewer}")
    api.sessions._set(session_id, status=Status(preset="sd", exclusive_to="viewer-1"))
    response = await api.http.get(f"/sessions/{session_id}", headers=api.auth(reader))
    body = response.json()
    assert set(body["exclusive_goal_pairs"]) == pairs
    assert body["status"] == {"preset": "sd", "exclusive_to": exclusive_to}


async def test_reading_an_unknown_session_is_404(api: Api) -> None:
    response = await api.http.get(f"/sessions/{'0' * 24}", headers=api.auth("viewer-1"))
    assert response.status_code == 404
    assert response.json()["reason"] == "session_not_found"


async def test_the_owner_ends_the_session_twice_harmlessly(api: Api) -> None:
    session_id = (await api.open()).json()["session_id"]
    for _ in range(2):
        response = await api.http.post(
            f"/sessions/{session_id}/end", headers=api.auth("streamer-1")
        )
        assert response.status_code == 200
        assert response.json()["active"] is False
    assert api.sessions.docs[session_id].active is False
    # session.ended closes what is open on it; a retry announces it again, same event id
    (first, id1), (again, id2) = api.publisher.published
    assert isinstance(first, SessionEnded) and first.session_id == session_id
    assert first.user_id == "streamer-1" and again == first and id1 == id2


async def test_ending_when_kafka_is_down_is_503_and_a_retry_announces_it(api: Api) -> None:
    session_id = (await api.open()).json()["session_id"]
    api.publisher.fail_after = 0
    response = await api.http.post(f"/sessions/{session_id}/end", headers=api.auth("streamer-1"))
    assert response.status_code == 503
    api.publisher.fail_after = None
    response = await api.http.post(f"/sessions/{session_id}/end", headers=api.auth("streamer-1"))
    assert response.status_code == 200
    assert [type(m) for m in api.publisher.messages] == [SessionEnded]


async def test_ending_needs_a_token(api: Api) -> None:
    session_id = (await api.open()).json()["session_id"]
    assert (await api.http.post(f"/sessions/{session_id}/end")).status_code == 401


async def test_only_the_owner_ends_the_session(api: Api) -> None:
    session_id = (await api.open()).json()["session_id"]
    response = await api.http.post(f"/sessions/{session_id}/end", headers=api.auth("viewer-1"))
    assert (response.status_code, response.json()["reason"]) == (403, "not_owner")
    assert api.sessions.docs[session_id].active is True


async def test_ending_an_unknown_session_is_404(api: Api) -> None:
    response = await api.http.post(f"/sessions/{'0' * 24}/end", headers=api.auth("streamer-1"))
    assert response.status_code == 404
