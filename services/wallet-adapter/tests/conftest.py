from __future__ import annotations

import httpx
import pytest

from service_kit.conformance import CheckedTransport
from wallet_adapter.bootstrap import Container
from wallet_adapter.config import Settings
from wallet_adapter.entrypoints.api import create_api
from wallet_adapter.ports import WalletUser

from .fakes import FakePublisher, FakeSeen, FakeUsers, FakeWallet

VIEWER = WalletUser("viewer-1", "w-viewer", "Vee", ("vip",), {"tier": "gold"}, 7)
STREAMER = WalletUser("streamer-1", "w-streamer", "Stella", (), {}, 30)


@pytest.fixture
def users() -> FakeUsers:
    return FakeUsers(VIEWER, STREAMER)


@pytest.fixture
def wallet() -> FakeWallet:
    return FakeWallet(balances={"w-viewer": 500, "w-streamer": 0})


SECRET = "test-wallet-secret"


@pytest.fixture
async def edge(users, wallet):  # type: ignore[no-untyped-def]
    """The adapter's HTTP app on fakes: (client, container, publisher, seen)."""
    container = Container(Settings(wallet_callback_secret=SECRET, wallet_callback_max_skew_s=300))
    container.publisher = FakePublisher()  # type: ignore[assignment]
    container.users, container.wallet, container.seen = users, wallet, FakeSeen()
    transport = CheckedTransport(create_api(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://adapter") as client:
        yield client, container
    await container.client.close()
