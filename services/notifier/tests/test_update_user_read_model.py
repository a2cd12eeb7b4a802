from __future__ import annotations

from datetime import timedelta

from livestream_schemas.wallet import UserUpdated
from notifier.domain.channels import UserProfile
from notifier.handlers.update_user_read_model import update_user_read_model

from .fakes import T0, FakeUsers, envelope_of


def updated(**overrides: object) -> UserUpdated:
    fields: dict[str, object] = {
        "user_id": "viewer-1",
        "username": "mei",
        "wallet_id": "w-viewer-1",
        "tags": ["blocked-by:streamer-1"],
        "level": 12,
    }
    fields.update(overrides)
    return UserUpdated.model_validate(fields)


async def test_stores_what_channel_auth_needs(users: FakeUsers) -> None:
    message = updated()
    assert await update_user_read_model(message, envelope=envelope_of(message), users=users) == []
    assert await users.get("viewer-1") == UserProfile(
        "viewer-1", "mei", 12, ("blocked-by:streamer-1",)
    )


async def test_redelivery_changes_nothing(users: FakeUsers) -> None:
    message = updated()
    envelope = envelope_of(message)
    await update_user_read_model(message, envelope=envelope, users=users)
    await update_user_read_model(message, envelope=envelope, users=users)
    assert (await users.get("viewer-1")) == UserProfile(
        "viewer-1", "mei", 12, ("blocked-by:streamer-1",)
    )


async def test_an_older_update_does_not_undo_a_newer_one(users: FakeUsers) -> None:
    newer, older = updated(tags=[]), updated()
    await update_user_read_model(newer, envelope=envelope_of(newer, at=T0), users=users)
    await update_user_read_model(
        older, envelope=envelope_of(older, at=T0 - timedelta(minutes=1)), users=users
    )
    profile = await users.get("viewer-1")
    assert profile is not None and profile.tags == ()
