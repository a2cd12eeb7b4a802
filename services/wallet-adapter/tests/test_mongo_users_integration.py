"""The user read model against the real FerretDB: a batch's users by id and by wallet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from wallet_adapter.adapters.mongo_users import MongoUserReadModel
from wallet_adapter.ports import WalletUser

pytestmark = pytest.mark.integration
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def users(scratch_db: Any) -> MongoUserReadModel:
    return MongoUserReadModel(scratch_db)


async def test_many_users_by_id_and_by_wallet_including_a_former_wallet(
    users: MongoUserReadModel,
) -> None:
    for i in range(3):
        await users.save(WalletUser(f"u{i}", f"w{i}", f"name{i}"), as_of=T0)
    # u0 moves to a new wallet: its old wallet still maps to it, for past transactions.
    await users.save(WalletUser("u0", "w0-new", "name0"), as_of=T0 + timedelta(seconds=1))
    by_id = await users.by_user_ids(["u0", "u2", "ghost"])
    assert {uid: u.wallet_id for uid, u in by_id.items()} == {"u0": "w0-new", "u2": "w2"}
    by_wallet = await users.by_wallet_ids(["w0", "w0-new", "w1", "w-ghost"])
    assert {w: u.user_id for w, u in by_wallet.items()} == {"w0": "u0", "w0-new": "u0", "w1": "u1"}
    assert await users.by_user_ids([]) == {} and await users.by_wallet_ids([]) == {}
