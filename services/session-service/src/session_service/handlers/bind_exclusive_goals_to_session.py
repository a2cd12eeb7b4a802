from __future__ import annotations

import logging

from livestream_schemas.base import Message
from livestream_schemas.goals import EXCLUSIVE_GOAL, TRIGGER_EXCLUSIVE_GOAL, GoalCreated
from session_service.domain.session import Session
from session_service.handlers._goals import goal_added, session_of
from session_service.ports import SessionRepository

log = logging.getLogger(__name__)


async def bind_exclusive_goals_to_session(
    message: GoalCreated, *, sessions: SessionRepository
) -> list[Message]:
    """Start the viewer's exclusive_goal_pair with a request's goal, or bind the exclusive
    session an accepted request started (the session becomes exclusive); then announce it."""
    viewer_id = message.conditions.get("exclusive_to")
    if message.cls not in (TRIGGER_EXCLUSIVE_GOAL, EXCLUSIVE_GOAL) or not viewer_id:
        return []
    session = await session_of(message, sessions)
    if session is None:
        return []
    if message.cls == EXCLUSIVE_GOAL:
        bound = await _bind_session(message, session, str(viewer_id), sessions)
    else:
        bound = await _bind_request(message, session, str(viewer_id), sessions)
    if not bound:
        log.warning("exclusive goal not bound", extra={"fields": {"goal_id": message.goal_id}})
        return []
    return [goal_added(message, session)]


async def _bind_request(
    message: GoalCreated, session: Session, viewer_id: str, sessions: SessionRepository
) -> bool:
    pair = session.exclusive_goal_pairs.get(viewer_id)
    if pair is not None and pair.trigger_exclusive_goal == message.goal_id:
        return True
    # False when the pair holds another request that is still open: this goal is an older
    # one arriving late, and must not replace the newer request.
    return await sessions.bind_trigger_goal(session.session_id, viewer_id, message.goal_id)


async def _bind_session(
    message: GoalCreated, session: Session, viewer_id: str, sessions: SessionRepository
) -> bool:
    pair = session.exclusive_goal_pairs.get(viewer_id)
    if pair is not None and pair.exclusive_goal == message.goal_id:
        return True
    trigger_goal = str(message.metadata.get("trigger_goal") or "")
    return await sessions.start_exclusive(
        session.session_id, viewer_id, trigger_goal=trigger_goal, exclusive_goal=message.goal_id
    )
