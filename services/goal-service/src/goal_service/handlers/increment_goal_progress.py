from __future__ import annotations

from goal_service.domain.goal import GoalNotFound, check_breakdown_id, progressed_event
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
    )
    if updated is not None:
        return [progressed_event(updated, message)]
    goal = await goals.get(message.goal_id)
    if goal is None:
        # Raised so the consumer retries, then dead-letters: the money is held somewhere.
        raise GoalNotFound(message.goal_id)
    if message.insert_id in goal["metadata"].get("insert_ids", []):
        return [progressed_event(goal, message)]
    if goal["active"]:
        raise RuntimeError(f"goal {message.goal_id} changed under the update; retrying")
    # Late debit: the end-of-goal refunds only cover counted insert_ids, so this one
    # is returned here, and never counted.
    return [Refund(transaction_id=message.insert_id, reason="goal_ended")]
