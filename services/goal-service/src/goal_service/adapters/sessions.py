"""Read a session from session-service over HTTP (the caller's token is forwarded)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from goal_service.ports import SessionServiceUnavailable

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
        self._base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout_s)
        self._transport = transport  # tests plug in httpx.MockTransport
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        # Built on first use, so it belongs to the event loop that serves the API, and a
        # process that never reads a session (the worker) never loads the CA bundle.
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self._base_url, timeout=self._timeout, transport=self._transport
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

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
