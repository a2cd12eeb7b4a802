from __future__ import annotations

from goal_service.domain.exclusive import settle_command
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.goals import EXCLUSIVE_GOAL, GoalEnded


async def settle_exclusive_goal(message: GoalEnded, *, goals: GoalRepository) -> list[Message]:
    """An exclusive session ended (timer or early): pay the streamer for the minutes used,
    refund the rest, as one split settlement of the request's hold.

    Reads the stored goal, whose start and end never change once it has ended, so every
    redelivery (and the reconciliation sweep) sends the very same split under the same
    settlement id."""
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
    return [settle_command(goal, hold=hold, amount=int(amount or 0))]
