"""An API request that meets an outage answers 503 with Retry-After, never a 500."""

from __future__ import annotations

import httpx
from aiokafka.errors import KafkaConnectionError
from pymongo.errors import ServerSelectionTimeoutError

from service_kit.http import create_app, problem
from service_kit.settings import KitSettings


async def _ready() -> dict[str, bool]:
    return {}


def _client() -> httpx.AsyncClient:
    app = create_app(KitSettings(service_name="svc"), ready=_ready)

    @app.get("/mongo")
    async def mongo() -> None:
        raise ServerSelectionTimeoutError("127.0.0.1:37017: connection refused")

    @app.get("/kafka")
    async def kafka() -> None:
        raise KafkaConnectionError("no broker")

    @app.get("/own-503")
    async def own() -> None:
        raise problem(503, "wallet_unavailable", "timeout")

    @app.get("/bug")
    async def bug() -> None:
        raise ZeroDivisionError("a bug stays a bug")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://svc")


async def test_mongodb_and_kafka_outages_answer_503_with_retry_after() -> None:
    async with _client() as client:
        for path in ("/mongo", "/kafka"):
            r = await client.get(path)
            assert r.status_code == 503, (path, r.text)
            assert r.headers["Retry-After"] == "2"
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["reason"] == "dependency_unavailable"


async def test_every_503_says_when_to_come_back() -> None:
    async with _client() as client:
        r = await client.get("/own-503")
    assert (r.status_code, r.headers["Retry-After"]) == (503, "2")
    assert r.json()["reason"] == "wallet_unavailable"


async def test_a_bug_is_not_disguised_as_an_outage() -> None:
    async with _client() as client:
        r = await client.get("/bug")
    assert r.status_code == 500 and "Retry-After" not in r.headers
