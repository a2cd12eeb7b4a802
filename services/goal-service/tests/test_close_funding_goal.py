from __future__ import annotations

from goal_service.handlers.close_funding_goal import close_funding_goal
from livestream_schemas.commands import CloseFundingGoal

from .fakes import GOAL_ID, SESSION_ID, FakeEndedSessions, envelope_of

CMD = CloseFundingGoal(goal_id=GOAL_ID)


async def closing(goals, seed, progress: int) -> None:
    await seed()
    goals.docs[GOAL_ID].update(active=False, closing=True, progress=progress, version=2)


async def run(goals, ended=None, event_id: str = "evt-close"):
    return await close_funding_goal(
        CMD,
        envelope=envelope_of(CMD, event_id),
        goals=goals,
        ended_sessions=ended or FakeEndedSessions(),
    )


async def test_a_goal_that_reached_its_target_in_the_window_is_funded(goals, seed) -> None:
    await closing(goals, seed, progress=3)
    (event,) = await run(goals)
    assert (event.outcome, event.active, event.version) == ("funded", False, 3)
    assert goals.docs[GOAL_ID]["closing"] is False


async def test_a_goal_short_of_its_target_failed(goals, seed) -> None:
    await closing(goals, seed, progress=2)
    (event,) = await run(goals)
    assert event.outcome == "failed"


async def test_a_goal_whose_session_ended_can_buy_no_show(goals, seed) -> None:
    await closing(goals, seed, progress=3)
    (event,) = await run(goals, FakeEndedSessions(SESSION_ID))
    assert event.outcome == "session_ended"


async def test_redelivery_repeats_the_announcement_and_decides_once(goals, seed) -> None:
    await closing(goals, seed, progress=3)
    first = await run(goals)
    again = await run(goals)
    assert [m.model_dump() for m in again] == [m.model_dump() for m in first]
    assert goals.docs[GOAL_ID]["version"] == 3
    assert await run(goals, event_id="evt-other") == []  # a second timer run says nothing


async def test_an_active_goal_is_not_decided(goals, seed) -> None:
    await seed()
    assert await run(goals) == []
    assert goals.docs[GOAL_ID]["active"] is True
