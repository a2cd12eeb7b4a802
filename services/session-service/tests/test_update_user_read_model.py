from __future__ import annotations

from datetime import timedelta

from session_service_fakes import T0, FakeUsers

from livestream_schemas.envelope import encode
from livestream_schemas.wallet import UserUpdated
from session_service.handlers.update_user_read_model import update_user_read_model


def updated(tags: list[str], at_s: float = 0):  # type: ignore[no-untyped-def]
    message = UserUpdated(user_id="viewer-1", username="vee", wallet_id="w-1", tags=tags, level=3)
    envelope = encode(message, key="viewer-1").model_copy(
        update={"occurred_at": T0 + timedelta(seconds=at_s)}
    )
    return message, envelope


async def test_stores_the_profile() -> None:
    users = FakeUsers()
    message, envelope = updated(["blocked-by:streamer-1"])
    assert await update_user_read_model(message, envelope=envelope, users=users) == []
    stored = await users.get("viewer-1")
    assert stored is not None
    assert (stored.wallet_id, stored.tags, stored.level) == ("w-1", ("blocked-by:streamer-1",), 3)


async def test_a_newer_update_replaces_the_profile() -> None:
    users = FakeUsers()
    for tags, at in ((["a"], 0), (["b"], 1)):
        message, envelope = updated(tags, at)
        await update_user_read_model(message, envelope=envelope, users=users)
    stored = await users.get("viewer-1")
    assert stored is not None and stored.tags == ("b",)


async def test_an_older_update_arriving_late_is_ignored() -> None:
    users = FakeUsers()
    for tags, at in ((["new"], 10), (["old"], 5)):
        message, envelope = updated(tags, at)
        await update_user_read_model(message, envelope=envelope, users=users)
    stored = await users.get("viewer-1")
    assert stored is not None and stored.tags == ("new",)


async def test_redelivery_changes_nothing() -> None:
    users = FakeUsers()
    message, envelope = updated(["a"])
    await update_user_read_model(message, envelope=envelope, users=users)
    await update_user_read_model(message, envelope=envelope, users=users)
    assert users.writes == 1
