"""`make bench`, scale part: hop-by-hop time of one ticket, a popular goal, worker takeover.

Everything goes through the running services; only the popular goal's 20,000 payments are
sent as `increment_goal_progress` commands straight to `goal.commands` (what the wallet
callbacks would turn into), so the goal-service worker counts them exactly as in production.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from bson import ObjectId

from livestream_schemas.base import GoalLevel, Message
from livestream_schemas.commands import CreateGoal, DeactivateGoal, IncrementGoalProgress
from livestream_schemas.envelope import decode
from livestream_schemas.topics import all_topic_specs

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "deploy/local/stack.sh"
RUN_DIR = ROOT / "deploy/local/var/run"


@dataclass
class Seen:
    at: float
    topic: str
    size: int
    type: str
    payload: Message


@dataclass
class TimedTap:
    """Every message on these topics from now on, with when it arrived and its size."""

    bootstrap: str
    topics: list[str]
    seen: list[Seen] = field(default_factory=list)
    _consumer: AIOKafkaConsumer | None = None
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> TimedTap:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        specs = {s.name: s for s in all_topic_specs()}
        parts = [TopicPartition(t, p) for t in self.topics for p in range(specs[t].partitions)]
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        for tp in parts:
            await consumer.position(tp)
        self._consumer, self._task = consumer, asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=200, max_records=5000)
            now = time.monotonic()
            for tp, records in batches.items():
                for r in records:
                    envelope, payload = decode(r.value)
                    self.seen.append(Seen(now, tp.topic, len(r.value), envelope.type, payload))

    async def __aexit__(self, *_: Any) -> None:
        if self._task:
            self._task.cancel()
        if self._consumer:
            await self._consumer.stop()

    def first(self, type_: str, **fields: Any) -> Seen | None:
        for s in self.seen:
            if s.type == type_ and all(getattr(s.payload, k, None) == v for k, v in fields.items()):
                return s
        return None

    def all(self, type_: str, **fields: Any) -> list[Seen]:
        return [
            s
            for s in self.seen
            if s.type == type_ and all(getattr(s.payload, k, None) == v for k, v in fields.items())
        ]

    async def wait(self, count: int, type_: str, within: float, **fields: Any) -> list[Seen]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = self.all(type_, **fields)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.05)
        return self.all(type_, **fields)


# ------------------------------------------------------------------ workers
def stack(*args: str, workers: int) -> None:
    env = {**os.environ, "LSG_WORKERS": str(workers)}
    subprocess.run([str(STACK), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def extra_workers(k: int = 2) -> list[str]:
    return [
        f"{svc}.worker-{k}"
        for svc in ("goal-service", "session-service", "wallet-adapter", "notifier")
    ]


def set_workers(n: int) -> None:
    """n worker processes per service (1 or 2): start or stop the second ones."""
    if n >= 2:
        stack("start", "services", workers=n)
    else:
        stack("stop-only", *extra_workers(), workers=1)


def worker_pid(name: str) -> int:
    return int((RUN_DIR / f"{name}.pid").read_text().strip())


# ------------------------------------------------------------------ popular goal
def _create(goal_id: str, streamer: str, target: int) -> CreateGoal:
    return CreateGoal(
        goal_id=goal_id,
        cls="ShowFundingGoal",
        exp=datetime.now(UTC) + timedelta(hours=1),
        levels=[GoalLevel(title="Popular", target=target)],
        conditions={"session_id": f"bench-popular-{goal_id}"},
        context={"type": "show-funding"},
        metadata={
            "user_id": streamer,
            "session_id": f"bench-popular-{goal_id}",
            "ticket_price": 10,
        },
    )


async def popular_goal(publisher: Any, bootstrap: str, run: str, n: int) -> dict[str, Any]:
    """n payments from n users on one goal: event sizes, first vs last 1,000, the end."""
    goal_id = str(ObjectId())
    topics = ["goal.created", "goal.progressed", "goal.ended", "wallet.commands"]
    async with TimedTap(bootstrap, topics) as tap:
        await publisher.publish(_create(goal_id, f"bench-streamer-{run}", 10 * n))
        await tap.wait(1, "goal.created", 30, goal_id=goal_id)
        t0 = time.monotonic()
        commands = [
            IncrementGoalProgress(
                goal_id=goal_id,
                amount=1,
                cost=10,
                breakdown_id=f"pop-{run}-{i}",
                insert_id=f"pop-{run}-tx-{i}",
            )
            for i in range(n)
        ]
        for start in range(0, n, 2000):
            await publisher.publish_all([(c, None) for c in commands[start : start + 2000]])
        progressed = await tap.wait(n, "goal.progressed", 60 + n / 20, goal_id=goal_id)
        counted_s = time.monotonic() - t0
        await publisher.publish(
            DeactivateGoal(goal_id=goal_id, filter={"active": True}, triggerer="system")
        )
        ended = await tap.wait(1, "goal.ended", 60, goal_id=goal_id)
        refunds = await tap.wait(n, "refund", 60 + n / 50)
    at = sorted(s.at for s in progressed)
    refund_ids = {
        s.payload.transaction_id
        for s in refunds
        if getattr(s.payload, "reason", "") == "funding_missed"
    }  # type: ignore[attr-defined]
    wanted = {c.insert_id for c in commands}
    first = at[min(999, len(at) - 1)] - t0 if at else None
    last = at[-1] - at[-1001] if len(at) > 1000 else None
    sizes = [s.size for s in progressed] + [s.size for s in ended]
    return {
        "contributions": n,
        "counted": len(progressed),
        "counted_per_s": len(progressed) / counted_s if counted_s else 0,
        "first_1000_s": first,
        "last_1000_s": last,
        "last_vs_first": (last / first) if first and last else None,
        "largest_event_bytes": max(sizes) if sizes else None,
        "ended": bool(ended),
        "holds_refunded": len(refund_ids & wanted),
    }


# ------------------------------------------------------------------ takeover
async def takeover(
    publisher: Any, bootstrap: str, run: str, *, sig: int, goals: int = 18
) -> float | None:
    """Stop goal-service.worker-2 (kill -9 or SIGTERM), then open `goals` goals at once:
    seconds until the last is created (some land on the stopped worker's partitions)."""
    ids = [str(ObjectId()) for _ in range(goals)]
    async with TimedTap(bootstrap, ["goal.created"]) as tap:
        os.kill(worker_pid("goal-service.worker-2"), sig)
        t0 = time.monotonic()
        for goal_id in ids:
            await publisher.publish(_create(goal_id, f"bench-streamer-{run}", 5))
        deadline = t0 + 120
        while time.monotonic() < deadline:
            if all(tap.first("goal.created", goal_id=g) for g in ids):
                break
            await asyncio.sleep(0.05)
        done = [tap.first("goal.created", goal_id=g) for g in ids]
    if sig == signal.SIGKILL:
        (RUN_DIR / "goal-service.worker-2.pid").unlink(missing_ok=True)
    if not all(done):
        return None
    return max(s.at for s in done if s) - t0


# ------------------------------------------------------------------ one ticket, hop by hop
HOPS = [
    ("POST -> transfer command", "transfer", "wallet.commands"),
    ("-> wallet callback (transaction.created)", "transaction.created", "transaction.created"),
    ("-> balance.decremented", "balance.decremented", "balance.decremented"),
    ("-> increment_goal_progress", "increment_goal_progress", "goal.commands"),
    ("-> goal.progressed", "goal.progressed", "goal.progressed"),
]


async def one_ticket(bench: Any, ws: Any, goal_id: str, buyer: Any) -> dict[str, float]:
    """Where the time of one ticket goes: cumulative ms at each hop, Kafka taps and websocket."""
    from journeys.flows import buy_tickets

    async with TimedTap(bench.stack.ep.kafka, [t for _, _, t in HOPS]) as tap:
        await asyncio.sleep(0.3)
        t0 = time.monotonic()
        r = await buy_tickets(bench.stack, buyer, goal_id, 1)
        http = time.monotonic() - t0
        assert r.status_code == 202, r.text
        message = await ws.wait_for("goal.progress.updated", goal_id=goal_id, within=30)
        out = {"HTTP 202": http * 1000}
        for label, type_, _ in HOPS:
            seen = next(
                (s for s in tap.seen if s.type == type_ and goal_id in s.payload.model_dump_json()),
                None,
            )
            if seen is not None:
                out[label] = (seen.at - t0) * 1000
        out["-> goal.progress.updated (ws)"] = (float(message["received_at"]) - t0) * 1000
    return out
