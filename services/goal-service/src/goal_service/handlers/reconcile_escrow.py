"""The reconciliation sweep (SPEC section 5): no hold stays in escrow by accident.

A timer body, not a receiver: every worker ticks, one at a time holds the lease
(MongoDB `leases`). It reads the open holds (recorded from the wallet's callbacks by
track_escrow_holds), judges each from its goal and show, and re-sends the refund or
release of every hold whose goal, request, show or session has been over for longer
than the grace period. The wallet settles a transaction id at most once, so re-sending
a command that was only late changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from goal_service.clock import utcnow
from goal_service.domain.escrow import settlement_due
from goal_service.domain.show import RELEASE, show_goal_id
from goal_service.ports import EscrowHolds, EscrowReport, GoalRepository, Leases
from livestream_schemas.base import Message
from livestream_schemas.commands import Refund, Release
from livestream_schemas.goals import SHOW_FUNDING_GOAL

LEASE = "escrow-reconciliation"
Publish = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class SweepConfig:
    holder: str
    grace_s: float
    lease_s: float
    # A hold whose goal this service never created (its create_goal was lost) is
    # refunded once it is this old.
    orphan_grace_s: float = 3600.0
    batch: int = 1000


async def reconcile_escrow(
    *,
    holds: EscrowHolds,
    goals: GoalRepository,
    leases: Leases,
    publish: Publish,
    report: EscrowReport,
    config: SweepConfig,
    clock: Callable[[], datetime] = utcnow,
) -> int:
    """One sweep if this replica holds the lease; returns how many holds it re-settled."""
    now = clock()
    until = now + timedelta(seconds=config.lease_s)
    if not await leases.acquire(LEASE, holder=config.holder, now=now, until=until):
        report.report(holds=0, coins=0, overdue=0, overdue_coins=0)
        return 0
    grace = timedelta(seconds=config.grace_s)
    overdue: list[tuple[Message, int]] = []
    for hold in await holds.open_holds(opened_before=now - grace, limit=config.batch):
        command = await _overdue_command(hold, goals, now=now, config=config)
        if command is None:
            continue
        overdue.append((command, int(hold.get("amount", 0))))
        # Re-sent at most once per grace period: a settlement only slow to land (a busy
        # wallet) must not be buried under copies of itself.
        last = hold.get("reissued_at")
        if last is None or now - last >= grace:
            await publish(command, event_id=uuid.uuid4().hex)
            await holds.mark_reissued(hold["_id"], at=now)
            report.reissued(command.message_type)
    count, coins = await holds.totals()
    report.report(
        holds=count,
        coins=coins,
        overdue=len(overdue),
        overdue_coins=sum(amount for _, amount in overdue),
    )
    return len(overdue)


async def _overdue_command(
    hold: dict[str, Any], goals: GoalRepository, *, now: datetime, config: SweepConfig
) -> Message | None:
    goal = await goals.get(str(hold.get("goal_id")))
    if goal is None:
        orphaned = now - hold["opened_at"] >= timedelta(seconds=config.orphan_grace_s)
        return Refund(transaction_id=hold["_id"], reason="no_goal") if orphaned else None
    grace = timedelta(seconds=config.grace_s)
    show = None
    if goal["_cls"] == SHOW_FUNDING_GOAL:
        show = await goals.get(show_goal_id(goal["_id"]))
    due = settlement_due(hold["_id"], goal, show)
    if due is None or now - due.since < grace:
        return None
    if due.kind == RELEASE:
        return Release(transaction_id=hold["_id"], reason="reconciled")
    return Refund(transaction_id=hold["_id"], reason="reconciled")
