"""POST /goals/{id}/accept|decline: checks, the command, and the answer read from the goal."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from goal_service.config import Settings
from goal_service.entrypoints.api import create_api
from goal_service.handlers.accept_exclusive_goal import accept_exclusive_goal
from goal_service.usecases.errors import Rejected
from goal_service.usecases.requests import answer_request
from livestream_schemas.commands import AcceptExclusiveGoal, DeactivateGoal
from service_kit.auth import issue_token

from .exclusive_fixtures import end_goal, paid_request
from .fakes import GOAL_ID, STREAMER, VIEWER, FakeContainer, caller, envelope_of


def worker(goals, clock):  # type: ignore[no-untyped-def]
    """A publish that applies the command a moment later, as the worker would."""

    async def apply(message) -> None:  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.05)
        envelope = envelope_of(message, "evt-answer")
        if isinstance(message, AcceptExclusiveGoal):
            await accept_exclusive_goal(message, envelope=envelope, goals=goals, clock=clock)
        elif isinstance(message, DeactivateGoal):
            await end_goal(goals, clock, message, "evt-answer")

    async def publish(message) -> None:  # type: ignore[no-untyped-def]
        asyncio.get_running_loop().create_task(apply(message))

    return publish


async def answer(goals, clock, decision: str, publish=None, wait_s: float = 2.0):  # type: ignore[no-untyped-def]
    return await answer_request(
        GOAL_ID,
        decision,
        caller=caller(),
        goals=goals,
        publish=publish or worker(goals, clock),
        now=clock(),
        wait_s=wait_s,
        poll_s=0.01,
    )


async def test_accept_answers_agreed_and_names_the_exclusive_session(goals, clock) -> None:
    await paid_request(goals)
    body = await answer(goals, clock, "accept")
    assert body["outcome"] == "agreed" and body["viewer_id"] == VIEWER
    assert body["exclusive_goal_id"] and body["prepaid_duration"] == 300
    again = await answer(goals, clock, "accept")  # a retry: the same answer, nothing sent
    assert again == body


async def test_accept_after_the_end_is_409_with_the_outcome_that_won(goals, clock) -> None:
    await paid_request(goals)
    await answer(goals, clock, "decline")
    with pytest.raises(Rejected) as refused:
        await answer(goals, clock, "accept")
    assert (refused.value.status, refused.value.reason) == (409, "request_declined")


async def test_accept_of_an_unpaid_request_is_409_and_sends_nothing(goals, clock) -> None:
    await paid_request(goals, paid=False)
    sent = []
    with pytest.raises(Rejected) as refused:
        await answer(goals, clock, "accept", publish=sent.append)
    assert (refused.value.status, refused.value.reason, sent) == (409, "not_paid", [])


async def test_accept_racing_expiry_reports_the_worker_s_outcome(goals, clock) -> None:
    await paid_request(goals, exp_in=5)
    expire = DeactivateGoal(goal_id=GOAL_ID, filter={"active": True}, triggerer="system")

    async def timer_first(message) -> None:  # type: ignore[no-untyped-def]
        # The expiry reaches the worker just before the accept does.
        await end_goal(goals, clock, expire, "t")
        await worker(goals, clock)(message)

    with pytest.raises(Rejected) as refused:
        await answer(goals, clock, "accept", publish=timer_first)
    assert (refused.value.status, refused.value.reason) == (409, "request_expired")


async def test_an_answer_not_applied_in_time_is_503_pending(goals, clock) -> None:
    await paid_request(goals)
    sent = []

    async def lagging(message) -> None:  # type: ignore[no-untyped-def]
        sent.append(message)

    with pytest.raises(Rejected) as pending:
        await answer(goals, clock, "accept", publish=lagging, wait_s=0.05)
    assert (pending.value.status, pending.value.reason) == (503, "answer_pending")
    assert len(sent) == 1


async def test_someone_else_s_request_is_not_found(goals, clock) -> None:
    await paid_request(goals)
    with pytest.raises(Rejected) as refused:
        await answer_request(
            GOAL_ID,
            "accept",
            caller=caller(VIEWER),
            goals=goals,
            publish=worker(goals, clock),
            now=clock(),
            wait_s=0.1,
        )
    assert (refused.value.status, refused.value.reason) == (404, "request_not_found")


def test_the_routes_want_a_token_and_never_reveal_other_goals() -> None:
    settings = Settings()
    c = FakeContainer(settings=settings)
    http = TestClient(create_api(c))  # type: ignore[arg-type]
    assert http.post(f"/goals/{GOAL_ID}/accept").status_code == 401
    token = issue_token(settings.jwt_secret, STREAMER, "app-1")
    r = http.post(f"/goals/{GOAL_ID}/decline", headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, r.json()["reason"]) == (404, "request_not_found")
    assert c.publisher.sent == []
