from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.tags import find_swag
from livestream_schemas.wallet import TransactionFailed
from notifier.domain.channels import user_channel
from notifier.domain.payloads import client_tags
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._publish_once import publish_once


async def notify_transfer_failed(
    message: TransactionFailed,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """The wallet refused a payer's transfer -> `transfer.failed` on the payer's channel.

    Failed refunds and releases are the platform's business (retried or reconciled), not
    something the payer can act on, so only transfers are announced."""
    if message.kind != "transfer" or not message.from_user_id:
        return []
    swag = find_swag(message.tags)
    data = {
        "event_id": envelope.event_id,
        "occurred_at": envelope.occurred_at.isoformat(),
        "transaction_id": message.transaction_id,
        "reason": message.reason,
        "amount": message.amount,
        "tags": client_tags(message.tags),
        "goal_id": swag.goal_id if swag else None,
        "session_id": swag.session_id if swag else None,
    }
    await publish_once(
        envelope,
        "notify_transfer_failed",
        [user_channel(message.from_user_id)],
        "transfer.failed",
        data,
        publisher=publisher,
        published=published,
    )
    return []
