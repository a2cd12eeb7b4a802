"""Read a session from session-service over HTTP (the caller's token is forwarded)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from goal_service.ports import SessionServiceUnavailable

Doc = dict[str, Any]


class HttpSessions:
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

    async def get(self, session_id: str, *, authorization: str) -> Doc | None:
        url = f"{self._base_url}/sessions/{quote(session_id, safe='')}"
        try:
            async with httpx.AsyncClient(
                timeout=self._timeout, transport=self._transport
            ) as client:
                response = await client.get(url, headers={"Authorization": authorization})
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
