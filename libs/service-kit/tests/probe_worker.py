"""A faust worker built with service_kit, for the kit's integration test.

It consumes `user.updated` (renamed to a per-run topic), records each message in
MongoDB, and raises for users named "poison" so the test can watch retries and
dead-lettering. Run: python probe_worker.py worker
"""

from __future__ import annotations

from livestream_schemas.wallet import UserUpdated
from service_kit.consumer import receiver
from service_kit.container import BaseContainer
from service_kit.runner import run
from service_kit.settings import KitSettings
from service_kit.worker import build_worker


class ProbeSettings(KitSettings):
    service_name: str = "kit-probe"


async def record_user(message: UserUpdated, *, db, envelope) -> list:  # type: ignore[no-untyped-def]
    await db.attempts.insert_one({"user_id": message.user_id, "event_id": envelope.event_id})
    if message.username == "poison":
        raise RuntimeError("poison message")
    await db.received.insert_one({"user_id": message.user_id, "event_id": envelope.event_id})
    return []


def main() -> None:
    settings = ProbeSettings()
    c = BaseContainer(settings)
    routes = {"user.updated": [receiver(record_user, db=c.db)]}
    run(
        settings,
        build_api=lambda: None,
        build_worker=lambda: build_worker(settings, routes, publisher=c.publisher, ready=c.ready),
    )


if __name__ == "__main__":
    main()
