"""POST /sessions/{id}/trigger_exclusive: a viewer pays into escrow for a 1-to-1 session."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from livestream_schemas.base import Message
from livestream_schemas.commands import CreateGoal, Transfer
from livestream_schemas.goals import TRIGGER_EXCLUSIVE_GOAL
from livestream_schemas.tags import TRIGGER_EXCLUSIVE, swag_tag
from service_kit.kafka import derived_event_id
from session_service.config import Settings
from session_service.domain.errors import (
    InvalidRequest,
    RequestAlreadyOpen,
    SessionNotFound,
    TriggerForbidden,
)
from session_service.domain.rules import check_trigger_allowed
from session_service.domain.session import Session
from session_service.ports import (
    BalanceReader,
    EventPublisher,
    OpenRequest,
    OpenRequestLocks,
    SessionRepository,
    UserProfile,
    UserReadModel,
)


class CommandsNotSent(Exception):
    """Kafka did not take the request's commands; nothing was charged."""


@dataclass(frozen=True)
class TriggerExclusive:
    session_id: str
    viewer_id: str
    exp: int
    duration: int
    idempotency_key: str | None = None
    authorization: str | None = None  # forwarded to the balance read


@dataclass
class TriggerDeps:
    settings: Settings
    sessions: SessionRepository
    users: UserReadModel
    locks: OpenRequestLocks
    balances: BalanceReader
    publisher: EventPublisher
    clock: Callable[[], datetime]


async def trigger_exclusive(cmd: TriggerExclusive, deps: TriggerDeps) -> dict[str, object]:
    """Check, lock, then send create_goal + transfer; returns the 202 body."""
    now = deps.clock()
    replayed = await _replay(cmd, deps)
    if replayed is not None:
        return replayed
    _check_expiry(cmd, now, deps.settings)
    if "." in cmd.viewer_id or cmd.viewer_id.startswith("$"):
        # The viewer id becomes a field name (exclusive_goal_pairs.{viewer}) in MongoDB.
        raise TriggerForbidden("unsupported_user_id", "user ids with '.' or a leading '$'")
    session = await deps.sessions.get(cmd.session_id)
    if session is None or not session.active:
        raise SessionNotFound(detail="no active session with this id")
    amount = session.get_exclusive_sd_price(cmd.duration)
    viewer = await deps.users.get(cmd.viewer_id)
    check_trigger_allowed(
        session,
        viewer_id=cmd.viewer_id,
        viewer_tags=viewer.tags if viewer else (),
        now=now,
        cooldown_s=deps.settings.exclusive_cooldown_s,
    )
    existing = await deps.locks.get(cmd.session_id, cmd.viewer_id)
    if existing is not None and not _stale(existing, now, deps.settings):
        raise RequestAlreadyOpen(detail=f"request {existing.goal_id} is still open")
    await _check_funds(cmd, session, viewer, amount, deps)
    request = await _take_lock(_new_request(cmd, session, amount, now), now, deps)
    if not request.published:
        await _publish(request, deps)
    return request.response


async def _replay(cmd: TriggerExclusive, deps: TriggerDeps) -> dict[str, object] | None:
    """A retry with the same Idempotency-Key gets the first answer, never a second charge."""
    if not cmd.idempotency_key:
        return None
    existing = await deps.locks.get(cmd.session_id, cmd.viewer_id)
    if existing is None or existing.idempotency_key != cmd.idempotency_key:
        return None
    if not existing.published:
        # The first attempt locked but crashed before Kafka had both commands.
        await _publish(existing, deps)
    return existing.response


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
        goal_id=new_goal_id(cmd.viewer_id, session.session_id, cmd.idempotency_key),
        amount=amount,
        duration=cmd.duration,
        exp=cmd.exp,
        idempotency_key=cmd.idempotency_key,
        created_at=now,
    )


def new_goal_id(viewer_id: str, session_id: str, idempotency_key: str | None) -> str:
    """24 hex digits; the same request (same Idempotency-Key) always gets the same goal."""
    if not idempotency_key:
        return secrets.token_hex(12)
    material = "\x1f".join((viewer_id, session_id, idempotency_key)).encode()
    return hashlib.sha256(material).hexdigest()[:24]


async def _take_lock(request: OpenRequest, now: datetime, deps: TriggerDeps) -> OpenRequest:
    """Insert the open-request lock; the returned request is the one to answer with."""
    for _ in range(2):  # a second round when the blocking lock vanished in between
        if await deps.locks.take(request):
            return request
        existing = await deps.locks.get(request.session_id, request.viewer_id)
        if existing is None:
            continue
        if request.idempotency_key and existing.idempotency_key == request.idempotency_key:
            return existing  # a concurrent duplicate of this very request
        if _stale(existing, now, deps.settings) and await deps.locks.replace_stale(
            existing, request
        ):
            return request
        raise RequestAlreadyOpen(detail=f"request {existing.goal_id} is still open")
    raise RequestAlreadyOpen(detail="another request is being opened")


def _stale(lock: OpenRequest, now: datetime, settings: Settings) -> bool:
    """A lock whose request can no longer be answered stops blocking the viewer."""
    never_sent = not lock.published and now - lock.created_at > timedelta(
        seconds=settings.unpublished_lock_stale_s
    )
    expired = now.timestamp() > lock.exp + settings.expired_lock_grace_s
    return never_sent or expired


async def _publish(request: OpenRequest, deps: TriggerDeps) -> None:
    # Event ids derive from the goal, so a re-publish (replay after a crash) repeats them.
    cause = f"trigger_exclusive/{request.goal_id}"
    try:
        for index, command in enumerate(commands_for(request)):
            await deps.publisher.publish(
                command, event_id=derived_event_id(cause, index, command.message_type)
            )
    except Exception as exc:
        # The lock stays unpublished: a retry with the same Idempotency-Key sends the
        # commands again (same ids), and without one the lock goes stale soon.
        raise CommandsNotSent(f"{type(exc).__name__}: {exc}") from exc
    await deps.locks.mark_published(request.session_id, request.viewer_id, request.goal_id)


def commands_for(request: OpenRequest) -> list[Message]:
    """create_goal for the request, then the transfer of its price into escrow."""
    viewer, goal_id = request.viewer_id, request.goal_id
    create = CreateGoal.model_validate(
        {
            "goal_id": goal_id,
            "_cls": TRIGGER_EXCLUSIVE_GOAL,
            "active": True,
            "nbf": None,
            "exp": datetime.fromtimestamp(request.exp, UTC),
            "levels": [],
            "context": {"type": "trigger-exclusive", "exclusive_to": viewer},
            "conditions": {"session_id": request.session_id, "exclusive_to": viewer},
            "metadata": {"user_id": request.streamer_id, "prepaid_duration": request.duration},
        }
    )
    transfer = Transfer(
        transaction_id=request.transaction_id,
        from_user_id=viewer,
        to_user_id=None,
        escrow_user_id=request.streamer_id,
        amount=request.amount,
        tags=[swag_tag(request.session_id, TRIGGER_EXCLUSIVE, goal_id)],
        forced=False,
    )
    return [create, transfer]
