from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from livestream_schemas.base import Message
from livestream_schemas.goals import (
    EXCLUSIVE_GOAL,
    OUTCOME_AGREED,
    SHOW_FUNDING_GOAL,
    SHOW_GOAL,
    TRIGGER_EXCLUSIVE_GOAL,
    GoalEnded,
)
from session_service.ports import ExclusiveSlots, OpenRequestLocks, SessionRepository


async def set_embedded_goal_ended(
    message: GoalEnded,
    *,
    sessions: SessionRepository,
    locks: OpenRequestLocks,
    slots: ExclusiveSlots,
    clock: Callable[[], datetime],
) -> list[Message]:
    """Stamp the end of a funding, show, trigger or exclusive goal on its session (never
    overwriting)."""
    session_id = message.conditions.get("session_id")
    if not session_id:
        return []
    viewer_id = message.conditions.get("exclusive_to")
    if message.cls == SHOW_FUNDING_GOAL:
        funded = message.outcome == "funded"
        await _end_funding(str(session_id), message.goal_id, sessions, clock(), funded)
    elif message.cls == SHOW_GOAL:
        await _end_show(str(session_id), message, sessions, clock())
    elif message.cls == TRIGGER_EXCLUSIVE_GOAL and viewer_id:
        agreed = message.outcome == OUTCOME_AGREED
        await sessions.set_trigger_goal_ended(
            str(session_id), str(viewer_id), message.goal_id, clock(), agreed=agreed
        )
        # The request is answered (by expiry or the streamer): the viewer may ask again
        # once the cooldown, measured from the end stamped above, is over (none if agreed).
        await locks.release(str(session_id), str(viewer_id), message.goal_id)
    elif message.cls == EXCLUSIVE_GOAL and viewer_id:
        await sessions.end_exclusive(str(session_id), str(viewer_id), message.goal_id, clock())
        trigger_goal = message.metadata.get("trigger_goal")
        if trigger_goal:
            await slots.release(str(session_id), str(trigger_goal))
    return []


async def _end_show(
    session_id: str, message: GoalEnded, sessions: SessionRepository, now: datetime
) -> None:
    session = await sessions.get(session_id)
    if session is None:
        return
    index = session.show_pair_index_of_show(message.goal_id)
    if index is None:
        # goal.ended overtook the show's goal.created: bind it first, then end it.
        funding_goal = str(message.conditions.get("funding_goal") or "")
        index = session.show_pair_index(funding_goal)
        if index is None:
            return
        await sessions.set_show_goal(session_id, index, funding_goal, message.goal_id)
    await sessions.set_show_ended(session_id, index, message.goal_id, now)


async def _end_funding(
    session_id: str, goal_id: str, sessions: SessionRepository, now: datetime, funded: bool
) -> None:
    session = await sessions.get(session_id)
    if session is None:
        return
    index = session.show_pair_index(goal_id)
    if index is None:
        # goal.ended overtook goal.created (different topics): bind first, so the end
        # is not lost and the session does not stay "funding" forever.
        await sessions.add_show_goal_pair(session_id, goal_id)
        session = await sessions.get(session_id)
        index = session.show_pair_index(goal_id) if session else None
    if session is None or index is None:
        return
    if session.show_goal_pairs[index].funding_ended is None:
        await sessions.set_funding_ended(session_id, index, goal_id, now, funded)
