from __future__ import annotations

from session_service_fakes import T0, FakeSessions, goal_created, make_session

from livestream_schemas.goals import (
    EXCLUSIVE_GOAL,
    SHOW_FUNDING_GOAL,
    TRIGGER_EXCLUSIVE_GOAL,
    GoalAdded,
)
from session_service.domain.session import ExclusiveGoalPair, Status
from session_service.handlers.bind_exclusive_goals_to_session import (
    bind_exclusive_goals_to_session,
)

SID = "a" * 24
VIEWER = "viewer-1"


def trigger_goal(goal_id: str = "1" * 24, viewer: str = VIEWER):  # type: ignore[no-untyped-def]
    return goal_created(
        goal_id,
        TRIGGER_EXCLUSIVE_GOAL,
        conditions={"session_id": SID, "exclusive_to": viewer},
        context={"type": "trigger-exclusive", "exclusive_to": viewer},
        metadata={"user_id": "streamer-1", "prepaid_duration": 300},
    )


async def test_starts_the_viewers_pair_and_announces_it() -> None:
    sessions = FakeSessions(make_session(SID))
    out = await bind_exclusive_goals_to_session(trigger_goal(), sessions=sessions)
    pair = sessions.docs[SID].exclusive_goal_pairs[VIEWER]
    assert pair == ExclusiveGoalPair(trigger_exclusive_goal="1" * 24)
    assert len(out) == 1 and isinstance(out[0], GoalAdded)
    assert out[0].context == {"type": "trigger-exclusive", "exclusive_to": VIEWER}
    assert (out[0].session_id, out[0].streamer_id) == (SID, "streamer-1")


async def test_redelivery_changes_nothing_and_repeats_the_announcement() -> None:
    sessions = FakeSessions(make_session(SID))
    first = await bind_exclusive_goals_to_session(trigger_goal(), sessions=sessions)
    writes = sessions.writes
    again = await bind_exclusive_goals_to_session(trigger_goal(), sessions=sessions)
    assert sessions.writes == writes
    assert again == first


async def test_a_new_request_replaces_an_ended_one() -> None:
    old = ExclusiveGoalPair(trigger_exclusive_goal="0" * 24, trigger_exclusive_goal_ended=T0)
    sessions = FakeSessions(make_session(SID, exclusive_goal_pairs={VIEWER: old}))
    await bind_exclusive_goals_to_session(trigger_goal(), sessions=sessions)
    assert sessions.docs[SID].exclusive_goal_pairs[VIEWER].trigger_exclusive_goal == "1" * 24
    assert sessions.docs[SID].exclusive_goal_pairs[VIEWER].trigger_exclusive_goal_ended is None


async def test_a_late_older_goal_does_not_replace_an_open_request() -> None:
    open_pair = ExclusiveGoalPair(trigger_exclusive_goal="2" * 24)
    sessions = FakeSessions(make_session(SID, exclusive_goal_pairs={VIEWER: open_pair}))
    assert await bind_exclusive_goals_to_session(trigger_goal(), sessions=sessions) == []
    assert sessions.docs[SID].exclusive_goal_pairs[VIEWER] == open_pair


async def test_other_viewers_pairs_are_untouched() -> None:
    other = ExclusiveGoalPair(trigger_exclusive_goal="9" * 24)
    sessions = FakeSessions(make_session(SID, exclusive_goal_pairs={"viewer-2": other}))
    await bind_exclusive_goals_to_session(trigger_goal(), sessions=sessions)
    assert sessions.docs[SID].exclusive_goal_pairs["viewer-2"] == other


async def test_show_goals_are_left_to_other_receivers() -> None:
    sessions = FakeSessions(make_session(SID))
    show = goal_created("f" * 24, SHOW_FUNDING_GOAL, conditions={"session_id": SID})
    assert await bind_exclusive_goals_to_session(show, sessions=sessions) == []
    assert sessions.docs[SID].exclusive_goal_pairs == {}


def exclusive_goal(trigger: str = "1" * 24):  # type: ignore[no-untyped-def]
    return goal_created(
        "e" * 24,
        EXCLUSIVE_GOAL,
        conditions={"session_id": SID, "exclusive_to": VIEWER},
        context={"type": "exclusive", "exclusive_to": VIEWER},
        metadata={"user_id": "streamer-1", "prepaid_duration": 300, "trigger_goal": trigger},
    )


async def test_an_accepted_requests_session_makes_the_session_exclusive_once() -> None:
    agreed = ExclusiveGoalPair(
        trigger_exclusive_goal="1" * 24,
        trigger_exclusive_goal_ended=T0,
        trigger_exclusive_goal_agreed=T0,
    )
    sessions = FakeSessions(make_session(SID, exclusive_goal_pairs={VIEWER: agreed}))
    first = await bind_exclusive_goals_to_session(exclusive_goal(), sessions=sessions)
    again = await bind_exclusive_goals_to_session(exclusive_goal(), sessions=sessions)
    session = sessions.docs[SID]
    assert session.exclusive_goal_pairs[VIEWER].exclusive_goal == "e" * 24
    assert session.status == Status(preset="sd", exclusive_to=VIEWER)
    assert [m.model_dump() for m in again] == [m.model_dump() for m in first]
    assert isinstance(first[0], GoalAdded) and first[0].cls == EXCLUSIVE_GOAL


async def test_a_session_of_another_request_is_not_bound() -> None:
    pair = ExclusiveGoalPair(trigger_exclusive_goal="2" * 24)
    sessions = FakeSessions(make_session(SID, exclusive_goal_pairs={VIEWER: pair}))
    assert await bind_exclusive_goals_to_session(exclusive_goal(), sessions=sessions) == []
    assert not sessions.docs[SID].is_exclusive
