"""Ticket shows after funding (SPEC section 8) through the running stack: a funded show is
held and ended (the streamer is paid once), cancelled or never started (every buyer is
refunded once), and a purchase accepted a moment before the end still counts."""

from __future__ import annotations

import asyncio

import pytest

from journeys.flows import (
    buy_tickets,
    end_goal,
    end_session,
    funded_show,
    open_funding_goal,
    open_session,
    show_action,
    trigger_exclusive,
    wait_goal,
)
from journeys.stack import PusherClient, Stack, User, eventually
from livestream_schemas.tags import SHOW_TICKET, swag_tag

pytestmark = pytest.mark.journey
PRICE = 30
STREAM_CHANNELS = ("private-stream", "presence-stream", "private-user")


async def watch_stream(ws: PusherClient, streamer: User) -> None:
    for channel in STREAM_CHANNELS:
        await ws.subscribe(f"{channel}@{streamer.user_id}")


async def test_a_show_held_and_ended_pays_the_streamer_once(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer, (a, b), session_id, goal_id, show_id = await funded_show(stack, make_user)
    viewer = await stack.add_user(make_user("viewer"), 500)
    await stack.wait_users_known(viewer)

    # while the show is to come: no exclusive request, no new funding goal on the session
    r = await trigger_exclusive(stack, viewer, session_id)
    assert (r.status_code, r.json()["reason"]) == (403, "show_not_done")
    r = await stack.http.post(
        f"{stack.ep.goal}/goals",
        json={"session_id": session_id, "title": "again", "target": 1, "ticket_price": 1},
        headers=streamer.headers(stack.ep),
    )
    assert (r.status_code, r.json()["reason"]) == (409, "show_not_done")
    # someone else's show, and a show not started yet, cannot be ended
    assert (await show_action(stack, viewer, show_id, "end")).status_code == 404
    assert (await show_action(stack, streamer, show_id, "end")).status_code == 409

    async with PusherClient(stack, streamer) as ws:
        await watch_stream(ws, streamer)
        for _ in range(2):  # a retry gets the same answer
            assert (await show_action(stack, streamer, show_id, "start")).status_code == 202
        await ws.wait_for("show.started", channel=f"private-stream@{streamer.user_id}")
        await wait_goal(stack, streamer, show_id, state="running")
        for _ in range(2):
            assert (await show_action(stack, streamer, show_id, "end")).status_code == 202
        ended = await ws.wait_for("show.ended", channel=f"presence-stream@{streamer.user_id}")
        assert ended["data"]["outcome"] == "completed"
        await ws.wait_for("escrow.released", channel=f"private-user@{streamer.user_id}")

        async def paid() -> bool:
            return await stack.balance(streamer.wallet_id) == 3 * PRICE

        await eventually(paid, within=45, what="the streamer paid for 3 tickets")
        assert (await show_action(stack, streamer, show_id, "end")).status_code == 202
        assert (await show_action(stack, streamer, show_id, "cancel")).status_code == 409
        await asyncio.sleep(3)  # a second payout or a refund would land by now
        assert len(ws.received("escrow.released", channel=f"private-user@{streamer.user_id}")) == 2
    assert await stack.balance(streamer.wallet_id) == 3 * PRICE
    assert [await stack.balance(u.wallet_id) for u in (a, b)] == [300 - 2 * PRICE, 300 - PRICE]
    assert await stack.holds(swag_tag(session_id, SHOW_TICKET, goal_id)) == []
    await stack.assert_ledger_balanced()
    # the show is done: the session takes exclusive requests again
    assert (await trigger_exclusive(stack, viewer, session_id)).status_code == 202


async def test_a_cancelled_show_refunds_every_buyer_once(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer, buyers, session_id, goal_id, show_id = await funded_show(stack, make_user, (1, 2, 1))
    async with PusherClient(stack, streamer) as ws:
        await watch_stream(ws, streamer)
        assert (await show_action(stack, streamer, show_id, "start")).status_code == 202
        await wait_goal(stack, streamer, show_id, state="running")
        assert (await show_action(stack, streamer, show_id, "cancel")).status_code == 202
        cancelled = await ws.wait_for(
            "show.cancelled", channel=f"private-stream@{streamer.user_id}"
        )
        assert cancelled["data"]["outcome"] == "cancelled"
    await assert_refunded_once(stack, streamer, buyers, session_id, goal_id)


async def test_a_show_never_started_is_refunded_at_its_deadline(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer, buyers, session_id, goal_id, show_id = await funded_show(stack, make_user)
    # the local stack gives a show 15 s to start (SHOW_START_DEADLINE_S)
    await wait_goal(stack, streamer, show_id, state="expired")
    assert (await show_action(stack, streamer, show_id, "start")).status_code == 409
    await assert_refunded_once(stack, streamer, buyers, session_id, goal_id)


async def test_ending_the_session_refunds_a_show_still_to_come(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer, buyers, session_id, goal_id, show_id = await funded_show(stack, make_user)
    for _ in range(2):  # a retry refunds nothing twice
        r = await end_session(stack, streamer, session_id)
        assert r.status_code == 200 and r.json()["active"] is False
    # well before its 15 s start deadline: the session's end is what refunds it
    await wait_goal(stack, streamer, show_id, state="session_ended")
    await assert_refunded_once(stack, streamer, buyers, session_id, goal_id)


async def assert_refunded_once(  # type: ignore[no-untyped-def]
    stack: Stack, streamer: User, buyers: list[User], session_id: str, goal_id: str
) -> None:
    async def refunded() -> bool:
        return all([await stack.balance(u.wallet_id) == 300 for u in buyers])

    await eventually(refunded, within=45, what="every buyer refunded")
    await asyncio.sleep(3)  # a second refund would be refused; a release would land by now
    assert [await stack.balance(u.wallet_id) for u in buyers] == [300] * len(buyers)
    assert await stack.balance(streamer.wallet_id) == 0
    assert await stack.holds(swag_tag(session_id, SHOW_TICKET, goal_id)) == []
    await stack.assert_ledger_balanced()


async def test_tickets_bought_a_moment_before_the_end_count(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    buyers = [await stack.add_user(make_user("buyer"), 300) for _ in range(3)]
    await stack.wait_users_known(streamer, *buyers)
    session_id = await open_session(stack, streamer)
    goal_id = await open_funding_goal(stack, streamer, session_id, target=3, ticket_price=PRICE)
    await wait_goal(stack, streamer, goal_id, state="active")

    # accepted (202) just before DELETE: their debits land after the goal stopped selling
    answers = await asyncio.gather(*[buy_tickets(stack, b, goal_id, 1) for b in buyers])
    assert [r.status_code for r in answers] == [202] * 3
    assert (await end_goal(stack, streamer, goal_id)).status_code == 202
    goal = await wait_goal(stack, streamer, goal_id, state="funded")
    assert goal["progress"] == 3
    late = await buy_tickets(stack, buyers[0], goal_id, 1)
    assert (late.status_code, late.json()["reason"]) == (409, "goal_ended")
    holds = await stack.holds(swag_tag(session_id, SHOW_TICKET, goal_id))
    assert sorted(h["amount"] for h in holds) == [PRICE] * 3
