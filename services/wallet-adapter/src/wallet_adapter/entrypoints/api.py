"""HTTP edge: decode, call the handler, publish what it returns."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from livestream_schemas.base import Message
from livestream_schemas.wallet import TransactionCreated
from service_kit.http import CallerDep, create_app, documented_body, problem
from service_kit.openapi import errors
from service_kit.runner import api_lifespan
from wallet_adapter.bootstrap import Container
from wallet_adapter.config import Settings
from wallet_adapter.domain.signature import SignatureRejected, verify_signature
from wallet_adapter.handlers.accept_wallet_callback import accept_wallet_callback
from wallet_adapter.handlers.read_balance import read_balance
from wallet_adapter.ports import UnknownUser, WalletUnavailable

log = logging.getLogger(__name__)


class CallbackAccepted(BaseModel):
    status: Literal["accepted"]
    duplicate: bool = Field(description="the wallet sent this transaction before")


class Balance(BaseModel):
    user_id: str
    wallet_id: str
    balance: int = Field(description="coins")


# The body and headers are read raw (the signature covers the exact bytes), so they are
# documented here rather than declared as parameters.
_CALLBACK_DOC = documented_body(TransactionCreated) | {
    "parameters": [
        {"name": name, "in": "header", "required": True, "schema": schema}
        for name, schema in (
            ("X-Wallet-Timestamp", {"type": "string", "pattern": "^[0-9]{1,12}$"}),
            ("X-Wallet-Signature", {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}),
        )
    ]
}


def create_api(c: Container) -> FastAPI:
    app = create_app(c.settings, ready=c.ready, lifespan=api_lifespan(c))

    async def publish(message: Message, event_id: str) -> None:
        await c.publisher.publish(message, event_id=event_id)

    @app.post(
        "/notify/wallet/transaction",
        openapi_extra=_CALLBACK_DOC,
        responses=errors(
            {
                401: "missing_signature, invalid_timestamp, invalid_signature, stale_signature, "
                "bad_signature, not_configured: the HMAC "
                "over {timestamp}.{body} does not verify",
                413: "body_too_large",
                422: "invalid_request: not a transaction",
                503: "broker_unavailable: not published; the wallet sends it again",
            }
        ),
    )
    async def wallet_callback(request: Request) -> CallbackAccepted:
        message = _verified_callback(await request.body(), request.headers, c.settings)
        try:
            fresh = await accept_wallet_callback(message, seen=c.seen, publish=publish)
        except Exception as exc:
            # Not acknowledged, so the wallet sends it again; the id stays unpublished.
            log.exception("wallet callback not published")
            raise problem(503, "broker_unavailable", type(exc).__name__) from exc
        return CallbackAccepted(status="accepted", duplicate=not fresh)

    @app.get(
        "/balances/{user_id}",
        responses=errors(
            {
                403: "not_owner: a caller may read only their own balance",
                404: "unknown_user: the wallet does not know this user",
                503: "wallet_unavailable",
            }
        ),
    )
    async def balance(user_id: str, caller: CallerDep) -> Balance:
        if caller.user_id != user_id:
            raise problem(403, "not_owner", "a caller may read only their own balance")
        try:
            return Balance.model_validate(
                await read_balance(user_id, users=c.users, wallet=c.wallet)
            )
        except UnknownUser as exc:
            raise problem(404, "unknown_user", str(exc)) from exc
        except WalletUnavailable as exc:
            raise problem(503, "wallet_unavailable", str(exc)) from exc

    return app


def _verified_callback(
    raw: bytes, headers: Mapping[str, str], settings: Settings
) -> TransactionCreated:
    """The callback's transaction, once its signature and freshness check out (401/422)."""
    try:
        verify_signature(
            secret=settings.wallet_callback_secret,
            timestamp=headers.get("X-Wallet-Timestamp"),
            signature=headers.get("X-Wallet-Signature"),
            raw_body=raw,
            now=time.time(),
            max_skew_s=settings.wallet_callback_max_skew_s,
        )
    except SignatureRejected as exc:
        log.warning("wallet callback refused", extra={"fields": {"reason": exc.reason}})
        raise problem(401, exc.reason, str(exc)) from exc
    try:
        return TransactionCreated.model_validate_json(raw)
    except ValidationError as exc:
        # The same 422 as any malformed request: invalid_request, each refused field listed.
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_input=False)]
        ) from exc
