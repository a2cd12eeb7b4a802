"""Against the real Pusher-protocol server (Sockudo): auth signatures and published events.

A websocket client plays pusher-js: it connects, asks the notifier's own /pusher/auth for
a signature, subscribes, and must then receive what the notifier publishes via the SDK.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import websockets

from notifier.bootstrap import Container
from notifier.config import Settings
from notifier.entrypoints.api import create_api
from notifier.handlers.notify_goal_progress_updated import notify_goal_progress_updated
from service_kit.auth import issue_token

from .fakes import FakePublishedEvents, FakeUsers, envelope_of, goal_progressed

pytestmark = pytest.mark.integration
READ_TIMEOUT_S = 5.0


class PusherSocket:
    """A minimal pusher-js: every read is bounded, so a silent server fails the test."""

    def __init__(self, ws: Any, socket_id: str) -> None:
        self.ws, self.socket_id = ws, socket_id

    async def next(self, *events: str, timeout: float = READ_TIMEOUT_S) -> dict[str, Any]:
        """The next message whose event is one of `events` (others, e.g. pings, skipped)."""
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await self.ws.recv())
                if message.get("event") in events:
                    return message  # type: ignore[no-any-return]

    async def subscribe(self, channel: str, auth: dict[str, Any]) -> None:
        data = {"channel": channel, **auth}
        await self.ws.send(json.dumps({"event": "pusher:subscribe", "data": data}))


@asynccontextmanager
async def connect(settings: Settings) -> AsyncIterator[PusherSocket]:
    url = (
        f"ws://{settings.pusher_host}:{settings.pusher_port}/app/{settings.pusher_key}"
        "?protocol=7&client=test&version=1"
    )
    async with websockets.connect(url, open_timeout=READ_TIMEOUT_S) as ws:
        async with asyncio.timeout(READ_TIMEOUT_S):
            hello = json.loads(await ws.recv())
        assert hello["event"] == "pusher:connection_established"
        yield PusherSocket(ws, json.loads(hello["data"])["socket_id"])


@pytest.fixture
def settings(stack_env: dict[str, str]) -> Settings:
    return Settings(
        pusher_host=stack_env["PUSHER_HOST"],
        pusher_port=int(stack_env["PUSHER_PORT"]),
        pusher_app_id=stack_env["PUSHER_APP_ID"],
        pusher_key=stack_env["PUSHER_KEY"],
        pusher_secret=stack_env["PUSHER_SECRET"],
        pusher_ssl=False,
        jwt_secret=stack_env["JWT_SECRET"],
    )


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    """Real Pusher publisher (official SDK), in-memory read model and published marks."""
    c = Container(settings)
    users = FakeUsers()
    c.users, c.published = users, FakePublishedEvents()
    yield c
    await c.client.close()


@pytest.fixture
async def api(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_api(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifier") as http:
        yield http


async def signed(
    api: httpx.AsyncClient, settings: Settings, user: str, socket: PusherSocket, channel: str
) -> dict[str, Any]:
    """Ask the notifier's /pusher/auth, as pusher-js would (form-encoded)."""
    token = issue_token(settings.jwt_secret, user)
    response = await api.post(
        "/pusher/auth",
        data={"socket_id": socket.socket_id, "channel_name": channel},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def fresh_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def test_subscriber_receives_what_the_notifier_publishes(
    api: httpx.AsyncClient, container: Container, settings: Settings
) -> None:
    streamer = fresh_id("streamer")
    channel = f"private-stream@{streamer}"
    async with connect(settings) as socket:
        await socket.subscribe(channel, await signed(api, settings, streamer, socket, channel))
        ok = await socket.next("pusher_internal:subscription_succeeded", "pusher:error")
        assert (ok["event"], ok["channel"]) == ("pusher_internal:subscription_succeeded", channel)

        message = goal_progressed(metadata={"user_id": streamer}, progress=3, version=4)
        envelope = envelope_of(message)
        await notify_goal_progress_updated(
            message, envelope=envelope, publisher=container.pusher, published=container.published
        )

        received = await socket.next("goal.progress.updated")
        assert received["channel"] == channel
        data = json.loads(received["data"])
        assert data["event_id"] == envelope.event_id
        assert (data["goal"]["progress"], data["goal"]["version"]) == (3, 4)


async def test_a_wrong_signature_is_refused_by_the_server(
    api: httpx.AsyncClient, container: Container, settings: Settings
) -> None:
    streamer = fresh_id("streamer")
    channel = f"private-stream@{streamer}"
    async with connect(settings) as socket:
        forged = {"auth": f"{settings.pusher_key}:{'0' * 64}"}
        await socket.subscribe(channel, forged)
        error = await socket.next("pusher:error", "pusher_internal:subscription_succeeded")
        # Sockudo answers a bad signature with pusher:error 4009 and keeps the socket open.
        assert error["event"] == "pusher:error"
        assert error["data"]["code"] == 4009

        await container.pusher.trigger([channel], "goal.added", {"secret": True})
        with pytest.raises(TimeoutError):
            await socket.next("goal.added", timeout=1.5)


async def test_presence_members_carry_the_signed_user_info(
    api: httpx.AsyncClient, container: Container, settings: Settings
) -> None:
    streamer = fresh_id("streamer")
    channel = f"presence-stream@{streamer}"
    users: FakeUsers = container.users  # type: ignore[assignment]
    users.add("viewer-a", username="mei", level=12)
    users.add("viewer-b", username="kai", level=3)
    async with connect(settings) as first:
        await first.subscribe(channel, await signed(api, settings, "viewer-a", first, channel))
        joined = await first.next("pusher_internal:subscription_succeeded", "pusher:error")
        presence = json.loads(joined["data"])["presence"]
        assert "viewer-a" in presence["ids"]
        assert presence["hash"]["viewer-a"] == {"id": "viewer-a", "username": "mei", "level": 12}

        async with connect(settings) as second:
            await second.subscribe(
                channel, await signed(api, settings, "viewer-b", second, channel)
            )
            await second.next("pusher_internal:subscription_succeeded")
            added = await first.next("pusher_internal:member_added")
            member = json.loads(added["data"])
            assert member["user_id"] == "viewer-b"
            assert member["user_info"] == {"id": "viewer-b", "username": "kai", "level": 3}
