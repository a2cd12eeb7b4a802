"""Session end closes what is open on it, and the reconciliation sweep repairs a refund
that was dead-lettered (SPEC sections 5 and 8), through the running stack."""

from __future__ import annotations

import asyncio

import pytest

from journeys.flows import (
    buy_tickets,
    end_goal,
    end_session,
    get_session,
    open_funding_goal,
    open_session,
    trigger_exclusive,
    wait_goal,
)
from journeys.kafka_tap import KafkaTap
from journeys.stack import Stack, eventually
from livestream_schemas.tags import SHOW_TICKET, swag_tag

pytestmark = pytest.mark.journey
PRICE = 30


async def test_session_end_refunds_funding_and_requests_at_once(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    buyer = await stack.add_user(make_user("buyer"), 300)
    viewer = await stack.add_user(make_user("viewer"), 500)
    await stack.wait_users_known(streamer, buyer, viewer)
    session_id = await open_session(stack, streamer, per_minute=100)

    request = await trigger_exclusive(stack, viewer, session_id, exp_in=300, duration=60)
    assert request.status_code == 202, request.text
    request_goal = request.json()["goal_id"]
    await wait_goal(stack, streamer, request_goal, progress=1)  # paid, in escrow
    goal_id = await open_funding_goal(stack, streamer, session_id, target=2, ticket_price=PRICE)
    await wait_goal(stack, streamer, goal_id, state="active")
    assert (await buy_tickets(stack, buyer, goal_id, 2)).status_code == 202
    await wait_goal(stack, streamer, goal_id, progress=2)  # funded, were it to end now

    assert (await end_session(stack, viewer, session_id)).status_code == 403
    for _ in range(2):  # a retry closes nothing twice
        r = await end_session(stack, streamer, session_id)
        assert r.status_code == 200 and r.json()["active"] is False

    funding = await wait_goal(stack, streamer, goal_id, state="session_ended")
    assert funding["progress"] == 2  # reached its target, but no show can follow
    await wait_goal(stack, streamer, request_goal, state="session_ended")

    async def everyone_refunded() -> bool:
        return (
            await stack.balance(buyer.wallet_id) == 300
            and await stack.balance(viewer.wallet_id) == 500
        )

    await eventually(everyone_refunded, within=45, what="buyer and viewer refunded")
    await asyncio.sleep(3)
    assert await stack.balance(buyer.wallet_id) == 300
    assert await stack.balance(viewer.wallet_id) == 500
    assert await stack.balance(streamer.wallet_id) == 0
    assert await stack.holds(f"livestream.session:{session_id}.") == []
    await stack.assert_ledger_balanced()
    pairs = (await get_session(stack, streamer, session_id))["show_goal_pairs"]
    assert pairs[-1]["funded"] is False and pairs[-1]["show_goal"] is None
    # an ended session sells nothing and opens nothing
    r = await buy_tickets(stack, buyer, goal_id, 1)
    assert (r.status_code, r.json()["detail"]["reason"]) == (409, "goal_ended")
    assert (await trigger_exclusive(stack, viewer, session_id)).status_code == 404


async def test_a_dead_lettered_refund_is_repaired_by_the_sweep(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    buyers = [await stack.add_user(make_user("buyer"), 300) for _ in range(2)]
    await stack.wait_users_known(streamer, *buyers)
    session_id = await open_session(stack, streamer)
    goal_id = await open_funding_goal(stack, streamer, session_id, target=10, ticket_price=PRICE)
    await wait_goal(stack, streamer, goal_id, state="active")
    lost = (await buy_tickets(stack, buyers[0], goal_id, 2)).json()["transaction_id"]
    assert (await buy_tickets(stack, buyers[1], goal_id, 1)).status_code == 202
    await wait_goal(stack, streamer, goal_id, progress=3)

    # the wallet refuses this hold's refund for now: the wallet-adapter dead-letters it
    fault = f"{stack.ep.sandbox}/admin/faults/holds/{lost}"
    (await stack.http.put(fault, json={"status": 422, "times": 1000})).raise_for_status()
    async with KafkaTap(stack.ep.kafka, "wallet-adapter.dlq") as dlq:
        assert (await end_goal(stack, streamer, goal_id)).status_code == 202
        await wait_goal(stack, streamer, goal_id, state="failed")

        async def dead_lettered() -> bool:
            return bool(dlq.matching(transaction_id=lost))

        await eventually(dead_lettered, within=45, what=f"the refund of {lost} dead-lettered")
    (await stack.http.put(fault, json={"status": 422, "times": 0})).raise_for_status()

    async def refunded_by_the_sweep() -> bool:
        return await stack.balance(buyers[0].wallet_id) == 300

    # the local sweep runs every 3 s with a 15 s grace
    await eventually(refunded_by_the_sweep, within=60, what="the lost refund repaired")
    await asyncio.sleep(4)  # another sweep round must not pay anything twice
    assert [await stack.balance(b.wallet_id) for b in buyers] == [300, 300]
    assert await stack.holds(swag_tag(session_id, SHOW_TICKET, goal_id)) == []
    await stack.assert_ledger_balanced()
