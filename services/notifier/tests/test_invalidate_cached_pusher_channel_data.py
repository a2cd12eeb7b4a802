from __future__ import annotations

from datetime import timedelta

import pytest

from livestream_schemas.goals import GoalSnapshot
from notifier.domain.channel_state import RECENT_ENDED_LIMIT
from notifier.handlers.invalidate_cached_pusher_channel_data import (
    invalidate_cached_pusher_channel_data,
)

from .fakes import T0, FakeChannelStates, envelope_of, goal_added, goal_ended, goal_progressed


async def apply(states: FakeChannelStates, *messages: GoalSnapshot) -> None:
    for i, message in enumerate(messages):
        envelope = envelope_of(message, at=T0 + timedelta(seconds=i))
        assert (
            await invalidate_cached_pusher_channel_data(message, envelope=envelope, states=states)
            == []
        )


async def test_keeps_the_newest_snapshot_of_each_current_goal(states: FakeChannelStates) -> None:
    await apply(
        states,
        goal_added(),
        goal_progressed(progress=1, version=2),
        goal_added(goal_id="goal-2"),
    )
    state = states.docs["streamer-1"]
    assert set(state.goals) == {"goal-1", "goal-2"}
    assert state.goals["goal-1"]["progress"] == 1
    assert state.goals["goal-1"]["version"] == 2
    assert "insert_ids" not in state.goals["goal-1"]["metadata"]
    assert state.updated_at == T0 + timedelta(seconds=2)


async def test_an_older_version_never_replaces_a_newer_one(states: FakeChannelStates) -> None:
    await apply(
        states, goal_progressed(progress=5, version=6), goal_progressed(progress=4, version=5)
    )
    assert states.docs["streamer-1"].goals["goal-1"]["progress"] == 5


async def test_ended_goals_move_to_recent_ended_and_stay_ended(states: FakeChannelStates) -> None:
    await apply(
        states,
        goal_added(),
        goal_ended(version=3),
        goal_progressed(version=2),  # late, from another topic
    )
    state = states.docs["streamer-1"]
    assert state.goals == {}
    [ended] = state.recent_ended
    assert ended["goal_id"] == "goal-1"
    assert ended["ended"] is True
    assert ended["active"] is False


async def test_recent_ended_is_bounded_newest_first(states: FakeChannelStates) -> None:
    await apply(states, *(goal_ended(goal_id=f"g{i}") for i in range(RECENT_ENDED_LIMIT + 5)))
    recent = states.docs["streamer-1"].recent_ended
    assert len(recent) == RECENT_ENDED_LIMIT
    assert recent[0]["goal_id"] == f"g{RECENT_ENDED_LIMIT + 4}"


async def test_redelivery_changes_nothing(states: FakeChannelStates) -> None:
    for message in (goal_progressed(version=2), goal_ended(version=3)):
        envelope = envelope_of(message)
        await invalidate_cached_pusher_channel_data(message, envelope=envelope, states=states)
        before = states.docs["streamer-1"]
        await invalidate_cached_pusher_channel_data(message, envelope=envelope, states=states)
        assert states.docs["streamer-1"] == before


async def test_a_lost_race_reloads_and_applies(states: FakeChannelStates) -> None:
    states.conflicts = 2
    await apply(states, goal_added())
    assert "goal-1" in states.docs["streamer-1"].goals


async def test_endless_races_fail_so_the_consumer_retries(states: FakeChannelStates) -> None:
    states.conflicts = 100
    with pytest.raises(RuntimeError, match="kept changing"):
        await apply(states, goal_added())


async def test_goal_ids_that_cannot_be_field_names_are_refused(states: FakeChannelStates) -> None:
    with pytest.raises(ValueError, match="cannot key"):
        await apply(states, goal_added(goal_id="a.b"))
