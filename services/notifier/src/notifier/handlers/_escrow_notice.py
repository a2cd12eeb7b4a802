"""What `escrow.refunded` and `escrow.released` share: one notice to the credited user."""

from __future__ import annotations

from typing import Any

from livestream_schemas.envelope import Envelope
from livestream_schemas.tags import find_swag
from livestream_schemas.wallet import BalanceIncremented
from notifier.domain.channels import user_channel
from notifier.domain.payloads import client_tags
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._publish_once import publish_once


async def notify_escrow_settled(
    message: BalanceIncremented,
    *,
    envelope: Envelope,
    prefix: str,
    id_field: str,
    event: str,
    receiver: str,
    publisher: ChannelPublisher,
    published: PublishedEvents,
    **extra: Any,
) -> None:
    """Tell the credited user, once, when the credit settles a hold (a tag `{prefix}{hold}`)."""
    settled = next((t for t in message.tags if t.startswith(prefix)), None)
    if settled is None:
        return  # another kind of credit: not this notice
    swag = find_swag(message.tags)
    data = {
        "event_id": envelope.event_id,
        "occurred_at": envelope.occurred_at.isoformat(),
        "transaction_id": message.transaction_id,
        id_field: settled.removeprefix(prefix),
        "amount": message.amount,
        "tags": client_tags(message.tags),
        "goal_id": swag.goal_id if swag else None,
        "session_id": swag.session_id if swag else None,
        **extra,
    }
    await publish_once(
        envelope,
        receiver,
        [user_channel(message.user_id)],
        event,
        data,
        publisher=publisher,
        published=published,
    )
