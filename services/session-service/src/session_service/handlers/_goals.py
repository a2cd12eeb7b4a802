"""Helpers the goal receivers share: find a goal's session, build goal.added."""

from __future__ import annotations

import logging

from livestream_schemas.goals import GoalAdded, GoalSnapshot
from session_service.domain.session import Session
from session_service.ports import SessionRepository

log = logging.getLogger(__name__)


async def session_of(goal: GoalSnapshot, sessions: SessionRepository) -> Session | None:
    """The session named by the goal's conditions, if it exists and the goal's owner owns it."""
    session_id = goal.conditions.get("session_id")
    session = await sessions.get(str(session_id)) if session_id else None
    if session is None:
        _skip(goal, "no such session")
        return None
    owner = goal.metadata.get("user_id")
    # A goal may only be bound to its own streamer's session; goal-service checks this
    # before creating it, this is the second line.
    if owner is not None and str(owner) != session.user_id:
        _skip(goal, "goal owner does not own the session")
        return None
    return session


def goal_added(goal: GoalSnapshot, session: Session) -> GoalAdded:
    snapshot = goal.model_dump(exclude={"triggerer", "breakdown"})
    return GoalAdded.model_validate(
        {**snapshot, "session_id": session.session_id, "streamer_id": session.user_id}
    )


def _skip(goal: GoalSnapshot, why: str) -> None:
    log.warning(
        "goal not bound",
        extra={"fields": {"goal_id": goal.goal_id, "why": why, "conditions": goal.conditions}},
    )
