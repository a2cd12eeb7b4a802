"""In-memory stand-ins for the goal-service ports, with the Mongo adapters' semantics."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from goal_service.domain.goal import end_exp, utc_ms
from goal_service.ports import SessionServiceUnavailable
from livestream_schemas.base import Message
from livestream_schemas.commands import CreateGoal
from livestream_schemas.envelope import Envelope, encode
from service_kit.auth import Caller

Doc = dict[str, Any]
T0 = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
STREAMER = "streamer-1"
VIEWER = "viewer-1"
GOAL_ID = "65f0a1b2c3d4e5f6a7b8c9d0"
SESSION_ID = "sess-1"


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _matches(doc: Doc, query: Doc) -> bool:
    for path, expected in query.items():
        value: Any = doc
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(expected, dict) and "$ne" in expected:
            if expected["$ne"] in (value or []):
                return False
        elif path == "started" and expected is False:
            if value:  # Mongo's {"started": False} matches only false; new goals store it
                return False
        elif value != expected:
            return False
    return True


class FakeGoals:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self.records: dict[str, Doc] = {}
        self.contributors: dict[str, Doc] = {}
        self.writes = 0

    async def insert_if_absent(self, doc: Doc) -> Doc:
        if doc["_id"] not in self.docs:
            self.docs[doc["_id"]] = copy.deepcopy(doc)
            self.writes += 1
        return copy.deepcopy(self.docs[doc["_id"]])

    async def get(self, goal_id: str) -> Doc | None:
        return copy.deepcopy(self.docs.get(goal_id))

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
        doc = self.docs.get(goal_id)
        if doc is None or not _matches(doc, extra):
            return None
        doc.update(
            active=False,
            closing=closing,
            outcome=outcome,
            exp=end_exp(doc.get("exp"), now),
            ended_at=utc_ms(now),
            triggerer=triggerer,
            ended_by=ended_by,
            version=doc["version"] + 1,
        )
        self.writes += 1
        return copy.deepcopy(doc)

    async def close(self, goal_id: str, *, outcome: str, closed_by: str) -> Doc | None:
        doc = self.docs.get(goal_id)
        if doc is None or not doc.get("closing"):
            return None
        doc.update(closing=False, outcome=outcome, closed_by=closed_by, version=doc["version"] + 1)
        self.writes += 1
        return copy.deepcopy(doc)

    async def start(
        self, goal_id: str, extra: Doc, *, now: datetime, started_by: str
    ) -> Doc | None:
        doc = self.docs.get(goal_id)
        if doc is None or not doc["active"] or doc.get("started") or not _matches(doc, extra):
            return None
        doc.update(
            started=True,
            started_at=utc_ms(now),
            started_by=started_by,
            exp=None,
            version=doc["version"] + 1,
        )
        self.writes += 1
        return copy.deepcopy(doc)

    async def open_on_session(self, session_id: str) -> list[Doc]:
        return [
            copy.deepcopy(doc)
            for doc in self.docs.values()
            if doc["conditions"].get("session_id") == session_id
            and (doc["active"] or doc.get("closing"))
        ]

    # Contribution storage: plain records and guarded updates, like the Mongo adapter.
    async def find_contributions(self, goal_id: str, insert_ids: Sequence[str]) -> list[Doc]:
        ids = {f"{goal_id}:{i}" for i in insert_ids}
        return [copy.deepcopy(r) for k, r in self.records.items() if k in ids]

    async def insert_contributions(self, records: Sequence[Doc]) -> list[str]:
        self.writes += 1
        clashes = [r["insert_id"] for r in records if r["_id"] in self.records]
        new = (r for r in records if r["_id"] not in self.records)
        self.records.update({r["_id"]: copy.deepcopy(r) for r in new})
        return clashes

    async def write_contributions(self, records: Sequence[Doc]) -> None:
        self.writes += 1
        self.records.update({r["_id"]: copy.deepcopy(r) for r in records})

    async def find_contributors(self, goal_id: str, user_ids: Sequence[str]) -> dict[str, Doc]:
        found = (self.contributors.get(f"{goal_id}:{u}") for u in user_ids)
        return {d["user_id"]: copy.deepcopy(d) for d in found if d is not None}

    async def commit(self, goal_id: str, *, base: int, guard: Doc, update: Doc) -> Doc | None:
        doc = self.docs.get(goal_id)
        if doc is None or not _matches(doc, guard) or doc.get("contributions", 0) != base:
            return None
        for key, value in update["$inc"].items():
            doc[key] = doc.get(key, 0) + value
        doc.update(copy.deepcopy(update["$set"]))
        self.writes += 1
        return copy.deepcopy(doc)

    async def apply_contributors(self, goal_id: str, sums: Sequence[Doc]) -> None:
        self.writes += 1
        for s in sums:
            doc = self.contributors.setdefault(
                f"{goal_id}:{s['user_id']}",
                {
                    "goal_id": goal_id,
                    "user_id": s["user_id"],
                    "progress": 0,
                    "cost": 0,
                    "last_seq": 0,
                },
            )
            if doc["last_seq"] < s["first_seq"]:
                doc.update(
                    progress=doc["progress"] + s["progress"],
                    cost=doc["cost"] + s["cost"],
                    last_seq=s["last_seq"],
                )

    async def counted_holds(self, goal_id: str) -> AsyncIterator[tuple[str, str, int]]:
        count = self.docs.get(goal_id, {}).get("contributions", 0)
        mine = [r for r in self.records.values() if r["goal_id"] == goal_id and r["seq"] <= count]
        for r in sorted(mine, key=lambda r: r["seq"]):
            yield r["insert_id"], r["user_id"], r["cost"]

    async def leaderboard(self, goal_id: str, *, offset: int, limit: int) -> list[Doc]:
        mine = [d for d in self.contributors.values() if d["goal_id"] == goal_id]
        mine.sort(key=lambda d: (-d["progress"], -d["cost"], d["user_id"]))
        return [
            {"user_id": d["user_id"], "progress": d["progress"], "cost": d["cost"]}
            for d in mine[offset : offset + limit]
        ]


class FakeTasks:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}

    async def schedule(
        self,
        task_id: str,
        *,
        goal_id: str,
        due_at: datetime,
        kind: str = "deactivate_goal",
        filter: Doc | None = None,
    ) -> None:
        self.docs.setdefault(
            task_id,
            {
                "_id": task_id,
                "goal_id": goal_id,
                "kind": kind,
                "filter": filter,
                "due_at": utc_ms(due_at),
                "status": "pending",
                "lease_until": utc_ms(due_at),
                "attempts": 0,
            },
        )

    async def claim_due(self, *, now: datetime, lease_until: datetime) -> Doc | None:
        for doc in self.docs.values():
            due = doc["status"] == "pending" and doc["due_at"] <= now
            if due and doc["lease_until"] <= now:
                doc["lease_until"] = utc_ms(lease_until)
                doc["attempts"] += 1
                return copy.deepcopy(doc)
        return None

    async def complete(self, task_id: str, *, lease_until: datetime, now: datetime) -> bool:
        doc = self.docs[task_id]
        if doc["status"] != "pending" or doc["lease_until"] != utc_ms(lease_until):
            return False
        doc.update(status="done", done_at=now)
        return True


class FakePurchases:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}

    async def insert_if_absent(self, doc: Doc) -> tuple[Doc, bool]:
        if doc["_id"] in self.docs:
            return copy.deepcopy(self.docs[doc["_id"]]), False
        self.docs[doc["_id"]] = copy.deepcopy(doc)
        return copy.deepcopy(doc), True

    async def get(self, purchase_id: str) -> Doc | None:
        return copy.deepcopy(self.docs.get(purchase_id))

    async def find_by_transaction(self, transaction_id: str) -> Doc | None:
        for doc in self.docs.values():
            if doc["transaction_id"] == transaction_id:
                return copy.deepcopy(doc)
        return None

    async def mark_published(self, purchase_id: str) -> None:
        self.docs[purchase_id]["published"] = True

    async def accepted_before(self, goal_id: str, moment: datetime) -> list[Doc]:
        return [
            copy.deepcopy(doc)
            for doc in self.docs.values()
            if doc["goal_id"] == goal_id and doc.get("published") and doc["accepted_at"] < moment
        ]

    async def mark_failed(self, transaction_id: str) -> None:
        for doc in self.docs.values():
            if doc["transaction_id"] == transaction_id:
                doc["failed"] = True


class FakeAudit:
    def __init__(self) -> None:
        self.entries: dict[str, Doc] = {}

    async def record(self, entry: Doc) -> bool:
        if entry["_id"] in self.entries:
            return False
        self.entries[entry["_id"]] = dict(entry)
        return True


class FakeMetrics:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def created(self, cls: str) -> None:
        self.calls.append(("created", cls))

    def progressed(self, cls: str, *, amount: int, cost: int) -> None:
        self.calls.append(("progressed", cls, amount, cost))

    def ended(self, cls: str, *, outcome: str) -> None:
        self.calls.append(("ended", cls, outcome))


class FakeEndedSessions:
    def __init__(self, *ended: str) -> None:
        self.ended: dict[str, datetime] = dict.fromkeys(ended, T0)

    async def mark_ended(self, session_id: str, *, at: datetime) -> None:
        self.ended.setdefault(session_id, at)

    async def is_ended(self, session_id: str) -> bool:
        return session_id in self.ended


class FakeEscrowHolds:
    def __init__(self) -> None:
        self.open: dict[str, Doc] = {}
        self.done: dict[str, str] = {}

    async def opened(self, hold: Doc) -> None:
        if hold["_id"] not in self.done:
            self.open.setdefault(hold["_id"], dict(hold))

    async def settled(self, hold_id: str, *, how: str, at: datetime) -> None:
        self.done.setdefault(hold_id, how)
        self.open.pop(hold_id, None)

    async def open_holds(self, *, opened_before: datetime, limit: int) -> list[Doc]:
        found = [h for h in self.open.values() if h["opened_at"] < opened_before]
        return [dict(h) for h in found[:limit]]

    async def mark_reissued(self, hold_id: str, *, at: datetime) -> None:
        if hold_id in self.open:
            self.open[hold_id]["reissued_at"] = at

    async def totals(self) -> tuple[int, int]:
        return len(self.open), sum(h["amount"] for h in self.open.values())


class FakeLeases:
    def __init__(self) -> None:
        self.docs: dict[str, tuple[str, datetime]] = {}

    async def acquire(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        current = self.docs.get(name)
        if current is not None and current[0] != holder and current[1] > now:
            return False
        self.docs[name] = (holder, until)
        return True


class FakeReport:
    def __init__(self) -> None:
        self.last: dict[str, int] = {}
        self.reissued_kinds: list[str] = []

    def report(self, *, holds: int, coins: int, overdue: int, overdue_coins: int) -> None:
        self.last = {
            "holds": holds,
            "coins": coins,
            "overdue": overdue,
            "coins_overdue": overdue_coins,
        }

    def reissued(self, kind: str) -> None:
        self.reissued_kinds.append(kind)


class FakeSessions:
    def __init__(self) -> None:
        self.sessions: dict[str, Doc] = {}
        self.down = False
        self.seen_authorization: list[str] = []

    async def get(self, session_id: str, *, authorization: str) -> Doc | None:
        self.seen_authorization.append(authorization)
        if self.down:
            raise SessionServiceUnavailable("connection refused")
        return copy.deepcopy(self.sessions.get(session_id))


class FakePublisher:
    def __init__(self) -> None:
        self.sent: list[tuple[Message, str | None]] = []
        self.fail = False

    async def publish(self, payload: Message, *, event_id: str | None = None, **_: Any) -> None:
        if self.fail:
            raise ConnectionError("kafka down")
        self.sent.append((payload, event_id))

    def messages(self) -> list[Message]:
        return [message for message, _ in self.sent]


@dataclass
class FakeContainer:
    """What create_api reads from the real Container, with fakes inside."""

    settings: Any
    goals: FakeGoals = field(default_factory=FakeGoals)
    purchases: FakePurchases = field(default_factory=FakePurchases)
    sessions: FakeSessions = field(default_factory=FakeSessions)
    publisher: FakePublisher = field(default_factory=FakePublisher)

    async def ready(self) -> dict[str, bool]:
        return {"mongodb": True, "kafka": True}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


def count_hold(
    goals: FakeGoals, goal_id: str, insert_id: str, *, user_id: str = VIEWER, cost: int = 10
) -> None:
    """Count a hold on a stored goal directly: its record, numbered next, and the count."""
    doc = goals.docs[goal_id]
    seq = doc["contributions"] = doc.get("contributions", 0) + 1
    doc["cost"] = doc.get("cost", 0) + cost
    goals.records[f"{goal_id}:{insert_id}"] = {
        "_id": f"{goal_id}:{insert_id}",
        "goal_id": goal_id,
        "insert_id": insert_id,
        "user_id": user_id,
        "amount": 1,
        "cost": cost,
        "seq": seq,
    }


def envelope_of(message: Message, event_id: str = "evt-1") -> Envelope:
    key = getattr(message, "goal_id", None) or getattr(message, "transaction_id", "k")
    return encode(message, key=str(key), event_id=event_id)


def create_command(**overrides: Any) -> CreateGoal:
    fields: Doc = {
        "goal_id": GOAL_ID,
        "_cls": "ShowFundingGoal",
        "exp": T0 + timedelta(hours=1),
        "levels": [{"title": "Show", "target": 3}],
        "conditions": {"session_id": SESSION_ID},
        "context": {"type": "show-funding"},
        "metadata": {"user_id": STREAMER, "session_id": SESSION_ID, "ticket_price": 10},
    }
    fields.update(overrides)
    return CreateGoal.model_validate(fields)


def caller(user_id: str = STREAMER, client_id: str = "app-1") -> Caller:
    return Caller(user_id=user_id, client_id=client_id)
