from __future__ import annotations

import logging

from livestream_schemas.base import Message
from livestream_schemas.goals import TRIGGER_EXCLUSIVE_GOAL, GoalCreated
from session_service.handlers._goals import goal_added, session_of
from session_service.ports import SessionRepository

log = logging.getLogger(__name__)


async def bind_exclusive_goals_to_session(
    message: GoalCreated, *, sessions: SessionRepository
) -> list[Message]:
    """Start the viewer's exclusive_goal_pair with this request's goal, then announce it."""
    viewer_id = message.conditions.get("exclusive_to")
    if message.cls != TRIGGER_EXCLUSIVE_GOAL or not viewer_id:
        return []
    session = await session_of(message, sessions)
    if session is None:
        return []
    pair = session.exclusive_goal_pairs.get(str(viewer_id))
    already = pair is not None and pair.trigger_exclusive_goal == message.goal_id
    if not already and not await sessions.bind_trigger_goal(
        session.session_id, str(viewer_id), message.goal_id
    ):
        # The pair holds another request that is still open: this goal is an older one
        # arriving late, and must not replace the newer request.
        log.warning("trigger goal not bound", extra={"fields": {"goal_id": message.goal_id}})
        return []
    return [goal_added(message, session)]
