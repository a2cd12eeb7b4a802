"""In-memory stand-ins for the adapters, with the same guards as the Mongo ones."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from livestream_schemas.base import Message
from session_service.domain.feed import FeedEntry
from session_service.domain.idempotency import StoredAnswer
from session_service.domain.session import (
    ExclusiveGoalPair,
    Pricing,
    Session,
    ShowGoalPair,
    Status,
)
from session_service.ports import OpenRequest, UserProfile, WalletUnavailable, lock_id

T0 = datetime(2025, 4, 28, 12, 0, tzinfo=UTC)


class FakeSessions:
    def __init__(self, *sessions: Session) -> None:
        self.docs: dict[str, Session] = {s.session_id: s for s in sessions}
        self.writes = 0

    async def add(self, session: Session) -> None:
        if session.session_id in self.docs:
            raise KeyError(session.session_id)
        self.docs[session.session_id] = session

    async def get(self, session_id: str) -> Session | None:
        return self.docs.get(session_id)

    async def set_active(self, session_id: str, active: bool) -> None:
        self._set(session_id, active=active)

    async def add_show_goal_pair(self, session_id: str, funding_goal: str) -> bool:
        session = self.docs.get(session_id)
        if session is None or session.show_pair_index(funding_goal) is not None:
            return False
        pairs = [*session.show_goal_pairs, ShowGoalPair(funding_goal=funding_goal)]
        self._set(session_id, show_goal_pairs=pairs)
        return True

    async def bind_trigger_goal(self, session_id: str, viewer_id: str, goal_id: str) -> bool:
        session = self.docs.get(session_id)
        if session is None:
            return False
        pair = session.exclusive_goal_pairs.get(viewer_id)
        if pair is not None and (
            pair.trigger_exclusive_goal == goal_id
            or pair.trigger_exclusive_goal_ended is None
            or (pair.trigger_exclusive_goal_agreed and pair.exclusive_goal_ended is None)
        ):
            return False
        self._set_pair(session, viewer_id, ExclusiveGoalPair(trigger_exclusive_goal=goal_id))
        return True

    async def set_funding_ended(
        self, session_id: str, index: int, funding_goal: str, at: datetime, funded: bool = False
    ) -> bool:
        session = self.docs.get(session_id)
        if session is None or index >= len(session.show_goal_pairs):
            return False
        pair = session.show_goal_pairs[index]
        if pair.funding_goal != funding_goal or pair.funding_ended is not None:
            return False
        return self._set_show_pair(session, index, funding_ended=at, funded=funded)

    async def set_show_goal(
        self, session_id: str, index: int, funding_goal: str, show_goal: str
    ) -> bool:
        session = self.docs.get(session_id)
        if session is None or index >= len(session.show_goal_pairs):
            return False
        pair = session.show_goal_pairs[index]
        if pair.funding_goal != funding_goal or pair.show_goal is not None:
            return False
        return self._set_show_pair(session, index, show_goal=show_goal)

    async def set_show_ended(
        self, session_id: str, index: int, show_goal: str, at: datetime
    ) -> bool:
        session = self.docs.get(session_id)
        if session is None or index >= len(session.show_goal_pairs):
            return False
        pair = session.show_goal_pairs[index]
        if pair.show_goal != show_goal or pair.show_ended is not None:
            return False
        return self._set_show_pair(session, index, show_ended=at)

    def _set_show_pair(self, session: Session, index: int, **update: Any) -> bool:
        pairs = list(session.show_goal_pairs)
        pairs[index] = pairs[index].model_copy(update=update)
        self._set(session.session_id, show_goal_pairs=pairs)
        return True

    async def set_trigger_goal_ended(
        self, session_id: str, viewer_id: str, goal_id: str, at: datetime, *, agreed: bool = False
    ) -> bool:
        session = self.docs.get(session_id)
        if session is None:
            return False
        pair = session.exclusive_goal_pairs.get(viewer_id)
        ended = {"trigger_exclusive_goal_ended": at}
        if agreed:
            ended["trigger_exclusive_goal_agreed"] = at
        if pair is None:
            started = ExclusiveGoalPair(trigger_exclusive_goal=goal_id, **ended)
            self._set_pair(session, viewer_id, started)
            return True
        if pair.trigger_exclusive_goal != goal_id or pair.trigger_exclusive_goal_ended is not None:
            return False
        self._set_pair(session, viewer_id, pair.model_copy(update=ended))
        return True

    async def start_exclusive(
        self, session_id: str, viewer_id: str, *, trigger_goal: str, exclusive_goal: str
    ) -> bool:
        session = self.docs.get(session_id)
        pair = session.exclusive_goal_pairs.get(viewer_id) if session else None
        if session is None or pair is None:
            return False
        if pair.trigger_exclusive_goal != trigger_goal or pair.exclusive_goal is not None:
            return False
        self._set_pair(
            session, viewer_id, pair.model_copy(update={"exclusive_goal": exclusive_goal})
        )
        self._set(session_id, status=Status(preset="sd", exclusive_to=viewer_id))
        return True

    async def end_exclusive(
        self, session_id: str, viewer_id: str, exclusive_goal: str, at: datetime
    ) -> bool:
        session = self.docs.get(session_id)
        pair = session.exclusive_goal_pairs.get(viewer_id) if session else None
        if session is None or pair is None:
            return False
        changed = pair.exclusive_goal == exclusive_goal and pair.exclusive_goal_ended is None
        if changed:
            self._set_pair(session, viewer_id, pair.model_copy(update={"exclusive_goal_ended": at}))
        if self.docs[session_id].status.exclusive_to == viewer_id:
            self._set(session_id, status=Status())
        return changed

    def _set_pair(self, session: Session, viewer_id: str, pair: ExclusiveGoalPair) -> None:
        pairs = {**session.exclusive_goal_pairs, viewer_id: pair}
        self._set(session.session_id, exclusive_goal_pairs=pairs)

    def _set(self, session_id: str, **update: Any) -> None:
        self.docs[session_id] = self.docs[session_id].model_copy(update=update)
        self.writes += 1


class FakeUsers:
    def __init__(self, *profiles: UserProfile) -> None:
        self.docs: dict[str, tuple[UserProfile, int]] = {p.user_id: (p, 0) for p in profiles}
        self.writes = 0

    async def get(self, user_id: str) -> UserProfile | None:
        entry = self.docs.get(user_id)
        return entry[0] if entry else None

    async def save_if_newer(self, profile: UserProfile, version: int) -> bool:
        current = self.docs.get(profile.user_id)
        if current is not None and current[1] >= version:
            return False
        self.docs[profile.user_id] = (profile, version)
        self.writes += 1
        return True


class FakeLocks:
    def __init__(self) -> None:
        self.docs: dict[str, OpenRequest] = {}

    async def get(self, session_id: str, viewer_id: str) -> OpenRequest | None:
        return self.docs.get(lock_id(session_id, viewer_id))

    async def take(self, request: OpenRequest) -> bool:
        if request.lock_id in self.docs:
            return False
        self.docs[request.lock_id] = request
        return True

    async def replace_stale(self, stale: OpenRequest, request: OpenRequest) -> bool:
        current = self.docs.get(stale.lock_id)
        if current is None or current.goal_id != stale.goal_id:
            return False
        self.docs[stale.lock_id] = request
        return True

    async def mark_published(self, session_id: str, viewer_id: str, goal_id: str) -> None:
        current = self.docs.get(lock_id(session_id, viewer_id))
        if current is not None and current.goal_id == goal_id:
            self.docs[current.lock_id] = replace(current, published=True)

    async def release(self, session_id: str, viewer_id: str, goal_id: str) -> bool:
        current = self.docs.get(lock_id(session_id, viewer_id))
        if current is None or current.goal_id != goal_id:
            return False
        del self.docs[current.lock_id]
        return True


class FakeIdempotencyKeys:
    def __init__(self) -> None:
        self.docs: dict[str, StoredAnswer] = {}

    async def get(self, key_id: str, *, now: datetime) -> StoredAnswer | None:
        stored = self.docs.get(key_id)
        return stored if stored is not None and stored.live(now) else None

    async def put(self, answer: StoredAnswer, *, now: datetime) -> StoredAnswer:
        live = await self.get(answer.key_id, now=now)
        if live is not None:
            return live
        self.docs[answer.key_id] = answer  # absent, or only an expired record
        return answer


class FakeFeed:
    def __init__(self) -> None:
        self.docs: dict[str, FeedEntry] = {}

    async def append(self, entry: FeedEntry) -> bool:
        if entry.entry_id in self.docs:
            return False
        self.docs[entry.entry_id] = entry
        return True

    async def latest(self, session_id: str, limit: int) -> list[FeedEntry]:
        mine = [e for e in self.docs.values() if e.session_id == session_id]
        mine.sort(key=lambda e: (e.occurred_at, e.entry_id), reverse=True)
        return mine[:limit]


@dataclass
class FakeBalances:
    balances: dict[str, int] = field(default_factory=dict)
    down: bool = False
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    async def balance(self, user_id: str, *, authorization: str | None = None) -> int | None:
        self.calls.append((user_id, authorization))
        if self.down:
            raise WalletUnavailable("connection refused")
        return self.balances.get(user_id)


@dataclass
class FakePublisher:
    published: list[tuple[Message, str | None]] = field(default_factory=list)
    fail_after: int | None = None  # raise on the publish after this many succeeded

    async def publish(self, payload: Message, *, event_id: str | None = None) -> None:
        if self.fail_after is not None and len(self.published) >= self.fail_after:
            raise ConnectionError("kafka down")
        self.published.append((payload, event_id))

    async def publish_all(self, items: list[tuple[Message, str | None]], **_: Any) -> None:
        for payload, event_id in items:
            await self.publish(payload, event_id=event_id)

    @property
    def messages(self) -> list[Message]:
        return [m for m, _ in self.published]

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def ping(self) -> bool:
        return True


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_session(
    session_id: str = "a" * 24,
    user_id: str = "streamer-1",
    per_minute: int = 10,
    durations: tuple[int, ...] = (60, 300, 600),
    **fields: Any,
) -> Session:
    return Session(
        session_id=session_id,
        user_id=user_id,
        title="late show",
        pricing=Pricing(exclusive_sd_per_minute=per_minute, exclusive_durations=list(durations)),
        created_at=T0 - timedelta(hours=1),
        **fields,
    )


def profile(user_id: str, *tags: str) -> UserProfile:
    return UserProfile(user_id=user_id, wallet_id=f"w-{user_id}", username=user_id, tags=tags)


def goal_created(goal_id: str, cls: str, **fields: Any) -> Any:
    from livestream_schemas.goals import GoalCreated

    return GoalCreated.model_validate(_goal(goal_id, cls, fields))


def goal_ended(goal_id: str, cls: str, **fields: Any) -> Any:
    from livestream_schemas.goals import GoalEnded

    return GoalEnded.model_validate({"triggerer": "system", **_goal(goal_id, cls, fields)})


def _goal(goal_id: str, cls: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"goal_id": goal_id, "_cls": cls, "active": True, "version": 1, **fields}
