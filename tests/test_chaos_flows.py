"""The chaos suite's settlement flows behave as the apps do: the streamer accepts a request
only once session-service lists it, so a worker that is down for a while delays the accept
instead of leaving the request to run out its expiry."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest

from journeys import chaos_settle
from journeys.chaos_load import Answers, Flows
from journeys.stack import Stack, User

SESSION, GOAL = "s1", "g1"
STREAMER = User("streamer", "streamer", "w-streamer")
VIEWER = User("viewer", "viewer", "w-viewer")


class SessionServiceWhoseWorkerIsBack:
    """Answers as the services do while session-service's worker is down, then back: the
    request is paid (goal-service) but neither listed nor acceptable (404) until the worker
    binds it to the session, after `bound_after` reads of the list."""

    def __init__(self, bound_after: int) -> None:
        self.list_reads = 0
        self.bound_after = bound_after
        self.calls: list[tuple[str, str]] = []

    @property
    def bound(self) -> bool:
        return self.list_reads > self.bound_after

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append((request.method, path))
        if path == f"/goals/{GOAL}":
            return httpx.Response(200, json={"goal_id": GOAL, "progress": 1, "active": True})
        if path == f"/sessions/{SESSION}/requests":
            self.list_reads += 1
            listed = [{"viewer_id": VIEWER.user_id, "goal_id": GOAL}] if self.bound else []
            return httpx.Response(200, json={"session_id": SESSION, "requests": listed})
        if path.endswith(f"/requests/{VIEWER.user_id}/accept"):
            if not self.bound:
                return httpx.Response(404, json={"reason": "request_not_found"})
            return httpx.Response(200, json={"outcome": "agreed", "exclusive_goal_id": "x1"})
        if path.endswith(f"/requests/{VIEWER.user_id}/end"):
            return httpx.Response(202, json={"state": "ending"})
        return httpx.Response(404, json={"reason": "not_found"})


@pytest.fixture
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    async def sleep(seconds: float) -> None:
        return None

    monkeypatch.setattr(chaos_settle.asyncio, "sleep", sleep)


async def test_a_paid_request_is_accepted_once_listed_not_given_up_on_a_404(no_waiting) -> None:  # type: ignore[no-untyped-def]
    services = SessionServiceWhoseWorkerIsBack(bound_after=3)
    stack = Stack()
    stack.http = httpx.AsyncClient(transport=httpx.MockTransport(services))
    flows, answers = Flows(), Answers()
    try:
        await chaos_settle.accept_and_end(
            SimpleNamespace(stack=stack),  # type: ignore[arg-type]
            STREAMER,
            VIEWER,
            SESSION,
            GOAL,
            flows,
            answers,
        )
    finally:
        await stack.http.aclose()
    assert flows.accepted == {GOAL: VIEWER}, "the accept waited for the request to be listed"
    posts = [path for method, path in services.calls if method == "POST"]
    assert posts == [
        f"/sessions/{SESSION}/requests/{VIEWER.user_id}/accept",
        f"/sessions/{SESSION}/requests/{VIEWER.user_id}/end",
    ], "no accept was sent before the request was listed"
    assert answers.statuses["404"] == 0 and not answers.violations
