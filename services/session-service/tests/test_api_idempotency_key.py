"""Idempotency-Key on POST /sessions/{id}/trigger_exclusive: one key, one body, one answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from session_service_exclusive_world import FakeSlots
from session_service_fakes import T0, goal_ended, make_session
from session_service_trigger_world import EXP, SID, STREAMER, VIEWER, World, reason

from livestream_schemas.goals import TRIGGER_EXCLUSIVE_GOAL
from session_service.domain.idempotency import key_id
from session_service.handlers.set_embedded_goal_ended import set_embedded_goal_ended
from session_service.handlers.trigger_exclusive import ROUTE
from session_service.ports import OpenRequest

DAY_S = 24 * 3600


@pytest.fixture
async def w() -> AsyncIterator[World]:
    world = World()
    yield world
    await world.http.aclose()


async def end_request(w: World, goal_id: str) -> None:
    """What goal.ended does for an unanswered request: stamp the end, release the lock."""
    ended = goal_ended(
        goal_id,
        TRIGGER_EXCLUSIVE_GOAL,
        active=False,
        conditions={"session_id": SID, "exclusive_to": VIEWER},
        metadata={"user_id": STREAMER},
    )
    await set_embedded_goal_ended(
        ended, sessions=w.sessions, locks=w.locks, slots=FakeSlots(), clock=w.clock
    )


async def test_the_first_answer_is_kept_for_a_day(w: World) -> None:
    first = await w.trigger(key="k")
    [stored] = w.idempotency.docs.values()
    assert stored.key_id == key_id(viewer_id=VIEWER, route=ROUTE, session_id=SID, key="k")
    assert (stored.status, stored.body) == (202, first.json())
    assert stored.request == {"exp": EXP, "duration": 300}
    assert stored.expires_at == T0 + timedelta(seconds=DAY_S)


async def test_a_replay_after_the_request_ended_gets_the_first_answer(w: World) -> None:
    first = await w.trigger(key="k")
    await end_request(w, first.json()["goal_id"])
    assert await w.locks.get(SID, VIEWER) is None
    for wait in (0, 700):  # during the cooldown, then after the request's expiry
        w.clock.advance(wait)
        again = await w.trigger(key="k")
        assert (again.status_code, again.json()) == (202, first.json())
        assert again.headers["Idempotent-Replayed"] == "true"
    assert len(w.publisher.published) == 2  # no duplicate goal, no second charge
    assert len(w.balances.calls) == 1
    assert await w.locks.get(SID, VIEWER) is None


@pytest.mark.parametrize(
    "body", [{"exp": EXP, "duration": 600}, {"exp": EXP + 1, "duration": 300}], ids=str
)
async def test_reusing_a_key_with_another_body_is_422(w: World, body: dict[str, int]) -> None:
    first = await w.trigger(key="k")
    reused = await w.trigger(body, key="k")
    assert (reused.status_code, reason(reused)) == (422, "idempotency_key_reused")
    await end_request(w, first.json()["goal_id"])
    after_end = await w.trigger(body, key="k")
    assert (after_end.status_code, reason(after_end)) == (422, "idempotency_key_reused")
    assert len(w.publisher.published) == 2


async def test_a_concurrent_duplicate_with_another_body_is_422(w: World) -> None:
    # The first attempt holds the lock but has not stored its answer yet.
    await w.locks.take(OpenRequest(SID, VIEWER, STREAMER, "9" * 24, 50, 300, EXP, "k", T0))
    response = await w.trigger({"exp": EXP, "duration": 60}, key="k")
    assert (response.status_code, reason(response)) == (422, "idempotency_key_reused")
    assert w.publisher.published == [] and w.idempotency.docs == {}


async def test_a_lock_taken_before_the_answer_was_stored_is_completed(w: World) -> None:
    lock = OpenRequest(SID, VIEWER, STREAMER, "9" * 24, 50, 300, EXP, "k", T0)
    await w.locks.take(lock)
    response = await w.trigger(key="k")
    assert (response.status_code, response.json()) == (202, lock.response)
    assert [m.message_type for m in w.publisher.messages] == ["create_goal", "transfer"]
    assert [a.body for a in w.idempotency.docs.values()] == [lock.response]
    stored_lock = await w.locks.get(SID, VIEWER)
    assert stored_lock is not None and stored_lock.published


async def test_an_answer_whose_lock_moved_on_is_replayed_without_sending(w: World) -> None:
    w.publisher.fail_after = 0  # answer stored, then Kafka refuses the commands
    failed = await w.trigger(key="k")
    assert failed.status_code == 503
    # Meanwhile the unsent lock went stale and another request took its place.
    lock = await w.locks.get(SID, VIEWER)
    assert lock is not None
    w.locks.docs[lock.lock_id] = replace(lock, goal_id="8" * 24, idempotency_key=None)
    w.publisher.fail_after = None
    again = await w.trigger(key="k")
    assert (again.status_code, again.json()["goal_id"]) == (202, lock.goal_id)
    assert w.publisher.published == []


async def test_a_key_is_forgotten_after_its_ttl(w: World) -> None:
    first = await w.trigger(key="k")
    await end_request(w, first.json()["goal_id"])
    w.clock.advance(DAY_S - 1)
    assert (await w.trigger(key="k")).json() == first.json()
    w.clock.advance(1)
    exp = int(w.clock.now.timestamp()) + 600
    fresh = await w.trigger({"exp": exp, "duration": 300}, key="k")
    assert fresh.status_code == 202 and "Idempotent-Replayed" not in fresh.headers
    assert fresh.json()["goal_id"] != first.json()["goal_id"]
    assert len(w.publisher.published) == 4


async def test_a_rejection_is_not_stored(w: World) -> None:
    w.balances.balances[VIEWER] = 49
    refused = await w.trigger(key="k")
    assert (refused.status_code, reason(refused)) == (403, "insufficient_balance")
    assert w.idempotency.docs == {}
    w.balances.balances[VIEWER] = 1_000  # topped up: the same request may now go through
    assert (await w.trigger(key="k")).status_code == 202


async def test_a_key_is_scoped_to_the_session(w: World) -> None:
    other = "b" * 24
    w.sessions.docs[other] = make_session(other, STREAMER)
    one = await w.trigger(key="k")
    two = await w.trigger(key="k", url=f"/sessions/{other}/trigger_exclusive")
    assert one.status_code == two.status_code == 202
    assert one.json()["goal_id"] != two.json()["goal_id"]
