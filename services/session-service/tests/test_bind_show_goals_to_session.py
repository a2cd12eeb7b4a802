from __future__ import annotations

from session_service_fakes import FakeSessions, goal_created, make_session

from livestream_schemas.goals import SHOW_FUNDING_GOAL, SHOW_GOAL, TRIGGER_EXCLUSIVE_GOAL, GoalAdded
from session_service.domain.session import ShowGoalPair
from session_service.handlers.bind_show_goals_to_session import bind_show_goals_to_session

SID = "a" * 24


def funding_goal(goal_id: str = "f" * 24, **fields):  # type: ignore[no-untyped-def]
    defaults = {
        "conditions": {"session_id": SID},
        "metadata": {"user_id": "streamer-1"},
        "levels": [{"title": "tickets", "target": 10}],
    }
    return goal_created(goal_id, SHOW_FUNDING_GOAL, **{**defaults, **fields})


async def test_appends_the_funding_goal_and_announces_it() -> None:
    sessions = FakeSessions(make_session(SID))
    out = await bind_show_goals_to_session(funding_goal(), sessions=sessions)
    assert sessions.docs[SID].show_goal_pairs == [ShowGoalPair(funding_goal="f" * 24)]
    assert len(out) == 1 and isinstance(out[0], GoalAdded)
    added = out[0]
    assert (added.goal_id, added.session_id, added.streamer_id) == ("f" * 24, SID, "streamer-1")
    assert added.cls == SHOW_FUNDING_GOAL and added.levels[0].target == 10


async def test_keeps_earlier_pairs_and_appends_at_the_end() -> None:
    earlier = ShowGoalPair(funding_goal="e" * 24, funding_ended=make_session().created_at)
    sessions = FakeSessions(make_session(SID, show_goal_pairs=[earlier]))
    await bind_show_goals_to_session(funding_goal(), sessions=sessions)
    assert [p.funding_goal for p in sessions.docs[SID].show_goal_pairs] == ["e" * 24, "f" * 24]


async def test_redelivery_appends_nothing_and_repeats_the_announcement() -> None:
    sessions = FakeSessions(make_session(SID))
    first = await bind_show_goals_to_session(funding_goal(), sessions=sessions)
    writes = sessions.writes
    again = await bind_show_goals_to_session(funding_goal(), sessions=sessions)
    assert len(sessions.docs[SID].show_goal_pairs) == 1
    assert sessions.writes == writes
    assert again == first


async def test_other_goal_classes_are_left_to_other_receivers() -> None:
    sessions = FakeSessions(make_session(SID))
    trigger = goal_created("t" * 24, TRIGGER_EXCLUSIVE_GOAL, conditions={"session_id": SID})
    assert await bind_show_goals_to_session(trigger, sessions=sessions) == []
    assert sessions.docs[SID].show_goal_pairs == []


async def test_unknown_session_binds_nothing() -> None:
    sessions = FakeSessions()
    assert await bind_show_goals_to_session(funding_goal(), sessions=sessions) == []


async def test_a_goal_of_another_streamer_is_not_bound() -> None:
    sessions = FakeSessions(make_session(SID))
    goal = funding_goal(metadata={"user_id": "intruder"})
    assert await bind_show_goals_to_session(goal, sessions=sessions) == []
    assert sessions.docs[SID].show_goal_pairs == []


def show_goal(funding: str = "f" * 24):  # type: ignore[no-untyped-def]
    return goal_created(
        "5" * 24,
        SHOW_GOAL,
        conditions={"session_id": SID, "funding_goal": funding},
        metadata={"user_id": "streamer-1"},
    )


async def test_a_show_is_bound_into_its_funding_goals_pair_once() -> None:
    pair = ShowGoalPair(funding_goal="f" * 24, funded=True)
    sessions = FakeSessions(make_session(SID, show_goal_pairs=[pair]))
    first = await bind_show_goals_to_session(show_goal(), sessions=sessions)
    assert sessions.docs[SID].show_goal_pairs[0].show_goal == "5" * 24
    assert isinstance(first[0], GoalAdded) and first[0].cls == SHOW_GOAL
    writes = sessions.writes
    assert await bind_show_goals_to_session(show_goal(), sessions=sessions) == first
    assert sessions.writes == writes


async def test_a_show_of_a_funding_goal_not_on_the_session_is_not_bound() -> None:
    sessions = FakeSessions(make_session(SID))
    assert await bind_show_goals_to_session(show_goal("9" * 24), sessions=sessions) == []
