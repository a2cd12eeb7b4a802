"""The streamer's side of exclusive requests: list the open ones, accept or decline one,
and end a running exclusive session early (the streamer or the viewer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from livestream_schemas.commands import DeactivateGoal
from livestream_schemas.goals import EXCLUSIVE_GOAL, OUTCOME_CLOSED
from session_service.domain.errors import (
    AlreadyExclusive,
    ExclusiveNotRunning,
    NotSessionOwner,
    RequestNotFound,
    SessionNotFound,
)
from session_service.domain.session import ExclusiveGoalPair, Session
from session_service.handlers._trigger_commands import CommandsNotSent
from session_service.ports import (
    EventPublisher,
    ExclusiveSlots,
    GoalRequests,
    OpenRequestLocks,
    SessionRepository,
    Slot,
)

ACCEPT, DECLINE = "accept", "decline"


@dataclass
class RequestDeps:
    sessions: SessionRepository
    locks: OpenRequestLocks
    slots: ExclusiveSlots
    goals: GoalRequests
    publisher: EventPublisher
    clock: Callable[[], datetime]
    slot_stale_s: float


async def list_requests(
    session_id: str, *, caller_id: str, deps: RequestDeps
) -> list[dict[str, Any]]:
    """The session's unanswered requests, oldest first (the streamer's only)."""
    session = await _owned(session_id, caller_id, deps.sessions)
    out = []
    for viewer_id, pair in session.exclusive_goal_pairs.items():
        if not pair.trigger_exclusive_goal or pair.trigger_exclusive_goal_ended is not None:
            continue
        lock = await deps.locks.get(session_id, viewer_id)
        known = lock is not None and lock.goal_id == pair.trigger_exclusive_goal
        out.append(
            {
                "viewer_id": viewer_id,
                "goal_id": pair.trigger_exclusive_goal,
                "amount": lock.amount if known and lock else None,
                "duration": lock.duration if known and lock else None,
                "exp": lock.exp if known and lock else None,
                "requested_at": lock.created_at.isoformat() if known and lock else None,
            }
        )
    return sorted(out, key=lambda r: (r["requested_at"] or "", r["viewer_id"]))


async def answer_request(
    session_id: str,
    viewer_id: str,
    decision: str,
    *,
    caller_id: str,
    authorization: str,
    deps: RequestDeps,
) -> tuple[int, dict[str, Any]]:
    """Accept or decline through goal-service; its answer says which outcome won."""
    session = await _owned(session_id, caller_id, deps.sessions)
    pair = _pair(session, viewer_id)
    goal_id = str(pair.trigger_exclusive_goal)
    # An accept takes the session's one exclusive slot first, unless this request was
    # agreed already (a retry: goal-service answers from the goal, nothing starts twice).
    taking = decision == ACCEPT and pair.trigger_exclusive_goal_agreed is None
    if taking:
        await _take_slot(session, viewer_id, goal_id, deps)
    status, body = await deps.goals.answer(goal_id, decision, authorization=authorization)
    if taking and status != 200 and not _pending(status):
        await deps.slots.release(session_id, goal_id)
    return status, body


async def end_exclusive(
    session_id: str, viewer_id: str, *, caller_id: str, deps: RequestDeps
) -> tuple[int, dict[str, Any]]:
    """End the viewer's exclusive session now; it is settled per minute once it has ended."""
    session = await deps.sessions.get(session_id)
    if session is None:
        raise SessionNotFound(detail="no session with this id")
    if caller_id not in (session.user_id, viewer_id):
        raise NotSessionOwner("not_participant", "only the streamer or the viewer can end it")
    pair = session.exclusive_goal_pairs.get(viewer_id)
    if pair is None or pair.exclusive_goal is None:
        raise ExclusiveNotRunning(detail="no exclusive session with this viewer")
    body = {"session_id": session_id, "viewer_id": viewer_id, "goal_id": pair.exclusive_goal}
    if pair.exclusive_goal_ended is not None:
        return 200, {**body, "state": "ended"}
    end = DeactivateGoal(
        goal_id=pair.exclusive_goal,
        filter={"active": True, "_cls": EXCLUSIVE_GOAL},
        triggerer=caller_id,
        outcome=OUTCOME_CLOSED,
    )
    try:
        await deps.publisher.publish(end)
    except Exception as exc:
        raise CommandsNotSent(f"{type(exc).__name__}: {exc}") from exc
    return 202, {**body, "state": "ending"}


async def _owned(session_id: str, caller_id: str, sessions: SessionRepository) -> Session:
    session = await sessions.get(session_id)
    if session is None:
        raise SessionNotFound(detail="no session with this id")
    if session.user_id != caller_id:
        raise NotSessionOwner(detail="only the streamer answers requests on their session")
    return session


def _pair(session: Session, viewer_id: str) -> ExclusiveGoalPair:
    pair = session.exclusive_goal_pairs.get(viewer_id)
    if pair is None or not pair.trigger_exclusive_goal:
        raise RequestNotFound(detail="this viewer has no request on this session")
    return pair


async def _take_slot(session: Session, viewer_id: str, goal_id: str, deps: RequestDeps) -> None:
    if session.is_exclusive and session.status.exclusive_to != viewer_id:
        raise AlreadyExclusive(detail="the session is already exclusive")
    now = deps.clock()
    slot = Slot(session.session_id, goal_id, viewer_id, now)
    held = await deps.slots.take(slot)
    if held.goal_id == goal_id:
        return
    # A slot left by an accept that never finished (a crash) stops blocking after a while,
    # unless its exclusive session did start.
    stale = now - held.taken_at > timedelta(seconds=deps.slot_stale_s)
    if stale and not session.is_exclusive and await deps.slots.replace(held, slot):
        return
    raise AlreadyExclusive(detail="another request is being accepted")


def _pending(status: int) -> bool:
    """goal-service could not say yet (503): the accept may still win, keep the slot."""
    return status >= 500
