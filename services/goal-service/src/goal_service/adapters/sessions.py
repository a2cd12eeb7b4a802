"""Read a session from session-service over HTTP (the caller's token is forwarded)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from goal_service.ports import SessionServiceUnavailable
from service_kit.http_client import LazyClient

Doc = dict[str, Any]


class HttpSessions:
    """One HTTP client for the adapter's life (its connections are reused); close() at
    shutdown."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = LazyClient(base_url, timeout_s=timeout_s, transport=transport)

    async def close(self) -> None:
        await self._http.aclose()

    async def get(self, session_id: str, *, authorization: str) -> Doc | None:
        try:
            response = await self._http().get(
                f"/sessions/{quote(session_id, safe='')}",
                headers={"Authorization": authorization},
            )
        except httpx.HTTPError as exc:
            raise SessionServiceUnavailable(str(exc)) from exc
        if response.status_code in (403, 404):
            return None
        if response.status_code != 200:
            raise SessionServiceUnavailable(f"session-service answered {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise SessionServiceUnavailable("session-service sent no JSON") from exc
        return body if isinstance(body, dict) else None
