"""The tests' OpenAPI check tells an answer the document describes from one it does not."""

from __future__ import annotations

import httpx
import pytest
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from service_kit.conformance import CheckedTransport
from service_kit.http import create_app, problem
from service_kit.openapi import errors
from service_kit.settings import KitSettings


class Thing(BaseModel):
    name: str


async def _ready() -> dict[str, bool]:
    return {"ok": True}


@pytest.fixture
async def client():  # type: ignore[no-untyped-def]
    app = create_app(KitSettings(service_name="conformance-test"), ready=_ready)

    @app.get("/things/{name}", response_model=Thing, responses=errors({404: "no_thing"}))
    async def thing(name: str) -> object:
        if name == "missing":
            raise problem(404, "no_thing", "no such thing")
        if name == "teapot":
            raise problem(418, "teapot", "not documented")
        if name == "wrong":  # as routes that answer with a JSONResponse could
            return JSONResponse({"name": 7})
        return {"name": name}

    async with httpx.AsyncClient(transport=CheckedTransport(app), base_url="http://c") as http:
        yield http


async def test_documented_answers_pass(client) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get("/things/a")).json() == {"name": "a"}
    assert (await client.get("/things/missing")).json()["reason"] == "no_thing"


@pytest.mark.parametrize(("name", "why"), [("teapot", "not documented"), ("wrong", "7")])
async def test_an_answer_the_document_does_not_describe_fails(client, name, why) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AssertionError, match=why):
        await client.get(f"/things/{name}")
