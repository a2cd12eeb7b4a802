"""`make bench`: the stack's raw limits, then every flow figure beside them, in one run.

Phases, on the running local stack (a measurement, not a test):
1. raw limits: Kafka produce/consume rate and one-hop latency, MongoDB guarded and
   parallel update rates (journeys.bench_raw);
2. flows with 1, then 2 worker processes per service: exclusive triggers paced at
   10 requests/s (POST -> goal.progress.updated on a websocket), ticket purchases at once
   (counted end to end, refunded), and where the time of one ticket goes, hop by hop;
3. takeover: a goal-service worker killed with kill -9, then one stopped with SIGTERM;
4. after 100,000 documents of realistic history: raw limits and flows again (2 workers);
5. a popular goal: 20,000 payments from 20,000 users on one goal.
Prints a table and writes JSON (deploy/local/var/bench/latest.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from journeys import bench_scale as scale
from journeys.bench_flows import Bench, say
from journeys.bench_history import load_history
from journeys.bench_raw import raw_limits
from journeys.bench_tickets import ticket_flow
from journeys.flows import end_goal, open_funding_goal, open_session, wait_goal
from journeys.stack import PusherClient, Stack

OUT = scale.ROOT / "deploy/local/var/bench"
SETTLE_S = 12.0  # a consumer group rebalance after adding or removing workers


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="journeys.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--triggers", type=int, default=50, help="exclusive triggers per round")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between triggers")
    parser.add_argument("--buyers", type=int, default=40, help="concurrent buyers")
    parser.add_argument("--purchases", type=int, default=5, help="purchases per buyer")
    parser.add_argument("--history", type=int, default=100_000, help="documents of history")
    parser.add_argument("--popular", type=int, default=20_000, help="payments on the popular goal")
    parser.add_argument("--skip-takeover", action="store_true")
    args = parser.parse_args(argv)
    args.rounds = 3
    if not (1 <= args.triggers <= 200 and 1 <= args.buyers <= 200 and 1 <= args.purchases <= 50):
        parser.error("keep it bounded: triggers 1-200, buyers 1-200, purchases 1-50")
    if not (0 <= args.history <= 500_000 and 1_000 < args.popular <= 50_000):
        parser.error("keep it bounded: history <= 500,000, popular 1,001-50,000")
    return args


async def hops(bench: Bench) -> dict[str, float]:
    streamer, buyer = bench.show_streamer, bench.buyers[0]
    session_id = await open_session(bench.stack, streamer)
    bench.sessions.append(session_id)
    goal_id = await open_funding_goal(
        bench.stack, streamer, session_id, target=100, ticket_price=10
    )
    await wait_goal(bench.stack, streamer, goal_id, state="active")
    async with PusherClient(bench.stack, streamer) as ws:
        await ws.subscribe(f"private-stream@{streamer.user_id}")
        out = await scale.one_ticket(bench, ws, goal_id, buyer)
    await end_goal(bench.stack, streamer, goal_id)  # below target: the ticket is refunded
    say("\none ticket, hop by hop (ms since the POST)")
    for label, ms in out.items():
        say(f"  {label:<44} {ms:8.1f}")
    return out


async def flows(bench: Bench, round_: int, label: str) -> dict[str, Any]:
    """Each flow's figures; a flow that breaks loses its own, not the round's or the run's."""
    say(f"\n=== {label}")
    figures: dict[str, Any] = {}
    runs = {"triggers": lambda: bench.triggers(round_), "tickets": lambda: ticket_flow(bench)}
    for name, flow in runs.items():
        try:
            figures.update(await flow())
        except Exception as exc:
            figures[f"{name}_error"] = repr(exc)
            say(f"  {name} flow broke off: {exc!r}")
    return figures


async def workers(n: int) -> None:
    await asyncio.to_thread(scale.set_workers, n)
    await asyncio.sleep(SETTLE_S)


async def takeovers(bench: Bench) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name, sig in (("kill -9", signal.SIGKILL), ("SIGTERM", signal.SIGTERM)):
        out[name] = await scale.takeover(
            bench.stack.publisher, bench.stack.ep.kafka, bench.run, sig=sig
        )
        say(f"  takeover after {name}: {out[name] if out[name] is None else round(out[name], 1)} s")
        await workers(2)
    return out


async def run(args: argparse.Namespace) -> dict[str, Any]:
    stack = Stack()
    bench = Bench(stack, args)
    result: dict[str, Any] = {"run": bench.run, "machine": machine(), "args": vars(args)}
    try:
        await bench.add_users()
        before = await bench.coins()
        await workers(1)
        result["raw_fresh"] = asdict(await raw_limits(stack.ep.kafka, mongo_uri()))
        say(f"raw limits, fresh: {result['raw_fresh']}")
        result["fresh_1w"] = await flows(bench, 0, "fresh stack, 1 worker per service")
        try:
            result["hops"] = await hops(bench)
        except Exception as exc:  # one ticket's trace is a figure, not a reason to stop
            result["hops_error"] = repr(exc)
            say(f"  one ticket, hop by hop, broke off: {exc!r}")
        await workers(2)
        result["fresh_2w"] = await flows(bench, 1, "fresh stack, 2 workers per service")
        if not args.skip_takeover:
            result["takeover_s"] = await takeovers(bench)
        docs, secs = await load_history(mongo_uri(), bench.run, args.history)
        say(f"\nloaded {docs} documents of history in {secs:.0f} s")
        result["history_docs"] = docs
        result["raw_history"] = asdict(await raw_limits(stack.ep.kafka, mongo_uri()))
        result["history_2w"] = await flows(bench, 2, "after history, 2 workers per service")
        result["coins"] = coins_check(before, await bench.coins())
        say(f"\ncoins of this run's users, balances + open holds: {result['coins']}")
        say(f"\n=== popular goal: {args.popular} payments from {args.popular} users")
        result["popular"] = await scale.popular_goal(
            stack.publisher, stack.ep.kafka, bench.run, args.popular
        )
        say(f"  {result['popular']}")
    finally:
        await stack.close()
    return result


def coins_check(before: tuple[int, int], after: tuple[int, int]) -> dict[str, Any]:
    """Every coin accounted for: the run's users hold the same coins, spent or held."""
    return {"before": sum(before), "after": sum(after), "equal": sum(before) == sum(after)}


def mongo_uri() -> str:
    return os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:24017/")


def machine() -> dict[str, Any]:
    mem = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(int(mem) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_before": os.getloadavg()[0],
    }


def table(r: dict[str, Any]) -> list[str]:
    """Each flow figure beside the raw limit it is bounded by, as a ratio."""
    raw, raw_h = r.get("raw_fresh", {}), r.get("raw_history", {})
    rows = [
        ("tickets counted end to end /s", "tickets_counted_per_s", "mongo_guarded_updates_per_s"),
        ("purchases accepted by HTTP /s", "purchases_accepted_per_s", "kafka_produce_per_s"),
        ("refunds /s", "refunds_per_s", "mongo_guarded_updates_per_s"),
        ("trigger -> progress p50 ms", "trigger_progress_p50_ms", "kafka_hop_p50_ms"),
        ("trigger -> progress p99 ms", "trigger_progress_p99_ms", "kafka_hop_p99_ms"),
    ]
    out = [
        f"{'figure':<32}{'fresh 1w':>10}{'fresh 2w':>10}{'hist 2w':>10}{'hist/fresh':>11}{'raw':>10}{'2w/raw':>8}"
    ]
    rounds = ("fresh_1w", "fresh_2w", "history_2w")
    for label, key, raw_key in rows:
        f1, f2, h2 = (r.get(k, {}).get(key) for k in rounds)
        c1, c2, ch = (partial(r.get(k, {}), key) for k in rounds)
        limit = raw.get(raw_key)
        out.append(
            f"{label:<32}{fmt(f1) + c1:>10}{fmt(f2) + c2:>10}{fmt(h2) + ch:>10}"
            f"{fmt(h2 and f2 and h2 / f2, 2):>11}{fmt(limit):>10}{fmt(f2 and limit and f2 / limit, 3):>8}"
        )
    out.append("* partial: the flow missed its wait; the figure is what it reached within it")
    out.append(f"raw after history: {', '.join(f'{k} {fmt(v)}' for k, v in raw_h.items())}")
    m = r.get("machine", {})
    out.append(f"load average before / after: {m.get('load_before')} / {m.get('load_after')}")
    return out


def partial(figures: dict[str, Any], key: str) -> str:
    """`*` beside a figure of a flow that missed its wait (bench_tickets)."""
    flag = {
        "tickets_counted_per_s": "tickets_counted_complete",
        "refunds_per_s": "refunds_complete",
    }
    return "*" if figures.get(flag.get(key, ""), True) is False else ""


def fmt(value: Any, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.monotonic()
    result = asyncio.run(run(args))
    result["total_s"] = time.monotonic() - started
    result["machine"]["load_after"] = os.getloadavg()[0]
    say("\n" + "\n".join(table(result)))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latest.json").write_text(json.dumps(result, indent=2, default=str))
    say(f"\nJSON: {OUT / 'latest.json'}   total {result['total_s']:.0f} s")


if __name__ == "__main__":
    main()
