from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.goals import SHOW_FUNDING_GOAL, GoalCreated
from session_service.handlers._goals import goal_added, session_of
from session_service.ports import SessionRepository


async def bind_show_goals_to_session(
    message: GoalCreated, *, sessions: SessionRepository
) -> list[Message]:
    """Append a new funding goal to its session's show_goal_pairs, then announce it."""
    if message.cls != SHOW_FUNDING_GOAL:
        return []
    session = await session_of(message, sessions)
    if session is None:
        return []
    if session.show_pair_index(message.goal_id) is None:
        await sessions.add_show_goal_pair(session.session_id, message.goal_id)
    # Already bound (a redelivery) still announces: the first publish may have been lost.
    return [goal_added(message, session)]
