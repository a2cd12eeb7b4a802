"""POST /sessions/{id}/trigger_exclusive: a viewer pays into escrow for a 1-to-1 session."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from session_service.config import Settings
from session_service.domain.errors import (
    InvalidRequest,
    RequestAlreadyOpen,
    SessionNotFound,
    TriggerForbidden,
)
from session_service.domain.idempotency import StoredAnswer, check_same_request, key_id
from session_service.domain.rules import check_trigger_allowed
from session_service.domain.session import Session
from session_service.handlers._trigger_commands import CommandsNotSent, publish_commands
from session_service.ports import (
    BalanceReader,
    EventPublisher,
    IdempotencyKeys,
    OpenRequest,
    OpenRequestLocks,
    SessionRepository,
    UserProfile,
    UserReadModel,
)

__all__ = ["CommandsNotSent", "TriggerExclusive", "trigger_exclusive"]

ROUTE = "POST /sessions/{session_id}/trigger_exclusive"
ACCEPTED = 202


@dataclass(frozen=True)
class TriggerExclusive:
    session_id: str
    viewer_id: str
    exp: int
    duration: int
    idempotency_key: str | None = None
    authorization: str | None = None  # forwarded to the balance read

    @property
    def body(self) -> dict[str, Any]:
        """What an Idempotency-Key is bound to: the same key with another body is refused."""
        return {"exp": self.exp, "duration": self.duration}

    @property
    def key_id(self) -> str:
        assert self.idempotency_key
        return key_id(
            viewer_id=self.viewer_id,
            route=ROUTE,
            session_id=self.session_id,
            key=self.idempotency_key,
        )


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False  # the stored first answer to an earlier request with this key


@dataclass
class TriggerDeps:
    settings: Settings
    sessions: SessionRepository
    users: UserReadModel
    locks: OpenRequestLocks
    idempotency: IdempotencyKeys
    balances: BalanceReader
    publisher: EventPublisher
    clock: Callable[[], datetime]


async def trigger_exclusive(cmd: TriggerExclusive, deps: TriggerDeps) -> Answer:
    """Check, lock, remember the answer, then send create_goal + transfer."""
    now = deps.clock()
    replayed = await _replay(cmd, now, deps)
    if replayed is not None:
        return replayed
    _check_expiry(cmd, now, deps.settings)
    if "." in cmd.viewer_id or cmd.viewer_id.startswith("$"):
        # The viewer id becomes a field name (exclusive_goal_pairs.{viewer}) in MongoDB.
        raise TriggerForbidden("unsupported_user_id", "user ids with '.' or a leading '$'")
    session = await deps.sessions.get(cmd.session_id)
    if session is None or not session.active:
        raise SessionNotFound(detail="no active session with this id")
    viewer = await deps.users.get(cmd.viewer_id)
    check_trigger_allowed(
        session,
        viewer_id=cmd.viewer_id,
        viewer_tags=viewer.tags if viewer else (),
        now=now,
        cooldown_s=deps.settings.exclusive_cooldown_s,
    )
    # SPEC §4 order: who may ask (403/429) before what it costs (422), before the balance.
    amount = session.get_exclusive_sd_price(cmd.duration)
    existing = await deps.locks.get(cmd.session_id, cmd.viewer_id)
    if existing is not None and not _stale(existing, now, deps.settings):
        raise RequestAlreadyOpen(detail=f"request {existing.goal_id} is still open")
    await _check_funds(cmd, session, viewer, amount, deps)
    request = await _take_lock(cmd, _new_request(cmd, session, amount, now), now, deps)
    return await _answer(cmd, request, now, deps)


async def _replay(cmd: TriggerExclusive, now: datetime, deps: TriggerDeps) -> Answer | None:
    """A retry with the same Idempotency-Key gets the first answer, never a second charge."""
    if not cmd.idempotency_key:
        return None
    stored = await deps.idempotency.get(cmd.key_id, now=now)
    if stored is not None:
        stored.check_same_request(cmd.body)
        await _finish_cut_short(stored, now, deps)
        return Answer(stored.status, stored.body, replayed=True)
    # No answer stored yet: the first attempt may have stopped right after taking the lock.
    # Nothing of it reached Kafka then (the answer is stored before the commands go out),
    # so once its expiry has passed it is simply over and this is a new request.
    lock = await deps.locks.get(cmd.session_id, cmd.viewer_id)
    if lock is None or lock.idempotency_key != cmd.idempotency_key or _past(lock, now):
        return None
    check_same_request(_body_of(lock), cmd.body)
    answer = await _answer(cmd, lock, now, deps)
    return Answer(answer.status, answer.body, replayed=True)


async def _answer(
    cmd: TriggerExclusive, request: OpenRequest, now: datetime, deps: TriggerDeps
) -> Answer:
    """Store the answer under the key first, so from then on every retry gets this one."""
    answer = Answer(ACCEPTED, request.response)
    if cmd.idempotency_key:
        stored = await deps.idempotency.put(_stored(cmd, answer, now, deps.settings), now=now)
        answer = Answer(stored.status, stored.body)
    if not request.published:
        await publish_commands(request, publisher=deps.publisher, locks=deps.locks)
    return answer


async def _finish_cut_short(stored: StoredAnswer, now: datetime, deps: TriggerDeps) -> None:
    """Send the commands a crash kept from Kafka, if the lock still holds this request.

    A lock that moved on (the request ended, or it went stale and another took its place)
    is left alone: its commands may have gone out, and sending them now could open a
    second request; so is one past its expiry. The stored answer is what the key gets."""
    lock = await deps.locks.get(stored.session_id, stored.viewer_id)
    if lock is None or lock.published or lock.goal_id != stored.body.get("goal_id"):
        return
    if not _past(lock, now):
        await publish_commands(lock, publisher=deps.publisher, locks=deps.locks)


def _stored(
    cmd: TriggerExclusive, answer: Answer, now: datetime, settings: Settings
) -> StoredAnswer:
    return StoredAnswer(
        key_id=cmd.key_id,
        viewer_id=cmd.viewer_id,
        session_id=cmd.session_id,
        route=ROUTE,
        request=cmd.body,
        status=answer.status,
        body=answer.body,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.idempotency_key_ttl_s),
    )


def _body_of(request: OpenRequest) -> dict[str, Any]:
    return {"exp": request.exp, "duration": request.duration}


def _check_expiry(cmd: TriggerExclusive, now: datetime, settings: Settings) -> None:
    latest = now + timedelta(seconds=settings.max_exclusive_request_s)
    if cmd.exp <= now.timestamp():
        raise InvalidRequest("invalid_exp", "exp must be in the future")
    if cmd.exp > latest.timestamp():
        raise InvalidRequest(
            "invalid_exp", f"exp may be at most {settings.max_exclusive_request_s} s ahead"
        )


async def _check_funds(
    cmd: TriggerExclusive,
    session: Session,
    viewer: UserProfile | None,
    amount: int,
    deps: TriggerDeps,
) -> None:
    # The wallet-adapter resolves both wallets from its own read model; checking ours
    # first avoids sending a transfer it can only refuse.
    if viewer is None or await deps.users.get(session.user_id) is None:
        raise TriggerForbidden("unknown_wallet", "viewer or streamer has no known wallet")
    balance = await deps.balances.balance(cmd.viewer_id, authorization=cmd.authorization)
    if balance is None:
        raise TriggerForbidden("unknown_wallet", "the wallet does not know this viewer")
    if balance < amount:
        raise TriggerForbidden("insufficient_balance", f"costs {amount}, balance {balance}")


def _new_request(
    cmd: TriggerExclusive, session: Session, amount: int, now: datetime
) -> OpenRequest:
    return OpenRequest(
        session_id=session.session_id,
        viewer_id=cmd.viewer_id,
        streamer_id=session.user_id,
        # Random, not derived from the key: the stored answer carries a key's goal id, so a
        # key used again after its record expired opens a new request, not a dead duplicate.
        goal_id=secrets.token_hex(12),
        amount=amount,
        duration=cmd.duration,
        exp=cmd.exp,
        idempotency_key=cmd.idempotency_key,
        created_at=now,
    )


async def _take_lock(
    cmd: TriggerExclusive, request: OpenRequest, now: datetime, deps: TriggerDeps
) -> OpenRequest:
    """Insert the open-request lock; the returned request is the one to answer with."""
    for _ in range(2):  # a second round when the blocking lock vanished in between
        if await deps.locks.take(request):
            return request
        existing = await deps.locks.get(request.session_id, request.viewer_id)
        if existing is None:
            continue
        if request.idempotency_key and existing.idempotency_key == request.idempotency_key:
            check_same_request(_body_of(existing), cmd.body)
            return existing  # a concurrent duplicate of this very request
        if _stale(existing, now, deps.settings) and await deps.locks.replace_stale(
            existing, request
        ):
            return request
        raise RequestAlreadyOpen(detail=f"request {existing.goal_id} is still open")
    raise RequestAlreadyOpen(detail="another request is being opened")


def _past(lock: OpenRequest, now: datetime) -> bool:
    return now.timestamp() >= lock.exp


def _stale(lock: OpenRequest, now: datetime, settings: Settings) -> bool:
    """A lock whose request can no longer be answered stops blocking the viewer."""
    never_sent = not lock.published and now - lock.created_at > timedelta(
        seconds=settings.unpublished_lock_stale_s
    )
    expired = now.timestamp() > lock.exp + settings.expired_lock_grace_s
    return never_sent or expired
