from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.tags import find_swag
from livestream_schemas.wallet import BalanceChanged, BalanceDecremented
from notifier.domain.balances import balance_reason
from notifier.domain.channels import user_channel
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._publish_once import publish_once


async def fetch_user_balance_when_changed(
    message: BalanceChanged,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """balance.decremented / balance.incremented -> `balance.changed` on the user's channel,
    so the app refetches its balance. No tags go out: escrow tags carry wallet ids."""
    swag = find_swag(message.tags)
    data = {
        "event_id": envelope.event_id,
        "occurred_at": envelope.occurred_at.isoformat(),
        "transaction_id": message.transaction_id,
        "direction": "debit" if isinstance(message, BalanceDecremented) else "credit",
        "amount": message.amount,
        "reason": balance_reason(message.tags),
        "goal_id": swag.goal_id if swag else None,
    }
    await publish_once(
        envelope,
        "fetch_user_balance_when_changed",
        [user_channel(message.user_id)],
        "balance.changed",
        data,
        publisher=publisher,
        published=published,
    )
    return []
