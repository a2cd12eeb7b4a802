"""What every service's bootstrap builds: settings, Mongo client, publisher, readiness."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient

from service_kit import mongo
from service_kit.kafka import Publisher
from service_kit.retention import Retention, Rule
from service_kit.settings import KitSettings


@dataclass
class BaseContainer:
    settings: KitSettings
    client: AsyncMongoClient[dict[str, Any]] = field(init=False)
    publisher: Publisher = field(init=False)

    def __post_init__(self) -> None:
        self.client = mongo.connect(self.settings)
        self.publisher = Publisher(self.settings)

    def retention_rules(self) -> list[Rule]:
        """The collections of this service that only grow; a service lists its own."""
        return []

    @property
    def retention(self) -> Retention:
        if not hasattr(self, "_retention"):
            self._retention = Retention(
                self.db,
                self.retention_rules(),
                owner=f"{self.settings.service_name}:{self.settings.worker_web_port}",
                lease_s=self.settings.retention_interval_s * 0.8,
            )
        return self._retention

    @property
    def db(self) -> Any:
        return self.client[self.settings.database]

    async def ready(self) -> dict[str, bool]:
        try:
            kafka_ok = await self.publisher.ping()
        except Exception:
            kafka_ok = False
        return {"mongodb": await mongo.ping(self.client), "kafka": kafka_ok}

    async def start(self) -> None:
        """Open what the API needs before serving (indexes, producer)."""
        await self.publisher.start()

    async def close_clients(self) -> None:
        """Close the outbound HTTP clients the service built (none here); the API's
        shutdown and the worker's both call it."""

    async def close(self) -> None:
        await self.close_clients()
        await self.publisher.stop()
        await self.client.close()
