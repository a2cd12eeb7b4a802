"""`make chaos`: both flows under load while, in turn, each worker kind is killed with
SIGKILL and restarted, the Kafka broker restarts and the MongoDB-API server stops for 10 s.

After each fault, at quiescence: the sandbox ledger invariant holds, every user's coins are
whole (balance + open holds = what was minted), every ended goal's holds are settled once
(refunded, or held for a funded show), each goal's progress equals its counted debits, no
message was dead-lettered, and the APIs answered only 2xx/4xx or 503 with Retry-After.
Per fault it prints the time from the fault to the last flow settling.

    python -m journeys.chaos [--size small|full] [--faults kafka,ferretdb,...] [--outage 10]

It stops and starts what deploy/local/stack.sh started here (stop-only/start-only) and, on
the containers path, this checkout's infrastructure containers (journeys.infra), so it runs
only where one of those started the stack.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from journeys.chaos_load import (
    SIZES,
    WORKERS,
    Answers,
    Flows,
    Workload,
    coin_errors,
    unsettled,
)
from journeys.infra import managed, start, stop
from journeys.stack import Stack

ROOT = Path(__file__).resolve().parents[2]
FAULTS = ["none", *(f"{w}.worker" for w in WORKERS), "kafka", "ferretdb"]
FAULT_AFTER_S = 1.0  # into the load: requests and commands are in flight
SETTLE_WITHIN_S = 300.0

Probe = Callable[[], Awaitable[None]]
OutageProbe = Callable[[Flows, Answers], Awaitable[None]]


def say(line: str) -> None:
    print(line, flush=True)


async def restart(component: str, tries: int = 3) -> None:
    """Start it again until it is up, as an orchestrator would: on a loaded machine one start
    can miss its readiness wait (Kafka once took over 90 s at a load average of 20)."""
    for attempt in range(1, tries + 1):
        try:
            await start(component)
            return
        except RuntimeError:
            if attempt == tries:
                raise
            say(f"      {component} not up after start {attempt}; starting it again")


async def inject(fault: str, outage_s: float, during: Probe | None = None) -> None:
    """The fault, and the operator's (or the orchestrator's) restart after it; `during`
    runs while an outage lasts."""
    if fault == "none":
        return
    if fault.endswith(".worker"):
        pid = int((ROOT / f"deploy/local/var/run/{fault}.pid").read_text())
        os.killpg(pid, signal.SIGKILL)  # mid-flow, no shutdown hook runs
        while fault in await managed():
            await asyncio.sleep(0.2)
        await restart(fault)
    elif fault == "kafka":
        await stop("kafka")
        await restart("kafka")
    elif fault == "ferretdb":
        await stop("ferretdb")
        stopped = time.monotonic()
        if during is not None:
            await during()
        await asyncio.sleep(max(0.0, outage_s - (time.monotonic() - stopped)))
        await restart("ferretdb")
    else:
        raise ValueError(f"unknown fault {fault}")


@dataclass
class Outcome:
    fault: str
    settled_s: float | None
    flows: int
    answers: Answers
    errors: list[str]
    coins: int = 0  # held in escrow by the round's flows, each one checked back out
    load: float = 0.0  # the machine's 1-minute load average at the end of the round
    phases: str = ""  # when the faulted part was back, the load and the counting done


async def one_round(
    work: Workload, fault: str, outage_s: float, during: OutageProbe | None = None
) -> Outcome:
    """One round of the load with `fault` injected into it; `during(flows, answers)` runs
    while an outage lasts."""
    answers = Answers()
    letters_before = await work.dead_letters.count()
    flows = await work.start(answers)
    load = asyncio.create_task(work.load(flows, answers))
    await asyncio.sleep(FAULT_AFTER_S)
    faulted_at = time.monotonic()
    probe = (lambda: during(flows, answers)) if during is not None else None
    await inject(fault, outage_s, probe)
    back_s = time.monotonic() - faulted_at  # the faulted part restarted and ready again
    await load
    loaded_s = time.monotonic() - faulted_at
    await work.end_funding_when_counted(flows, answers)
    counted_s = time.monotonic() - faulted_at
    work.hold_shows(flows, answers)
    settled_s, waiting = None, ["not looked at"]
    while time.monotonic() - faulted_at < SETTLE_WITHIN_S:
        waiting = await unsettled(work, flows, answers)
        if not waiting:
            settled_s = time.monotonic() - faulted_at
            break
        await asyncio.sleep(1.0)
    errors = [] if settled_s is not None else [f"not settled: {waiting[:5]}"]
    errors += await coin_errors(work, flows, answers)
    if (letters := await work.dead_letters.count() - letters_before) != 0:
        errors.append(f"{letters} message(s) dead-lettered")
    errors += answers.violations[:10]
    n = len(flows.exclusive) + sum(flows.tickets.values())
    coins = sum(h["amount"] for h in await work.holds(flows.sessions))
    phases = (
        f"back up {back_s:.0f} s, load done {loaded_s:.0f} s, tickets counted {counted_s:.0f} s"
    )
    return Outcome(fault, settled_s, n, answers, errors, coins, os.getloadavg()[0], phases)


def report(outcome: Outcome) -> None:
    when = f"{outcome.settled_s:6.1f} s" if outcome.settled_s is not None else "   never"
    codes = " ".join(f"{k}:{v}" for k, v in sorted(outcome.answers.statuses.items()))
    verdict = "ok" if not outcome.errors else "FAILED"
    say(
        f"  {outcome.fault:<24} settled {when} after the fault  {outcome.flows:4d} flows"
        f"  {outcome.coins:6d} coins  load {outcome.load:4.1f}  [{codes}]  {verdict}"
    )
    say(f"      ({outcome.phases})")
    for error in outcome.errors:
        say(f"      {error}")


async def run(size: str, faults: list[str], outage_s: float) -> int:
    stack = Stack()
    work = Workload(stack, SIZES[size])
    started = time.monotonic()
    try:
        have = await managed()
        needed = {f for f in faults if f != "none"}
        if missing := needed - have:
            say(f"chaos: not started by stack.sh here, cannot fault: {sorted(missing)}")
            return 2
        await work.add_users()
        say(f"chaos run {work.run} ({size}): {len(work.minted)} paying users ready")
        failed = 0
        for fault in faults:
            outcome = await one_round(work, fault, outage_s)
            report(outcome)
            failed += bool(outcome.errors)
    finally:
        await work.close()
    say(f"total {time.monotonic() - started:.0f} s; {failed} of {len(faults)} round(s) failed")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="journeys.chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--faults", default=",".join(FAULTS), help=f"of {','.join(FAULTS)}")
    parser.add_argument("--outage", type=float, default=10.0, help="MongoDB-API outage (s)")
    args = parser.parse_args(argv)
    faults = args.faults.split(",")
    if unknown := set(faults) - set(FAULTS):
        parser.error(f"unknown faults {sorted(unknown)}")
    return asyncio.run(run(args.size, faults, args.outage))


if __name__ == "__main__":
    raise SystemExit(main())
