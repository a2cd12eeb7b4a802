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
