from __future__ import annotations

from livestream_schemas.tags import TRIGGER_EXCLUSIVE, escrow_tag, swag_tag
from livestream_schemas.wallet import BalanceIncremented
from notifier.handlers.notify_user_refunded import notify_user_refunded

from .fakes import T0, FakePublishedEvents, FakePublisher, envelope_of

SWAG = swag_tag("session-1", TRIGGER_EXCLUSIVE, "goal-1")
HOLD = "session:trigger-exclusive:goal-1"


def credit(tags: list[str]) -> BalanceIncremented:
    return BalanceIncremented(
        user_id="viewer-1",
        user_wallet_id="w-viewer-1",
        amount=300,
        timestamp=T0,
        transaction_id="refund-tx-1",
        tags=tags,
    )


async def test_refund_is_announced_to_the_payer(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = credit([SWAG, escrow_tag("w-streamer", SWAG), f"refund::{HOLD}"])
    envelope = envelope_of(message)

    assert (
        await notify_user_refunded(
            message, envelope=envelope, publisher=publisher, published=published
        )
        == []
    )

    [trigger] = publisher.triggers
    assert trigger.channels == ["private-user@viewer-1"]
    assert trigger.event == "escrow.refunded"
    assert trigger.data == {
        "event_id": envelope.event_id,
        "occurred_at": envelope.occurred_at.isoformat(),
        "transaction_id": "refund-tx-1",
        "refunded_transaction_id": HOLD,
        "amount": 300,
        # The escrow tag names the streamer's wallet: not for the viewer's app.
        "tags": [SWAG, f"refund::{HOLD}"],
        "goal_id": "goal-1",
        "session_id": "session-1",
    }


async def test_other_credits_are_not_refunds(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = credit([SWAG, f"release::{HOLD}"])
    await notify_user_refunded(
        message, envelope=envelope_of(message), publisher=publisher, published=published
    )
    assert publisher.triggers == []


async def test_redelivery_triggers_once(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = credit([SWAG, f"refund::{HOLD}"])
    envelope = envelope_of(message)
    for _ in range(2):
        await notify_user_refunded(
            message, envelope=envelope, publisher=publisher, published=published
        )
    assert len(publisher.triggers) == 1
