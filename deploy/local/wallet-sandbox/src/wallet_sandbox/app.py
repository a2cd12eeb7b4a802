"""The sandbox's HTTP API: fixtures, transfers, escrow holds, and views for tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from wallet_sandbox import accounts, views
from wallet_sandbox.callbacks import CallbackDeliverer
from wallet_sandbox.config import Settings
from wallet_sandbox.indexes import create_indexes
from wallet_sandbox.ledger import Ledger
from wallet_sandbox.records import REFUND, RELEASE, LedgerError, TransferRequest, hold_view, view
from wallet_sandbox.trim import trim_every

log = logging.getLogger(__name__)


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


class FaultIn(BaseModel):
    """Refuse the next `times` settlements of one hold with `status` (tests only)."""

    status: int = Field(ge=400, le=599)
    times: int = Field(ge=0, le=10_000)


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1)
    release: int = Field(ge=0)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_uri, tz_aware=True, serverSelectionTimeoutMS=3000
    )
    http = httpx.AsyncClient()
    ledger = Ledger(mongo[settings.mongodb_database])
    deliverer = CallbackDeliverer(ledger, settings, http)
    ledger.on_completed = deliverer.completed
    app.state.ledger, app.state.deliverer = ledger, deliverer
    tasks = [
        asyncio.create_task(deliverer.run(), name="callback-deliverer"),
        asyncio.create_task(trim_every(ledger, settings.trim_interval_s), name="trim"),
        asyncio.create_task(_prepare(ledger), name="prepare"),
    ]
    try:
        yield
    finally:
        deliverer.stop()
        for task in tasks:
            task.cancel()  # not to wait for a callback in flight
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await http.aclose()
        await mongo.close()


async def _prepare(ledger: Ledger) -> None:
    """The indexes, then the first summary, which reads the whole ledger
    (wallet_sandbox.totals), so no caller's first request does. In the background and
    tried again while the store is away: the sandbox starts without it, as before."""
    while True:
        try:
            await create_indexes(ledger)
            await views.summary(ledger)
            return
        except PyMongoError:
            log.exception("indexes or first summary failed, trying again")
            await asyncio.sleep(1)


router = APIRouter()


def get_ledger(request: Request) -> Ledger:
    return request.app.state.ledger  # type: ignore[no-any-return]


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title=settings.service_name, lifespan=_lifespan)
    app.state.settings = settings
    app.state.faults = {}

    @app.exception_handler(LedgerError)
    async def refused(_: Request, exc: LedgerError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return JSONResponse({"reason": "invalid_request", "errors": errors}, status_code=422)

    app.include_router(router)
    return app


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.put("/admin/accounts/{wallet_id}")
async def put_account(wallet_id: str, body: BalanceIn, ledger: LedgerDep) -> JSONResponse:
    account, created = await accounts.set_balance(ledger, wallet_id, body.balance)
    return JSONResponse(account, status_code=201 if created else 200)


@router.get("/accounts/{wallet_id}")
async def get_account(wallet_id: str, ledger: LedgerDep) -> dict[str, Any]:
    return await accounts.balance(ledger, wallet_id)


@router.post("/transactions")
async def post_transaction(body: TransactionIn, ledger: LedgerDep) -> JSONResponse:
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
    doc, created = await ledger.flights.run(("transfer", req), lambda: ledger.transfer(req))
    return JSONResponse(view(doc), status_code=201 if created else 200)


@router.get("/transactions/{txn_id:path}")
async def get_transaction(txn_id: str, ledger: LedgerDep) -> dict[str, Any]:
    doc = await ledger.transactions.find_one({"_id": txn_id})
    if doc is None:
        raise LedgerError(404, "no_transaction", txn_id)
    return {**view(doc), "callbackPending": doc.get("callback_pending", False)}


@router.put("/admin/faults/holds/{hold_id:path}")
async def put_fault(hold_id: str, body: FaultIn, request: Request) -> dict[str, Any]:
    """Make the wallet refuse a hold's settlement a few times: a lost refund, on demand."""
    request.app.state.faults[hold_id] = {"status": body.status, "times": body.times}
    return {"hold": hold_id, **request.app.state.faults[hold_id]}


def _injected_fault(request: Request, hold_id: str) -> JSONResponse | None:
    fault = request.app.state.faults.get(hold_id)
    if not fault or fault["times"] <= 0:
        return None
    fault["times"] -= 1
    body = {"reason": "injected_fault", "detail": f"refusing {hold_id} (test fault)"}
    return JSONResponse(body, status_code=fault["status"])


async def _settle(
    hold_id: str, outcome: str, body: SettleIn | None, ledger: Ledger, request: Request
) -> JSONResponse:
    if (refused := _injected_fault(request, hold_id)) is not None:
        return refused
    txn_id = (body.id if body else None) or f"{outcome}:{hold_id}"
    key = ("settle", hold_id, outcome, txn_id)
    doc, created = await ledger.flights.run(key, lambda: ledger.settle(hold_id, outcome, txn_id))
    return JSONResponse(view(doc), status_code=201 if created else 200)


@router.post("/holds/{hold_id:path}/refund")
async def refund(
    hold_id: str, ledger: LedgerDep, request: Request, body: SettleIn | None = None
) -> JSONResponse:
    return await _settle(hold_id, REFUND, body, ledger, request)


@router.post("/holds/{hold_id:path}/release")
async def release(
    hold_id: str, ledger: LedgerDep, request: Request, body: SettleIn | None = None
) -> JSONResponse:
    return await _settle(hold_id, RELEASE, body, ledger, request)


@router.post("/holds/{hold_id:path}/settle")
async def split(hold_id: str, body: SplitIn, ledger: LedgerDep, request: Request) -> JSONResponse:
    """Release `release` coins to the beneficiary and refund the rest, in one settlement."""
    if (refused := _injected_fault(request, hold_id)) is not None:
        return refused
    settlement_id = body.id or f"settle:{hold_id}"
    key = ("split", hold_id, settlement_id, body.release)
    legs, created = await ledger.flights.run(
        key, lambda: ledger.split(hold_id, settlement_id, body.release)
    )
    answer = {
        "id": settlement_id,
        "hold": hold_id,
        "release": body.release,
        # Every leg records the whole split (a hold of no coins has no leg).
        "refund": legs[0]["split"]["refund"] if legs else 0,
        "transactions": [view(leg) for leg in legs],
    }
    return JSONResponse(answer, status_code=201 if created else 200)


@router.get("/holds")
async def list_holds(
    ledger: LedgerDep,
    tag: str | None = None,
    status: str | None = None,
    has_tag: str | None = None,
) -> dict[str, Any]:
    """Holds whose tags contain `tag` as a substring (a swag or escrow tag, or part of one),
    with `status`, with `has_tag` as one of their tags."""
    found = await views.holds_matching(ledger, tag, status, has_tag)
    return {"holds": [hold_view(h) for h in found]}


@router.get("/ledger/summary")
async def summary(ledger: LedgerDep) -> dict[str, Any]:
    """Totals for the invariant: total_balances + open_holds == minted."""
    return await views.summary(ledger)
