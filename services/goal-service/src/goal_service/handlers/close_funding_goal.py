from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from goal_service.clock import utcnow
from goal_service.domain.goal import Doc, end_outcome, ended_event, utc_ms
from goal_service.handlers.schedule_lifecycle_tasks import SESSION_ENDED, close_task_id
from goal_service.ports import EndedSessions, GoalRepository, PurchaseRepository, TaskRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import CloseFundingGoal
from livestream_schemas.envelope import Envelope


@dataclass(frozen=True)
class SettleWindow:
    """How often a closing goal looks again for the purchases it accepted, and for how long."""

    recheck_s: float
    longest_s: float


async def close_funding_goal(
    message: CloseFundingGoal,
    *,
    envelope: Envelope,
    goals: GoalRepository,
    purchases: PurchaseRepository,
    tasks: TaskRepository,
    ended_sessions: EndedSessions,
    window: SettleWindow,
    clock: Callable[[], datetime] = utcnow,
) -> list[Message]:
    """Decide funded or failed once every purchase accepted before the end is counted (or
    the longest settle window is over), and announce goal.ended once."""
    goal = await goals.get(message.goal_id)
    if goal is None:
        return []
    if not goal.get("closing"):
        if goal.get("closed_by") == envelope.event_id:
            return [ended_event(goal)]  # redelivered after a crash lost the announcement
        return []
    now = clock()
    if await _still_landing(goal, goals, purchases) and now < goal["ended_at"] + timedelta(
        seconds=window.longest_s
    ):
        due = utc_ms(now + timedelta(seconds=window.recheck_s))
        task_id = f"{close_task_id(message.goal_id)}:{int(due.timestamp() * 1000)}"
        await tasks.schedule(
            task_id, goal_id=message.goal_id, due_at=due, kind="close_funding_goal"
        )
        return []
    session_id = (goal.get("conditions") or {}).get("session_id")
    requested = goal.get("outcome")
    if not requested and session_id and await ended_sessions.is_ended(str(session_id)):
        requested = SESSION_ENDED  # the session is over: no show can follow
    decided = await goals.close(
        message.goal_id, outcome=end_outcome(goal, requested), closed_by=envelope.event_id
    )
    return [ended_event(decided)] if decided is not None else []


async def _still_landing(goal: Doc, goals: GoalRepository, purchases: PurchaseRepository) -> bool:
    """A purchase accepted before the end whose debit has not been counted yet."""
    accepted = await purchases.accepted_before(goal["_id"], goal["ended_at"])
    waiting = {p["transaction_id"] for p in accepted if not p.get("failed")}
    if not waiting:
        return False
    async for insert_id, _, _ in goals.counted_holds(goal["_id"]):
        waiting.discard(insert_id)
    return bool(waiting)
