"""Clients for the running local stack: the services' HTTP APIs, the wallet sandbox,
the user feed (`user.updated`) and a real Pusher websocket subscriber."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import websockets

from livestream_schemas.wallet import UserUpdated
from service_kit.auth import issue_token
from service_kit.kafka import Publisher
from service_kit.lag import LagProbe
from service_kit.settings import KitSettings

T = TypeVar("T")


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Endpoints:
    goal: str = f"http://127.0.0.1:{_env('GOAL_SERVICE_PORT', '25001')}"
    session: str = f"http://127.0.0.1:{_env('SESSION_SERVICE_PORT', '25002')}"
    wallet_adapter: str = f"http://127.0.0.1:{_env('WALLET_ADAPTER_PORT', '25003')}"
    notifier: str = f"http://127.0.0.1:{_env('NOTIFIER_PORT', '25004')}"
    sandbox: str = f"http://127.0.0.1:{_env('WALLET_SANDBOX_PORT', '25005')}"
    traces: str = f"http://127.0.0.1:{_env('TRACES_PORT', '22418')}"
    pusher_ws: str = (
        f"ws://{_env('PUSHER_HOST', '127.0.0.1')}:{_env('PUSHER_PORT', '23051')}"
        f"/app/{_env('PUSHER_KEY', 'local-key')}?protocol=7&client=journeys&version=1.0"
    )
    kafka: str = _env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:26092")
    jwt_secret: str = _env("JWT_SECRET", "dev-only-jwt-secret-change-me-32bytes!")
    pusher_key: str = _env("PUSHER_KEY", "local-key")


async def eventually(
    probe: Callable[[], Awaitable[T]], *, within: float = 30.0, every: float = 0.2, what: str = ""
) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after `within` s."""
    deadline = time.monotonic() + within
    last: Any = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(every)
    raise AssertionError(f"not within {within}s: {what} (last: {last!r})")


async def until_not_503(
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    within: float,
    longest_wait: float = float("inf"),
    seen: Callable[[httpx.Response], object] = lambda _: None,
) -> httpx.Response:
    """Send until the answer is not a 503 ("not yet": a decision pending, a dependency briefly
    away), waiting its Retry-After (at most `longest_wait` s) between tries as the apps do;
    after `within` s, the last answer. `seen` is shown every answer."""
    deadline = time.monotonic() + within
    while True:
        response = await send()
        seen(response)
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(min(float(response.headers.get("retry-after", "1")), longest_wait))


@dataclass
class User:
    user_id: str
    username: str
    wallet_id: str
    tags: list[str] = field(default_factory=list)
    level: int = 1

    def token(self, ep: Endpoints, client_id: str = "journeys-app") -> str:
        return issue_token(ep.jwt_secret, self.user_id, client_id)

    def headers(self, ep: Endpoints, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(ep)}", **extra}


class Stack:
    """One object per journey: HTTP client, user feed publisher, sandbox admin."""

    def __init__(self, ep: Endpoints | None = None) -> None:
        self.ep = ep or Endpoints()
        # Idle connections go before uvicorn's 5 s keep-alive closes them: reusing one the
        # server is closing fails with a ReadError on a loaded machine.
        self.http = httpx.AsyncClient(timeout=10, limits=httpx.Limits(keepalive_expiry=2))
        self.publisher = Publisher(
            KitSettings(service_name="journeys", kafka_bootstrap_servers=self.ep.kafka)
        )

    async def close(self) -> None:
        await self.http.aclose()
        await self.publisher.stop()

    async def add_user(self, user: User, balance: int) -> User:
        """Create the wallet with `balance` coins and announce the user to every service."""
        r = await self.http.put(
            f"{self.ep.sandbox}/admin/accounts/{user.wallet_id}", json={"balance": balance}
        )
        r.raise_for_status()
        await self.publisher.publish(
            UserUpdated(
                user_id=user.user_id,
                username=user.username,
                wallet_id=user.wallet_id,
                tags=user.tags,
                level=user.level,
            )
        )
        return user

    async def wait_users_known(self, *users: User) -> None:
        """Wait until every service has read these users' profiles."""
        for user in users:

            async def known(user: User = user) -> bool:
                r = await self.http.get(
                    f"{self.ep.wallet_adapter}/balances/{user.user_id}",
                    headers=user.headers(self.ep),
                )
                return r.status_code == 200

            await eventually(known, what=f"wallet-adapter knows {user.user_id}")
        await self.wait_consumed("user.updated")

    async def wait_consumed(
        self, topic: str, groups: tuple[str, ...] = ("session-service", "notifier")
    ) -> None:
        """Wait until every consumer group of `topic` has committed up to its end."""
        for group in groups:
            probe = LagProbe(
                KitSettings(service_name=group, kafka_bootstrap_servers=self.ep.kafka), [topic]
            )
            try:

                async def caught_up(probe: LagProbe = probe) -> bool:
                    lag = await probe.measure()
                    return bool(lag) and not any(lag.values())

                await eventually(caught_up, what=f"{group} consumed {topic}")
            finally:
                await probe.close()

    async def balance(self, wallet_id: str) -> int:
        r = await self.http.get(f"{self.ep.sandbox}/accounts/{wallet_id}")
        r.raise_for_status()
        return int(r.json()["balance"])

    async def holds(self, tag: str, status: str = "open") -> list[dict[str, Any]]:
        """Escrow holds carrying `tag` (open ones unless told otherwise)."""
        r = await self.http.get(f"{self.ep.sandbox}/holds", params={"tag": tag, "status": status})
        r.raise_for_status()
        body = r.json()
        return body["holds"] if isinstance(body, dict) else body

    async def holds_tagged(self, tag: str) -> list[dict[str, Any]]:
        """Every escrow hold, open or settled, with `tag` as one of its tags (a lookup the
        sandbox serves from an index, where `holds` with no status reads them all)."""
        r = await self.http.get(f"{self.ep.sandbox}/holds", params={"has_tag": tag})
        r.raise_for_status()
        return r.json()["holds"]  # type: ignore[no-any-return]

    async def ledger(self) -> dict[str, int]:
        r = await self.http.get(f"{self.ep.sandbox}/ledger/summary")
        r.raise_for_status()
        return r.json()  # type: ignore[no-any-return]

    async def assert_ledger_balanced(self) -> None:
        """The sandbox's invariant: every minted coin is in a balance or an open hold."""
        ledger = await self.ledger()
        assert ledger["total_balances"] + ledger["open_holds"] == ledger["minted"], ledger


class PusherClient:
    """A real websocket client of the Pusher protocol (v7), authorised by the notifier."""

    def __init__(self, stack: Stack, user: User) -> None:
        self.stack, self.user = stack, user
        self.events: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.subscribed: set[str] = set()
        self._ws: Any = None
        self._reader: asyncio.Task[None] | None = None
        self.socket_id = ""

    async def __aenter__(self) -> PusherClient:
        self._ws = await websockets.connect(self.stack.ep.pusher_ws, open_timeout=10)
        hello = json.loads(await asyncio.wait_for(self._ws.recv(), 10))
        assert hello["event"] == "pusher:connection_established", hello
        self.socket_id = json.loads(hello["data"])["socket_id"]
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._reader:
            self._reader.cancel()
        await self._ws.close()

    async def _read(self) -> None:
        async for raw in self._ws:
            msg = json.loads(raw)
            name = msg.get("event", "")
            if name == "pusher:ping":
                await self._ws.send(json.dumps({"event": "pusher:pong", "data": {}}))
            elif name == "pusher_internal:subscription_succeeded":
                self.subscribed.add(msg.get("channel", ""))
            elif name in ("pusher:error", "pusher:subscription_error"):
                self.errors.append(msg)
            elif not name.startswith("pusher"):
                msg["received_at"] = time.monotonic()  # for latency figures (journeys.bench)
                data = msg.get("data")
                msg["data"] = json.loads(data) if isinstance(data, str) else data
                self.events.append(msg)

    async def authorize(self, channel: str, as_user: User | None = None) -> httpx.Response:
        return await self.stack.http.post(
            f"{self.stack.ep.notifier}/pusher/auth",
            data={"socket_id": self.socket_id, "channel_name": channel},
            headers=(as_user or self.user).headers(self.stack.ep),
        )

    async def subscribe(self, channel: str, as_user: User | None = None) -> None:
        """Subscribe this socket; `as_user` lets one socket watch several users' channels."""
        r = await self.authorize(channel, as_user)
        r.raise_for_status()
        body = r.json()
        data = {"channel": channel, "auth": body["auth"]}
        if "channel_data" in body:
            data["channel_data"] = body["channel_data"]
        await self._ws.send(json.dumps({"event": "pusher:subscribe", "data": data}))
        await eventually(self._is_subscribed(channel), within=10, what=f"subscribed to {channel}")

    def _is_subscribed(self, channel: str) -> Callable[[], Awaitable[bool]]:
        async def probe() -> bool:
            return channel in self.subscribed

        return probe

    def received(
        self, event: str, channel: str | None = None, goal_id: str | None = None
    ) -> list[dict[str, Any]]:
        out = []
        for m in self.events:
            if m.get("event") != event or (channel and m.get("channel") != channel):
                continue
            data = m.get("data") or {}
            gid = (data.get("goal") or {}).get("goal_id") or data.get("goal_id")
            if goal_id and gid != goal_id:
                continue
            out.append(m)
        return out

    async def wait_for(
        self,
        event: str,
        *,
        channel: str | None = None,
        goal_id: str | None = None,
        within: float = 30.0,
    ) -> dict[str, Any]:
        async def probe() -> list[dict[str, Any]]:
            return self.received(event, channel, goal_id)

        return (await eventually(probe, within=within, what=f"{event} on {channel}"))[0]
