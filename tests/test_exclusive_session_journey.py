"""Flow B through the running stack: a viewer pays for an exclusive 1-to-1 session.

Real HTTP to the services, real Kafka between them, the wallet sandbox holding the
coins, and real websocket subscriptions on Sockudo.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from journeys.flows import (
    cooling_down_until,
    get_session,
    open_session,
    post_callback,
    trigger_exclusive,
)
from journeys.stack import PusherClient, Stack, eventually
from livestream_schemas.tags import TRIGGER_EXCLUSIVE, escrow_tag, swag_tag

pytestmark = pytest.mark.journey
PRICE_PER_MINUTE = 100


def streamer_channels(streamer_id: str) -> list[str]:
    return [
        f"private-stream@{streamer_id}",
        f"presence-stream@{streamer_id}",
        f"private-user@{streamer_id}",
    ]


async def test_trigger_pay_expire_refund_cooldown_and_retrigger(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    viewer = await stack.add_user(make_user("viewer"), 1_000)
    await stack.wait_users_known(viewer, streamer)
    session_id = await open_session(stack, streamer, PRICE_PER_MINUTE)

    async with PusherClient(stack, streamer) as s_ws, PusherClient(stack, viewer) as v_ws:
        for channel in streamer_channels(streamer.user_id):
            await s_ws.subscribe(channel)
        await v_ws.subscribe(f"private-user@{viewer.user_id}")

        r = await trigger_exclusive(stack, viewer, session_id, exp_in=8, duration=120)
        assert r.status_code == 202, r.text
        goal_id, amount = r.json()["goal_id"], r.json()["amount"]
        assert amount == 2 * PRICE_PER_MINUTE

        for channel in streamer_channels(streamer.user_id):
            added = await s_ws.wait_for("goal.added", channel=channel, goal_id=goal_id)
            progressed = await s_ws.wait_for(
                "goal.progress.updated", channel=channel, goal_id=goal_id
            )
            assert s_ws.events.index(added) < s_ws.events.index(progressed)
            assert progressed["data"]["goal"]["progress"] == 1
            assert progressed["data"]["goal"]["version"] > added["data"]["goal"]["version"]

        # debited once, and the coins sit in escrow for this goal
        assert await stack.balance(viewer.wallet_id) == 1_000 - amount
        swag = swag_tag(session_id, TRIGGER_EXCLUSIVE, goal_id)
        holds = await stack.holds(swag)
        assert [h["amount"] for h in holds] == [amount]
        assert escrow_tag(streamer.wallet_id, swag) in holds[0]["tags"]

        # the request expires unanswered: goal.ended, refunded exactly once, viewer told
        ended = await s_ws.wait_for(
            "goal.ended", channel=f"private-stream@{streamer.user_id}", goal_id=goal_id, within=40
        )
        assert ended["data"]["goal"]["active"] is False
        await v_ws.wait_for("goal.ended", channel=f"private-user@{viewer.user_id}", goal_id=goal_id)
        # cooldown: 429 with Retry-After until it passes, then a new request is accepted
        cooled_at = await cooling_down_until(stack, viewer, session_id)
        await v_ws.wait_for(
            "escrow.refunded", channel=f"private-user@{viewer.user_id}", goal_id=goal_id
        )

        async def refunded() -> bool:
            return await stack.balance(viewer.wallet_id) == 1_000

        await eventually(refunded, within=30, what="viewer refunded")
        await asyncio.sleep(2)  # let any duplicate refund surface before counting
        assert await stack.balance(viewer.wallet_id) == 1_000
        assert len(v_ws.received("escrow.refunded", goal_id=goal_id)) == 1

        session = await get_session(stack, viewer, session_id)
        pair = session["exclusive_goal_pairs"][viewer.user_id]
        assert pair["trigger_exclusive_goal"] == goal_id and pair["trigger_exclusive_goal_ended"]

    await asyncio.sleep(max(0.0, cooled_at + 0.5 - time.monotonic()))
    later = await trigger_exclusive(stack, viewer, session_id, exp_in=30, duration=60)
    assert later.status_code == 202, later.text
    assert later.json()["goal_id"] != goal_id


async def test_double_submit_and_duplicate_callbacks_charge_once(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    viewer = await stack.add_user(make_user("viewer"), 500)
    await stack.wait_users_known(viewer, streamer)
    session_id = await open_session(stack, streamer, PRICE_PER_MINUTE)
    key = uuid.uuid4().hex

    exp = int(time.time()) + 30  # a retry repeats the same body
    first = await trigger_exclusive(stack, viewer, session_id, idempotency_key=key, exp=exp)
    second = await trigger_exclusive(stack, viewer, session_id, idempotency_key=key, exp=exp)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    other = await trigger_exclusive(stack, viewer, session_id)  # no key: a second request
    assert other.status_code == 409 and other.json()["reason"] == "request_open"

    goal_id, amount = first.json()["goal_id"], first.json()["amount"]
    swag = swag_tag(session_id, TRIGGER_EXCLUSIVE, goal_id)

    async def held() -> list[dict]:  # type: ignore[type-arg]
        return await stack.holds(swag)

    holds = await eventually(held, what="escrow hold")
    assert len(holds) == 1 and await stack.balance(viewer.wallet_id) == 500 - amount

    # the wallet's callback delivered three more times: accepted, nothing new happens
    body = {
        "id": f"session:trigger-exclusive:{goal_id}",
        "ts": "2026-11-21T12:00:00+00:00",
        "fromAccount": viewer.wallet_id,
        "fromAmount": amount,
        "toAccount": None,
        "toAmount": amount,
        "tags": holds[0]["tags"],
    }
    secret = stack_secret()
    for _ in range(3):
        r = await post_callback(stack, body, secret)
        assert r.status_code == 200, r.text
    forged = await post_callback(stack, body, "not-the-secret")
    stale = await post_callback(stack, body, secret, timestamp=int(time.time()) - 3600)
    assert forged.status_code == 401 and stale.status_code == 401

    async def progressed() -> dict | None:  # type: ignore[type-arg]
        r = await stack.http.get(
            f"{stack.ep.goal}/goals/{goal_id}", headers=viewer.headers(stack.ep)
        )
        return r.json() if r.status_code == 200 and r.json()["progress"] == 1 else None

    goal = await eventually(progressed, what="progress 1")
    await asyncio.sleep(2)
    r = await stack.http.get(f"{stack.ep.goal}/goals/{goal_id}", headers=viewer.headers(stack.ep))
    assert r.json()["progress"] == 1 == goal["progress"]
    assert r.json()["leaderboard"][0]["cost"] == amount
    assert await stack.balance(viewer.wallet_id) == 500 - amount


async def test_refusals_leave_balances_untouched(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    # blocked from its very first profile, so no trigger of it can ever be accepted
    blocked = await stack.add_user(
        make_user("blocked", tags=[f"blocked-by:{streamer.user_id}"]), 1_000
    )
    poor = await stack.add_user(make_user("poor"), 10)
    await stack.wait_users_known(*(streamer, blocked, poor))
    session_id = await open_session(stack, streamer, PRICE_PER_MINUTE)

    async def blocked_refused() -> bool:
        r = await trigger_exclusive(stack, blocked, session_id)
        return r.status_code == 403 and r.json()["reason"] == "blocked_by_streamer"

    await eventually(blocked_refused, what="blocked viewer refused")

    async def too_poor() -> bool:  # polled: session-service may not know the user yet
        r = await trigger_exclusive(stack, poor, session_id)
        return r.status_code == 403 and r.json()["reason"] == "insufficient_balance"

    await eventually(too_poor, what="poor viewer refused for balance")
    r = await trigger_exclusive(stack, poor, session_id, duration=61)
    assert r.status_code == 422
    r = await stack.http.post(
        f"{stack.ep.session}/sessions/{session_id}/trigger_exclusive",
        json={"exp": int(time.time()) + 30, "duration": 60},
    )
    assert r.status_code == 401
    r = await trigger_exclusive(stack, poor, "0" * 24)
    assert r.status_code == 404
    assert await stack.balance(blocked.wallet_id) == 1_000
    assert await stack.balance(poor.wallet_id) == 10

    # The streamer's own private channel (private-user@) is the streamer's alone; the
    # stream's channels are open to signed-in viewers, except those the streamer blocked.
    stream_channels = [f"private-stream@{streamer.user_id}", f"presence-stream@{streamer.user_id}"]
    async with PusherClient(stack, poor) as ws:
        refused = await ws.authorize(f"private-user@{streamer.user_id}")
        assert refused.status_code == 403 and "auth" not in refused.json()
        for channel in stream_channels:
            allowed = await ws.authorize(channel)
            assert allowed.status_code == 200, (channel, allowed.text)
            assert allowed.json()["auth"].startswith(f"{stack.ep.pusher_key}:")
    async with PusherClient(stack, blocked) as ws:
        for channel in stream_channels:
            refused = await ws.authorize(channel)
            assert refused.status_code == 403 and "auth" not in refused.json(), channel


async def test_overdraft_rejected_by_wallet_ends_goal_and_tells_viewer(
    stack: Stack, make_user
) -> None:  # type: ignore[no-untyped-def]
    """Two requests pass the up-front balance check together; the wallet refuses the second."""
    s1 = await stack.add_user(make_user("streamer"), 0)
    s2 = await stack.add_user(make_user("streamer"), 0)
    viewer = await stack.add_user(make_user("viewer"), 150)
    await stack.wait_users_known(*(s1, s2, viewer))
    sessions = [await open_session(stack, s, PRICE_PER_MINUTE) for s in (s1, s2)]

    async with PusherClient(stack, viewer) as v_ws:
        await v_ws.subscribe(f"private-user@{viewer.user_id}")
        answers = await asyncio.gather(*(trigger_exclusive(stack, viewer, sid) for sid in sessions))
        assert [a.status_code for a in answers] == [202, 202], [a.text for a in answers]
        failed = await v_ws.wait_for("transfer.failed", channel=f"private-user@{viewer.user_id}")
        assert failed["data"]["reason"] == "insufficient_funds"
        lost_goal = failed["data"]["goal_id"]
        assert lost_goal in {a.json()["goal_id"] for a in answers}
        await v_ws.wait_for(
            "goal.ended", channel=f"private-user@{viewer.user_id}", goal_id=lost_goal
        )

    assert await stack.balance(viewer.wallet_id) == 150 - 100
    paid = next(a.json() for a in answers if a.json()["goal_id"] != lost_goal)
    lost_session = next(
        sid for sid, a in zip(sessions, answers, strict=True) if a.json()["goal_id"] == lost_goal
    )
    assert await stack.holds(swag_tag(lost_session, TRIGGER_EXCLUSIVE, lost_goal)) == []
    assert paid["amount"] == 100


def stack_secret() -> str:
    import os

    return os.environ.get("WALLET_CALLBACK_SECRET", "dev-only-wallet-callback-secret")
