"""The external wallet's HTTP API (the sandbox locally), behind the WalletApi port."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

import httpx

from service_kit.http_client import LazyClient
from wallet_adapter.adapters.metrics import counted
from wallet_adapter.ports import WalletReply, WalletTransfer, WalletUnavailable

log = logging.getLogger(__name__)


class HttpWalletApi:
    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float,
        retries: int = 3,
        backoff_s: float = 0.2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = LazyClient(base_url, timeout_s=timeout_s, transport=transport)
        self._retries = max(0, retries)
        self._backoff_s = backoff_s

    async def close(self) -> None:
        await self._http.aclose()

    async def transfer(self, order: WalletTransfer) -> WalletReply:
        body = {
            "id": order.transaction_id,
            "fromAccount": order.from_wallet,
            "fromAmount": order.amount,
            "toAccount": order.to_wallet,
            "toAmount": order.amount,
            "tags": list(order.tags),
            "forced": order.forced,
            "timestamp": order.timestamp.isoformat() if order.timestamp else None,
        }
        return await self._command("/transactions", body)

    async def settle(self, hold_id: str, outcome: str, transaction_id: str) -> WalletReply:
        path = f"/holds/{quote(hold_id, safe='')}/{outcome}"
        return counted(outcome, await self._command(path, {"id": transaction_id}))

    async def split(self, hold_id: str, settlement_id: str, release: int) -> WalletReply:
        path = f"/holds/{quote(hold_id, safe='')}/settle"
        return counted(
            "split", await self._command(path, {"id": settlement_id, "release": release})
        )

    async def balance(self, wallet_id: str) -> int | None:
        """One attempt only: a balance read sits in a user's request, so fail fast."""
        body = await self._read(f"/accounts/{quote(wallet_id, safe='')}")
        if body is None:
            return None
        try:
            return int(body["balance"])
        except (ValueError, KeyError, TypeError) as exc:
            raise WalletUnavailable(f"unreadable balance: {exc}") from exc

    async def transaction(self, transaction_id: str) -> dict[str, Any] | None:
        """GET /transactions/{id}: what the wallet did with an id whose POST timed out."""
        return await self._read(f"/transactions/{quote(transaction_id, safe='')}")

    async def _read(self, path: str) -> dict[str, Any] | None:
        """One GET: the JSON object, None on 404; anything else is WalletUnavailable."""
        try:
            response = await self._http().get(path)
        except httpx.HTTPError as exc:
            raise WalletUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise WalletUnavailable(f"wallet answered {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise WalletUnavailable(f"unreadable answer: {exc}") from exc
        if not isinstance(body, dict):
            raise WalletUnavailable("unreadable answer: not an object")
        return body

    async def _command(self, path: str, body: dict[str, Any]) -> WalletReply:
        """POST with bounded retries on 5xx and transport errors; other answers are final."""
        last = ""
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
            try:
                response = await self._http().post(path, json=body)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 500:
                    return _reply(response)
                last = f"wallet answered {response.status_code}"
            log.warning(
                "wallet call failed",
                extra={"fields": {"path": path, "attempt": attempt + 1, "error": last}},
            )
        raise WalletUnavailable(last)


def _reply(response: httpx.Response) -> WalletReply:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return WalletReply(
        status=response.status_code,
        reason=str(body.get("reason", "")),
        detail=str(body.get("detail", "")),
        body=body,
    )
