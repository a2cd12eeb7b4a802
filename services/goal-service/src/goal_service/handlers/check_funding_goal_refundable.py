from __future__ import annotations

from goal_service.domain.goal import is_funded
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import Refund
from livestream_schemas.goals import SHOW_FUNDING_GOAL


async def check_funding_goal_refundable(goal_id: str, *, goals: GoalRepository) -> list[Message]:
    """Refund every counted ticket hold of an ended, unfunded funding goal.

    Reads the stored goal rather than the event: its insert_ids are final once the goal
    is inactive (late debits are refunded on their own), and the wallet refunds each
    transaction id at most once, so running this again is harmless.
    """
    goal = await goals.get(goal_id)
    if goal is None or goal["active"] or goal["_cls"] != SHOW_FUNDING_GOAL:
        return []
    if is_funded(goal.get("progress", 0), goal.get("levels") or []):
        return []
    insert_ids = goal["metadata"].get("insert_ids", [])
    return [Refund(transaction_id=tid, reason="funding_missed") for tid in insert_ids]
