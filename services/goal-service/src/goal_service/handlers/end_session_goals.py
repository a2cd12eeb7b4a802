from __future__ import annotations

from goal_service.handlers.schedule_lifecycle_tasks import SESSION_ENDED
from goal_service.ports import EndedSessions, GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import DeactivateGoal
from livestream_schemas.sessions import SessionEnded


async def end_session_goals(
    message: SessionEnded, *, goals: GoalRepository, ended_sessions: EndedSessions
) -> list[Message]:
    """The session ended: every goal still open on it ends, as session_ended (SPEC §8).

    Funding goals then refund (no show can follow), open requests refund, a pending show
    refunds, a running exclusive session is settled by its own goal.ended receiver. The
    session is remembered first, so a goal created or decided later ends too."""
    await ended_sessions.mark_ended(message.session_id, at=message.ended_at)
    return [
        DeactivateGoal(
            goal_id=goal["_id"],
            filter={"active": True},
            triggerer="session",
            outcome=SESSION_ENDED,
        )
        for goal in await goals.open_on_session(message.session_id)
        if goal.get("active")
    ]
