"""The chaos suite's workload and its checks: exclusive requests (one per session accepted,
its exclusive session run and ended) and ticket purchases (a funded show started and ended)
from many users, answered the way a real app would treat them (503 + Retry-After: wait,
retry with the same Idempotency-Key), then, at quiescence, every coin accounted for."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from journeys.chaos_settle import accept_and_end, back_and_out, hold_show
from journeys.flows import buy_tickets, end_goal, get_goal, open_funding_goal, open_session
from journeys.flows import trigger_exclusive as post_trigger
from journeys.stack import Stack, User, until_not_503
from service_kit.lag import partitions

VIEWER_COINS = 10_000
BUYER_COINS = 10_000
TICKET_PRICE = 10
EXCLUSIVE_EXP_S = 10  # requests expire unanswered within the round: refunds are part of it
ACCEPTED_EXP_S = 60  # the one request per session the streamer accepts, once it is paid
ACCEPTED_DURATION_S = 120  # two prepaid minutes, ended in the first: a split settlement
RETRY_FOR_S = 120.0
WORKERS = ["goal-service", "session-service", "wallet-adapter", "notifier"]


@dataclass(frozen=True)
class Size:
    viewers: int
    streamers: int
    buyers: int
    purchases: int  # per buyer and round
    concurrency: int


# small: what CI runs (about 3-5 min on a quiet machine); full: a few hundred users.
SIZES = {"small": Size(8, 2, 4, 2, 8), "full": Size(240, 24, 60, 3, 48)}


@dataclass
class Answers:
    """Every API answer of a round: only 2xx/4xx, or 503 with Retry-After, are allowed."""

    statuses: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)

    def record(self, what: str, response: httpx.Response) -> None:
        status = response.status_code
        self.statuses[str(status)] += 1
        if status == 503 and "retry-after" not in response.headers:
            self.violations.append(f"{what}: 503 without Retry-After")
        elif status >= 500 and status != 503:
            self.violations.append(f"{what}: {status} {response.text[:200]}")

    async def call(
        self, what: str, send: Callable[[], Awaitable[httpx.Response]]
    ) -> httpx.Response | None:
        """Send until the answer is not a 503 (honouring Retry-After); None if never."""
        try:
            return await until_not_503(
                send, within=RETRY_FOR_S, seen=lambda response: self.record(what, response)
            )
        except httpx.HTTPError as exc:
            self.statuses["no answer"] += 1
            self.violations.append(f"{what}: no answer ({type(exc).__name__})")
            return None


class DeadLetters:
    """Messages on every service's dead-letter topic so far (their end offsets)."""

    def __init__(self, bootstrap: str) -> None:
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.started = False

    async def count(self) -> int:
        if not self.started:
            await self.admin.start()
            await self.consumer.start()
            self.started = True
        parts = await partitions(self.admin, [f"{w}.dlq" for w in WORKERS])
        ends = await self.consumer.end_offsets(parts) if parts else {}
        return sum(ends.values())

    async def close(self) -> None:
        if self.started:
            await self.consumer.stop()
            await self.admin.close()


@dataclass
class Flows:
    """What one round started and must see settled."""

    exclusive: dict[str, User] = field(default_factory=dict)  # goal id -> viewer
    funding: dict[str, int] = field(default_factory=dict)  # goal id -> target
    tickets: dict[str, int] = field(default_factory=dict)  # goal id -> accepted tickets
    sessions: list[str] = field(default_factory=list)
    accepted: dict[str, User] = field(default_factory=dict)  # request goal id -> viewer
    shows_held: set[str] = field(default_factory=set)  # funding goals whose show ran
    steps: list[asyncio.Task[None]] = field(default_factory=list)  # settlement flows

    def stepping(self) -> bool:
        return any(not t.done() for t in self.steps)


class Workload:
    def __init__(self, stack: Stack, size: Size) -> None:
        self.stack, self.size = stack, size
        run = uuid.uuid4().hex[:8]
        self.run = run
        self.streamers = [self._user(f"streamer{i}", run) for i in range(size.streamers)]
        self.show_streamer = self._user("show", run)
        self.viewers = [self._user(f"viewer{i}", run) for i in range(size.viewers)]
        self.buyers = [self._user(f"buyer{i}", run) for i in range(size.buyers)]
        self.minted = {u.wallet_id: VIEWER_COINS for u in self.viewers}
        self.minted |= {u.wallet_id: BUYER_COINS for u in self.buyers}
        self.sessions: list[str] = []
        self.show_session = ""
        self.gate = asyncio.Semaphore(size.concurrency)
        self.dead_letters = DeadLetters(stack.ep.kafka)

    async def close(self) -> None:
        await self.dead_letters.close()
        await self.stack.close()

    @staticmethod
    def _user(role: str, run: str) -> User:
        uid = f"chaos-{role}-{run}"
        return User(user_id=uid, username=role, wallet_id=f"w-{uid}")

    def everyone(self) -> list[User]:
        return [*self.streamers, self.show_streamer, *self.viewers, *self.buyers]

    async def add_users(self) -> None:
        people = self.everyone()
        await asyncio.gather(
            *(self.stack.add_user(u, self.minted.get(u.wallet_id, 0)) for u in people)
        )
        await self.stack.wait_users_known(*people)

    async def start(self, answers: Answers) -> Flows:
        """Open this round's sessions and two funding goals: one to fill, one to miss."""
        flows = Flows()
        flows.sessions = [await open_session(self.stack, s) for s in self.streamers]
        show_session = await open_session(self.stack, self.show_streamer)
        flows.sessions.append(show_session)
        self.show_session = show_session
        self.sessions += flows.sessions
        planned = self.size.buyers * self.size.purchases // 2
        for target in (planned, planned + 1_000):
            goal_id = await open_funding_goal(
                self.stack,
                self.show_streamer,
                show_session,
                target=target,
                ticket_price=TICKET_PRICE,
            )
            flows.funding[goal_id], flows.tickets[goal_id] = target, 0
        return flows

    async def load(self, flows: Flows, answers: Answers) -> None:
        """Every viewer asks once (one session each in turn), every buyer buys a ticket
        `purchases` times, half on each goal; all at once, `concurrency` in flight."""
        jobs = [self._trigger(i, v, flows, answers) for i, v in enumerate(self.viewers)]
        goals = list(flows.funding)
        jobs += [
            self._buy(b, goals[(i + p) % 2], flows, answers)
            for i, b in enumerate(self.buyers)
            for p in range(self.size.purchases)
        ]
        await asyncio.gather(*jobs)

    async def _trigger(self, i: int, viewer: User, flows: Flows, answers: Answers) -> None:
        """The first viewer of each session is the one its streamer accepts."""
        n = self.size.streamers
        session_id, streamer, accept = flows.sessions[i % n], self.streamers[i % n], i < n
        key = uuid.uuid4().hex
        exp = int(time.time() + (ACCEPTED_EXP_S if accept else EXCLUSIVE_EXP_S))
        duration = ACCEPTED_DURATION_S if accept else 60
        async with self.gate:
            r = await answers.call(
                "trigger_exclusive",
                lambda: post_trigger(
                    self.stack, viewer, session_id, exp=exp, duration=duration, idempotency_key=key
                ),
            )
        if r is None or r.status_code != 202:
            return
        goal_id = r.json()["goal_id"]
        flows.exclusive[goal_id] = viewer
        if accept:
            step = accept_and_end(self, streamer, viewer, session_id, goal_id, flows, answers)
            flows.steps.append(asyncio.create_task(step))

    def hold_shows(self, flows: Flows, answers: Answers) -> None:
        """Start and end the round's funded show, in the background like the other steps."""
        step = hold_show(self, self.show_session, flows, answers)
        flows.steps.append(asyncio.create_task(step))

    async def _buy(self, buyer: User, goal_id: str, flows: Flows, answers: Answers) -> None:
        key = uuid.uuid4().hex
        async with self.gate:
            r = await answers.call(
                "tickets", lambda: buy_tickets(self.stack, buyer, goal_id, 1, idempotency_key=key)
            )
        if r is not None and r.status_code == 202:
            flows.tickets[goal_id] += 1

    async def holds(self, sessions: list[str] | None = None) -> list[dict[str, Any]]:
        """Every escrow hold of this run's sessions, or of these (one read: the sandbox scans
        them all)."""
        r = await self.stack.http.get(f"{self.stack.ep.sandbox}/holds")
        r.raise_for_status()
        mine = tuple(f"livestream.session:{sid}." for sid in sessions or self.sessions)
        return [h for h in r.json()["holds"] if any(m in t for t in h["tags"] for m in mine)]

    async def goal(self, goal_id: str, answers: Answers) -> dict[str, Any]:
        owner = self.show_streamer
        r = await answers.call("get goal", lambda: get_goal(self.stack, owner, goal_id))
        return r.json() if r is not None and r.status_code == 200 else {}

    async def end_funding_when_counted(self, flows: Flows, answers: Answers) -> None:
        """End each funding goal once every accepted ticket is counted in it."""
        pending, owner = dict(flows.tickets), self.show_streamer
        while pending:
            for goal_id, tickets in list(pending.items()):
                if (await self.goal(goal_id, answers)).get("progress") == tickets:
                    await answers.call("end goal", lambda g=goal_id: end_goal(self.stack, owner, g))
                    del pending[goal_id]
            await asyncio.sleep(0.5)


def _goal_holds(holds: list[dict[str, Any]], goal_id: str) -> list[dict[str, Any]]:
    return [h for h in holds if any(t.endswith(f":{goal_id}") for t in h["tags"])]


async def unsettled(work: Workload, flows: Flows, answers: Answers) -> list[str]:
    """What is still on its way; [] once every flow of the round has settled."""
    if flows.stepping():
        return ["settlement steps (accept, end, show start/end) still running"]
    holds = await work.holds()
    waiting = []
    for goal_id in flows.exclusive:
        statuses = [h["status"] for h in _goal_holds(holds, goal_id)]
        either = [["split"], ["released"]] if goal_id in flows.accepted else [["refunded"]]
        if statuses not in either:
            waiting.append(f"exclusive {goal_id}: holds {statuses}, expected one of {either}")
    for goal_id, target in flows.funding.items():
        goal = await work.goal(goal_id, answers)
        mine = _goal_holds(holds, goal_id)
        # A funded show that ran pays the streamer; one that did not (or a missed target)
        # refunds every ticket.
        expect = "released" if goal_id in flows.shows_held else "refunded"
        if goal.get("active", True) or len(mine) != flows.tickets[goal_id]:
            waiting.append(f"funding {goal_id}: active or {len(mine)} holds")
        elif any(h["status"] != expect for h in mine):
            waiting.append(f"funding {goal_id} (target {target}): holds not all {expect}")
    return waiting


async def coin_errors(work: Workload, flows: Flows, answers: Answers) -> list[str]:
    """At quiescence: each user's coins whole, each goal's progress its counted debits."""
    errors: list[str] = []
    ledger = await work.stack.ledger()
    if ledger["total_balances"] + ledger["open_holds"] != ledger["minted"]:
        errors.append(f"sandbox ledger invariant broken: {ledger}")
    holds = await work.holds()
    expected: Counter[str] = Counter(work.minted)
    for h in holds:
        back, out = back_and_out(h)
        expected[h["payer"]] += back - h["amount"]
        if out:
            expected[h["beneficiary"]] += out
    for user in work.everyone():
        balance, wallet_id = await work.stack.balance(user.wallet_id), user.wallet_id
        if balance != expected[wallet_id]:
            errors.append(f"{wallet_id}: balance {balance} != {expected[wallet_id]} expected")
    for goal_id in flows.funding:
        progress = (await work.goal(goal_id, answers)).get("progress")
        debits = sum(h["amount"] for h in _goal_holds(holds, goal_id)) // TICKET_PRICE
        if progress != debits:
            errors.append(f"funding {goal_id}: progress {progress} != {debits} debits")
    for goal_id in flows.exclusive:
        progress = (await work.goal(goal_id, answers)).get("progress")
        if progress not in (0, 1) or progress > len(_goal_holds(holds, goal_id)):
            errors.append(f"exclusive {goal_id}: progress {progress} without a debit")
    return errors
