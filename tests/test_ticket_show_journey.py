"""Flow A through the running stack: sell show tickets into escrow, end the funding goal
with DELETE /goals/{id}, keep the escrow when funded, refund every buyer when not."""

from __future__ import annotations

import asyncio

import pytest

from journeys.flows import (
    buy_tickets,
    end_goal,
    get_goal,
    get_session,
    open_funding_goal,
    open_session,
    wait_goal,
)
from journeys.stack import PusherClient, Stack, User, eventually
from livestream_schemas.tags import SHOW_TICKET, swag_tag

pytestmark = pytest.mark.journey
PRICE = 30


async def show(stack: Stack, make_user, buyers: int, balance: int = 300):  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    viewers = [await stack.add_user(make_user("buyer"), balance) for _ in range(buyers)]
    await stack.wait_users_known(*[streamer, *viewers])
    session_id = await open_session(stack, streamer)
    return streamer, viewers, session_id


async def sell(stack: Stack, goal_id: str, purchases: list[tuple[User, int]]) -> None:
    for buyer, count in purchases:
        r = await buy_tickets(stack, buyer, goal_id, count)
        assert r.status_code == 202, r.text


async def test_funded_show_keeps_escrow(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer, (a, b), session_id = await show(stack, make_user, 2)
    async with PusherClient(stack, streamer) as ws:
        for ch in ("private-stream", "presence-stream", "private-user"):
            await ws.subscribe(f"{ch}@{streamer.user_id}")
        goal_id = await open_funding_goal(stack, streamer, session_id, target=4, ticket_price=PRICE)
        await ws.wait_for(
            "goal.added", channel=f"private-stream@{streamer.user_id}", goal_id=goal_id
        )
        await sell(stack, goal_id, [(a, 3), (b, 1)])
        goal = await wait_goal(stack, streamer, goal_id, progress=4)
        assert goal["target"] == 4
        assert [(e["user_id"], e["progress"], e["cost"]) for e in goal["leaderboard"]] == [
            (a.user_id, 3, 3 * PRICE),
            (b.user_id, 1, PRICE),
        ]

        r = await end_goal(stack, streamer, goal_id)
        assert r.status_code == 202, r.text
        for ch in ("private-stream", "presence-stream", "private-user"):
            ended = await ws.wait_for(
                "goal.ended", channel=f"{ch}@{streamer.user_id}", goal_id=goal_id
            )
        assert ended["data"]["goal"]["active"] is False

    await wait_goal(stack, streamer, goal_id, state="funded")

    async def funding_ended() -> bool:
        pairs = (await get_session(stack, streamer, session_id))["show_goal_pairs"]
        return (
            bool(pairs)
            and pairs[-1]["funding_goal"] == goal_id
            and bool(pairs[-1]["funding_ended"])
        )

    await eventually(funding_ended, what="funding_ended on the show_goal_pair")

    await asyncio.sleep(2)  # a wrong refund would land by now
    holds = await stack.holds(swag_tag(session_id, SHOW_TICKET, goal_id))
    assert sorted(h["amount"] for h in holds) == [PRICE, 3 * PRICE]
    assert await stack.balance(a.wallet_id) == 300 - 3 * PRICE
    assert await stack.balance(b.wallet_id) == 300 - PRICE


async def test_missed_target_refunds_every_buyer_once(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer, buyers, session_id = await show(stack, make_user, 3)
    goal_id = await open_funding_goal(stack, streamer, session_id, target=10, ticket_price=PRICE)
    await wait_goal(stack, streamer, goal_id, progress=0)
    async with PusherClient(stack, buyers[0]) as ws:
        await ws.subscribe(f"private-user@{buyers[0].user_id}")
        await sell(stack, goal_id, [(buyers[0], 2), (buyers[1], 1), (buyers[2], 3), (buyers[0], 1)])
        await wait_goal(stack, streamer, goal_id, progress=7)
        assert (await end_goal(stack, streamer, goal_id)).status_code == 202
        await wait_goal(stack, streamer, goal_id, state="failed")

        async def all_refunded() -> bool:
            return all([await stack.balance(u.wallet_id) == 300 for u in buyers])

        await eventually(all_refunded, within=45, what="every buyer refunded")
        await ws.wait_for(
            "escrow.refunded", channel=f"private-user@{buyers[0].user_id}", goal_id=goal_id
        )
        await asyncio.sleep(2)
        assert (
            len(ws.received("escrow.refunded", goal_id=goal_id)) == 2
        )  # two purchases, two refunds
    assert [await stack.balance(u.wallet_id) for u in buyers] == [300, 300, 300]
    assert await stack.holds(swag_tag(session_id, SHOW_TICKET, goal_id)) == []


async def test_delete_is_owner_only_and_ends_once(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer, (buyer,), session_id = await show(stack, make_user, 1)
    intruder = await stack.add_user(make_user("streamer"), 0)
    goal_id = await open_funding_goal(stack, streamer, session_id, target=2, ticket_price=PRICE)
    await wait_goal(stack, streamer, goal_id, state="active")

    r = await end_goal(stack, intruder, goal_id)
    assert r.status_code == 404
    assert (await end_goal(stack, intruder, "0" * 24)).status_code == 404
    assert (await get_goal(stack, streamer, goal_id)).json()["state"] == "active"

    async with PusherClient(stack, streamer) as ws:
        await ws.subscribe(f"private-stream@{streamer.user_id}")
        first, second = await asyncio.gather(
            end_goal(stack, streamer, goal_id), end_goal(stack, streamer, goal_id)
        )
        # Either of the two racing deletes may be the one that ends it; the other may find it
        # ended (404) or be answered the same 202.
        assert sorted([first.status_code, second.status_code]) in ([202, 202], [202, 404])
        await ws.wait_for(
            "goal.ended", channel=f"private-stream@{streamer.user_id}", goal_id=goal_id
        )
        assert (await end_goal(stack, streamer, goal_id)).status_code == 404
        await asyncio.sleep(3)
        assert len(ws.received("goal.ended", goal_id=goal_id)) == 1

    r = await buy_tickets(stack, buyer, goal_id, 1)
    assert r.status_code == 409 and r.json()["reason"] == "goal_ended"
    assert await stack.balance(buyer.wallet_id) == 300


async def test_tickets_racing_the_delete_conserve_every_coin(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer, buyers, session_id = await show(stack, make_user, 4)
    goal_id = await open_funding_goal(stack, streamer, session_id, target=100, ticket_price=PRICE)
    await wait_goal(stack, streamer, goal_id, state="active")
    wallets = [streamer.wallet_id] + [u.wallet_id for u in buyers]
    before = sum([await stack.balance(w) for w in wallets])

    purchases = [buy_tickets(stack, buyers[i % 4], goal_id, 1 + i % 3) for i in range(12)]
    results = await asyncio.gather(
        *purchases[:6], end_goal(stack, streamer, goal_id), *purchases[6:]
    )
    tickets = [r for i, r in enumerate(results) if i != 6]
    assert results[6].status_code == 202
    assert all(r.status_code in (202, 409) for r in tickets), [r.text for r in tickets]
    await wait_goal(stack, streamer, goal_id, state="failed")

    tag = swag_tag(session_id, SHOW_TICKET, goal_id)

    async def settled() -> bool:
        # every accepted purchase is either refunded or was never charged
        return (
            await stack.holds(tag) == []
            and sum([await stack.balance(w) for w in wallets]) == before
        )

    await eventually(settled, within=60, what="escrow for the goal back to zero, coins conserved")
    assert [await stack.balance(u.wallet_id) for u in buyers] == [300] * 4
