"""The only place that builds adapters and wires receivers."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field

from goal_service.adapters.audit import MongoAudit
from goal_service.adapters.escrow import MongoEndedSessions, MongoEscrowHolds, MongoLeases
from goal_service.adapters.goals import MongoGoals
from goal_service.adapters.metrics import EscrowMetrics, GoalMetrics
from goal_service.adapters.purchases import MongoPurchases
from goal_service.adapters.sessions import HttpSessions
from goal_service.adapters.tasks import MongoTasks
from goal_service.config import Settings
from goal_service.handlers.accept_exclusive_goal import accept_exclusive_goal
from goal_service.handlers.bind_show_goal_to_funding_goal import bind_show_goal_to_funding_goal
from goal_service.handlers.close_funding_goal import SettleWindow, close_funding_goal
from goal_service.handlers.create_goal import create_goal
from goal_service.handlers.deactivate_goal import deactivate_goal
from goal_service.handlers.end_goal_on_failed_transfer import end_goal_on_failed_transfer
from goal_service.handlers.end_session_goals import end_session_goals
from goal_service.handlers.increment_goal_progress import (
    increment_goal_progress,
    increment_goal_progress_many,
)
from goal_service.handlers.mark_ticket_purchase_failed import mark_ticket_purchase_failed
from goal_service.handlers.progress_trigger_goals import progress_trigger_goals
from goal_service.handlers.reconcile_escrow import SweepConfig, reconcile_escrow
from goal_service.handlers.schedule_lifecycle_tasks import run_due_tasks, schedule_lifecycle_tasks
from goal_service.handlers.settle_exclusive_goal import settle_exclusive_goal
from goal_service.handlers.settle_show_escrow import settle_show_escrow
from goal_service.handlers.start_goal import start_goal
from goal_service.handlers.track_escrow_holds import track_escrow_holds
from goal_service.handlers.track_goals import track_goals
from goal_service.handlers.trigger_show_escrow_refund import trigger_show_escrow_refund
from service_kit.consumer import BatchHandler, Handler, batch_receiver, receiver
from service_kit.container import BaseContainer
from service_kit.retention import Rule


@dataclass
class Container(BaseContainer):
    settings: Settings
    goals: MongoGoals = field(init=False)
    tasks: MongoTasks = field(init=False)
    purchases: MongoPurchases = field(init=False)
    audit: MongoAudit = field(init=False)
    sessions: HttpSessions = field(init=False)
    metrics: GoalMetrics = field(init=False)
    ended_sessions: MongoEndedSessions = field(init=False)
    holds: MongoEscrowHolds = field(init=False)
    leases: MongoLeases = field(init=False)
    holder: str = field(init=False)  # this process, as the sweep's lease names it

    def __post_init__(self) -> None:
        super().__post_init__()
        self.goals = MongoGoals(self.db)
        self.ended_sessions = MongoEndedSessions(self.db)
        self.holds = MongoEscrowHolds(self.db)
        self.leases = MongoLeases(self.db)
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.tasks = MongoTasks(self.db)
        self.purchases = MongoPurchases(self.db)
        self.audit = MongoAudit(self.db)
        self.sessions = HttpSessions(
            self.settings.session_service_url, timeout_s=self.settings.session_service_timeout_s
        )
        self.metrics = GoalMetrics()

    def retention_rules(self) -> list[Rule]:
        keep = self.settings.retention_days * 86400
        return [
            Rule("goal_tasks", "done_at", keep, {"status": "done"}),
            Rule("goal_audit", "occurred_at", keep),
        ]

    async def ensure_indexes(self) -> None:
        for repo in (self.goals, self.tasks, self.purchases, self.audit):
            await repo.ensure_indexes()

    async def start(self) -> None:
        await self.ensure_indexes()
        await super().start()

    async def close_clients(self) -> None:
        await self.sessions.close()

    async def deactivate_due_goals(self) -> None:
        """Timer body: send deactivate_goal for every lifecycle task that is due."""
        await run_due_tasks(
            tasks=self.tasks,
            publish=self.publisher.publish,
            lease_s=self.settings.scheduler_lease_s,
        )

    async def reconcile_escrow(self) -> None:
        """Timer body: the leased reconciliation sweep over open escrow holds."""
        s = self.settings
        await reconcile_escrow(
            holds=self.holds,
            goals=self.goals,
            leases=self.leases,
            publish=self.publisher.publish,
            report=EscrowMetrics(),
            config=SweepConfig(
                holder=self.holder,
                grace_s=s.escrow_settle_grace_s,
                lease_s=s.escrow_sweep_lease_s,
                orphan_grace_s=s.escrow_orphan_grace_s,
                show_start_within_s=s.show_start_deadline_s,
            ),
        )


def bootstrap(settings: Settings) -> Container:
    return Container(settings)


def routes(c: Container) -> dict[str, Sequence[Handler]]:
    """Message type -> its receivers in this service, in order."""
    s = c.settings
    track = receiver(track_goals, audit=c.audit, metrics=c.metrics)
    holds = receiver(track_escrow_holds, holds=c.holds)
    return {
        "create_goal": [receiver(create_goal, goals=c.goals)],
        "deactivate_goal": [
            receiver(
                deactivate_goal,
                goals=c.goals,
                tasks=c.tasks,
                settle_window_s=s.funding_settle_window_s,
            )
        ],
        "close_funding_goal": [
            receiver(
                close_funding_goal,
                goals=c.goals,
                purchases=c.purchases,
                tasks=c.tasks,
                ended_sessions=c.ended_sessions,
                window=SettleWindow(s.funding_settle_window_s, s.funding_settle_longest_s),
            )
        ],
        "start_goal": [receiver(start_goal, goals=c.goals)],
        "accept_exclusive_goal": [receiver(accept_exclusive_goal, goals=c.goals)],
        "increment_goal_progress": [receiver(increment_goal_progress, goals=c.goals)],
        "balance.decremented": [
            holds,
            receiver(progress_trigger_goals, goals=c.goals, purchases=c.purchases),
        ],
        "balance.incremented": [holds],
        "goal.created": [
            receiver(schedule_lifecycle_tasks, tasks=c.tasks, ended_sessions=c.ended_sessions),
            track,
        ],
        "goal.started": [track],
        "goal.progressed": [track],
        "goal.ended": [
            receiver(trigger_show_escrow_refund, goals=c.goals),
            receiver(bind_show_goal_to_funding_goal, start_within_s=s.show_start_deadline_s),
            receiver(settle_show_escrow, goals=c.goals),
            receiver(settle_exclusive_goal, goals=c.goals),
            track,
        ],
        "session.ended": [
            receiver(end_session_goals, goals=c.goals, ended_sessions=c.ended_sessions)
        ],
        "transaction.failed": [
            receiver(end_goal_on_failed_transfer),
            receiver(mark_ticket_purchase_failed, purchases=c.purchases),
        ],
    }


def batch_routes(c: Container) -> dict[str, BatchHandler]:
    """Receivers that take consecutive messages together (see routes for the single form)."""
    return {"increment_goal_progress": batch_receiver(increment_goal_progress_many, goals=c.goals)}
