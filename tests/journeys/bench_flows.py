"""`make bench`, flow part: figures from the running local stack (a measurement, not a test).

(a) exclusive trigger latency: HTTP 202, then `goal.added` and `goal.progress.updated` on the
    streamers' private channels (one Sockudo socket subscribed to all: Sockudo admits only a
    few new connections per minute from one address), one trigger per viewer and session,
    paced open-loop;
(b) ticket throughput (journeys.bench_tickets);
(c) coins: the bench users' balances plus their open escrow holds, before and after.

Every user id is new per run; only loopback addresses (the Endpoints defaults) are used.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack

import websockets

from journeys.flows import open_session, trigger_exclusive
from journeys.stack import PusherClient, Stack, User, eventually

ADD_USERS_AT_ONCE = 10

VIEWER_COINS = 1_000
TICKET_PRICE = 10
WAIT_S = 60.0
EVENT_WAIT_S = 30.0
EXP_S = 300  # requests outlive the run: no refund lands while coins are counted


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def say(line: str) -> None:
    print(line, flush=True)


def row(label: str, values_s: Sequence[float | None]) -> str:
    ms = [v * 1000 for v in values_s if v is not None]
    lost = len(values_s) - len(ms)
    tail = f"   ({lost} of {len(values_s)} never arrived in {EVENT_WAIT_S:.0f} s)" if lost else ""
    if not ms:
        return f"  {label:<30} none arrived{tail}"
    return (
        f"  {label:<30} p50 {percentile(ms, 50):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms"
        f"   max {max(ms):7.1f} ms   (n={len(ms)}){tail}"
    )


class Bench:
    def __init__(self, stack: Stack, args: argparse.Namespace) -> None:
        self.stack, self.args = stack, args
        self.run = uuid.uuid4().hex[:8]
        self.users: list[User] = []
        self.sessions: list[str] = []

        # Each round of (a) needs its own viewers and sessions (a request stays open).
        n, n_buyers, per_buyer = args.triggers * args.rounds, args.buyers, args.purchases
        self.trigger_sessions: list[str] = []
        self.streamers = [self.user("streamer", i) for i in range(n)]
        self.viewers = [self.user("viewer", i) for i in range(n)]
        self.show_streamer = self.user("show-streamer", 0)
        self.probe = self.user("probe", 0)  # no coins: its triggers are refused, never charged
        self.buyers = [self.user("buyer", i) for i in range(n_buyers)]
        self.counts = [[1 + (b + p) % 3 for p in range(per_buyer)] for b in range(n_buyers)]
        self.buyer_coins = [sum(c) * TICKET_PRICE + 100 for c in self.counts]

    def user(self, role: str, n: int) -> User:
        uid = f"bench-{role}-{n}-{self.run}"
        return User(user_id=uid, username=f"{role}{n}", wallet_id=f"w-{uid}")

    async def add_users(self) -> None:
        """Every user of the run, each announced to the services and known before we start."""
        users = [(s, 0) for s in [*self.streamers, self.show_streamer, self.probe]]
        users += [(v, VIEWER_COINS) for v in self.viewers]
        users += list(zip(self.buyers, self.buyer_coins, strict=True))
        # In chunks: hundreds at once outwait the HTTP pool on a loaded machine.
        for start in range(0, len(users), ADD_USERS_AT_ONCE):
            chunk = users[start : start + ADD_USERS_AT_ONCE]
            await asyncio.gather(*(self.stack.add_user(u, coins) for u, coins in chunk))
        await self.stack.wait_users_known(*(u for u, _ in users))
        self.users = [u for u, _ in users]

    async def open_sessions(self) -> list[str]:
        """One session per streamer, once session-service knows every viewer and streamer.

        The wallet-adapter knowing a user (wait_users_known) does not mean session-service
        does yet. A trigger that can only fail for lack of coins tells: 403
        insufficient_balance once both ends are known, unknown_wallet before; it charges
        and locks nothing.
        """
        sessions = await asyncio.gather(*(open_session(self.stack, s) for s in self.streamers))
        pricey = await open_session(self.stack, self.probe, per_minute=10**9)

        def known(viewer: User, session_id: str) -> Callable[[], Awaitable[bool]]:
            async def probe() -> bool:
                r = await trigger_exclusive(self.stack, viewer, session_id)
                return r.status_code == 403 and "insufficient_balance" in r.text

            return probe

        probes = [known(v, pricey) for v in self.viewers]
        probes += [known(self.probe, sid) for sid in sessions]
        # A few pollers at a time: hundreds polling every 0.2 s outran session-service's
        # HTTP timeout on a loaded machine before the first flow started.
        for start in range(0, len(probes), ADD_USERS_AT_ONCE):
            chunk = probes[start : start + ADD_USERS_AT_ONCE]
            await asyncio.gather(*(eventually(p, within=WAIT_S, what="user known") for p in chunk))
        return list(sessions)

    async def coins(self) -> tuple[int, int]:
        """(balances, open holds) of this run's users, once two readings in a row agree.

        Balances and holds are separate reads, so a refund landing between them would show
        as coins missing or doubled for a moment.
        """
        last = await self._coins()
        for _ in range(20):
            await asyncio.sleep(0.5)
            now = await self._coins()
            if now == last:
                return now
            last = now
        return last

    async def _coins(self) -> tuple[int, int]:
        balances = await asyncio.gather(*(self.stack.balance(u.wallet_id) for u in self.users))
        payers = {u.wallet_id for u in self.users}
        per_session = await asyncio.gather(
            *(self.stack.holds(f"livestream.session:{sid}.") for sid in self.sessions)
        )
        held = {h["id"]: h["amount"] for hs in per_session for h in hs if h["payer"] in payers}
        return sum(balances), sum(held.values())

    # ------------------------------------------------------------ (a)
    async def connect(self, sockets: AsyncExitStack, user: User) -> PusherClient:
        """Sockudo allows few new connections per minute from one address (429 beyond)."""
        deadline = time.monotonic() + 90
        while True:
            try:
                return await sockets.enter_async_context(PusherClient(self.stack, user))
            except websockets.InvalidStatus as exc:
                if exc.response.status_code != 429 or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(1)

    async def one_trigger(
        self, viewer: User, session_id: str, ws: PusherClient
    ) -> tuple[float, float | None, float | None]:
        t0 = time.monotonic()
        r = await trigger_exclusive(self.stack, viewer, session_id, exp_in=EXP_S, duration=60)
        http_s = time.monotonic() - t0
        assert r.status_code == 202, r.text
        goal_id = r.json()["goal_id"]
        added = await self.arrival(ws, "goal.added", goal_id)
        progress = await self.arrival(ws, "goal.progress.updated", goal_id)
        return http_s, added and added - t0, progress and progress - t0

    async def arrival(self, ws: PusherClient, event: str, goal_id: str) -> float | None:
        """When the event reached the socket; None when it never came (counted as lost)."""
        try:
            message = await ws.wait_for(event, goal_id=goal_id, within=EVENT_WAIT_S)
        except AssertionError:
            return None
        return float(message["received_at"])

    async def triggers(self, round_: int) -> dict[str, float]:
        n = self.args.triggers
        part = slice(round_ * n, (round_ + 1) * n)
        streamers, viewers = self.streamers[part], self.viewers[part]
        if not self.trigger_sessions:
            self.trigger_sessions = await self.open_sessions()
            self.sessions += self.trigger_sessions
        sessions = self.trigger_sessions[part]
        async with AsyncExitStack() as sockets:
            # One socket for every streamer: each channel authorised with its streamer's token.
            ws = await self.connect(sockets, streamers[0])
            for s in streamers:
                await ws.subscribe(f"private-stream@{s.user_id}", as_user=s)
            await asyncio.sleep(0.5)  # let the subscriptions settle
            started = time.monotonic()
            tasks = []
            for viewer, session_id in zip(viewers, sessions, strict=True):
                tasks.append(asyncio.create_task(self.one_trigger(viewer, session_id, ws)))
                await asyncio.sleep(self.args.interval)
            results = await asyncio.gather(*tasks)
            elapsed = time.monotonic() - started
        http_s, added_s, progress_s = zip(*results, strict=True)
        say(
            f"\n(a) exclusive trigger, {n} viewers on {n} sessions, one every "
            f"{self.args.interval * 1000:.0f} ms ({elapsed:.1f} s)"
        )
        say(row("HTTP 202", http_s))
        say(row("POST -> goal.added (ws)", added_s))
        say(row("POST -> goal.progress.updated", progress_s))
        got = [v * 1000 for v in progress_s if v is not None]
        return {
            "trigger_http_p50_ms": percentile([v * 1000 for v in http_s], 50),
            "trigger_progress_p50_ms": percentile(got, 50) if got else -1,
            "trigger_progress_p99_ms": percentile(got, 99) if got else -1,
            "trigger_progress_lost": len(progress_s) - len(got),
        }
