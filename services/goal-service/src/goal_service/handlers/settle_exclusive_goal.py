from __future__ import annotations

from goal_service.domain.exclusive import per_minute_split, settlement_id
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import Settle
from livestream_schemas.goals import EXCLUSIVE_GOAL, GoalEnded


async def settle_exclusive_goal(message: GoalEnded, *, goals: GoalRepository) -> list[Message]:
    """An exclusive session ended (timer or early): pay the streamer for the minutes used,
    refund the rest, as one split settlement of the request's hold.

    Reads the stored goal, whose start and end never change once it has ended, so every
    redelivery sends the very same split under the same settlement id."""
    if message.cls != EXCLUSIVE_GOAL:
        return []
    goal = await goals.get(message.goal_id)
    if goal is None or goal["active"] or goal.get("ended_at") is None:
        return []
    metadata = goal.get("metadata") or {}
    holds = [hold async for hold in goals.counted_holds(str(metadata.get("trigger_goal")))]
    if len(holds) != 1 or holds[0][0] != metadata.get("hold") or holds[0][2] is None:
        raise RuntimeError(f"exclusive goal {goal['_id']} has no single counted hold")
    hold, _, amount = holds[0]
    split = per_minute_split(
        int(amount or 0),
        duration_s=int(metadata.get("prepaid_duration") or 0),
        started=goal["nbf"],
        ended=goal["ended_at"],
    )
    return [
        Settle(
            transaction_id=hold,
            release_amount=split.released,
            settlement_id=settlement_id(hold),
            reason=f"exclusive:{split.minutes_used}/{split.prepaid_minutes}min",
        )
    ]
