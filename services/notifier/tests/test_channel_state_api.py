"""GET /channels/stream@{streamer_id}/state: what a client reloads after reconnecting."""

from __future__ import annotations

import httpx

from notifier.handlers.invalidate_cached_pusher_channel_data import (
    invalidate_cached_pusher_channel_data,
)

from .conftest import bearer
from .fakes import T0, FakeChannelStates, FakeUsers, envelope_of, goal_added, goal_ended


async def test_viewer_reads_current_and_recently_ended_goals(
    client: httpx.AsyncClient, states: FakeChannelStates
) -> None:
    for message in (goal_added(), goal_added(goal_id="goal-2"), goal_ended(goal_id="goal-2")):
        await invalidate_cached_pusher_channel_data(
            message, envelope=envelope_of(message), states=states
        )

    response = await client.get("/channels/stream@streamer-1/state", headers=bearer("viewer-1"))

    assert response.status_code == 200
    body = response.json()
    assert body["channel"] == "stream@streamer-1"
    assert body["streamer_id"] == "streamer-1"
    assert list(body["goals"]) == ["goal-1"]
    assert body["goals"]["goal-1"]["version"] == 1
    assert [g["goal_id"] for g in body["recent_ended"]] == ["goal-2"]
    assert body["updated_at"] == T0.isoformat()


async def test_a_stream_without_goals_has_an_empty_state(client: httpx.AsyncClient) -> None:
    response = await client.get("/channels/stream@nobody/state", headers=bearer("viewer-1"))
    assert response.status_code == 200
    assert response.json()["goals"] == {}
    assert response.json()["recent_ended"] == []


async def test_a_blocked_viewer_is_refused(client: httpx.AsyncClient, users: FakeUsers) -> None:
    users.add("blocked-1", tags=["blocked-by:streamer-1"])
    response = await client.get("/channels/stream@streamer-1/state", headers=bearer("blocked-1"))
    assert response.status_code == 403
    assert response.json()["reason"] == "blocked_by_streamer"


async def test_other_channels_have_no_state(client: httpx.AsyncClient) -> None:
    for channel in ("user@viewer-1", "stream@"):
        response = await client.get(f"/channels/{channel}/state", headers=bearer("viewer-1"))
        assert response.status_code == 404


async def test_requires_a_signed_in_user(client: httpx.AsyncClient) -> None:
    response = await client.get("/channels/stream@streamer-1/state")
    assert response.status_code == 401
