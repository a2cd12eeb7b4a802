from __future__ import annotations

from livestream_schemas.tags import SHOW_TICKET, escrow_tag, swag_tag
from livestream_schemas.wallet import BalanceIncremented
from notifier.handlers.notify_escrow_released import notify_escrow_released

from .fakes import T0, FakePublishedEvents, FakePublisher, envelope_of

SWAG = swag_tag("session-1", SHOW_TICKET, "goal-1")
HOLD = "goal:show-ticket:goal-1:p1"


def credit(tags: list[str]) -> BalanceIncremented:
    return BalanceIncremented(
        user_id="streamer-1",
        user_wallet_id="w-streamer-1",
        source_user_id="viewer-1",
        amount=60,
        timestamp=T0,
        transaction_id=f"release:{HOLD}",
        tags=tags,
    )


async def run(message, publisher, published, envelope=None):  # type: ignore[no-untyped-def]
    envelope = envelope or envelope_of(message)
    return await notify_escrow_released(
        message, envelope=envelope, publisher=publisher, published=published
    )


async def test_a_release_is_announced_to_the_beneficiary(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = credit([SWAG, escrow_tag("w-streamer-1", SWAG), f"release::{HOLD}"])
    assert await run(message, publisher, published) == []
    [trigger] = publisher.triggers
    assert (trigger.channels, trigger.event) == (["private-user@streamer-1"], "escrow.released")
    data = trigger.data
    assert (data["released_transaction_id"], data["amount"], data["goal_id"]) == (
        HOLD,
        60,
        "goal-1",
    )
    assert data["payer_id"] == "viewer-1"
    assert all(not tag.startswith("escrow::") for tag in data["tags"])


async def test_redelivery_triggers_once(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = credit([SWAG, f"release::{HOLD}"])
    envelope = envelope_of(message)
    for _ in range(2):
        await run(message, publisher, published, envelope)
    assert len(publisher.triggers) == 1


async def test_refunds_are_not_releases(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    await run(credit([SWAG, f"refund::{HOLD}"]), publisher, published)
    assert publisher.triggers == []
