"""Session end closes what is open on it, and the reconciliation sweep repairs a refund, a
release or a split that was dead-lettered (SPEC sections 5 and 8), through the running stack."""

from __future__ import annotations

import asyncio

import pytest

from journeys.flows import (
    answer_request,
    buy_tickets,
    end_goal,
    end_session,
    funded_show,
    get_session,
    open_funding_goal,
    open_session,
    show_action,
    trigger_exclusive,
    wait_goal,
    wait_paid,
)
from journeys.kafka_tap import KafkaTap
from journeys.stack import Stack, eventually
from livestream_schemas.tags import SHOW_TICKET, TRIGGER_EXCLUSIVE, swag_tag

pytestmark = pytest.mark.journey
PRICE = 30


async def test_session_end_closes_funding_a_request_and_a_running_session_at_once(
    stack: Stack, make_user
) -> None:  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    buyer = await stack.add_user(make_user("buyer"), 300)
    chosen, waiting = [await stack.add_user(make_user("viewer"), 1_000) for _ in range(2)]
    await stack.wait_users_known(streamer, buyer, chosen, waiting)
    session_id = await open_session(stack, streamer, per_minute=100)

    requests = {}
    for viewer in (chosen, waiting):  # 5 prepaid minutes each: 500 coins
        r = await trigger_exclusive(stack, viewer, session_id, exp_in=300, duration=300)
        assert r.status_code == 202, r.text
        requests[viewer.user_id] = r.json()["goal_id"]
        await wait_paid(stack, streamer, r.json()["goal_id"], session_id)
    accepted = await answer_request(stack, streamer, session_id, chosen.user_id, "accept")
    assert accepted.status_code == 200, accepted.text
    running = accepted.json()["exclusive_goal_id"]
    await wait_goal(stack, streamer, running, state="active")
    # requests may not open while a funding goal is, so the funding goal opens last
    goal_id = await open_funding_goal(stack, streamer, session_id, target=2, ticket_price=PRICE)
    await wait_goal(stack, streamer, goal_id, state="active")
    assert (await buy_tickets(stack, buyer, goal_id, 2)).status_code == 202
    await wait_goal(stack, streamer, goal_id, progress=2)  # funded, were it to end now

    assert (await end_session(stack, chosen, session_id)).status_code == 403
    for _ in range(2):  # a retry closes nothing twice
        r = await end_session(stack, streamer, session_id)
        assert r.status_code == 200 and r.json()["active"] is False

    funding = await wait_goal(stack, streamer, goal_id, state="session_ended")
    assert funding["progress"] == 2  # reached its target, but no show can follow
    await wait_goal(stack, streamer, requests[waiting.user_id], state="session_ended")
    await wait_goal(stack, streamer, running, state="session_ended")

    # within its first minute: the streamer earns 1 of 5 minutes, the rest goes back
    expected = [(buyer, 300), (chosen, 900), (waiting, 1_000), (streamer, 100)]

    async def balances() -> list[int]:
        return [await stack.balance(user.wallet_id) for user, _ in expected]

    async def settled() -> bool:
        return await balances() == [coins for _, coins in expected]

    await eventually(settled, within=45, what="everyone paid or refunded")
    assert await stack.holds(f"livestream.session:{session_id}.") == []
    await asyncio.sleep(3)  # a duplicate settlement would surface here
    assert await balances() == [coins for _, coins in expected]
    await stack.assert_ledger_balanced()
    pairs = (await get_session(stack, streamer, session_id))["show_goal_pairs"]
    assert pairs[-1]["funded"] is False and pairs[-1]["show_goal"] is None
    # an ended session sells nothing and opens nothing
    r = await buy_tickets(stack, buyer, goal_id, 1)
    assert (r.status_code, r.json()["reason"]) == (409, "goal_ended")
    assert (await trigger_exclusive(stack, waiting, session_id)).status_code == 404


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


async def test_a_dead_lettered_split_is_repaired_by_the_sweep(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer = await stack.add_user(make_user("streamer"), 0)
    viewer = await stack.add_user(make_user("viewer"), 1_000)
    await stack.wait_users_known(streamer, viewer)
    session_id = await open_session(stack, streamer, per_minute=100)
    r = await trigger_exclusive(stack, viewer, session_id, exp_in=300, duration=300)
    request_goal = r.json()["goal_id"]
    await wait_paid(stack, streamer, request_goal, session_id)
    swag = swag_tag(session_id, TRIGGER_EXCLUSIVE, request_goal)
    (hold,) = [h["id"] for h in await stack.holds(swag)]

    # the wallet refuses this hold's split for now: the wallet-adapter dead-letters it
    fault = f"{stack.ep.sandbox}/admin/faults/holds/{hold}"
    (await stack.http.put(fault, json={"status": 422, "times": 1000})).raise_for_status()
    async with KafkaTap(stack.ep.kafka, "wallet-adapter.dlq") as dlq:
        accepted = await answer_request(stack, streamer, session_id, viewer.user_id, "accept")
        assert accepted.status_code == 200, accepted.text
        running = accepted.json()["exclusive_goal_id"]
        await wait_goal(stack, streamer, running, state="active")

        async def ended() -> bool:  # once the session-service has bound the session
            end = await answer_request(stack, viewer, session_id, viewer.user_id, "end")
            return end.status_code in (200, 202)

        await eventually(ended, what="exclusive session ended")
        await wait_goal(stack, streamer, running, active=False)

        async def dead_lettered() -> bool:
            return bool(dlq.matching(transaction_id=hold, release_amount=100))

        await eventually(dead_lettered, within=45, what=f"the split of {hold} dead-lettered")
    assert await stack.holds(swag) != []  # still in escrow
    (await stack.http.put(fault, json={"status": 422, "times": 0})).raise_for_status()

    async def split_by_the_sweep() -> bool:
        return await stack.balance(streamer.wallet_id) == 100

    # the local sweep runs every 3 s with a 15 s grace: 1 of 5 prepaid minutes is paid
    await eventually(split_by_the_sweep, within=60, what="the lost split repaired")
    await asyncio.sleep(4)  # another sweep round must not pay anything twice
    assert await stack.balance(streamer.wallet_id) == 100
    assert await stack.balance(viewer.wallet_id) == 900
    (settled,) = await stack.holds_tagged(swag)
    assert (settled["status"], settled["split"]) == ("split", {"release": 100, "refund": 400})
    await stack.assert_ledger_balanced()


async def test_a_dead_lettered_release_is_repaired_by_the_sweep(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    streamer, buyers, session_id, goal_id, show_id = await funded_show(stack, make_user)
    swag = swag_tag(session_id, SHOW_TICKET, goal_id)
    lost = (await stack.holds(swag))[0]["id"]

    # the wallet refuses this ticket's release for now: the wallet-adapter dead-letters it
    fault = f"{stack.ep.sandbox}/admin/faults/holds/{lost}"
    (await stack.http.put(fault, json={"status": 422, "times": 1000})).raise_for_status()
    async with KafkaTap(stack.ep.kafka, "wallet-adapter.dlq") as dlq:
        assert (await show_action(stack, streamer, show_id, "start")).status_code == 202
        await wait_goal(stack, streamer, show_id, state="running")
        assert (await show_action(stack, streamer, show_id, "end")).status_code == 202
        await wait_goal(stack, streamer, show_id, state="completed")

        async def dead_lettered() -> bool:
            return bool(dlq.matching(transaction_id=lost))

        await eventually(dead_lettered, within=45, what=f"the release of {lost} dead-lettered")

    async def only_the_lost_one_open() -> bool:
        # the other tickets' releases are separate commands: their callbacks may land after
        # the lost one's dead letter
        return [h["id"] for h in await stack.holds(swag)] == [lost]

    await eventually(only_the_lost_one_open, within=30, what="every other ticket released")
    (await stack.http.put(fault, json={"status": 422, "times": 0})).raise_for_status()

    async def paid_by_the_sweep() -> bool:
        return await stack.balance(streamer.wallet_id) == 3 * PRICE

    await eventually(paid_by_the_sweep, within=60, what="the lost release repaired")
    await asyncio.sleep(4)  # another sweep round must not pay anything twice
    assert await stack.balance(streamer.wallet_id) == 3 * PRICE
    assert [await stack.balance(b.wallet_id) for b in buyers] == [300 - 2 * PRICE, 300 - PRICE]
    assert await stack.holds(swag) == []
    await stack.assert_ledger_balanced()
