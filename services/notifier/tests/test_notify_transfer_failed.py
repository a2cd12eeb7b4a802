from __future__ import annotations

from livestream_schemas.tags import TRIGGER_EXCLUSIVE, escrow_tag, swag_tag
from livestream_schemas.wallet import TransactionFailed
from notifier.handlers.notify_transfer_failed import notify_transfer_failed

from .fakes import FakePublishedEvents, FakePublisher, envelope_of

SWAG = swag_tag("session-1", TRIGGER_EXCLUSIVE, "goal-1")


def failed(**overrides: object) -> TransactionFailed:
    fields: dict[str, object] = {
        "transaction_id": "session:trigger-exclusive:goal-1",
        "kind": "transfer",
        "reason": "insufficient_funds",
        "from_user_id": "viewer-1",
        "amount": 300,
        "tags": [SWAG, escrow_tag("w-streamer", SWAG)],
    }
    fields.update(overrides)
    return TransactionFailed.model_validate(fields)


async def test_payer_learns_the_transfer_failed(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = failed()
    envelope = envelope_of(message)
    await notify_transfer_failed(
        message, envelope=envelope, publisher=publisher, published=published
    )
    [trigger] = publisher.triggers
    assert trigger.channels == ["private-user@viewer-1"]
    assert trigger.event == "transfer.failed"
    assert trigger.data["transaction_id"] == "session:trigger-exclusive:goal-1"
    assert trigger.data["reason"] == "insufficient_funds"
    assert trigger.data["amount"] == 300
    assert trigger.data["goal_id"] == "goal-1"
    assert trigger.data["tags"] == [SWAG]
    assert trigger.data["event_id"] == envelope.event_id


async def test_nobody_to_tell_without_a_payer(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = failed(from_user_id=None)
    await notify_transfer_failed(
        message, envelope=envelope_of(message), publisher=publisher, published=published
    )
    assert publisher.triggers == []


async def test_failed_refunds_are_not_announced_as_transfers(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = failed(kind="refund", reason="no_hold")
    await notify_transfer_failed(
        message, envelope=envelope_of(message), publisher=publisher, published=published
    )
    assert publisher.triggers == []


async def test_redelivery_triggers_once(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = failed()
    envelope = envelope_of(message)
    for _ in range(2):
        await notify_transfer_failed(
            message, envelope=envelope, publisher=publisher, published=published
        )
    assert len(publisher.triggers) == 1
