from __future__ import annotations

import json

import pytest

from livestream_schemas.tags import SHOW_TICKET, TRIGGER_EXCLUSIVE, escrow_tag, swag_tag
from livestream_schemas.wallet import BalanceChanged, BalanceDecremented, BalanceIncremented
from notifier.handlers.fetch_user_balance_when_changed import fetch_user_balance_when_changed

from .fakes import T0, FakePublishedEvents, FakePublisher, envelope_of

SWAG = swag_tag("session-1", TRIGGER_EXCLUSIVE, "goal-1")
ESCROW = escrow_tag("w-streamer-1", SWAG)
HOLD = "session:trigger-exclusive:goal-1"


def change(
    kind: type[BalanceChanged], tags: list[str], *, user: str = "viewer-1", tx: str = HOLD
) -> BalanceChanged:
    return kind(
        user_id=user,
        user_wallet_id=f"w-{user}",
        amount=300,
        timestamp=T0,
        transaction_id=tx,
        tags=tags,
    )


async def run(
    message: BalanceChanged, publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    out = await fetch_user_balance_when_changed(
        message, envelope=envelope_of(message), publisher=publisher, published=published
    )
    assert out == []


async def test_an_exclusive_request_debit_tells_the_payer(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = change(BalanceDecremented, [SWAG, ESCROW])
    envelope = envelope_of(message)
    await fetch_user_balance_when_changed(
        message, envelope=envelope, publisher=publisher, published=published
    )
    [trigger] = publisher.triggers
    assert trigger.channels == ["private-user@viewer-1"]
    assert trigger.event == "balance.changed"
    assert trigger.data == {
        "event_id": envelope.event_id,
        "occurred_at": envelope.occurred_at.isoformat(),
        "transaction_id": HOLD,
        "direction": "debit",
        "amount": 300,
        "reason": "exclusive_request",
        "goal_id": "goal-1",
    }
    # The escrow tag names the streamer's wallet: nothing of it reaches the viewer's app.
    assert "escrow" not in json.dumps(trigger.data)
    assert "w-streamer-1" not in json.dumps(trigger.data)


@pytest.mark.parametrize(
    ("kind", "tags", "direction", "reason", "goal_id"),
    [
        (BalanceIncremented, [SWAG, ESCROW, f"refund::{HOLD}"], "credit", "refund", "goal-1"),
        (BalanceIncremented, [SWAG, ESCROW, f"release::{HOLD}"], "credit", "release", "goal-1"),
        (
            BalanceDecremented,
            [swag_tag("session-1", SHOW_TICKET, "goal-2")],
            "debit",
            "show_ticket",
            "goal-2",
        ),
        (BalanceIncremented, [], "credit", "other", None),
        (BalanceDecremented, ["gift::rose"], "debit", "other", None),
    ],
    ids=["refund", "release", "ticket", "untagged", "unknown-tag"],
)
async def test_direction_reason_and_goal_follow_the_tags(
    publisher: FakePublisher,
    published: FakePublishedEvents,
    kind: type[BalanceChanged],
    tags: list[str],
    direction: str,
    reason: str,
    goal_id: str | None,
) -> None:
    await run(change(kind, tags), publisher, published)
    [trigger] = publisher.triggers
    assert (trigger.data["direction"], trigger.data["reason"]) == (direction, reason)
    assert trigger.data["goal_id"] == goal_id


async def test_a_release_goes_to_the_beneficiary(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = change(BalanceIncremented, [SWAG, f"release::{HOLD}"], user="streamer-1")
    await run(message, publisher, published)
    assert publisher.triggers[0].channels == ["private-user@streamer-1"]


async def test_redelivery_triggers_once(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = change(BalanceDecremented, [SWAG, ESCROW])
    envelope = envelope_of(message)
    for _ in range(2):
        await fetch_user_balance_when_changed(
            message, envelope=envelope, publisher=publisher, published=published
        )
    assert len(publisher.triggers) == 1


async def test_a_failed_push_is_retried_by_the_redelivery(
    publisher: FakePublisher, published: FakePublishedEvents
) -> None:
    message = change(BalanceDecremented, [SWAG, ESCROW])
    envelope = envelope_of(message)
    publisher.fail_next = 1
    with pytest.raises(ConnectionError):
        await fetch_user_balance_when_changed(
            message, envelope=envelope, publisher=publisher, published=published
        )
    await fetch_user_balance_when_changed(
        message, envelope=envelope, publisher=publisher, published=published
    )
    assert len(publisher.triggers) == 1
