from __future__ import annotations

from datetime import UTC, datetime

import pytest

from livestream_schemas.tags import TRIGGER_EXCLUSIVE, escrow_tag, swag_tag
from livestream_schemas.wallet import BalanceDecremented, BalanceIncremented, TransactionCreated
from wallet_adapter.handlers.trigger_user_balance_updated import (
    trigger_user_balance_updated,
    trigger_user_balance_updated_many,
)
from wallet_adapter.ports import UnknownUser

SWAG = swag_tag("session-1", TRIGGER_EXCLUSIVE, "goal-1")
TAGS = [SWAG, escrow_tag("w-streamer", SWAG)]
TXN = "session:trigger-exclusive:goal-1"
TS = datetime(2025, 4, 28, 3, 14, 13, tzinfo=UTC)


def created(**overrides: object) -> TransactionCreated:
    body: dict[str, object] = {
        "id": TXN,
        "ts": TS.isoformat(),
        "fromAccount": "w-viewer",
        "fromAmount": 300,
        "toAccount": None,
        "toAmount": 300,
        "tags": TAGS,
    }
    return TransactionCreated.model_validate({**body, **overrides})


async def test_escrow_debit_gives_one_balance_decremented_with_the_seeds_fields(users) -> None:  # type: ignore[no-untyped-def]
    (event,) = await trigger_user_balance_updated(created(), users=users)
    assert isinstance(event, BalanceDecremented)
    assert (event.user_id, event.user_wallet_id) == ("viewer-1", "w-viewer")
    assert (event.source_user_id, event.source_user_wallet_id) == (None, None)
    assert (event.amount, event.timestamp, event.transaction_id) == (300, TS, TXN)
    assert event.tags == TAGS
    user = event.metadata["user"]
    assert (user.id, user.username, user.tags, user.tagsv2, user.level) == (
        "viewer-1",
        "Vee",
        ["vip"],
        {"tier": "gold"},
        7,
    )


async def test_refund_gives_only_balance_incremented_for_the_payer(users) -> None:  # type: ignore[no-untyped-def]
    message = created(
        id=f"refund:{TXN}", fromAccount=None, toAccount="w-viewer", tags=[*TAGS, f"refund::{TXN}"]
    )
    (event,) = await trigger_user_balance_updated(message, users=users)
    assert isinstance(event, BalanceIncremented)
    assert (event.user_id, event.amount, event.source_user_id) == ("viewer-1", 300, None)
    assert event.tags[-1] == f"refund::{TXN}"


async def test_direct_transfer_gives_both_with_the_payer_as_source(users) -> None:  # type: ignore[no-untyped-def]
    down, up = await trigger_user_balance_updated(created(toAccount="w-streamer"), users=users)
    assert isinstance(down, BalanceDecremented) and isinstance(up, BalanceIncremented)
    assert (up.user_id, up.user_wallet_id) == ("streamer-1", "w-streamer")
    assert (up.source_user_id, up.source_user_wallet_id) == ("viewer-1", "w-viewer")
    assert up.metadata["user"].username == "Stella"


async def test_unknown_wallet_raises_instead_of_dropping(users) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownUser):
        await trigger_user_balance_updated(created(fromAccount="w-nobody"), users=users)


async def test_redelivered_through_the_consumer_republishes_the_same_event_ids(users) -> None:  # type: ignore[no-untyped-def]
    from livestream_schemas.envelope import encode
    from service_kit.consumer import Dispatcher, receiver
    from service_kit.settings import KitSettings

    from .fakes import FakePublisher

    publisher = FakePublisher()
    routes = {"transaction.created": [receiver(trigger_user_balance_updated, users=users)]}
    dispatcher = Dispatcher(KitSettings(service_name="wallet-adapter"), publisher, routes)  # type: ignore[arg-type]
    raw = (
        encode(created(toAccount="w-streamer"), key=TXN, event_id="evt-cb")
        .model_dump_json()
        .encode()
    )
    await dispatcher.dispatch("transaction.created", raw)
    await dispatcher.dispatch("transaction.created", raw)
    first, second = publisher.sent[:2], publisher.sent[2:]
    assert [type(m) for m, _ in first] == [BalanceDecremented, BalanceIncremented]
    assert first == second
    assert len({eid for _, eid in first}) == 2


async def test_a_batch_reads_the_users_once_and_gives_what_each_would_get_alone(users) -> None:  # type: ignore[no-untyped-def]
    batch = [created(id=f"{TXN}-{i}", fromAmount=i + 1, toAmount=i + 1) for i in range(3)]
    batch.append(created(id=f"{TXN}-x", toAccount="w-streamer"))
    alone = [await trigger_user_balance_updated(m, users=users) for m in batch]
    users.reads = 0
    together = await trigger_user_balance_updated_many(batch, users=users)
    assert together == alone
    assert users.reads == 1
    # A redelivered batch: the same events again (the dispatcher gives them the same ids).
    assert await trigger_user_balance_updated_many(batch, users=users) == alone


async def test_one_unknown_wallet_fails_the_batch_so_each_is_retried_alone(users) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownUser):
        await trigger_user_balance_updated_many(
            [created(), created(id="other", fromAccount="w-ghost")], users=users
        )
