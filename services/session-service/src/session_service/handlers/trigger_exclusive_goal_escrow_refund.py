from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.commands import Refund
from livestream_schemas.goals import OUTCOME_AGREED, TRIGGER_EXCLUSIVE_GOAL, GoalEnded
from session_service.ports import SessionRepository, trigger_transaction_id

REASON_NOT_AGREED = "exclusive_not_agreed"


async def trigger_exclusive_goal_escrow_refund(
    message: GoalEnded, *, sessions: SessionRepository
) -> list[Message]:
    """An exclusive request that ended without the streamer agreeing is refunded from escrow."""
    if message.cls != TRIGGER_EXCLUSIVE_GOAL or message.outcome == OUTCOME_AGREED:
        return []  # an agreed request's hold is settled when its exclusive session ends
    transaction_id = trigger_transaction_id(message.goal_id)
    # Refund only a hold the goal counted (its one contribution: the request's payment). A
    # debit that was not counted arrives after the end and goal-service refunds it (the
    # late-debit rule); refunding it here too could spend the wallet's one answer on a hold
    # not there yet. insert_ids: events from before goals kept counters.
    counted = message.contributions > 0 or transaction_id in message.metadata.get("insert_ids", [])
    if not counted:
        return []
    session_id = message.conditions.get("session_id")
    viewer_id = message.conditions.get("exclusive_to")
    session = await sessions.get(str(session_id)) if session_id else None
    if session is not None and session.trigger_agreed(str(viewer_id), message.goal_id):
        return []
    return [Refund(transaction_id=transaction_id, reason=REASON_NOT_AGREED)]
