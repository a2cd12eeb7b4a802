"""What handlers and use cases need from storage; Mongo adapters and test fakes provide it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, Protocol

Doc = dict[str, Any]
# (insert_id, user_id, cost) of one escrow hold counted on a goal.
CountedHold = tuple[str, str, int]


class GoalRepository(Protocol):
    async def insert_if_absent(self, doc: Doc) -> Doc:
        """Insert the goal unless its _id exists; return the stored document either way."""

    async def get(self, goal_id: str) -> Doc | None: ...

    async def end(
        self,
        goal_id: str,
        extra: Doc,
        *,
        now: datetime,
        triggerer: str,
        ended_by: str,
        outcome: str | None = None,
        closing: bool = False,
    ) -> Doc | None:
        """End the goal if it matches `extra`; the document after the change, or None.

        `closing` keeps the outcome open (a funding goal's settle window) until close()."""

    async def close(self, goal_id: str, *, outcome: str, closed_by: str) -> Doc | None:
        """Decide a closing goal once; the document after, or None when it is not closing."""

    async def start(
        self, goal_id: str, extra: Doc, *, now: datetime, started_by: str
    ) -> Doc | None:
        """Begin an active, not yet started goal matching `extra`; the document after, or None."""

    async def open_on_session(self, session_id: str) -> list[Doc]:
        """The session's goals that are not over yet (active, or closing)."""

    async def find_contributions(self, goal_id: str, insert_ids: Sequence[str]) -> list[Doc]:
        """The contribution records of these holds that exist (counted or not)."""

    async def insert_contributions(self, records: Sequence[Doc]) -> list[str]:
        """Insert these records; the insert_ids of those whose _id already existed."""

    async def write_contributions(self, records: Sequence[Doc]) -> None:
        """Store these not-yet-counted records, replacing an uncommitted earlier attempt."""

    async def find_contributors(self, goal_id: str, user_ids: Sequence[str]) -> dict[str, Doc]:
        """Per-contributor totals by user id, for the users that have any."""

    async def commit(self, goal_id: str, *, base: int, guard: Doc, update: Doc) -> Doc | None:
        """Apply `update` if the goal matches `guard` (still countable: see
        domain/contributions.commit_guard) and counts exactly `base` contributions."""

    async def apply_contributors(self, goal_id: str, sums: Sequence[Doc]) -> None:
        """Add each {user_id, progress, cost, first_seq, last_seq, new?} to that contributor's
        totals unless a contribution at or after first_seq was already added (`new`: the
        contributor had no totals before this batch, so they can simply be inserted)."""

    def counted_holds(self, goal_id: str) -> AsyncIterator[tuple[str, str, int]]:
        """(insert_id, user_id, cost) of every hold counted on the goal, in counting order."""

    async def leaderboard(self, goal_id: str, *, offset: int, limit: int) -> list[Doc]:
        """Contributors ranked by progress, then coins, then user id."""


class TaskRepository(Protocol):
    async def schedule(
        self,
        task_id: str,
        *,
        goal_id: str,
        due_at: datetime,
        kind: str = "deactivate_goal",
        filter: Doc | None = None,
    ) -> None:
        """Create the due task unless it exists (a done task stays done)."""

    async def claim_due(self, *, now: datetime, lease_until: datetime) -> Doc | None:
        """Lease one pending task that is due and not leased by another worker."""

    async def complete(self, task_id: str, *, lease_until: datetime, now: datetime) -> bool: ...


class PurchaseRepository(Protocol):
    async def insert_if_absent(self, doc: Doc) -> tuple[Doc, bool]:
        """Insert unless the _id exists; (stored document, whether this call inserted it)."""

    async def get(self, purchase_id: str) -> Doc | None: ...

    async def find_by_transaction(self, transaction_id: str) -> Doc | None: ...

    async def accepted_before(self, goal_id: str, moment: datetime) -> list[Doc]:
        """The goal's purchases accepted (and sent to the wallet) before `moment`."""
        ...

    async def mark_failed(self, transaction_id: str) -> None:
        """The wallet refused the purchase's transfer: it will never be counted."""

    async def mark_published(self, purchase_id: str) -> None: ...


class EndedSessions(Protocol):
    async def mark_ended(self, session_id: str, *, at: datetime) -> None: ...

    async def is_ended(self, session_id: str) -> bool: ...


class EscrowHolds(Protocol):
    """Holds the wallet opened for goals, as its callbacks reported them; only open ones."""

    async def opened(self, hold: Doc) -> None:
        """Record an open hold (insert unless known; a settled one stays settled)."""

    async def settled(self, hold_id: str, *, how: str, at: datetime) -> None:
        """Forget an open hold: the wallet settled it (refund, release or split)."""

    async def open_holds(self, *, opened_before: datetime, limit: int) -> list[Doc]: ...

    async def mark_reissued(self, hold_id: str, *, at: datetime) -> None:
        """Remember when the sweep last re-sent this hold's settlement."""

    async def totals(self) -> tuple[int, int]:
        """(open holds, coins in them)."""


class Leases(Protocol):
    async def acquire(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the named lease unless another holder's is still running."""


class AuditLog(Protocol):
    async def record(self, entry: Doc) -> bool:
        """Store the entry keyed by its _id (the event id); False when already there."""


class SessionDirectory(Protocol):
    async def get(self, session_id: str, *, authorization: str) -> Doc | None:
        """The session as session-service shows it to this caller, or None when unknown."""


class SessionServiceUnavailable(Exception):
    pass


class LifecycleMetrics(Protocol):
    def created(self, cls: str) -> None: ...

    def progressed(self, cls: str, *, amount: int, cost: int) -> None: ...

    def ended(self, cls: str, *, outcome: str) -> None: ...


class EscrowReport(Protocol):
    def report(self, *, holds: int, coins: int, overdue: int, overdue_coins: int) -> None: ...

    def reissued(self, kind: str) -> None: ...
