"""Prometheus metrics of the goal lifecycle (fed by the track_goals receiver)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

GOALS_CREATED = Counter("lsg_goals_created_total", "Goals created", ["cls"])
GOALS_ENDED = Counter("lsg_goals_ended_total", "Goals ended, by outcome", ["cls", "outcome"])
GOAL_PROGRESS = Counter("lsg_goal_progress_total", "Progress units counted on goals", ["cls"])
GOAL_COINS = Counter("lsg_goal_contributed_coins_total", "Coins counted towards goals", ["cls"])
# Per worker process: the sum over replicas is the platform's open goals since their start.
GOALS_OPEN = Gauge("lsg_goals_open", "Goals created minus goals ended", ["cls"])


class GoalMetrics:
    def created(self, cls: str) -> None:
        GOALS_CREATED.labels(cls).inc()
        GOALS_OPEN.labels(cls).inc()

    def progressed(self, cls: str, *, amount: int, cost: int) -> None:
        GOAL_PROGRESS.labels(cls).inc(amount)
        GOAL_COINS.labels(cls).inc(cost)

    def ended(self, cls: str, *, outcome: str) -> None:
        GOALS_ENDED.labels(cls, outcome).inc()
        GOALS_OPEN.labels(cls).dec()


# Set by the replica holding the sweep's lease; the others report 0, so max() or sum()
# over replicas is the platform's figure.
ESCROW_OPEN_HOLDS = Gauge("lsg_escrow_open_holds", "Escrow holds the wallet has not settled")
ESCROW_OPEN_COINS = Gauge("lsg_escrow_open_coins", "Coins in escrow holds not yet settled")
ESCROW_OVERDUE_HOLDS = Gauge(
    "lsg_escrow_overdue_holds", "Open holds whose goal, show or session is over past the grace"
)
ESCROW_OVERDUE_COINS = Gauge("lsg_escrow_overdue_coins", "Coins in overdue escrow holds")
# kind: refund, release, settle (a split), or bind_show / start_exclusive (a lost follow-up
# goal created again).
ESCROW_REISSUED = Counter(
    "lsg_escrow_settlements_reissued_total", "Settlements re-sent by the sweep", ["kind"]
)


class EscrowMetrics:
    def report(self, *, holds: int, coins: int, overdue: int, overdue_coins: int) -> None:
        ESCROW_OPEN_HOLDS.set(holds)
        ESCROW_OPEN_COINS.set(coins)
        ESCROW_OVERDUE_HOLDS.set(overdue)
        ESCROW_OVERDUE_COINS.set(overdue_coins)

    def reissued(self, kind: str) -> None:
        ESCROW_REISSUED.labels(kind).inc()
