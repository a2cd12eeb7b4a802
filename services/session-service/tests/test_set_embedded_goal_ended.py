from __future__ import annotations

from datetime import timedelta

from session_service_exclusive_world import FakeSlots
from session_service_fakes import T0, Clock, FakeLocks, FakeSessions, goal_ended, make_session

from livestream_schemas.goals import (
    EXCLUSIVE_GOAL,
    SHOW_FUNDING_GOAL,
    SHOW_GOAL,
    TRIGGER_EXCLUSIVE_GOAL,
)
from session_service.domain.session import ExclusiveGoalPair, ShowGoalPair, Status
from session_service.handlers.set_embedded_goal_ended import set_embedded_goal_ended
from session_service.ports import OpenRequest, Slot

SID = "a" * 24
VIEWER = "viewer-1"
FUNDING = "f" * 24
TRIGGER = "1" * 24
SHOW = "5" * 24


def funding_ended():  # type: ignore[no-untyped-def]
    return goal_ended(FUNDING, SHOW_FUNDING_GOAL, active=False, conditions={"session_id": SID})


def trigger_ended(goal_id: str = TRIGGER):  # type: ignore[no-untyped-def]
    conditions = {"session_id": SID, "exclusive_to": VIEWER}
    return goal_ended(goal_id, TRIGGER_EXCLUSIVE_GOAL, active=False, conditions=conditions)


def lock(goal_id: str = TRIGGER) -> OpenRequest:
    return OpenRequest(SID, VIEWER, "streamer-1", goal_id, 50, 300, 0, None, T0, True)


async def run(message, sessions, locks=None, clock=None, slots=None):  # type: ignore[no-untyped-def]
    return await set_embedded_goal_ended(
        message,
        sessions=sessions,
        locks=locks or FakeLocks(),
        slots=slots or FakeSlots(),
        clock=clock or Clock(),
    )


async def test_funding_goal_end_is_stamped_on_its_pair_only() -> None:
    pairs = [ShowGoalPair(funding_goal="e" * 24), ShowGoalPair(funding_goal=FUNDING)]
    sessions = FakeSessions(make_session(SID, show_goal_pairs=pairs))
    assert await run(funding_ended(), sessions) == []
    stored = sessions.docs[SID].show_goal_pairs
    assert stored[1].funding_ended == T0
    assert stored[0].funding_ended is None


async def test_redelivery_keeps_the_first_end_time() -> None:
    sessions = FakeSessions(make_session(SID, show_goal_pairs=[ShowGoalPair(funding_goal=FUNDING)]))
    clock = Clock()
    await run(funding_ended(), sessions, clock=clock)
    clock.advance(60)
    await run(funding_ended(), sessions, clock=clock)
    assert sessions.docs[SID].show_goal_pairs[0].funding_ended == T0


async def test_an_end_that_overtook_its_creation_still_ends_funding() -> None:
    sessions = FakeSessions(make_session(SID))
    await run(funding_ended(), sessions)
    assert sessions.docs[SID].show_goal_pairs == [
        ShowGoalPair(funding_goal=FUNDING, funding_ended=T0, funded=False)
    ]


def show_ended(outcome: str = "completed"):  # type: ignore[no-untyped-def]
    conditions = {"session_id": SID, "funding_goal": FUNDING}
    return goal_ended(SHOW, SHOW_GOAL, active=False, conditions=conditions, outcome=outcome)


async def test_a_funded_end_marks_the_pair_funded_so_the_show_is_pending() -> None:
    sessions = FakeSessions(make_session(SID, show_goal_pairs=[ShowGoalPair(funding_goal=FUNDING)]))
    await run(funding_ended().model_copy(update={"outcome": "funded"}), sessions)
    pair = sessions.docs[SID].show_goal_pairs[0]
    assert pair.funded is True and pair.show_pending


async def test_the_show_end_is_stamped_once_on_its_pair() -> None:
    pair = ShowGoalPair(funding_goal=FUNDING, funding_ended=T0, funded=True, show_goal=SHOW)
    sessions = FakeSessions(make_session(SID, show_goal_pairs=[pair]))
    clock = Clock(T0 + timedelta(seconds=9))
    await run(show_ended(), sessions, clock=clock)
    clock.advance(60)
    await run(show_ended(), sessions, clock=clock)  # redelivery keeps the first end
    stored = sessions.docs[SID].show_goal_pairs[0]
    assert stored.show_ended == T0 + timedelta(seconds=9) and not stored.show_pending


async def test_a_show_end_that_overtook_its_binding_binds_then_ends() -> None:
    pair = ShowGoalPair(funding_goal=FUNDING, funding_ended=T0, funded=True)
    sessions = FakeSessions(make_session(SID, show_goal_pairs=[pair]))
    await run(show_ended("cancelled"), sessions)
    stored = sessions.docs[SID].show_goal_pairs[0]
    assert (stored.show_goal, stored.show_ended) == (SHOW, T0)


async def test_trigger_goal_end_is_stamped_and_releases_the_lock() -> None:
    pairs = {VIEWER: ExclusiveGoalPair(trigger_exclusive_goal=TRIGGER)}
    sessions = FakeSessions(make_session(SID, exclusive_goal_pairs=pairs))
    locks = FakeLocks()
    await locks.take(lock())
    await run(trigger_ended(), sessions, locks)
    assert sessions.docs[SID].exclusive_goal_pairs[VIEWER].trigger_exclusive_goal_ended == T0
    assert await locks.get(SID, VIEWER) is None


async def test_trigger_redelivery_keeps_the_first_end_and_the_next_requests_lock() -> None:
    pairs = {VIEWER: ExclusiveGoalPair(trigger_exclusive_goal=TRIGGER)}
    sessions = FakeSessions(make_session(SID, exclusive_goal_pairs=pairs))
    locks, clock = FakeLocks(), Clock()
    await locks.take(lock())
    await run(trigger_ended(), sessions, locks, clock)
    await locks.take(lock("2" * 24))  # the viewer's next request, after the cooldown
    clock.advance(400)
    await run(trigger_ended(), sessions, locks, clock)
    assert sessions.docs[SID].exclusive_goal_pairs[VIEWER].trigger_exclusive_goal_ended == T0
    held = await locks.get(SID, VIEWER)
    assert held is not None and held.goal_id == "2" * 24


async def test_the_end_of_an_older_goal_does_not_touch_a_newer_pair() -> None:
    newer = ExclusiveGoalPair(trigger_exclusive_goal="2" * 24)
    sessions = FakeSessions(make_session(SID, exclusive_goal_pairs={VIEWER: newer}))
    await run(trigger_ended(), sessions)
    assert sessions.docs[SID].exclusive_goal_pairs[VIEWER] == newer


async def test_a_trigger_end_that_overtook_its_creation_starts_the_cooldown() -> None:
    sessions = FakeSessions(make_session(SID))
    await run(trigger_ended(), sessions, clock=Clock(T0 + timedelta(seconds=5)))
    pair = sessions.docs[SID].exclusive_goal_pairs[VIEWER]
    assert pair.trigger_exclusive_goal == TRIGGER
    assert pair.trigger_exclusive_goal_ended == T0 + timedelta(seconds=5)


EXCLUSIVE = "e" * 24


async def test_an_agreed_request_is_stamped_agreed_so_no_cooldown_follows() -> None:
    sessions = FakeSessions(
        make_session(
            SID, exclusive_goal_pairs={VIEWER: ExclusiveGoalPair(trigger_exclusive_goal=TRIGGER)}
        )
    )
    agreed = trigger_ended().model_copy(update={"outcome": "agreed"})
    for _ in range(2):  # redelivered: stamped once
        await run(agreed, sessions)
    pair = sessions.docs[SID].exclusive_goal_pairs[VIEWER]
    assert pair.trigger_exclusive_goal_ended == T0 and pair.trigger_exclusive_goal_agreed == T0


def exclusive_ended():  # type: ignore[no-untyped-def]
    return goal_ended(
        EXCLUSIVE,
        EXCLUSIVE_GOAL,
        active=False,
        outcome="closed",
        conditions={"session_id": SID, "exclusive_to": VIEWER},
        metadata={"user_id": "streamer-1", "trigger_goal": TRIGGER},
    )


async def test_the_end_of_an_exclusive_session_resets_the_session_once() -> None:
    running = ExclusiveGoalPair(
        trigger_exclusive_goal=TRIGGER,
        trigger_exclusive_goal_ended=T0,
        trigger_exclusive_goal_agreed=T0,
        exclusive_goal=EXCLUSIVE,
    )
    sessions = FakeSessions(
        make_session(
            SID,
            exclusive_goal_pairs={VIEWER: running},
            status=Status(preset="sd", exclusive_to=VIEWER),
        )
    )
    slots = FakeSlots()
    slots.docs[SID] = Slot(SID, TRIGGER, VIEWER, T0)
    clock = Clock()
    await run(exclusive_ended(), sessions, clock=clock, slots=slots)
    clock.advance(30)
    await run(exclusive_ended(), sessions, clock=clock, slots=slots)  # redelivered
    session = sessions.docs[SID]
    assert session.exclusive_goal_pairs[VIEWER].exclusive_goal_ended == T0
    assert session.status == Status() and not session.is_exclusive
    assert slots.docs == {}  # the next request may be accepted
