"""The sandbox's HTTP API: fixtures, transfers, escrow holds, and views for tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pymongo import AsyncMongoClient

from wallet_sandbox.callbacks import CallbackDeliverer
from wallet_sandbox.config import Settings
from wallet_sandbox.ledger import Ledger
from wallet_sandbox.records import REFUND, RELEASE, LedgerError, TransferRequest, hold_view, view


class BalanceIn(BaseModel):
    balance: int = Field(ge=0)


class TransactionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    fromAccount: str = Field(min_length=1)
    fromAmount: int = Field(gt=0)
    toAccount: str | None = None
    toAmount: int = Field(gt=0)
    tags: list[str] = Field(default_factory=list)
    forced: bool = False
    timestamp: datetime | None = None


class SettleIn(BaseModel):
    id: str | None = None


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_uri, tz_aware=True, serverSelectionTimeoutMS=3000
    )
    http = httpx.AsyncClient()
    ledger = Ledger(mongo[settings.mongodb_database])
    deliverer = CallbackDeliverer(ledger, settings, http)
    ledger.on_completed = deliverer.notify
    app.state.ledger, app.state.deliverer = ledger, deliverer
    task = asyncio.create_task(deliverer.run(), name="callback-deliverer")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await http.aclose()
        await mongo.close()


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title=settings.service_name, lifespan=_lifespan)
    app.state.settings = settings

    def ledger(request: Request) -> Ledger:
        return request.app.state.ledger  # type: ignore[no-any-return]

    @app.exception_handler(LedgerError)
    async def refused(_: Request, exc: LedgerError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return JSONResponse({"reason": "invalid_request", "errors": errors}, status_code=422)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.put("/admin/accounts/{wallet_id}")
    async def put_account(wallet_id: str, body: BalanceIn, request: Request) -> JSONResponse:
        account, created = await ledger(request).set_balance(wallet_id, body.balance)
        return JSONResponse(account, status_code=201 if created else 200)

    @app.get("/accounts/{wallet_id}")
    async def get_account(wallet_id: str, request: Request) -> dict[str, Any]:
        return await ledger(request).balance(wallet_id)

    @app.post("/transactions")
    async def post_transaction(body: TransactionIn, request: Request) -> JSONResponse:
        if body.fromAmount != body.toAmount:
            raise LedgerError(422, "amount_mismatch", "fromAmount must equal toAmount")
        if body.toAccount == body.fromAccount:
            raise LedgerError(422, "same_account", "toAccount must differ from fromAccount")
        req = TransferRequest(
            id=body.id,
            from_account=body.fromAccount,
            to_account=body.toAccount,
            amount=body.fromAmount,
            tags=tuple(body.tags),
            forced=body.forced,
            timestamp=body.timestamp,
        )
        doc, created = await ledger(request).transfer(req)
        return JSONResponse(view(doc), status_code=201 if created else 200)

    @app.get("/transactions/{txn_id:path}")
    async def get_transaction(txn_id: str, request: Request) -> dict[str, Any]:
        doc = await ledger(request).transactions.find_one({"_id": txn_id})
        if doc is None:
            raise LedgerError(404, "no_transaction", txn_id)
        return {**view(doc), "callbackPending": doc.get("callback_pending", False)}

    async def settle(
        hold_id: str, outcome: str, body: SettleIn | None, request: Request
    ) -> JSONResponse:
        txn_id = (body.id if body else None) or f"{outcome}:{hold_id}"
        doc, created = await ledger(request).settle(hold_id, outcome, txn_id)
        return JSONResponse(view(doc), status_code=201 if created else 200)

    @app.post("/holds/{hold_id:path}/refund")
    async def refund(hold_id: str, request: Request, body: SettleIn | None = None) -> JSONResponse:
        return await settle(hold_id, REFUND, body, request)

    @app.post("/holds/{hold_id:path}/release")
    async def release(hold_id: str, request: Request, body: SettleIn | None = None) -> JSONResponse:
        return await settle(hold_id, RELEASE, body, request)

    @app.get("/holds")
    async def list_holds(
        request: Request, tag: str | None = None, status: str | None = None
    ) -> dict[str, Any]:
        holds = await ledger(request).holds_matching(tag, status)
        return {"holds": [hold_view(h) for h in holds]}

    @app.get("/ledger/summary")
    async def summary(request: Request) -> dict[str, Any]:
        return await ledger(request).summary()

    return app
