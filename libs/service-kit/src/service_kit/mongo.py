"""MongoDB client (pymongo's native async API) and a readiness ping."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from service_kit.settings import KitSettings


def connect(settings: KitSettings) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(
        settings.mongodb_uri,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        tz_aware=True,
        appname=settings.service_name,
    )


async def ping(client: AsyncMongoClient[dict[str, Any]]) -> bool:
    try:
        await client.admin.command("ping")
        return True
    except Exception:
        return False
