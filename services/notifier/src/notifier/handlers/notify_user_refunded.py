from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.tags import find_swag
from livestream_schemas.wallet import BalanceIncremented
from notifier.domain.channels import user_channel
from notifier.domain.payloads import client_tags
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._publish_once import publish_once

REFUND_PREFIX = "refund::"


async def notify_user_refunded(
    message: BalanceIncremented,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """An escrow refund credited a payer -> `escrow.refunded` on the payer's channel."""
    refund = next((t for t in message.tags if t.startswith(REFUND_PREFIX)), None)
    if refund is None:
        return []  # an ordinary credit (a release, a gift): not a refund to announce
    swag = find_swag(message.tags)
    data = {
        "event_id": envelope.event_id,
        "occurred_at": envelope.occurred_at.isoformat(),
        "transaction_id": message.transaction_id,
        "refunded_transaction_id": refund.removeprefix(REFUND_PREFIX),
        "amount": message.amount,
        "tags": client_tags(message.tags),
        "goal_id": swag.goal_id if swag else None,
        "session_id": swag.session_id if swag else None,
    }
    await publish_once(
        envelope,
        "notify_user_refunded",
        [user_channel(message.user_id)],
        "escrow.refunded",
        data,
        publisher=publisher,
        published=published,
    )
    return []
