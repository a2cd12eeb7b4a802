"""The streamer's side of exclusive requests, and ending an exclusive session, over fakes."""

from __future__ import annotations

from datetime import timedelta

from session_service_exclusive_world import (
    OTHER,
    SID,
    STREAMER,
    TRIGGER,
    VIEWER,
    ExclusiveWorld,
)
from session_service_fakes import T0
from session_service_trigger_world import reason

from livestream_schemas.commands import DeactivateGoal
from service_kit.problems import problem_body
from session_service.domain.session import ExclusiveGoalPair, Status
from session_service.ports import OpenRequest, Slot

EXCLUSIVE = "e" * 24


def open_pair(goal_id: str = TRIGGER) -> ExclusiveGoalPair:
    return ExclusiveGoalPair(trigger_exclusive_goal=goal_id)


def running_pair() -> ExclusiveGoalPair:
    return ExclusiveGoalPair(
        trigger_exclusive_goal=TRIGGER,
        trigger_exclusive_goal_ended=T0,
        trigger_exclusive_goal_agreed=T0,
        exclusive_goal=EXCLUSIVE,
    )


def world_with(**pairs: ExclusiveGoalPair) -> ExclusiveWorld:
    return ExclusiveWorld(exclusive_goal_pairs=pairs)


async def test_every_route_wants_a_token() -> None:
    w = world_with(**{VIEWER: open_pair()})
    assert (await w.get("/requests", user=None)).status_code == 401
    for action in ("accept", "decline", "end"):
        assert (await w.post(f"/requests/{VIEWER}/{action}", user=None)).status_code == 401
    assert w.goals.calls == [] and w.publisher.published == []


async def test_the_streamer_lists_open_requests_with_their_price() -> None:
    answered = ExclusiveGoalPair(trigger_exclusive_goal="2" * 24, trigger_exclusive_goal_ended=T0)
    w = world_with(**{VIEWER: open_pair(), OTHER: answered})
    await w.locks.take(OpenRequest(SID, VIEWER, STREAMER, TRIGGER, 50, 300, 999, None, T0, True))
    r = await w.get("/requests")
    assert r.status_code == 200
    assert r.json()["requests"] == [
        {
            "viewer_id": VIEWER,
            "goal_id": TRIGGER,
            "amount": 50,
            "duration": 300,
            "exp": 999,
            "requested_at": T0.isoformat(),
        }
    ]


async def test_only_the_streamer_lists_accepts_or_declines() -> None:
    w = world_with(**{VIEWER: open_pair()})
    assert reason(await w.get("/requests", user=VIEWER)) == "not_owner"
    for action in ("accept", "decline"):
        r = await w.post(f"/requests/{VIEWER}/{action}", user=OTHER)
        assert (r.status_code, reason(r)) == (403, "not_owner")
    assert w.goals.calls == []


async def test_unknown_session_or_request_is_404() -> None:
    w = world_with()
    r = await w.http.post(
        f"/sessions/{'b' * 24}/requests/{VIEWER}/accept", headers=w.headers(STREAMER)
    )
    assert (r.status_code, reason(r)) == (404, "session_not_found")
    r = await w.post(f"/requests/{VIEWER}/accept")
    assert (r.status_code, reason(r)) == (404, "request_not_found")


async def test_accept_goes_to_goal_service_with_the_streamers_token_and_takes_the_slot() -> None:
    w = world_with(**{VIEWER: open_pair()})
    headers = w.headers(STREAMER)
    r = await w.http.post(f"/sessions/{SID}/requests/{VIEWER}/accept", headers=headers)
    assert (r.status_code, r.json()["outcome"]) == (200, "agreed")
    ((goal_id, decision, authorization),) = w.goals.calls
    assert (goal_id, decision) == (TRIGGER, "accept")
    assert authorization == headers["Authorization"]
    assert w.slots.docs[SID].goal_id == TRIGGER


async def test_a_lost_accept_answers_goal_services_409_and_frees_the_slot() -> None:
    w = world_with(**{VIEWER: open_pair()})
    w.goals.answers[TRIGGER] = (409, problem_body(409, "request_expired"))
    r = await w.post(f"/requests/{VIEWER}/accept")
    assert (r.status_code, reason(r)) == (409, "request_expired")
    assert w.slots.docs == {}


async def test_a_second_viewer_cannot_be_accepted_while_one_is_exclusive() -> None:
    w = world_with(**{VIEWER: running_pair(), OTHER: open_pair("3" * 24)})
    w.sessions.docs[SID] = w.sessions.docs[SID].model_copy(
        update={"status": Status(preset="sd", exclusive_to=VIEWER)}
    )
    r = await w.post(f"/requests/{OTHER}/accept")
    assert (r.status_code, reason(r)) == (409, "already_exclusive")
    assert w.goals.calls == []


async def test_two_accepts_at_once_one_gets_the_slot() -> None:
    w = world_with(**{VIEWER: open_pair(), OTHER: open_pair("3" * 24)})
    w.slots.docs[SID] = Slot(SID, TRIGGER, VIEWER, T0)  # the first accept is in flight
    r = await w.post(f"/requests/{OTHER}/accept")
    assert (r.status_code, reason(r)) == (409, "already_exclusive")
    w.clock.advance(61)  # that accept never finished: its slot goes stale
    assert (await w.post(f"/requests/{OTHER}/accept")).status_code == 200
    assert w.slots.docs[SID].goal_id == "3" * 24


async def test_accept_retried_after_it_was_agreed_answers_the_same_and_takes_no_slot() -> None:
    w = world_with(**{VIEWER: running_pair()})
    for _ in range(2):
        assert (await w.post(f"/requests/{VIEWER}/accept")).status_code == 200
    assert w.slots.docs == {}
    assert [call[1] for call in w.goals.calls] == ["accept", "accept"]


async def test_decline_is_forwarded_and_takes_no_slot() -> None:
    w = world_with(**{VIEWER: open_pair()})
    r = await w.post(f"/requests/{VIEWER}/decline")
    assert (r.status_code, r.json()["outcome"]) == (200, "declined")
    assert w.goals.calls[0][:2] == (TRIGGER, "decline")
    assert w.slots.docs == {}


async def test_goal_service_down_is_503_not_500() -> None:
    w = world_with(**{VIEWER: open_pair()})
    w.goals.down = True
    r = await w.post(f"/requests/{VIEWER}/accept")
    assert (r.status_code, reason(r)) == (503, "goal_service_unavailable")


async def test_streamer_or_viewer_ends_the_exclusive_session_and_a_retry_is_harmless() -> None:
    for caller in (STREAMER, VIEWER):
        w = world_with(**{VIEWER: running_pair()})
        for _ in range(2):
            r = await w.post(f"/requests/{VIEWER}/end", user=caller)
            assert (r.status_code, r.json()["state"]) == (202, "ending")
        ends = w.publisher.messages
        assert all(isinstance(m, DeactivateGoal) for m in ends) and len(ends) == 2
        assert {(m.goal_id, m.outcome, m.triggerer) for m in ends} == {  # type: ignore[attr-defined]
            (EXCLUSIVE, "closed", caller)
        }


async def test_end_after_it_ended_answers_ended_and_sends_nothing() -> None:
    ended = running_pair().model_copy(update={"exclusive_goal_ended": T0 + timedelta(minutes=1)})
    w = world_with(**{VIEWER: ended})
    r = await w.post(f"/requests/{VIEWER}/end", user=VIEWER)
    assert (r.status_code, r.json()["state"]) == (200, "ended")
    assert w.publisher.published == []


async def test_end_by_someone_else_or_without_a_session_running_is_refused() -> None:
    w = world_with(**{VIEWER: running_pair(), OTHER: open_pair("3" * 24)})
    r = await w.post(f"/requests/{VIEWER}/end", user=OTHER)
    assert (r.status_code, reason(r)) == (403, "not_participant")
    r = await w.post(f"/requests/{OTHER}/end", user=OTHER)
    assert (r.status_code, reason(r)) == (409, "not_exclusive")
    assert w.publisher.published == []
