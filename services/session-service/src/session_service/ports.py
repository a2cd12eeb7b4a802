"""What the handlers need from the outside world; adapters and test fakes implement these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from livestream_schemas.base import Message
from livestream_schemas.transactions import trigger_exclusive_transaction_id
from service_kit.users import UserProfile
from session_service.domain.feed import FeedEntry
from session_service.domain.idempotency import StoredAnswer
from session_service.domain.session import Session


@dataclass(frozen=True)
class OpenRequest:
    """The open-request lock: at most one unanswered exclusive request per viewer and session."""

    session_id: str
    viewer_id: str
    streamer_id: str
    goal_id: str
    amount: int
    duration: int
    exp: int  # epoch seconds, as the viewer sent it
    idempotency_key: str | None
    created_at: datetime
    published: bool = False

    @property
    def lock_id(self) -> str:
        return lock_id(self.session_id, self.viewer_id)

    @property
    def transaction_id(self) -> str:
        return trigger_transaction_id(self.goal_id)

    @property
    def response(self) -> dict[str, Any]:
        """The 202 body; a replay with the same Idempotency-Key gets exactly this again."""
        return {
            "goal_id": self.goal_id,
            "amount": self.amount,
            "exp": self.exp,
            "duration": self.duration,
            "transaction_id": self.transaction_id,
        }


def lock_id(session_id: str, viewer_id: str) -> str:
    return f"{session_id}:{viewer_id}"


def trigger_transaction_id(goal_id: str) -> str:
    """The escrow hold's id; also the goal's progress insert_id."""
    return trigger_exclusive_transaction_id(goal_id)


class WalletUnavailable(Exception):
    """The balance could not be read (down, slow or answered nonsense)."""


class SessionRepository(Protocol):
    async def add(self, session: Session) -> None: ...

    async def get(self, session_id: str) -> Session | None: ...

    async def set_active(self, session_id: str, active: bool) -> None: ...

    async def add_show_goal_pair(self, session_id: str, funding_goal: str) -> bool:
        """Append {funding_goal} unless a pair already has it; True when appended."""
        ...

    async def bind_trigger_goal(self, session_id: str, viewer_id: str, goal_id: str) -> bool:
        """Start the viewer's pair with this goal unless it holds it or a still-open goal."""
        ...

    async def set_funding_ended(
        self, session_id: str, index: int, funding_goal: str, at: datetime, funded: bool = False
    ) -> bool: ...

    async def set_show_goal(
        self, session_id: str, index: int, funding_goal: str, show_goal: str
    ) -> bool:
        """Bind the show to the pair of its funding goal (once)."""
        ...

    async def set_show_ended(
        self, session_id: str, index: int, show_goal: str, at: datetime
    ) -> bool:
        """Stamp the show's end on its pair (never overwriting)."""
        ...

    async def set_trigger_goal_ended(
        self, session_id: str, viewer_id: str, goal_id: str, at: datetime, *, agreed: bool = False
    ) -> bool:
        """Stamp the end (and `agreed`) on the viewer's pair if it is this goal's (or start
        one if absent)."""
        ...

    async def start_exclusive(
        self, session_id: str, viewer_id: str, *, trigger_goal: str, exclusive_goal: str
    ) -> bool:
        """Bind the exclusive session to the pair of its agreed request, once, and make the
        session exclusive to the viewer (`status`)."""
        ...

    async def end_exclusive(
        self, session_id: str, viewer_id: str, exclusive_goal: str, at: datetime
    ) -> bool:
        """Stamp `exclusive_goal_ended` once and reset `status` if it is still this viewer's."""
        ...


@dataclass(frozen=True)
class Slot:
    """Who holds a session's one exclusive slot: the request being (or that was) accepted."""

    session_id: str
    goal_id: str
    viewer_id: str
    taken_at: datetime


class ExclusiveSlots(Protocol):
    async def take(self, slot: Slot) -> Slot:
        """Insert the session's slot unless one exists; the slot that holds it either way."""
        ...

    async def replace(self, stale: Slot, slot: Slot) -> bool:
        """Swap a stale slot (still held by `stale.goal_id`) for a new one."""
        ...

    async def release(self, session_id: str, goal_id: str) -> bool:
        """Free the slot if this request holds it."""
        ...


class GoalServiceUnavailable(Exception):
    """goal-service did not answer in time (or answered 5xx other than a pending answer)."""


class GoalRequests(Protocol):
    async def answer(
        self, goal_id: str, decision: str, *, authorization: str
    ) -> tuple[int, dict[str, Any]]:
        """Forward accept/decline to goal-service; its status and JSON body."""
        ...


class UserReadModel(Protocol):
    async def get(self, user_id: str) -> UserProfile | None: ...

    async def save_if_newer(self, profile: UserProfile, version: int) -> bool:
        """Store the profile unless a version >= this one is already stored."""
        ...


class OpenRequestLocks(Protocol):
    async def get(self, session_id: str, viewer_id: str) -> OpenRequest | None: ...

    async def take(self, request: OpenRequest) -> bool:
        """Insert the lock atomically; False when one already exists."""
        ...

    async def replace_stale(self, stale: OpenRequest, request: OpenRequest) -> bool:
        """Swap a stale lock (still holding `stale.goal_id`) for a new one."""
        ...

    async def mark_published(self, session_id: str, viewer_id: str, goal_id: str) -> None: ...

    async def release(self, session_id: str, viewer_id: str, goal_id: str) -> bool:
        """Delete the lock if it still belongs to this goal."""
        ...


class IdempotencyKeys(Protocol):
    async def get(self, key_id: str, *, now: datetime) -> StoredAnswer | None:
        """The stored first answer, unless it has expired."""
        ...

    async def put(self, answer: StoredAnswer, *, now: datetime) -> StoredAnswer:
        """Store the answer unless a live one holds the key; returns the one that counts."""
        ...


class LivestreamFeed(Protocol):
    async def append(self, entry: FeedEntry) -> bool:
        """Insert unless an entry with this id exists; True when inserted."""
        ...

    async def latest(self, session_id: str, limit: int) -> list[FeedEntry]:
        """The session's newest entries, newest first."""
        ...


class BalanceReader(Protocol):
    async def balance(self, user_id: str, *, authorization: str | None = None) -> int | None:
        """Coins in the user's wallet; None when the wallet-adapter knows no such wallet."""
        ...


class EventPublisher(Protocol):
    async def publish(self, payload: Message, *, event_id: str | None = None) -> Any: ...
