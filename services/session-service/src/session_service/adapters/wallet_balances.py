"""Read a viewer's balance from the wallet-adapter (GET /balances/{user_id})."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from service_kit.http_client import LazyClient
from session_service.ports import WalletUnavailable


class HttpBalanceReader:
    def __init__(self, base_url: str, *, timeout_s: float) -> None:
        self._http = LazyClient(base_url, timeout_s=timeout_s)

    async def balance(self, user_id: str, *, authorization: str | None = None) -> int | None:
        headers = {"Authorization": authorization} if authorization else {}
        try:
            response = await self._http().get(
                f"/balances/{quote(user_id, safe='')}", headers=headers
            )
        except httpx.HTTPError as exc:
            raise WalletUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise WalletUnavailable(f"wallet-adapter answered {response.status_code}")
        try:
            return int(response.json()["balance"])
        except (ValueError, KeyError, TypeError) as exc:
            raise WalletUnavailable(f"unreadable balance: {exc}") from exc

    async def close(self) -> None:
        await self._http.aclose()
