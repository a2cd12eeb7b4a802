"""Open, read and end live sessions (the HTTP edge's session resource)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from session_service.domain.errors import NotSessionOwner, SessionNotFound
from session_service.domain.feed import FeedEntry
from session_service.domain.session import Pricing, Session
from session_service.ports import LivestreamFeed, SessionRepository


async def open_session(
    *,
    owner_id: str,
    title: str,
    pricing: Pricing,
    sessions: SessionRepository,
    clock: Callable[[], datetime],
) -> Session:
    session = Session(
        session_id=secrets.token_hex(12),  # ObjectId-shaped, like every other id here
        user_id=owner_id,
        title=title,
        pricing=pricing,
        created_at=_ms(clock()),
    )
    await sessions.add(session)
    return session


async def read_session(session_id: str, *, sessions: SessionRepository) -> Session:
    session = await sessions.get(session_id)
    if session is None:
        raise SessionNotFound(detail="no session with this id")
    return session


async def end_session(session_id: str, *, caller_id: str, sessions: SessionRepository) -> Session:
    """The owner ends their session; ending an ended session is a no-op."""
    session = await read_session(session_id, sessions=sessions)
    if session.user_id != caller_id:
        raise NotSessionOwner(detail="only the streamer can end their session")
    if session.active:
        await sessions.set_active(session_id, False)
    return session.model_copy(update={"active": False})


async def read_feed(
    session_id: str, *, limit: int, sessions: SessionRepository, feed: LivestreamFeed
) -> list[FeedEntry]:
    """The session's newest feed entries, newest first (404 for an unknown session)."""
    await read_session(session_id, sessions=sessions)
    return await feed.latest(session_id, limit)


def _ms(at: datetime) -> datetime:
    # MongoDB keeps milliseconds; the 201 answer should equal what a later GET returns.
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def session_view(session: Session) -> dict[str, Any]:
    """The JSON shape of a session (GET /sessions/{id} and friends)."""
    return session.model_dump(mode="json")
