from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.commands import DeactivateGoal
from livestream_schemas.tags import TRIGGER_EXCLUSIVE, find_swag
from livestream_schemas.wallet import TransactionFailed


async def end_goal_on_failed_transfer(message: TransactionFailed) -> list[Message]:
    """An exclusive request the wallet would not pay for must not stay open."""
    if message.kind != "transfer":
        return []
    swag = find_swag(message.tags, TRIGGER_EXCLUSIVE)
    if swag is None:
        return []
    return [DeactivateGoal(goal_id=swag.goal_id, filter={"active": True}, triggerer="wallet")]
