from __future__ import annotations

from typing import Any

from goal_service.domain.goal import GoalNotFound, check_breakdown_id, progressed_event, utc_ms
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import IncrementGoalProgress, Refund


async def increment_goal_progress(
    message: IncrementGoalProgress, *, goals: GoalRepository
) -> list[Message]:
    """Count a payment once on an active goal; refund a payment that came too late."""
    check_breakdown_id(message.breakdown_id)
    updated = await goals.increment(
        message.goal_id,
        insert_id=message.insert_id,
        breakdown_id=message.breakdown_id,
        amount=message.amount,
        cost=message.cost,
        accepted_at=message.accepted_at,
    )
    if updated is not None:
        return [progressed_event(updated, message)]
    goal = await goals.get(message.goal_id)
    if goal is None:
        # Raised so the consumer retries, then dead-letters: the money is held somewhere.
        raise GoalNotFound(message.goal_id)
    if message.insert_id in goal["metadata"].get("insert_ids", []):
        return [progressed_event(goal, message)]
    if goal["active"] or _countable_while_closing(goal, message):
        raise RuntimeError(f"goal {message.goal_id} changed under the update; retrying")
    # Late debit: the end-of-goal refunds only cover counted insert_ids, so this one
    # is returned here, and never counted.
    return [Refund(transaction_id=message.insert_id, reason="goal_ended")]


def _countable_while_closing(goal: dict[str, Any], message: IncrementGoalProgress) -> bool:
    ended_at = goal.get("ended_at")
    accepted = message.accepted_at
    return bool(goal.get("closing") and accepted and ended_at and utc_ms(accepted) < ended_at)
