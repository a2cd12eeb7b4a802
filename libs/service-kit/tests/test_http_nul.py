"""A NUL character anywhere in a request is a 422 in the documented shape, before any route
(the MongoDB-API server on PostgreSQL cannot hold one); everything else passes through whole."""

from __future__ import annotations

import httpx
import pytest
from fastapi import Request

from service_kit.http import create_app
from service_kit.settings import KitSettings


async def _ready() -> dict[str, bool]:
    return {"ok": True}


@pytest.fixture
async def client():  # type: ignore[no-untyped-def]
    app = create_app(KitSettings(service_name="nul-test"), ready=_ready)

    @app.post("/things/{thing_id}")
    async def echo(thing_id: str, request: Request) -> dict[str, str]:
        return {"id": thing_id, "body": (await request.body()).decode()}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as http:
        yield http


@pytest.mark.parametrize(
    ("url", "kwargs", "part"),
    [
        ("/things/a%00b", {}, "path"),
        ("/things/a?q=x%00y", {}, "query"),
        ("/things/a", {"json": {"title": "a\x00b"}}, "body"),
        ("/things/a", {"json": {"nested": [{"k\x00": 1}]}}, "body"),
        ("/things/a", {"data": {"socket_id": "1.2\x00"}}, "body"),
    ],
)
async def test_a_nul_in_the_path_query_or_body_is_422_naming_where(  # type: ignore[no-untyped-def]
    client, url: str, kwargs: dict[str, object], part: str
) -> None:
    response = await client.post(url, **kwargs)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["reason"] == "invalid_request"
    assert body["errors"] == [
        {"loc": [part], "msg": "a NUL character (U+0000) is not accepted", "type": "nul_character"}
    ]


async def test_a_request_without_nul_reaches_the_route_with_its_body_whole(client) -> None:  # type: ignore[no-untyped-def]
    # The escaped backslash is text, not a NUL: it must not be refused.
    response = await client.post("/things/a-1?q=x", json={"title": "\\u0000 is how JSON says NUL"})
    assert response.status_code == 200
    assert response.json() == {
        "id": "a-1",
        "body": '{"title":"\\\\u0000 is how JSON says NUL"}',
    }
