from __future__ import annotations

from goal_service.domain.goal import end_outcome, ended_event
from goal_service.handlers.schedule_lifecycle_tasks import SESSION_ENDED
from goal_service.ports import EndedSessions, GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import CloseFundingGoal
from livestream_schemas.envelope import Envelope


async def close_funding_goal(
    message: CloseFundingGoal,
    *,
    envelope: Envelope,
    goals: GoalRepository,
    ended_sessions: EndedSessions,
) -> list[Message]:
    """The settle window is over: decide funded or failed, and announce goal.ended once."""
    goal = await goals.get(message.goal_id)
    if goal is None:
        return []
    if goal.get("closing"):
        session_id = (goal.get("conditions") or {}).get("session_id")
        requested = goal.get("outcome")
        if not requested and session_id and await ended_sessions.is_ended(str(session_id)):
            requested = SESSION_ENDED  # the session is over: no show can follow
        decided = await goals.close(
            message.goal_id, outcome=end_outcome(goal, requested), closed_by=envelope.event_id
        )
        if decided is None:
            return []
        return [ended_event(decided)]
    if goal.get("closed_by") == envelope.event_id:
        return [ended_event(goal)]  # redelivered after a crash lost the announcement
    return []
