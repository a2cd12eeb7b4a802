"""The reconciliation sweep (SPEC section 5): no hold stays in escrow by accident.

A timer body, not a receiver: every worker ticks, one at a time holds the lease
(MongoDB `leases`). It reads the open holds (recorded from the wallet's callbacks by
track_escrow_holds), judges each from its goal and the goal that follows it (show,
exclusive session), and re-sends the refund, release or split of every hold whose goal,
request, show or session has been over for longer than the grace period. The wallet
settles a transaction id (a split: its settlement id) at most once, so re-sending a
command that was only late changes nothing. A follow-up goal that was never created (a
funded goal's show, an agreed request's exclusive session) is created again: its id
derives from its goal, so create_goal keeps whichever copy lands first.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from goal_service.clock import utcnow
from goal_service.domain.escrow import (
    BIND_SHOW,
    MISSING_FOLLOW_UP,
    SETTLE,
    START_EXCLUSIVE,
    Due,
    follow_up_id,
    settlement_due,
)
from goal_service.domain.exclusive import settle_command, start_command
from goal_service.domain.goal import ended_event
from goal_service.domain.show import RELEASE, show_command
from goal_service.ports import EscrowHolds, EscrowReport, GoalRepository, Leases
from livestream_schemas.base import Message
from livestream_schemas.commands import Refund, Release

LEASE = "escrow-reconciliation"
Publish = Callable[..., Awaitable[Any]]
Doc = dict[str, Any]


@dataclass(frozen=True)
class SweepConfig:
    holder: str
    grace_s: float
    lease_s: float
    # A hold whose goal this service never created (its create_goal was lost) is
    # refunded once it is this old; a follow-up goal missing this long is created again.
    orphan_grace_s: float = 3600.0
    batch: int = 1000
    # The start deadline of a show bound again, counted from its funding goal's end.
    show_start_within_s: float = 24 * 3600.0


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
    """One sweep if this replica holds the lease; returns how many holds were overdue."""
    now = clock()
    until = now + timedelta(seconds=config.lease_s)
    if not await leases.acquire(LEASE, holder=config.holder, now=now, until=until):
        report.report(holds=0, coins=0, overdue=0, overdue_coins=0)
        return 0
    grace = timedelta(seconds=config.grace_s)
    judge = _Judge(goals, config, now=now)
    overdue: list[int] = []
    sent: set[str] = set()  # one goal's holds share one re-created follow-up goal
    for hold in await holds.open_holds(opened_before=now - grace, limit=config.batch):
        owed = await judge.overdue(hold)
        if owed is None:
            continue
        kind, command = owed
        overdue.append(int(hold.get("amount", 0)))
        # Re-sent at most once per grace period: a settlement only slow to land (a busy
        # wallet) must not be buried under copies of itself.
        last = hold.get("reissued_at")
        if last is not None and now - last < grace:
            continue
        key = f"{command.message_type}:{getattr(command, 'goal_id', hold['_id'])}"
        if key not in sent:
            sent.add(key)
            await publish(command, event_id=uuid.uuid4().hex)
            report.reissued(kind)
        await holds.mark_reissued(hold["_id"], at=now)
    count, coins = await holds.totals()
    report.report(holds=count, coins=coins, overdue=len(overdue), overdue_coins=sum(overdue))
    return len(overdue)


class _Judge:
    """What each open hold is owed; reads each goal (and its counted holds) once a sweep."""

    def __init__(self, goals: GoalRepository, config: SweepConfig, *, now: datetime) -> None:
        self._goals = goals
        self._config = config
        self._now = now
        self._docs: dict[str, Doc | None] = {}
        self._counted: dict[str, dict[str, int]] = {}

    async def overdue(self, hold: Doc) -> tuple[str, Message] | None:
        """(kind, command) for a hold owed a settlement past its grace, else None."""
        goal = await self._get(str(hold.get("goal_id")))
        if goal is None:
            orphaned = self._now - hold["opened_at"] >= self._grace(self._config.orphan_grace_s)
            refund = Refund(transaction_id=hold["_id"], reason="no_goal")
            return ("refund", refund) if orphaned else None
        if goal.get("active") or goal.get("closing"):
            return None  # cheap, before the counted holds are read
        counted = await self._counted_on(goal["_id"])
        follow_up_of = follow_up_id(goal)
        follow_up = await self._get(follow_up_of) if follow_up_of else None
        due = settlement_due(goal, counted=hold["_id"] in counted, follow_up=follow_up)
        if due is None or not self._past_grace(due):
            return None
        amount = counted.get(hold["_id"]) or int(hold.get("amount", 0))
        return due.kind, self._command(due, hold["_id"], amount, goal, follow_up)

    def _command(
        self, due: Due, hold: str, amount: int, goal: Doc, follow_up: Doc | None
    ) -> Message:
        if due.kind == SETTLE and follow_up is not None:
            return settle_command(follow_up, hold=hold, amount=amount)
        if due.kind == START_EXCLUSIVE:
            return start_command(goal, hold=hold, amount=amount)
        if due.kind == BIND_SHOW:
            start_within = self._config.show_start_within_s
            return show_command(
                ended_event(goal), now=goal["ended_at"], start_within_s=start_within
            )
        if due.kind == RELEASE:
            return Release(transaction_id=hold, reason="reconciled")
        return Refund(transaction_id=hold, reason="reconciled")

    def _past_grace(self, due: Due) -> bool:
        # A follow-up goal is created moments after its goal ends, unless a command was
        # lost: give it the orphan grace before creating it again.
        wait = self._config.orphan_grace_s if due.kind in MISSING_FOLLOW_UP else None
        return self._now - due.since >= self._grace(wait or self._config.grace_s)

    @staticmethod
    def _grace(seconds: float) -> timedelta:
        return timedelta(seconds=seconds)

    async def _get(self, goal_id: str) -> Doc | None:
        if goal_id not in self._docs:
            self._docs[goal_id] = await self._goals.get(goal_id)
        return self._docs[goal_id]

    async def _counted_on(self, goal_id: str) -> dict[str, int]:
        if goal_id not in self._counted:
            self._counted[goal_id] = {
                insert_id: int(cost or 0)
                async for insert_id, _, cost in self._goals.counted_holds(goal_id)
            }
        return self._counted[goal_id]
