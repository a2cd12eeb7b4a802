from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.wallet import BalanceIncremented
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._escrow_notice import notify_escrow_settled

REFUND_PREFIX = "refund::"


async def notify_user_refunded(
    message: BalanceIncremented,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """An escrow refund credited a payer -> `escrow.refunded` on the payer's channel."""
    await notify_escrow_settled(
        message,
        envelope=envelope,
        id_field="refunded_transaction_id",
        prefix=REFUND_PREFIX,
        event="escrow.refunded",
        receiver="notify_user_refunded",
        publisher=publisher,
        published=published,
    )
    return []
