from __future__ import annotations

from datetime import timedelta

import pytest

from goal_service.domain.goal import InvalidCommand
from goal_service.handlers.create_goal import create_goal
from livestream_schemas.goals import GoalCreated

from .fakes import GOAL_ID, SESSION_ID, STREAMER, T0, create_command


async def test_creates_the_goal_and_announces_it(goals, clock) -> None:
    out = await create_goal(create_command(), goals=goals, clock=clock)

    assert len(out) == 1 and isinstance(out[0], GoalCreated)
    event = out[0]
    assert event.goal_id == GOAL_ID and event.cls == "ShowFundingGoal"
    assert event.active is True and event.version == 1 and event.progress == 0
    assert event.levels[0].target == 3
    assert event.conditions == {"session_id": SESSION_ID}
    stored = goals.docs[GOAL_ID]
    assert stored["metadata"]["user_id"] == STREAMER
    assert "insert_ids" not in stored["metadata"]
    assert stored["top"] == [] and stored["contributions"] == 0 and stored["created_at"] == T0


async def test_insert_ids_are_never_taken_from_the_command(goals, clock) -> None:
    forged = create_command(metadata={"user_id": STREAMER, "insert_ids": ["tx-free"]})
    await create_goal(forged, goals=goals, clock=clock)
    assert "insert_ids" not in goals.docs[GOAL_ID]["metadata"]
    assert [h async for h in goals.counted_holds(GOAL_ID)] == []


async def test_redelivery_reannounces_the_stored_goal_without_a_second_write(goals, clock) -> None:
    command = create_command(exp=T0 + timedelta(hours=1, microseconds=123456))
    first = await create_goal(command, goals=goals, clock=clock)
    clock.advance(5)
    again = await create_goal(command, goals=goals, clock=clock)

    assert goals.writes == 1
    assert [m.model_dump() for m in again] == [m.model_dump() for m in first]
    # stored to the millisecond, so the first and the rebuilt event agree exactly
    assert first[0].exp == T0 + timedelta(hours=1, microseconds=123000)


async def test_a_conflicting_create_keeps_the_first_goal(goals, clock) -> None:
    await create_goal(create_command(), goals=goals, clock=clock)
    other = create_command(levels=[{"title": "Other", "target": 99}])
    out = await create_goal(other, goals=goals, clock=clock)
    assert out[0].levels[0].target == 3


@pytest.mark.parametrize("overrides", [{"goal_id": "not-an-object-id"}, {"_cls": "KaraokeGoal"}])
async def test_unusable_commands_raise(goals, clock, overrides) -> None:
    with pytest.raises(InvalidCommand):
        await create_goal(create_command(**overrides), goals=goals, clock=clock)
    assert goals.docs == {}
