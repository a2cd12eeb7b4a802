"""An httpx client built on first use.

Building one loads the CA bundle (about a quarter of a second of CPU): a container that
never calls out (a worker, an API test with fakes) should not pay it twice per build.
"""

from __future__ import annotations

import httpx


class LazyClient:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None

    def __call__(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self._base_url, timeout=self._timeout_s)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
