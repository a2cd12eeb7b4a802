"""Open, read and end goals at the HTTP edge; only commands leave here, never goal writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from goal_service.domain.goal import state
from goal_service.ports import GoalRepository, SessionDirectory, SessionServiceUnavailable
from goal_service.usecases.errors import Rejected
from livestream_schemas.base import GoalLevel, Message
from livestream_schemas.commands import CreateGoal, DeactivateGoal
from livestream_schemas.goals import SHOW_FUNDING_GOAL
from service_kit.auth import Caller

Publish = Callable[[Message], Awaitable[Any]]
MAX_FUNDING_WINDOW = timedelta(days=7)
MAX_PAGE = 100


@dataclass(frozen=True)
class OpenGoal:
    session_id: str
    title: str
    target: int
    ticket_price: int
    exp: int | None = None  # epoch seconds


def _check_exp(exp: int | None, now: datetime, default_lifetime_s: float) -> datetime:
    """The goal's expiry: as asked, or the default lifetime; never more than 7 days away."""
    if exp is None:
        return now + min(timedelta(seconds=default_lifetime_s), MAX_FUNDING_WINDOW)
    latest = now + MAX_FUNDING_WINDOW
    if exp <= now.timestamp() or exp > latest.timestamp():
        raise Rejected(422, "invalid_exp", "exp must be in the future and at most 7 days away")
    return datetime.fromtimestamp(exp, UTC)


def _check_no_show_pending(session: dict[str, Any]) -> None:
    """No new funding goal while the last one's show is still to come or running."""
    pairs = session.get("show_goal_pairs") or []
    last = pairs[-1] if pairs else {}
    pending = last.get("funded") or last.get("show_goal")
    if pending and not last.get("show_ended"):
        raise Rejected(409, "show_not_done", "the last funded show has not ended yet")


async def _owned_active_session(
    session_id: str, caller: Caller, *, authorization: str, sessions: SessionDirectory
) -> dict[str, Any]:
    try:
        session = await sessions.get(session_id, authorization=authorization)
    except SessionServiceUnavailable as exc:
        raise Rejected(503, "session_service_unavailable", str(exc)) from exc
    owner = (session or {}).get("user_id") or (session or {}).get("streamer_id")
    if session is None or not session.get("active") or owner != caller.user_id:
        raise Rejected(404, "session_not_found", "no active session of yours has this id")
    return session


def _create_command(request: OpenGoal, goal_id: str, *, owner: str, exp: datetime) -> CreateGoal:
    return CreateGoal(
        goal_id=goal_id,
        cls=SHOW_FUNDING_GOAL,
        exp=exp,
        levels=[GoalLevel(title=request.title, target=request.target)],
        conditions={"session_id": request.session_id},
        context={"type": "show-funding"},
        metadata={
            "user_id": owner,
            "session_id": request.session_id,
            "ticket_price": request.ticket_price,
        },
    )


async def open_funding_goal(
    request: OpenGoal,
    *,
    caller: Caller,
    authorization: str,
    sessions: SessionDirectory,
    publish: Publish,
    new_id: Callable[[], str],
    now: datetime,
    default_lifetime_s: float = 24 * 3600,
) -> dict[str, Any]:
    """Ask the worker to create a ShowFundingGoal on the caller's active session."""
    exp = _check_exp(request.exp, now, default_lifetime_s)
    session = await _owned_active_session(
        request.session_id, caller, authorization=authorization, sessions=sessions
    )
    _check_no_show_pending(session)
    goal_id = new_id()
    await publish(_create_command(request, goal_id, owner=caller.user_id, exp=exp))
    return {
        "goal_id": goal_id,
        "_cls": SHOW_FUNDING_GOAL,
        "session_id": request.session_id,
        "title": request.title,
        "target": request.target,
        "ticket_price": request.ticket_price,
        "exp": int(exp.timestamp()),
        "status": "pending",
    }


def _epoch(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value else None


async def read_goal(goal_id: str, *, goals: GoalRepository) -> dict[str, Any]:
    goal = await goals.get(goal_id)
    if goal is None:
        raise Rejected(404, "goal_not_found", "no goal has this id")
    levels = goal.get("levels") or []
    metadata = goal.get("metadata") or {}
    return {
        "goal_id": goal["_id"],
        "_cls": goal["_cls"],
        "active": goal["active"],
        "state": state(goal),
        "outcome": goal.get("outcome"),
        "funding_goal": (goal.get("conditions") or {}).get("funding_goal"),
        "started_at": _epoch(goal.get("started_at")),
        "title": levels[0].get("title", "") if levels else "",
        "progress": goal.get("progress", 0),
        "target": levels[0].get("target") if levels else None,
        "ticket_price": metadata.get("ticket_price"),
        "session_id": (goal.get("conditions") or {}).get("session_id"),
        "streamer_id": metadata.get("user_id"),
        "exp": _epoch(goal.get("exp")),
        "ended_at": _epoch(goal.get("ended_at")),
        "version": goal["version"],
        "contributors": goal.get("contributors", 0),
        # The top N kept on the goal; GET /goals/{id}/leaderboard pages through everyone.
        "leaderboard": [dict(e) for e in goal.get("top") or []],
    }


async def read_leaderboard(
    goal_id: str, *, offset: int, limit: int, goals: GoalRepository
) -> dict[str, Any]:
    """One page of a goal's contributors, most progress first, then most coins."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise Rejected(422, "invalid_page", f"offset >= 0 and 1 <= limit <= {MAX_PAGE}")
    goal = await goals.get(goal_id)
    if goal is None:
        raise Rejected(404, "goal_not_found", "no goal has this id")
    entries = await goals.leaderboard(goal_id, offset=offset, limit=limit)
    total = int(goal.get("contributors", 0))
    more = offset + len(entries) < total
    return {
        "goal_id": goal_id,
        "contributors": total,
        "offset": offset,
        "entries": [{"rank": offset + i + 1, **e} for i, e in enumerate(entries)],
        "next_offset": offset + len(entries) if more else None,
    }


async def end_goal(
    goal_id: str, *, caller: Caller, goals: GoalRepository, publish: Publish
) -> dict[str, Any]:
    """Flow A step 1: the streamer ends their own active goal (others' stay invisible)."""
    goal = await goals.get(goal_id)
    owner = (goal or {}).get("metadata", {}).get("user_id")
    if goal is None or not goal.get("active") or owner != caller.user_id:
        raise Rejected(404, "goal_not_found", "no active goal of yours has this id")
    await publish(
        DeactivateGoal(
            goal_id=goal_id,
            filter={"active": True, "metadata.user_id": caller.user_id},
            triggerer=caller.client_id or caller.user_id,
        )
    )
    return {"goal_id": goal_id, "status": "ending"}
