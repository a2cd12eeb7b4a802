"""POST /pusher/auth: who may subscribe to which channel, and the signature it returns."""

from __future__ import annotations

import json

import httpx
import pytest

from .conftest import bearer
from .fakes import KEY, SECRET, FakeUsers, pusher_signature

SOCKET = "1234.5678"


@pytest.fixture(autouse=True)
def known_users(users: FakeUsers) -> None:
    users.add("streamer-1", username="star", level=40)
    users.add("viewer-1", username="mei", level=12)
    users.add("blocked-1", username="troll", level=3, tags=["blocked-by:streamer-1"])


async def auth(client: httpx.AsyncClient, user: str | None, channel: str, *, as_json: bool = False):  # type: ignore[no-untyped-def]
    body = {"socket_id": SOCKET, "channel_name": channel}
    headers = bearer(user) if user else {}
    if as_json:
        return await client.post("/pusher/auth", json=body, headers=headers)
    # What pusher-js sends.
    return await client.post("/pusher/auth", data=body, headers=headers)


async def test_own_user_channel_is_signed(client: httpx.AsyncClient) -> None:
    response = await auth(client, "viewer-1", "private-user@viewer-1")
    assert response.status_code == 200
    expected = pusher_signature(SECRET, f"{SOCKET}:private-user@viewer-1")
    assert response.json() == {"auth": f"{KEY}:{expected}"}


async def test_json_bodies_are_accepted_too(client: httpx.AsyncClient) -> None:
    response = await auth(client, "viewer-1", "private-user@viewer-1", as_json=True)
    assert response.status_code == 200


async def test_someone_elses_user_channel_is_refused(client: httpx.AsyncClient) -> None:
    response = await auth(client, "viewer-1", "private-user@streamer-1")
    assert response.status_code == 403
    assert response.json()["reason"] == "not_channel_owner"


@pytest.mark.parametrize("user", ["streamer-1", "viewer-1", "stranger-not-in-read-model"])
async def test_private_stream_is_open_to_the_streamer_and_viewers(
    client: httpx.AsyncClient, user: str
) -> None:
    response = await auth(client, user, "private-stream@streamer-1")
    assert response.status_code == 200
    expected = pusher_signature(SECRET, f"{SOCKET}:private-stream@streamer-1")
    assert response.json()["auth"] == f"{KEY}:{expected}"


@pytest.mark.parametrize("channel", ["private-stream@streamer-1", "presence-stream@streamer-1"])
async def test_a_blocked_viewer_is_refused_the_stream(
    client: httpx.AsyncClient, channel: str
) -> None:
    response = await auth(client, "blocked-1", channel)
    assert response.status_code == 403
    assert response.json()["reason"] == "blocked_by_streamer"


async def test_blocks_by_another_streamer_do_not_matter(client: httpx.AsyncClient) -> None:
    response = await auth(client, "blocked-1", "presence-stream@streamer-2")
    assert response.status_code == 200


async def test_presence_returns_signed_member_data(client: httpx.AsyncClient) -> None:
    response = await auth(client, "viewer-1", "presence-stream@streamer-1")
    assert response.status_code == 200
    body = response.json()
    assert json.loads(body["channel_data"]) == {
        "user_id": "viewer-1",
        "user_info": {"id": "viewer-1", "username": "mei", "level": 12},
    }
    signed = f"{SOCKET}:presence-stream@streamer-1:{body['channel_data']}"
    assert body["auth"] == f"{KEY}:{pusher_signature(SECRET, signed)}"


@pytest.mark.parametrize(
    "channel",
    [
        "public-stream",
        "private-other@x",
        "presence-user@viewer-1",
        "private-user@",
        "private-stream@",
    ],
)
async def test_other_channels_are_refused_with_a_reason(
    client: httpx.AsyncClient, channel: str
) -> None:
    response = await auth(client, "viewer-1", channel)
    assert response.status_code == 403
    assert response.json()["reason"] == "unknown_channel"


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    response = await auth(client, None, "private-user@viewer-1")
    assert response.status_code == 401


async def test_missing_fields_are_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/pusher/auth", data={"socket_id": SOCKET}, headers=bearer("viewer-1")
    )
    assert response.status_code == 422
    assert response.json()["reason"] == "invalid_request"


async def test_malformed_socket_id_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/pusher/auth",
        data={"socket_id": "nope", "channel_name": "private-user@viewer-1"},
        headers=bearer("viewer-1"),
    )
    assert response.status_code == 422
    assert response.json()["reason"] == "invalid_request"
