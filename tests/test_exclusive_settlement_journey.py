"""Exclusive requests answered by the streamer, through the running stack: accept, an
exclusive session ended early and settled per minute, accept racing expiry, decline."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from journeys.flows import (
    answer_request,
    cooling_down_until,
    get_goal,
    get_session,
    list_requests,
    open_session,
    trigger_exclusive,
    wait_goal,
    wait_paid,
)
from journeys.stack import PusherClient, Stack, User, eventually
from livestream_schemas.tags import TRIGGER_EXCLUSIVE, swag_tag

pytestmark = pytest.mark.journey
PER_MINUTE = 100


def channels(streamer: User) -> list[str]:
    return [f"private-stream@{streamer.user_id}", f"private-user@{streamer.user_id}"]


async def settled(stack: Stack, swag: str) -> list[dict]:  # type: ignore[type-arg]
    """Wait until no hold of this request is open; the holds it had."""

    async def closed() -> list[dict] | None:  # type: ignore[type-arg]
        every = await stack.holds_tagged(swag)
        return every if every and not [h for h in every if h["status"] == "open"] else None

    return await eventually(closed, within=45, what=f"holds of {swag} settled")


async def assert_ledger_balanced(stack: Stack) -> None:
    ledger = await stack.ledger()
    assert ledger["total_balances"] + ledger["open_holds"] == ledger["minted"], ledger


async def test_accept_then_end_early_pays_the_minutes_used_and_refunds_the_rest(
    stack: Stack, make_user
) -> None:  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    viewer = await stack.add_user(make_user("viewer"), 1_000)
    other = await stack.add_user(make_user("viewer"), 1_000)
    await stack.wait_users_known(viewer, other, streamer)
    session_id = await open_session(stack, streamer, PER_MINUTE)

    async with PusherClient(stack, streamer) as s_ws, PusherClient(stack, viewer) as v_ws:
        for channel in channels(streamer):
            await s_ws.subscribe(channel)
        await v_ws.subscribe(f"private-user@{viewer.user_id}")
        r = await trigger_exclusive(stack, viewer, session_id, exp_in=60, duration=300)
        assert r.status_code == 202, r.text
        goal_id, amount = r.json()["goal_id"], r.json()["amount"]
        assert amount == 5 * PER_MINUTE
        await wait_paid(stack, streamer, goal_id, session_id)
        listed = (await list_requests(stack, streamer, session_id)).json()["requests"]
        assert [(q["viewer_id"], q["goal_id"], q["amount"]) for q in listed] == [
            (viewer.user_id, goal_id, amount)
        ]
        assert (await list_requests(stack, viewer, session_id)).status_code == 403

        r = await answer_request(stack, streamer, session_id, viewer.user_id, "accept")
        assert (r.status_code, r.json()["outcome"]) == (200, "agreed"), r.text
        session_goal = r.json()["exclusive_goal_id"]
        again = await answer_request(stack, streamer, session_id, viewer.user_id, "accept")
        assert (again.status_code, again.json()) == (200, r.json())  # a retry: same answer
        await v_ws.wait_for("exclusive.accepted", goal_id=goal_id)
        await v_ws.wait_for("exclusive.started", goal_id=session_goal)
        await s_ws.wait_for("exclusive.started", channel=channels(streamer)[0])

        async def exclusive() -> bool:
            status = (await get_session(stack, streamer, session_id))["status"]
            return status == {"preset": "sd", "exclusive_to": viewer.user_id}

        await eventually(exclusive, what="session exclusive to the viewer")
        blocked = await trigger_exclusive(stack, other, session_id)
        assert (blocked.status_code, blocked.json()["reason"]) == (
            403,
            "already_exclusive",
        )

        await asyncio.sleep(2)  # well inside the first of 5 prepaid minutes
        r = await answer_request(stack, viewer, session_id, viewer.user_id, "end")
        assert r.status_code == 202, r.text
        await v_ws.wait_for("exclusive.ended", goal_id=session_goal, within=30)
        released = await s_ws.wait_for("escrow.released", within=45)
        assert released["data"]["amount"] == amount // 5
        await s_ws.wait_for("balance.changed", channel=f"private-user@{streamer.user_id}")
        refunded = await v_ws.wait_for("escrow.refunded", goal_id=goal_id, within=45)
        assert refunded["data"]["amount"] == amount - amount // 5

    (hold,) = await settled(stack, swag_tag(session_id, TRIGGER_EXCLUSIVE, goal_id))
    assert (hold["status"], hold["split"]) == ("split", {"release": 100, "refund": 400})
    assert await stack.balance(streamer.wallet_id) == 100
    assert await stack.balance(viewer.wallet_id) == 900
    await eventually(
        lambda: _not_exclusive(stack, streamer, session_id), what="session status reset"
    )
    ended = await answer_request(stack, streamer, session_id, viewer.user_id, "end")
    assert (ended.status_code, ended.json()["state"]) == (200, "ended")
    await asyncio.sleep(2)  # a duplicate settlement would surface here
    assert (await stack.balance(streamer.wallet_id), await stack.balance(viewer.wallet_id)) == (
        100,
        900,
    )
    await assert_ledger_balanced(stack)


async def _not_exclusive(stack: Stack, streamer: User, session_id: str) -> bool:
    status = (await get_session(stack, streamer, session_id))["status"]
    return status == {"preset": "hd", "exclusive_to": None}


async def test_decline_refunds_once_and_starts_the_cooldown(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    viewer = await stack.add_user(make_user("viewer"), 1_000)
    await stack.wait_users_known(viewer, streamer)
    session_id = await open_session(stack, streamer, PER_MINUTE)
    async with PusherClient(stack, viewer) as v_ws:
        await v_ws.subscribe(f"private-user@{viewer.user_id}")
        r = await trigger_exclusive(stack, viewer, session_id, exp_in=60, duration=60)
        goal_id = r.json()["goal_id"]
        await wait_paid(stack, streamer, goal_id, session_id)
        assert (
            await answer_request(stack, viewer, session_id, viewer.user_id, "decline")
        ).status_code == 403
        for _ in range(2):  # the retry answers the same
            r = await answer_request(stack, streamer, session_id, viewer.user_id, "decline")
            assert (r.status_code, r.json()["outcome"]) == (200, "declined"), r.text
        late = await answer_request(stack, streamer, session_id, viewer.user_id, "accept")
        assert (late.status_code, late.json()["reason"]) == (409, "request_declined")
        await cooling_down_until(stack, viewer, session_id)
        await v_ws.wait_for("exclusive.declined", goal_id=goal_id)
        await v_ws.wait_for("escrow.refunded", goal_id=goal_id, within=45)
        await settled(stack, swag_tag(session_id, TRIGGER_EXCLUSIVE, goal_id))
        await asyncio.sleep(2)
        assert len(v_ws.received("escrow.refunded", goal_id=goal_id)) == 1
    assert await stack.balance(viewer.wallet_id) == 1_000
    assert await stack.balance(streamer.wallet_id) == 0
    await assert_ledger_balanced(stack)


async def _race_round(stack: Stack, make_user, lead: float) -> str:  # type: ignore[no-untyped-def]
    """One request accepted `lead` seconds before its expiry (after it, if negative); returns
    the outcome that won, checking that the answer, the goal and the money agree on it."""
    streamer = await stack.add_user(make_user("streamer"), 0)
    viewer = await stack.add_user(make_user("viewer"), 500)
    await stack.wait_users_known(viewer, streamer)
    session_id = await open_session(stack, streamer, PER_MINUTE)
    exp = int(time.time()) + RACE_EXP_IN
    r = await trigger_exclusive(stack, viewer, session_id, exp=exp, duration=60)
    assert r.status_code == 202, r.text
    goal_id, amount = r.json()["goal_id"], r.json()["amount"]

    async def paid_or_over() -> bool:  # on a slow machine the debit may land after exp
        goal = (await get_goal(stack, streamer, goal_id)).json()
        return goal.get("progress") == 1 or goal.get("active") is False

    await eventually(paid_or_over, within=90, what=f"{goal_id} paid or over")
    await asyncio.sleep(max(0.0, exp - lead - time.time()))
    r = await answer_request(stack, streamer, session_id, viewer.user_id, "accept")
    assert r.status_code in (200, 409), r.text
    goal = await wait_goal(stack, streamer, goal_id, active=False)
    swag = swag_tag(session_id, TRIGGER_EXCLUSIVE, goal_id)
    if r.status_code == 200:
        assert r.json()["outcome"] == goal["outcome"] == "agreed"

        async def ended() -> bool:  # once the session-service has bound the session
            end = await answer_request(stack, streamer, session_id, viewer.user_id, "end")
            return end.status_code in (200, 202)

        await eventually(ended, what="exclusive session ended")
        (hold,) = await settled(stack, swag)
        assert hold["status"] == "released"  # 1 of 1 prepaid minutes used
    else:
        # The outcome that won instead: the expiry, or (a loaded wallet timing out) payment.
        assert goal["outcome"] in ("expired", "payment_failed"), goal
        assert r.json()["reason"] == f"request_{goal['outcome']}", r.text

    async def conserved() -> int | None:  # a hold is claimed a moment before coins move
        if await stack.holds(swag):
            return None
        paid = await stack.balance(streamer.wallet_id)
        return paid + 1 if paid + await stack.balance(viewer.wallet_id) == 500 else None

    paid = await eventually(conserved, within=45, what="no hold open, every coin back") - 1
    assert paid == (amount if r.status_code == 200 else 0)
    return str(goal["outcome"])


# Seconds before the expiry the accept is sent: after it (the API refuses at once), in the
# band where the worker's delay decides, and long before (the accept wins unless the worker
# is that far behind). The ends make both outcomes certain; the middle is the real race.
RACE_LEADS = (-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 15.0)
RACE_EXP_IN = 40


async def test_accept_racing_expiry_has_exactly_one_outcome_each_round(
    stack: Stack, make_user
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(9)
    rounds: list[tuple[float, str]] = []
    for _batch in range(2):
        leads = [lead + rng.uniform(-0.25, 0.25) for lead in RACE_LEADS]
        outcomes = await asyncio.gather(*(_race_round(stack, make_user, x) for x in leads))
        rounds += zip(leads, outcomes, strict=True)
    print("accept vs expiry (lead s, outcome):", sorted((round(x, 2), o) for x, o in rounds))
    outcomes = [o for _, o in rounds]
    assert "agreed" in outcomes and "expired" in outcomes, rounds
    await assert_ledger_balanced(stack)
