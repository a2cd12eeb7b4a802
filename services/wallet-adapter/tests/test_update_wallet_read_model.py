from __future__ import annotations

from datetime import timedelta

from livestream_schemas.envelope import Envelope, encode
from livestream_schemas.wallet import UserUpdated
from wallet_adapter.handlers.update_wallet_read_model import update_wallet_read_model

from .fakes import FakeUsers


def updated(**overrides: object) -> UserUpdated:
    fields: dict[str, object] = {
        "user_id": "u-1",
        "username": "Uma",
        "wallet_id": "w-1",
        "tags": ["blocked-by:s-9"],
        "tagsv2": {"tier": "gold"},
        "level": 4,
    }
    return UserUpdated.model_validate({**fields, **overrides})


def env(message: UserUpdated, shift_s: float = 0) -> Envelope:
    envelope = encode(message, key=message.user_id)
    return envelope.model_copy(
        update={"occurred_at": envelope.occurred_at + timedelta(seconds=shift_s)}
    )


async def test_user_and_wallet_mapping_are_kept() -> None:
    users = FakeUsers()
    message = updated()
    assert await update_wallet_read_model(message, envelope=env(message), users=users) == []
    user = await users.by_wallet_id("w-1")
    assert user is not None
    assert (user.user_id, user.username, user.tags, user.level) == (
        "u-1",
        "Uma",
        ("blocked-by:s-9",),
        4,
    )
    assert user.info().tagsv2 == {"tier": "gold"}


async def test_redelivery_changes_nothing_and_a_new_wallet_id_resolves() -> None:
    users = FakeUsers()
    first = updated()
    first_env = env(first)
    for _ in range(2):
        await update_wallet_read_model(first, envelope=first_env, users=users)
    assert len(users.by_user) == 1
    second = updated(wallet_id="w-2", level=5)
    await update_wallet_read_model(second, envelope=env(second, 1), users=users)
    new = await users.by_wallet_id("w-2")
    old = await users.by_wallet_id("w-1")
    assert new is not None and new.level == 5
    assert old is not None and old.user_id == "u-1"  # past transactions still map to the user


async def test_an_older_update_arriving_late_changes_nothing() -> None:
    users = FakeUsers()
    new = updated(level=9)
    await update_wallet_read_model(new, envelope=env(new, 5), users=users)
    stale = updated(level=1)
    await update_wallet_read_model(stale, envelope=env(stale), users=users)
    user = await users.by_user_id("u-1")
    assert user is not None and user.level == 9
