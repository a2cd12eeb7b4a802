"""Buy tickets of a show funding goal: a transfer of coins into the streamer's escrow."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from goal_service.domain.goal import utc_ms
from goal_service.ports import Doc, GoalRepository, PurchaseRepository
from goal_service.usecases.errors import Rejected
from livestream_schemas.base import Message
from livestream_schemas.commands import Transfer
from livestream_schemas.goals import SHOW_FUNDING_GOAL
from livestream_schemas.tags import SHOW_TICKET, swag_tag
from livestream_schemas.transactions import show_ticket_transaction_id
from service_kit.auth import Caller

Publish = Callable[[Message], Awaitable[Any]]


def purchase_id_for(buyer: str, goal_id: str, key: str) -> str:
    return hashlib.sha256(f"{buyer}:{goal_id}:{key}".encode()).hexdigest()[:24]


def transaction_id_for(goal_id: str, purchase_id: str) -> str:
    return show_ticket_transaction_id(goal_id, purchase_id)


async def buy_tickets(
    goal_id: str,
    count: int,
    *,
    key: str | None,
    caller: Caller,
    goals: GoalRepository,
    purchases: PurchaseRepository,
    publish: Publish,
    new_id: Callable[[], str],
    now: datetime,
) -> dict[str, Any]:
    """`now` is read before the goal: a purchase accepted while the goal was active is
    stamped before the goal's end, so its settle window counts it."""
    goal = await goals.get(goal_id)
    if goal is None:
        raise Rejected(404, "goal_not_found", "no goal has this id")
    if goal["_cls"] != SHOW_FUNDING_GOAL:
        raise Rejected(422, "not_a_funding_goal", "tickets are sold for show funding goals only")
    purchase_id = purchase_id_for(caller.user_id, goal_id, key) if key else new_id()
    if key and (earlier := await purchases.get(purchase_id)) is not None:
        return await _replay(earlier, count, goal, purchases=purchases, publish=publish)
    if not goal["active"]:
        raise Rejected(409, "goal_ended", "this goal no longer sells tickets")
    purchase = _new_purchase(goal, purchase_id, caller.user_id, count, now)
    stored, inserted = await purchases.insert_if_absent(purchase)
    if not inserted:  # a concurrent request with the same key won the insert
        return await _replay(stored, count, goal, purchases=purchases, publish=publish)
    await _charge(stored, goal, purchases=purchases, publish=publish)
    return dict(stored["response"])


def _new_purchase(goal: Doc, purchase_id: str, buyer: str, count: int, now: datetime) -> Doc:
    amount = count * int(goal["metadata"]["ticket_price"])
    transaction_id = transaction_id_for(goal["_id"], purchase_id)
    response = {
        "purchase_id": purchase_id,
        "transaction_id": transaction_id,
        "goal_id": goal["_id"],
        "amount": amount,
        "count": count,
    }
    return {
        "_id": purchase_id,
        "goal_id": goal["_id"],
        "buyer": buyer,
        "count": count,
        "amount": amount,
        "transaction_id": transaction_id,
        "response": response,
        "accepted_at": utc_ms(now),
        "published": False,
    }


async def _replay(
    earlier: Doc, count: int, goal: Doc, *, purchases: PurchaseRepository, publish: Publish
) -> dict[str, Any]:
    """Answer a repeated key with the first response; finish a charge a crash cut short."""
    if earlier["count"] != count:
        raise Rejected(422, "idempotency_key_reused", "this key was used for another purchase")
    if not earlier.get("published"):
        # The first attempt never reached Kafka, so its buyer was never answered either.
        if not goal["active"]:
            raise Rejected(409, "goal_ended", "this goal no longer sells tickets")
        await _charge(earlier, goal, purchases=purchases, publish=publish)
    return dict(earlier["response"])


async def _charge(
    purchase: Doc, goal: Doc, *, purchases: PurchaseRepository, publish: Publish
) -> None:
    session_id = (goal.get("conditions") or {}).get("session_id") or goal["metadata"].get(
        "session_id", ""
    )
    # The wallet honours transaction ids, so a second publish of this transfer is harmless.
    await publish(
        Transfer(
            transaction_id=purchase["transaction_id"],
            from_user_id=purchase["buyer"],
            to_user_id=None,
            escrow_user_id=goal["metadata"]["user_id"],
            amount=purchase["amount"],
            tags=[swag_tag(session_id, SHOW_TICKET, goal["_id"])],
        )
    )
    await purchases.mark_published(purchase["_id"])
