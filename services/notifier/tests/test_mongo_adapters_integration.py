"""The Mongo repositories against the real MongoDB API (FerretDB locally)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from notifier.adapters.mongo import MongoChannelStates, MongoPublishedEvents, MongoUsers
from notifier.domain.channel_state import apply_goal
from notifier.domain.channels import UserProfile

from .fakes import T0

pytestmark = pytest.mark.integration


@pytest.fixture
def db(scratch_db: Any) -> Any:
    """A throwaway database on the stack's MongoDB-API server (the root conftest's)."""
    return scratch_db


async def test_published_marks_are_seen_and_recorded_once(db: Any) -> None:
    published = MongoPublishedEvents(db)
    assert not await published.seen("e1:notify_goal_ended")
    await published.record("e1:notify_goal_ended", at=T0)
    await published.record("e1:notify_goal_ended", at=T0)  # a racing duplicate is harmless
    assert await published.seen("e1:notify_goal_ended")
    assert not await published.seen("e1:trigger_notify_goal_added")


async def test_channel_state_round_trip_with_optimistic_concurrency(db: Any) -> None:
    states = MongoChannelStates(db)
    empty = await states.load("s1")
    goal = {"goal_id": "g1", "version": 1, "progress": 0, "metadata": {"user_id": "s1"}}
    first = apply_goal(empty, goal, ended=False, at=T0)
    assert first is not None
    assert await states.save(first)
    assert not await states.save(first)  # rev 0 again: someone already created it

    stored = await states.load("s1")
    assert (stored.goals, stored.rev, stored.updated_at) == ({"g1": goal}, 1, T0)

    newer = apply_goal(stored, {**goal, "version": 2}, ended=False, at=T0 + timedelta(seconds=1))
    assert newer is not None
    assert await states.save(newer)
    assert not await states.save(replace(newer, goals={}))  # stale rev loses
    ended = apply_goal(await states.load("s1"), goal, ended=True, at=T0)
    assert ended is not None and await states.save(ended)
    final = await states.load("s1")
    assert final.goals == {} and final.recent_ended[0]["goal_id"] == "g1" and final.rev == 3


async def test_user_read_model_keeps_the_newest_profile(db: Any) -> None:
    users = MongoUsers(db)
    assert await users.get("u1") is None
    await users.upsert(UserProfile("u1", "mei", 3, ("blocked-by:s1",)), as_of=T0)
    await users.upsert(UserProfile("u1", "mei", 3, ("blocked-by:s1",)), as_of=T0)  # redelivery
    await users.upsert(UserProfile("u1", "mei", 4), as_of=T0 + timedelta(seconds=1))
    await users.upsert(UserProfile("u1", "old", 1), as_of=T0 - timedelta(seconds=1))
    assert await users.get("u1") == UserProfile("u1", "mei", 4, ())
