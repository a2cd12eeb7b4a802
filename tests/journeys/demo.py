"""`make run`'s demonstration: both flows against the running stack, with timelines.

1. A viewer triggers an exclusive 1-to-1 session; nobody accepts; it expires, the
   viewer is refunded from escrow and sits out the cooldown.
2. A viewer pays for 5 minutes alone with the streamer; the streamer accepts; the viewer
   ends it after a few seconds: the streamer is paid for 1 minute, the viewer refunded 4.
3. A ticket show misses its target; the streamer ends funding; every buyer is refunded.
4. A ticket show is funded; the streamer holds the show and ends it; the escrow is
   released to the streamer.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid

from journeys.flows import (
    answer_request,
    buy_tickets,
    end_goal,
    open_funding_goal,
    open_session,
    show_action,
    trigger_exclusive,
    wait_goal,
    wait_paid,
    wait_show,
)
from journeys.stack import PusherClient, Stack, User, eventually

T0 = time.monotonic()


def say(line: str) -> None:
    print(f"  +{time.monotonic() - T0:6.2f}s  {line}", flush=True)


def live_page(user: User | None = None, session_id: str = "") -> str:
    """The live page behind the local gateway; with a user, signed in as them on a session."""
    url = f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '22480')}/"
    if user is None:
        return url
    return f"{url}?as={user.user_id}&name={user.username}#/streamer?session={session_id}"


def person(role: str, name: str, run: str) -> User:
    uid = f"{role}-{name.lower()}-{run}"
    return User(user_id=uid, username=name, wallet_id=f"w-{uid}")


async def exclusive_flow(stack: Stack, run: str) -> None:
    print("\n== Flow B: exclusive 1-to-1 session, unanswered, refunded ==")
    streamer, viewer = person("streamer", "Mia", run), person("viewer", "Leo", run)
    await stack.add_user(streamer, 0)
    await stack.add_user(viewer, 1_000)
    await stack.wait_users_known(*(streamer, viewer))
    say(f"{viewer.username} has {await stack.balance(viewer.wallet_id)} coins")
    session_id = await open_session(stack, streamer, per_minute=100)
    say(f"{streamer.username} opened live session {session_id}")
    say(f"watch {streamer.username}'s screen: {live_page(streamer, session_id)}")
    async with PusherClient(stack, streamer) as s_ws, PusherClient(stack, viewer) as v_ws:
        await s_ws.subscribe(f"private-stream@{streamer.user_id}")
        await v_ws.subscribe(f"private-user@{viewer.user_id}")
        r = await trigger_exclusive(stack, viewer, session_id, exp_in=6, duration=120)
        goal_id = r.json()["goal_id"]
        say(f"{viewer.username} asks for 120 s exclusive -> {r.status_code} {r.json()}")
        await s_ws.wait_for("goal.added", goal_id=goal_id)
        say("streamer app: goal.added")
        ev = await s_ws.wait_for("goal.progress.updated", goal_id=goal_id)
        say(f"streamer app: goal.progress.updated progress={ev['data']['goal']['progress']}")
        say(
            f"{viewer.username} balance {await stack.balance(viewer.wallet_id)} (200 held in escrow)"
        )
        await s_ws.wait_for("goal.ended", goal_id=goal_id, within=40)
        say("request expired unanswered: goal.ended")
        ev = await v_ws.wait_for("escrow.refunded", goal_id=goal_id, within=40)
        say(f"viewer app: escrow.refunded amount={ev['data'].get('amount')}")
    say(f"{viewer.username} balance {await stack.balance(viewer.wallet_id)}")
    r = await trigger_exclusive(stack, viewer, session_id)
    say(
        f"asks again at once -> {r.status_code} {r.json()['reason']} "
        f"(Retry-After {r.headers.get('Retry-After')} s)"
    )


async def accepted_flow(stack: Stack, run: str) -> None:
    print("\n== Flow B': exclusive session accepted, ended early, settled per minute ==")
    streamer, viewer = person("streamer", "Zoe", run), person("viewer", "Max", run)
    await stack.add_user(streamer, 0)
    await stack.add_user(viewer, 1_000)
    await stack.wait_users_known(*(streamer, viewer))
    session_id = await open_session(stack, streamer, per_minute=100)

    async def balances() -> str:
        s, v = await stack.balance(streamer.wallet_id), await stack.balance(viewer.wallet_id)
        return f"{streamer.username} {s}, {viewer.username} {v}"

    say(f"balances before: {await balances()}")
    async with PusherClient(stack, streamer) as s_ws, PusherClient(stack, viewer) as v_ws:
        await s_ws.subscribe(f"private-user@{streamer.user_id}")
        await v_ws.subscribe(f"private-user@{viewer.user_id}")
        r = await trigger_exclusive(stack, viewer, session_id, exp_in=60, duration=300)
        goal_id = r.json()["goal_id"]
        say(f"{viewer.username} pays {r.json()['amount']} for 300 s exclusive (5 minutes)")
        await wait_paid(stack, streamer, goal_id, session_id)
        r = await answer_request(stack, streamer, session_id, viewer.user_id, "accept")
        say(f"{streamer.username} accepts -> {r.status_code} {r.json().get('outcome')}")
        ev = await v_ws.wait_for("exclusive.started", within=30)
        say(f"viewer app: exclusive.started, ends at {ev['data']['ends_at']}")
        await asyncio.sleep(3)
        r = await answer_request(stack, viewer, session_id, viewer.user_id, "end")
        say(f"{viewer.username} ends it after 3 s -> {r.status_code}")
        ev = await s_ws.wait_for("escrow.released", within=45)
        say(f"streamer app: escrow.released amount={ev['data']['amount']} (1 minute used)")
        ev = await v_ws.wait_for("escrow.refunded", goal_id=goal_id, within=45)
        say(f"viewer app: escrow.refunded amount={ev['data']['amount']} (4 minutes unused)")
    say(f"balances after: {await balances()}")


async def ticket_flow(stack: Stack, run: str) -> None:
    print("\n== Flow A: ticket show misses its target, every buyer refunded ==")
    streamer = person("streamer", "Ava", run)
    buyers = [person("buyer", n, run) for n in ("Noah", "Emma", "Liam")]
    await stack.add_user(streamer, 0)
    for b in buyers:
        await stack.add_user(b, 500)
    await stack.wait_users_known(*(streamer, *buyers))
    session_id = await open_session(stack, streamer)
    goal_id = await open_funding_goal(
        stack, streamer, session_id, target=10, ticket_price=40, title="Friday night show"
    )
    say(f"{streamer.username} opened funding goal {goal_id}: 10 tickets at 40 coins")
    say(f"watch {streamer.username}'s screen: {live_page(streamer, session_id)}")
    await wait_goal(stack, streamer, goal_id, state="active")
    for buyer, count in zip(buyers, (2, 1, 3), strict=True):
        r = await buy_tickets(stack, buyer, goal_id, count, idempotency_key=uuid.uuid4().hex)
        say(f"{buyer.username} buys {count} -> {r.status_code}")
    goal = await wait_goal(stack, streamer, goal_id, progress=6)
    say(
        f"progress {goal['progress']}/{goal['target']}; leaderboard "
        + ", ".join(f"{e['user_id'].split('-')[1]}={e['progress']}" for e in goal["leaderboard"])
    )
    r = await end_goal(stack, streamer, goal_id)
    say(f"{streamer.username} ends funding: DELETE /goals/{goal_id} -> {r.status_code}")
    goal = await wait_goal(stack, streamer, goal_id, state="failed")
    say(f"goal ended: state={goal['state']}")

    async def refunded() -> list[int] | None:
        balances = [await stack.balance(b.wallet_id) for b in buyers]
        return balances if balances == [500, 500, 500] else None

    balances = await eventually(refunded, within=45, what="refunds")
    say(f"buyers refunded from escrow: balances {balances}")


async def show_flow(stack: Stack, run: str) -> None:
    print("\n== Flow A, funded: the show is held and ended, the streamer is paid ==")
    streamer = person("streamer", "Zoe", run)
    buyers = [person("buyer", n, run) for n in ("Olivia", "Lucas")]
    await stack.add_user(streamer, 0)
    for b in buyers:
        await stack.add_user(b, 500)
    await stack.wait_users_known(*(streamer, *buyers))
    everyone = (streamer, *buyers)

    async def balances() -> str:
        return ", ".join([f"{u.username}={await stack.balance(u.wallet_id)}" for u in everyone])

    say(f"balances before: {await balances()}")
    session_id = await open_session(stack, streamer)
    goal_id = await open_funding_goal(
        stack, streamer, session_id, target=3, ticket_price=50, title="Saturday show"
    )
    await wait_goal(stack, streamer, goal_id, state="active")
    for buyer, count in zip(buyers, (2, 1), strict=True):
        r = await buy_tickets(stack, buyer, goal_id, count, idempotency_key=uuid.uuid4().hex)
        say(f"{buyer.username} buys {count} at 50 -> {r.status_code}")
    await wait_goal(stack, streamer, goal_id, progress=3)
    await end_goal(stack, streamer, goal_id)
    goal = await wait_goal(stack, streamer, goal_id, state="funded")
    say(f"{streamer.username} ends funding: {goal['progress']}/{goal['target']} -> funded")
    show_id = await wait_show(stack, streamer, session_id, goal_id)
    say(f"show {show_id} bound; escrow held: {await balances()}")
    async with PusherClient(stack, streamer) as ws:
        await ws.subscribe(f"private-user@{streamer.user_id}")
        r = await show_action(stack, streamer, show_id, "start")
        await ws.wait_for("show.started")
        say(f"{streamer.username} starts the show -> {r.status_code}; app: show.started")
        r = await show_action(stack, streamer, show_id, "end")
        await ws.wait_for("show.ended")
        say(f"{streamer.username} ends the show -> {r.status_code}; app: show.ended")
        ev = await ws.wait_for("escrow.released")
        say(f"streamer app: escrow.released amount={ev['data']['amount']}")

    async def paid() -> bool:
        return await stack.balance(streamer.wallet_id) == 150

    await eventually(paid, within=45, what="the streamer paid")
    say(f"balances after: {await balances()}")


async def main() -> None:
    run = uuid.uuid4().hex[:6]
    print(f"The live page: {live_page()} (sign in as a demo streamer or viewer)")
    stack = Stack()
    try:
        await exclusive_flow(stack, run)
        await accepted_flow(stack, run)
        await ticket_flow(stack, run)
        await show_flow(stack, run)
        print("\nledger:", await stack.ledger())
        print(f"\nThe live page: {live_page()} (the links above replay both flows' goals)")
    finally:
        await stack.close()


if __name__ == "__main__":
    asyncio.run(main())
