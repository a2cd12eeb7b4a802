from __future__ import annotations

from collections.abc import Awaitable, Callable

from livestream_schemas.base import Message
from livestream_schemas.wallet import TransactionCreated
from wallet_adapter.domain.ids import transaction_event_id
from wallet_adapter.ports import SeenTransactions

Publish = Callable[[Message, str], Awaitable[object]]


async def accept_wallet_callback(
    message: TransactionCreated, *, seen: SeenTransactions, publish: Publish
) -> bool:
    """Publish transaction.created once per wallet transaction; False for a repeat.

    The id is recorded before publishing and marked after, so a crash in between
    publishes again on the wallet's retry, with the same event id for consumers to dedupe.
    """
    if not await seen.claim(message.id):
        return False
    await publish(message, transaction_event_id(message.id))
    await seen.mark_published(message.id)
    return True
