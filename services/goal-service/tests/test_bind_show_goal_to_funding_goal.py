from __future__ import annotations

from datetime import timedelta

from goal_service.domain.goal import ended_event
from goal_service.domain.show import show_goal_id
from goal_service.handlers.bind_show_goal_to_funding_goal import bind_show_goal_to_funding_goal

from .fakes import GOAL_ID, SESSION_ID, STREAMER, T0


async def ended(goals, seed, outcome: str, cls: str = "ShowFundingGoal"):
    await seed(_cls=cls)
    goals.docs[GOAL_ID].update(active=False, outcome=outcome)
    return ended_event(goals.docs[GOAL_ID])


async def test_a_funded_goal_binds_a_show_with_a_start_deadline(goals, seed, clock) -> None:
    event = await ended(goals, seed, "funded")
    (create,) = await bind_show_goal_to_funding_goal(event, start_within_s=600, clock=clock)
    assert create.cls == "ShowGoal" and create.goal_id == show_goal_id(GOAL_ID)
    assert create.exp == T0 + timedelta(seconds=600)
    assert create.conditions == {"session_id": SESSION_ID, "funding_goal": GOAL_ID}
    assert create.metadata["user_id"] == STREAMER


async def test_redelivery_asks_for_the_same_show(goals, seed, clock) -> None:
    event = await ended(goals, seed, "funded")
    first = await bind_show_goal_to_funding_goal(event, start_within_s=600, clock=clock)
    clock.advance(5)
    again = await bind_show_goal_to_funding_goal(event, start_within_s=600, clock=clock)
    assert first[0].goal_id == again[0].goal_id  # create_goal keeps the first one


async def test_no_show_for_a_failed_or_session_ended_goal_or_another_class(
    goals, seed, clock
) -> None:
    for outcome in ("failed", "session_ended"):
        event = await ended(goals, seed, outcome)
        assert await bind_show_goal_to_funding_goal(event, start_within_s=1, clock=clock) == []
    goals.docs.clear()
    event = await ended(goals, seed, "funded", cls="TriggerExclusiveGoal")
    assert await bind_show_goal_to_funding_goal(event, start_within_s=1, clock=clock) == []
