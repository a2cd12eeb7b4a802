from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.goals import SHOW_FUNDING_GOAL, SHOW_GOAL, GoalCreated
from session_service.handlers._goals import goal_added, session_of
from session_service.ports import SessionRepository


async def bind_show_goals_to_session(
    message: GoalCreated, *, sessions: SessionRepository
) -> list[Message]:
    """Append a new funding goal to its session's show_goal_pairs, or put a funded goal's
    show (a ShowGoal) into its funding goal's pair; then announce it."""
    if message.cls not in (SHOW_FUNDING_GOAL, SHOW_GOAL):
        return []
    session = await session_of(message, sessions)
    if session is None:
        return []
    if message.cls == SHOW_GOAL:
        funding_goal = str(message.conditions.get("funding_goal") or "")
        index = session.show_pair_index(funding_goal)
        if index is None:
            return []  # not this session's funding goal: nothing to bind the show to
        if session.show_goal_pairs[index].show_goal is None:
            await sessions.set_show_goal(session.session_id, index, funding_goal, message.goal_id)
    elif session.show_pair_index(message.goal_id) is None:
        await sessions.add_show_goal_pair(session.session_id, message.goal_id)
    # Already bound (a redelivery) still announces: the first publish may have been lost.
    return [goal_added(message, session)]
