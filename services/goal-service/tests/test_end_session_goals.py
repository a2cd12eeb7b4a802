from __future__ import annotations

from goal_service.handlers.end_session_goals import end_session_goals
from livestream_schemas.commands import DeactivateGoal
from livestream_schemas.sessions import SessionEnded

from .fakes import GOAL_ID, SESSION_ID, STREAMER, T0, FakeEndedSessions

ENDED = SessionEnded(session_id=SESSION_ID, user_id=STREAMER, ended_at=T0)
OTHER = "0" * 24


async def test_every_open_goal_of_the_session_is_ended_as_session_ended(goals, seed) -> None:
    await seed()
    await seed(goal_id=OTHER, _cls="TriggerExclusiveGoal", levels=[])
    await seed(goal_id="1" * 24, conditions={"session_id": "another"})
    ended = FakeEndedSessions()
    out = await end_session_goals(ENDED, goals=goals, ended_sessions=ended)
    assert sorted(m.goal_id for m in out) == sorted([GOAL_ID, OTHER])
    assert all(
        isinstance(m, DeactivateGoal)
        and m.outcome == "session_ended"
        and m.filter == {"active": True}
        for m in out
    )
    assert await ended.is_ended(SESSION_ID)


async def test_redelivery_sends_the_same_commands_and_ended_goals_are_left(goals, seed) -> None:
    await seed()
    ended = FakeEndedSessions()
    first = await end_session_goals(ENDED, goals=goals, ended_sessions=ended)
    assert await end_session_goals(ENDED, goals=goals, ended_sessions=ended) == first
    goals.docs[GOAL_ID]["active"] = False
    assert await end_session_goals(ENDED, goals=goals, ended_sessions=ended) == []
