"""Who may request an exclusive session, and when."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from session_service.domain.errors import LivestreamTriggerQuotaExceeded, TriggerForbidden
from session_service.domain.session import ExclusiveGoalPair, Session


def blocked_tag(streamer_id: str) -> str:
    return f"blocked-by:{streamer_id}"


def check_trigger_allowed(
    session: Session,
    *,
    viewer_id: str,
    viewer_tags: Iterable[str],
    now: datetime,
    cooldown_s: int,
) -> None:
    """Raise TriggerForbidden or LivestreamTriggerQuotaExceeded; return when allowed."""
    if viewer_id == session.user_id:
        raise TriggerForbidden("own_session", "a streamer cannot request their own session")
    if blocked_tag(session.user_id) in set(viewer_tags):
        raise TriggerForbidden("blocked_by_streamer", "the streamer blocked this viewer")
    last = session.last_show_goal_pair
    if last is not None and last.funding_ended is None:
        raise TriggerForbidden("funding_not_ended", "the ticket funding is still open")
    if last is not None and last.show_pending:
        raise TriggerForbidden("show_not_done", "the ticket show is still running")
    if session.is_exclusive:
        raise TriggerForbidden("already_exclusive", "the session is already exclusive")
    retry_after = cooldown_remaining_s(
        session.exclusive_goal_pairs.get(viewer_id), now=now, cooldown_s=cooldown_s
    )
    if retry_after > 0:
        raise LivestreamTriggerQuotaExceeded(retry_after)


def cooldown_remaining_s(pair: ExclusiveGoalPair | None, *, now: datetime, cooldown_s: int) -> int:
    """Whole seconds until an unanswered request's cooldown is over (0: not cooling down)."""
    if pair is None or pair.trigger_exclusive_goal_agreed is not None:
        return 0
    ended = pair.trigger_exclusive_goal_ended
    if ended is None:
        return 0
    remaining = (ended + timedelta(seconds=cooldown_s) - now).total_seconds()
    return math.ceil(remaining) if remaining > 0 else 0
