"""Demo users: a wallet in the sandbox and a profile on `user.updated`, as the platform
would provide them; signing in waits until the services have read the profile."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Protocol

import httpx

from dev_login.config import Settings
from livestream_schemas.wallet import UserUpdated
from service_kit.kafka import Publisher
from service_kit.lag import LagProbe
from service_kit.settings import KitSettings

USER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    username: str
    role: str  # "streamer" or "viewer": which view the page opens first


DEMO_USERS = (
    DemoUser("demo-mia", "Mia", "streamer"),
    DemoUser("demo-ava", "Ava", "streamer"),
    DemoUser("demo-leo", "Leo", "viewer"),
    DemoUser("demo-noah", "Noah", "viewer"),
    DemoUser("demo-emma", "Emma", "viewer"),
)


def wallet_of(user_id: str) -> str:
    return f"w-{user_id}"


class UserDirectory(Protocol):
    async def ensure(self, user_id: str, username: str) -> None: ...


class NotReady(Exception):
    """A service has not read the profile in time (the stack is down or far behind)."""


class Directory:
    def __init__(self, settings: Settings, http: httpx.AsyncClient, publisher: Publisher) -> None:
        self.settings, self.http, self.publisher = settings, http, publisher

    async def ensure(self, user_id: str, username: str) -> None:
        """Open the wallet once (never resets a balance), announce the profile, wait for it."""
        wallet = wallet_of(user_id)
        r = await self.http.get(f"{self.settings.wallet_sandbox_url}/accounts/{wallet}")
        if r.status_code == 404:
            r = await self.http.put(
                f"{self.settings.wallet_sandbox_url}/admin/accounts/{wallet}",
                json={"balance": self.settings.starting_balance},
            )
        r.raise_for_status()
        await self.publisher.publish(
            UserUpdated(user_id=user_id, username=username, wallet_id=wallet, level=1)
        )
        await asyncio.gather(*(self._caught_up(group) for group in self.settings.readers))

    async def _caught_up(self, group: str, within: float = 30.0) -> None:
        probe = LagProbe(
            KitSettings(
                service_name=group, kafka_bootstrap_servers=self.settings.kafka_bootstrap_servers
            ),
            [self.settings.topic("user.updated")],
        )
        deadline = time.monotonic() + within
        try:
            while time.monotonic() < deadline:
                lag = await probe.measure()
                if lag and not any(lag.values()):
                    return
                await asyncio.sleep(0.2)
        finally:
            await probe.close()
        raise NotReady(f"{group} has not read user.updated within {within:.0f}s")
