"""Forward a streamer's answer to an exclusive request to goal-service (the goal's writer)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from service_kit.http_client import LazyClient
from session_service.ports import GoalServiceUnavailable


class HttpGoalRequests:
    def __init__(self, base_url: str, *, timeout_s: float) -> None:
        self._http = LazyClient(base_url, timeout_s=timeout_s)

    async def answer(
        self, goal_id: str, decision: str, *, authorization: str
    ) -> tuple[int, dict[str, Any]]:
        """goal-service's status and body; 4xx and a pending answer (503) pass through."""
        try:
            response = await self._http().post(
                f"/goals/{quote(goal_id, safe='')}/{decision}",
                headers={"Authorization": authorization},
            )
        except httpx.HTTPError as exc:
            raise GoalServiceUnavailable(f"{type(exc).__name__}: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 500 and _reason(body) != "answer_pending":
            raise GoalServiceUnavailable(f"goal-service answered {response.status_code}")
        return response.status_code, body if isinstance(body, dict) else {}

    async def close(self) -> None:
        await self._http.aclose()


def _reason(body: Any) -> str:
    """The problem's reason (top level, RFC 9457 with `reason`)."""
    return str(body.get("reason", "")) if isinstance(body, dict) else ""
