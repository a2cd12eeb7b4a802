"""Open, read and end live sessions (the HTTP edge's session resource)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from livestream_schemas.sessions import SessionEnded
from service_kit.kafka import derived_event_id
from session_service.domain.errors import NotSessionOwner, SessionNotFound
from session_service.domain.feed import FeedEntry
from session_service.domain.session import Pricing, Session
from session_service.handlers._trigger_commands import CommandsNotSent
from session_service.ports import EventPublisher, LivestreamFeed, SessionRepository


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


async def end_session(
    session_id: str,
    *,
    caller_id: str,
    sessions: SessionRepository,
    events: EventPublisher,
    clock: Callable[[], datetime],
) -> Session:
    """The owner ends their session, and session.ended closes what is open on it.

    Ending an ended session announces it again (same event id): a retry after a crash
    between the write and the publish still closes everything."""
    session = await read_session(session_id, sessions=sessions)
    if session.user_id != caller_id:
        raise NotSessionOwner(detail="only the streamer can end their session")
    if session.active:
        await sessions.set_active(session_id, False)
    ended = SessionEnded(session_id=session_id, user_id=session.user_id, ended_at=_ms(clock()))
    try:
        await events.publish(
            ended, event_id=derived_event_id(f"session_end/{session_id}", 0, ended.message_type)
        )
    except Exception as exc:
        raise CommandsNotSent(f"{type(exc).__name__}: {exc}") from exc
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


def session_view(session: Session, *, viewer_id: str) -> dict[str, Any]:
    """The JSON shape of a session as `viewer_id` may see it (GET /sessions/{id} and friends).

    Who paid for an exclusive request, and when, is the owner's and that viewer's business:
    anyone else sees no exclusive pairs and no `exclusive_to`.
    """
    view = session.model_dump(mode="json")
    if viewer_id == session.user_id:
        return view
    view["exclusive_goal_pairs"] = {
        viewer: pair for viewer, pair in view["exclusive_goal_pairs"].items() if viewer == viewer_id
    }
    if view["status"]["exclusive_to"] != viewer_id:
        view["status"]["exclusive_to"] = None
    return view


def feed_view(entry: FeedEntry, *, viewer_id: str) -> dict[str, Any]:
    """A feed entry as `viewer_id` may see it: a request's viewer only for them and the owner."""
    view = entry.view()
    if "exclusive_to" in view and viewer_id not in (entry.streamer_id, entry.exclusive_to):
        view["exclusive_to"] = None
    return view
