"""One httpx client per outbound service, built on first use and reused until shutdown.

Built lazily for two reasons: the client belongs to the event loop that first uses it
(uvicorn's or faust's, not the one that ran the bootstrap), and building one loads the CA
bundle (about a quarter of a second of CPU), which a process that never calls out (a worker,
an API test with fakes) should not pay. Reused, because a client per call opens a new
connection per call and leaks it when nobody closes it.
"""

from __future__ import annotations

import httpx


class LazyClient:
    """`client()` is the one httpx client; `aclose()` at shutdown (a second call is harmless,
    and a later call builds a fresh client)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout_s)
        # Tests plug in httpx.MockTransport or ASGITransport; set it before the first call.
        self.transport = transport
        self._client: httpx.AsyncClient | None = None

    def __call__(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self._base_url, timeout=self._timeout, transport=self.transport
            )
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
