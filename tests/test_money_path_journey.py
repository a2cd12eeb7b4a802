"""The money path through the running stack: transfer into escrow, signed callbacks,
balance events, refunds, and an adapter restart while the wallet's callbacks are pending."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from journeys.flows import post_callback
from journeys.kafka_tap import KafkaTap
from journeys.stack import Stack, User, eventually
from livestream_schemas.commands import Refund, Transfer
from livestream_schemas.tags import TRIGGER_EXCLUSIVE, escrow_tag, swag_tag
from livestream_schemas.wallet import BalanceDecremented, BalanceIncremented, TransactionFailed

pytestmark = pytest.mark.journey
STACK_SH = Path(__file__).resolve().parents[1] / "deploy/local/stack.sh"
SECRET = os.environ.get("WALLET_CALLBACK_SECRET", "dev-only-wallet-callback-secret")


async def pair(stack: Stack, make_user, balance: int = 1_000) -> tuple[User, User]:  # type: ignore[no-untyped-def]
    viewer = make_user("viewer")
    viewer.tags, viewer.level = ["vip"], 12
    viewer = await stack.add_user(viewer, balance)
    streamer = await stack.add_user(make_user("streamer"), 0)
    await stack.wait_users_known(*(viewer, streamer))
    return viewer, streamer


def escrow_transfer(viewer: User, streamer: User, amount: int) -> Transfer:
    goal_id = uuid.uuid4().hex[:24]
    swag = swag_tag(uuid.uuid4().hex[:24], TRIGGER_EXCLUSIVE, goal_id)
    return Transfer(
        transaction_id=f"session:trigger-exclusive:{goal_id}",
        from_user_id=viewer.user_id,
        escrow_user_id=streamer.user_id,
        amount=amount,
        tags=[swag],
    )


async def settle(seconds: float = 2.0) -> None:
    """Give a duplicate the time to show up before counting."""
    await asyncio.sleep(seconds)


async def test_escrow_transfer_gives_one_balance_event_with_the_seed_fields(
    stack: Stack, make_user
) -> None:  # type: ignore[no-untyped-def]
    viewer, streamer = await pair(stack, make_user)
    transfer = escrow_transfer(viewer, streamer, 250)
    async with (
        KafkaTap(stack.ep.kafka, "balance.decremented") as debits,
        KafkaTap(stack.ep.kafka, "balance.incremented") as credits,
    ):
        await stack.publisher.publish(transfer)
        await stack.publisher.publish(transfer)  # the command redelivered

        async def one() -> list:  # type: ignore[type-arg]
            return debits.matching(transaction_id=transfer.transaction_id)

        (event,) = await eventually(one, what="balance.decremented")
        assert isinstance(event, BalanceDecremented)
        swag = transfer.tags[0]
        assert (event.user_id, event.user_wallet_id, event.amount) == (
            viewer.user_id,
            viewer.wallet_id,
            250,
        )
        assert event.source_user_id is None and event.source_user_wallet_id is None
        assert event.tags == [swag, escrow_tag(streamer.wallet_id, swag)]
        user = event.metadata["user"]
        assert (user.id, user.username, user.tags, user.level) == (
            viewer.user_id,
            viewer.username,
            ["vip"],
            12,
        )

        # the wallet's callback delivered three more times: accepted, no new event
        holds = await stack.holds(swag)
        body = {
            "id": transfer.transaction_id,
            "ts": "2026-11-21T12:00:00Z",
            "fromAccount": viewer.wallet_id,
            "fromAmount": 250,
            "toAccount": None,
            "toAmount": 250,
            "tags": holds[0]["tags"],
        }
        for _ in range(3):
            assert (await post_callback(stack, body, SECRET)).status_code == 200
        assert (await post_callback(stack, body, "forged")).status_code == 401
        assert (await post_callback(stack, body, SECRET, timestamp=1)).status_code == 401
        await settle()
        assert len(debits.matching(transaction_id=transfer.transaction_id)) == 1
        assert credits.matching(transaction_id=transfer.transaction_id) == []  # no destination
    assert await stack.balance(viewer.wallet_id) == 750


async def test_overdraft_is_a_transaction_failed_and_moves_nothing(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    viewer, streamer = await pair(stack, make_user, balance=100)
    transfer = escrow_transfer(viewer, streamer, 101)
    async with KafkaTap(stack.ep.kafka, "transaction.failed") as failures:
        await stack.publisher.publish(transfer)

        async def failed() -> list:  # type: ignore[type-arg]
            return failures.matching(transaction_id=transfer.transaction_id)

        (event,) = await eventually(failed, what="transaction.failed")
    assert isinstance(event, TransactionFailed)
    assert (event.kind, event.reason, event.from_user_id, event.amount) == (
        "transfer",
        "insufficient_funds",
        viewer.user_id,
        101,
    )
    assert await stack.balance(viewer.wallet_id) == 100
    assert await stack.holds(transfer.tags[0]) == []


async def test_refund_delivered_twice_returns_the_coins_once(stack: Stack, make_user) -> None:  # type: ignore[no-untyped-def]
    viewer, streamer = await pair(stack, make_user)
    transfer = escrow_transfer(viewer, streamer, 300)
    await stack.publisher.publish(transfer)

    async def held() -> list:  # type: ignore[type-arg]
        return await stack.holds(transfer.tags[0])

    await eventually(held, what="escrow hold")
    async with KafkaTap(stack.ep.kafka, "balance.incremented") as credits:
        refund = Refund(transaction_id=transfer.transaction_id, reason="test")
        await stack.publisher.publish(refund)
        await stack.publisher.publish(refund)

        async def back() -> bool:
            return await stack.balance(viewer.wallet_id) == 1_000

        await eventually(back, what="refunded")
        await settle()
        (credit,) = [c for c in credits.matching(user_id=viewer.user_id)]
    assert isinstance(credit, BalanceIncremented) and credit.amount == 300
    assert f"refund::{transfer.transaction_id}" in credit.tags
    assert await stack.balance(viewer.wallet_id) == 1_000
    assert await stack.holds(transfer.tags[0]) == []


def stack_sh(*args: str) -> None:
    subprocess.run([str(STACK_SH), *args], check=True, capture_output=True, timeout=120)


async def test_adapter_restart_with_pending_callbacks_loses_and_duplicates_nothing(
    stack: Stack, make_user
) -> None:  # type: ignore[no-untyped-def]
    viewer, streamer = await pair(stack, make_user)
    transfers = [escrow_transfer(viewer, streamer, 10 * (i + 1)) for i in range(5)]
    async with KafkaTap(stack.ep.kafka, "balance.decremented") as debits:
        await asyncio.to_thread(stack_sh, "stop-only", "wallet-adapter.api")
        try:
            for t in transfers:
                await stack.publisher.publish(t)

            async def all_pending() -> bool:
                states = [
                    (await stack.http.get(f"{stack.ep.sandbox}/transactions/{t.transaction_id}"))
                    for t in transfers
                ]
                return all(r.status_code == 200 and r.json()["callbackPending"] for r in states)

            await eventually(all_pending, what="the wallet completed them, callbacks pending")
            await asyncio.sleep(1)
            assert debits.matching(user_id=viewer.user_id) == []  # nothing reported yet
        finally:
            await asyncio.to_thread(stack_sh, "start", "services")

        async def all_reported() -> bool:
            return len(debits.matching(user_id=viewer.user_id)) >= len(transfers)

        await eventually(all_reported, within=60, what="every callback delivered after the restart")
        await settle(3)
        ids = sorted(e.transaction_id for e in debits.matching(user_id=viewer.user_id))  # type: ignore[attr-defined]
    assert ids == sorted(t.transaction_id for t in transfers)
    # Each debited once. Their goals were never created, so the sweep refunds the holds once
    # ESCROW_ORPHAN_GRACE_S has passed (a minute locally; a loaded machine gets there).
    holds = [h for t in transfers for h in await stack.holds_tagged(t.tags[0])]
    assert sorted(h["amount"] for h in holds) == [t.amount for t in transfers]
    assert {h["status"] for h in holds} <= {"open", "refunded"}
    still_held = sum(h["amount"] for h in holds if h["status"] == "open")
    assert await stack.balance(viewer.wallet_id) == 1_000 - still_held


async def test_trace_context_flows_from_the_http_request_through_every_receiver(
    stack: Stack, make_user
) -> None:  # type: ignore[no-untyped-def]
    """The traceparent the API answers with is the trace of the commands and events it caused."""
    from journeys.flows import open_session, trigger_exclusive

    viewer, streamer = await pair(stack, make_user)
    session_id = await open_session(stack, streamer)
    async with (
        KafkaTap(stack.ep.kafka, "goal.added") as added,
        KafkaTap(stack.ep.kafka, "goal.created") as created,
    ):
        r = await trigger_exclusive(stack, viewer, session_id)
        assert r.status_code == 202, r.text
        trace_id = r.headers["traceparent"].split("-")[1]
        goal_id = r.json()["goal_id"]

        async def both() -> bool:
            return bool(added.matching(goal_id=goal_id)) and bool(created.matching(goal_id=goal_id))

        await eventually(both, what="goal.created and goal.added")
        envelopes = [
            e for e, p in [*created.seen, *added.seen] if getattr(p, "goal_id", None) == goal_id
        ]
    spans = {e.trace["traceparent"].split("-")[2] for e in envelopes}
    assert {e.trace["traceparent"].split("-")[1] for e in envelopes} == {trace_id}
    assert len(spans) == len(envelopes), "each hop is a span of its own"
