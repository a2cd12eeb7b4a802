"""The Mongo adapters against the real FerretDB: the guards hold without positional `$`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from session_service_fakes import T0, make_session, profile

from session_service.adapters.mongo_feed import MongoLivestreamFeed
from session_service.adapters.mongo_idempotency import MongoIdempotencyKeys
from session_service.adapters.mongo_locks import MongoOpenRequestLocks
from session_service.adapters.mongo_sessions import MongoSessionRepository
from session_service.adapters.mongo_users import MongoUserReadModel
from session_service.domain.feed import FeedEntry
from session_service.domain.idempotency import StoredAnswer
from session_service.domain.session import ExclusiveGoalPair, ShowGoalPair
from session_service.ports import OpenRequest

pytestmark = pytest.mark.integration
SID = "a" * 24
V = "viewer-1"


@pytest.fixture
def db(scratch_db: Any) -> Any:
    """A throwaway database on the stack's MongoDB-API server (the root conftest's)."""
    return scratch_db


async def test_sessions_round_trip_and_show_pairs(db: Any) -> None:
    repo = MongoSessionRepository(db)
    await repo.ensure_indexes()
    await repo.add(make_session(SID))
    assert await repo.add_show_goal_pair(SID, "f1") is True
    assert await repo.add_show_goal_pair(SID, "f1") is False  # redelivery
    assert await repo.add_show_goal_pair(SID, "f2") is True
    assert await repo.set_funding_ended(SID, 1, "f2", T0, funded=True) is True
    assert await repo.set_funding_ended(SID, 1, "f2", T0 + timedelta(seconds=9)) is False
    assert await repo.set_funding_ended(SID, 0, "f2", T0) is False  # wrong index guard
    assert await repo.set_show_goal(SID, 1, "f2", "s2") is True
    assert await repo.set_show_goal(SID, 1, "f2", "s3") is False  # bound once
    assert await repo.set_show_ended(SID, 0, "s2", T0) is False  # wrong index guard
    assert await repo.set_show_ended(SID, 1, "s2", T0) is True
    assert await repo.set_show_ended(SID, 1, "s2", T0 + timedelta(seconds=9)) is False
    session = await repo.get(SID)
    assert session is not None
    assert session.show_goal_pairs == [
        ShowGoalPair(funding_goal="f1"),
        ShowGoalPair(
            funding_goal="f2", funding_ended=T0, funded=True, show_goal="s2", show_ended=T0
        ),
    ]
    assert session.pricing == make_session(SID).pricing
    await repo.set_active(SID, False)
    ended = await repo.get(SID)
    assert ended is not None and ended.active is False


async def test_exclusive_pairs_bind_end_and_rebind(db: Any) -> None:
    repo = MongoSessionRepository(db)
    await repo.add(make_session(SID))
    assert await repo.bind_trigger_goal(SID, V, "t1") is True
    assert await repo.bind_trigger_goal(SID, V, "t1") is False  # redelivery
    assert await repo.bind_trigger_goal(SID, V, "t0") is False  # t1 still open
    assert await repo.set_trigger_goal_ended(SID, V, "t1", T0) is True
    assert await repo.set_trigger_goal_ended(SID, V, "t1", T0 + timedelta(seconds=5)) is False
    session = await repo.get(SID)
    assert session is not None
    assert session.exclusive_goal_pairs[V] == ExclusiveGoalPair(
        trigger_exclusive_goal="t1", trigger_exclusive_goal_ended=T0
    )
    assert await repo.bind_trigger_goal(SID, V, "t2") is True  # t1 is over
    rebound = await repo.get(SID)
    assert rebound is not None
    assert rebound.exclusive_goal_pairs[V] == ExclusiveGoalPair(trigger_exclusive_goal="t2")


async def test_an_end_before_the_bind_starts_an_ended_pair(db: Any) -> None:
    repo = MongoSessionRepository(db)
    await repo.add(make_session(SID))
    assert await repo.set_trigger_goal_ended(SID, V, "t1", T0) is True
    assert await repo.bind_trigger_goal(SID, V, "t1") is False
    session = await repo.get(SID)
    assert session is not None
    assert session.exclusive_goal_pairs[V].trigger_exclusive_goal_ended == T0


async def test_the_open_request_lock_is_unique(db: Any) -> None:
    locks = MongoOpenRequestLocks(db)
    first = OpenRequest(SID, V, "streamer-1", "g1", 50, 300, 1_700_000_000, "k", T0)
    second = OpenRequest(SID, V, "streamer-1", "g2", 50, 300, 1_700_000_000, None, T0)
    assert await locks.take(first) is True
    assert await locks.take(second) is False
    await locks.mark_published(SID, V, "g1")
    stored = await locks.get(SID, V)
    assert stored is not None and stored.published and stored.idempotency_key == "k"
    assert stored.response["transaction_id"] == "session:trigger-exclusive:g1"
    assert await locks.release(SID, V, "g2") is False
    assert await locks.replace_stale(second, first) is False
    assert await locks.replace_stale(first, second) is True
    assert await locks.release(SID, V, "g2") is True
    assert await locks.get(SID, V) is None


async def test_the_user_read_model_keeps_the_latest(db: Any) -> None:
    users = MongoUserReadModel(db)
    assert await users.save_if_newer(profile(V, "a"), 10) is True
    assert await users.save_if_newer(profile(V, "b"), 10) is False  # redelivery / same time
    assert await users.save_if_newer(profile(V, "old"), 5) is False
    assert await users.save_if_newer(profile(V, "new"), 11) is True
    stored = await users.get(V)
    assert stored is not None and stored.tags == ("new",) and stored.wallet_id == f"w-{V}"


def feed_entry(n: int) -> FeedEntry:
    return FeedEntry(
        entry_id=f"event-{n}",
        session_id=SID,
        streamer_id="streamer-1",
        goal_id=f"goal-{n}",
        cls="ShowFundingGoal",
        kind="show_funding_opened",
        occurred_at=T0 + timedelta(seconds=n % 3),  # ties are ordered by entry id
        title="show",
        target=10,
    )


async def test_the_feed_appends_once_and_reads_newest_first(db: Any) -> None:
    feed = MongoLivestreamFeed(db)
    await feed.ensure_indexes()
    for n in range(5):
        assert await feed.append(feed_entry(n)) is True
    assert await feed.append(feed_entry(1)) is False  # redelivery
    latest = await feed.latest(SID, 4)
    assert [e.entry_id for e in latest] == ["event-2", "event-4", "event-1", "event-3"]
    assert latest[0] == feed_entry(2)
    assert await feed.latest("b" * 24, 20) == []


def answer(goal_id: str, *, at: datetime, ttl_s: int = 60) -> StoredAnswer:
    return StoredAnswer(
        key_id="k" * 64,
        viewer_id=V,
        session_id=SID,
        route="POST /sessions/{session_id}/trigger_exclusive",
        request={"exp": 1_700_000_000, "duration": 300},
        status=202,
        body={"goal_id": goal_id, "amount": 50},
        created_at=at,
        expires_at=at + timedelta(seconds=ttl_s),
    )


async def test_idempotency_keys_keep_the_first_answer_until_it_expires(db: Any) -> None:
    keys = MongoIdempotencyKeys(db)
    first = answer("g1", at=T0)
    assert await keys.put(first, now=T0) == first
    assert await keys.put(answer("g2", at=T0), now=T0) == first  # the first answer stays
    assert await keys.get(first.key_id, now=T0 + timedelta(seconds=59)) == first
    later = T0 + timedelta(seconds=60)
    assert await keys.get(first.key_id, now=later) is None  # expired: ignored on read
    replacement = answer("g3", at=later)
    assert await keys.put(replacement, now=later) == replacement
    assert await keys.get(first.key_id, now=later) == replacement
