"""A faust worker built with service_kit, for the kit's integration test.

It consumes `user.updated` (renamed to a per-run topic), records each message in
MongoDB, and raises for users named "poison" so the test can watch retries and
dead-lettering. It consumes `transaction.created` (renamed too) as well, and waits out a
dependency that never comes back for the transaction "stall": its agent stays held. With PROBE_BATCHED=1 it takes consecutive messages in one call too (the
batched path: a batch with a poison message in it falls back to one at a time).
Run: python probe_worker.py worker
"""

from __future__ import annotations

from livestream_schemas.wallet import TransactionCreated, UserUpdated
from service_kit.consumer import batch_receiver, receiver
from service_kit.container import BaseContainer
from service_kit.faults import DependencyUnavailable
from service_kit.runner import run
from service_kit.settings import KitSettings
from service_kit.worker import build_worker


class ProbeSettings(KitSettings):
    service_name: str = "kit-probe"
    probe_batched: bool = False


async def record_user(message: UserUpdated, *, db, envelope) -> list:  # type: ignore[no-untyped-def]
    await db.attempts.insert_one({"user_id": message.user_id, "event_id": envelope.event_id})
    if message.username == "poison":
        raise RuntimeError("poison message")
    await db.received.insert_one({"user_id": message.user_id, "event_id": envelope.event_id})
    return []


async def record_users(messages: list[UserUpdated], *, db) -> list[list]:  # type: ignore[no-untyped-def]
    if any(m.username == "poison" for m in messages):
        raise RuntimeError("poison message in the batch")
    await db.received.insert_many([{"user_id": m.user_id, "batched": True} for m in messages])
    return [[] for _ in messages]


record_users.receiver_name = "record_user"  # type: ignore[attr-defined]


async def record_transaction(message: TransactionCreated, *, db) -> list:  # type: ignore[no-untyped-def]
    if message.id == "stall":
        raise DependencyUnavailable("the wallet never answers")
    await db.transactions.insert_one({"id": message.id})
    return []


def main() -> None:
    settings = ProbeSettings()
    c = BaseContainer(settings)
    routes = {
        "user.updated": [receiver(record_user, db=c.db)],
        "transaction.created": [receiver(record_transaction, db=c.db)],
    }
    batched = {"user.updated": batch_receiver(record_users, db=c.db)}
    run(
        settings,
        build_api=lambda: None,
        build_worker=lambda: build_worker(
            settings,
            routes,
            publisher=c.publisher,
            ready=c.ready,
            batch_routes=batched if settings.probe_batched else None,
        ),
    )


if __name__ == "__main__":
    main()
