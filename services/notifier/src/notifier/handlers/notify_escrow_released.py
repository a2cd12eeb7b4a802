from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.wallet import BalanceIncremented
from notifier.domain.ports import ChannelPublisher, PublishedEvents
from notifier.handlers._escrow_notice import notify_escrow_settled

RELEASE_PREFIX = "release::"


async def notify_escrow_released(
    message: BalanceIncremented,
    *,
    envelope: Envelope,
    publisher: ChannelPublisher,
    published: PublishedEvents,
) -> list[Message]:
    """Escrow paid out to its beneficiary -> `escrow.released` on the streamer's channel."""
    await notify_escrow_settled(
        message,
        envelope=envelope,
        id_field="released_transaction_id",
        prefix=RELEASE_PREFIX,
        event="escrow.released",
        receiver="notify_escrow_released",
        publisher=publisher,
        published=published,
        payer_id=message.source_user_id,
    )
    return []
