"""What handlers and use cases need from storage; Mongo adapters and test fakes provide it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

Doc = dict[str, Any]


class GoalRepository(Protocol):
    async def insert_if_absent(self, doc: Doc) -> Doc:
        """Insert the goal unless its _id exists; return the stored document either way."""

    async def get(self, goal_id: str) -> Doc | None: ...

    async def end(
        self, goal_id: str, extra: Doc, *, now: datetime, triggerer: str, ended_by: str
    ) -> Doc | None:
        """End the goal if it matches `extra`; the document after the change, or None."""

    async def increment(
        self, goal_id: str, *, insert_id: str, breakdown_id: str, amount: int, cost: int
    ) -> Doc | None:
        """Count `insert_id` once on an active goal; the document after, or None."""


class TaskRepository(Protocol):
    async def schedule(self, task_id: str, *, goal_id: str, due_at: datetime) -> None:
        """Create the due task unless it exists (a done task stays done)."""

    async def claim_due(self, *, now: datetime, lease_until: datetime) -> Doc | None:
        """Lease one pending task that is due and not leased by another worker."""

    async def complete(self, task_id: str, *, lease_until: datetime, now: datetime) -> bool: ...


class PurchaseRepository(Protocol):
    async def insert_if_absent(self, doc: Doc) -> tuple[Doc, bool]:
        """Insert unless the _id exists; (stored document, whether this call inserted it)."""

    async def get(self, purchase_id: str) -> Doc | None: ...

    async def find_by_transaction(self, transaction_id: str) -> Doc | None: ...

    async def mark_published(self, purchase_id: str) -> None: ...


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
