"""`make bench`, flow (b): ticket throughput on one funding goal (a measurement, not a test).

Every buyer's purchases are fired at once; the figures are how fast the goal counts them
end to end, then, once it ends below target, how fast every buyer is refunded. A wait that
runs out is a partial figure (what was reached within it, marked `*_complete: false`), not
the end of the run: a slow stack still reports how slow.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from journeys.bench_flows import TICKET_PRICE, WAIT_S, say
from journeys.flows import (
    buy_tickets,
    end_goal,
    get_goal,
    open_funding_goal,
    open_session,
    wait_goal,
)
from journeys.stack import eventually


async def met(probe: Callable[[], Awaitable[bool]], *, within: float, every: float) -> bool:
    """Whether `probe` held within `within` s (a missed wait is a figure too)."""
    try:
        await eventually(probe, within=within, every=every)
    except AssertionError:
        return False
    return True


async def ticket_flow(bench: Any) -> dict[str, Any]:
    """One funding goal, every buyer at once; then a missed-target end refunds them all."""
    stack, streamer = bench.stack, bench.show_streamer
    session_id = await open_session(stack, streamer)
    bench.sessions.append(session_id)
    total = sum(map(sum, bench.counts))
    goal_id = await open_funding_goal(
        stack, streamer, session_id, target=total + 1, ticket_price=TICKET_PRICE
    )
    await wait_goal(stack, streamer, goal_id, state="active")
    figures = await count(bench, goal_id)
    figures |= await refund(bench, goal_id)
    return figures


async def count(bench: Any, goal_id: str) -> dict[str, Any]:
    stack, streamer = bench.stack, bench.show_streamer
    t0 = time.monotonic()
    orders = [(b, c) for b, cs in zip(bench.buyers, bench.counts, strict=True) for c in cs]
    responses = await asyncio.gather(*(buy_tickets(stack, b, goal_id, c) for b, c in orders))
    accepted_s = time.monotonic() - t0
    # A purchase the loaded stack refused (a 503) charges nothing: count what was accepted.
    refused = [r.text for r in responses if r.status_code != 202]
    if refused:
        say(f"  {len(refused)} purchases refused, e.g. {refused[0][:200]}")
    total = sum(c for (_, c), r in zip(orders, responses, strict=True) if r.status_code == 202)
    progress = 0

    async def counted() -> bool:
        nonlocal progress
        r = await get_goal(stack, streamer, goal_id)
        progress = r.json()["progress"] if r.status_code == 200 else progress
        return bool(progress == total)

    complete = await met(counted, within=WAIT_S, every=0.05)
    counted_s = time.monotonic() - t0
    purchases, accepted = len(responses), len(responses) - len(refused)
    say(
        f"\n(b) tickets: {len(bench.buyers)} buyers x {bench.args.purchases} purchases = "
        f"{purchases} purchases, {total} tickets, one goal"
    )
    say(
        f"  accepted by HTTP (202)         {accepted_s:6.2f} s   {accepted / accepted_s:7.1f} purchases/s"
    )
    say(
        f"  counted in GET /goals/{{id}}     {counted_s:6.2f} s   {progress / counted_s:7.1f} tickets/s"
        + ("" if complete else f"   (partial: {progress} of {total} within {WAIT_S:.0f} s)")
    )
    return {
        "purchases": purchases,
        "purchases_refused": len(refused),
        "purchases_accepted_per_s": accepted / accepted_s,
        "tickets_total": total,
        "tickets_counted": progress,
        "tickets_counted_per_s": progress / counted_s,
        "tickets_counted_complete": complete,
    }


async def refund(bench: Any, goal_id: str) -> dict[str, Any]:
    """End below target; every buyer is whole again once every purchase is refunded."""
    stack = bench.stack
    start = {b.wallet_id: c for b, c in zip(bench.buyers, bench.buyer_coins, strict=True)}
    t1 = time.monotonic()
    assert (await end_goal(stack, bench.show_streamer, goal_id)).status_code == 202
    whole = 0

    async def refunded() -> bool:
        nonlocal whole
        balances = await asyncio.gather(*(stack.balance(w) for w in start))
        whole = sum(b == c for b, c in zip(balances, start.values(), strict=True))
        return whole == len(start)

    complete = await met(refunded, within=WAIT_S, every=0.1)
    refunded_s = time.monotonic() - t1
    per_buyer = bench.args.purchases
    say(
        f"  ended below target -> refunded {refunded_s:6.2f} s   "
        f"{whole * per_buyer / refunded_s:7.1f} refunds/s ({whole} of {len(start)} buyers whole again)"
    )
    return {
        "buyers_refunded": whole,
        "refunds_per_s": whole * per_buyer / refunded_s,
        "refunds_complete": complete,
    }
