"""Session events (produced by session-service)."""

from __future__ import annotations

from datetime import datetime

from livestream_schemas.base import Message


class SessionEnded(Message):
    """The streamer ended the live session: whatever is still open on it must close."""

    message_type = "session.ended"

    session_id: str
    user_id: str
    ended_at: datetime
