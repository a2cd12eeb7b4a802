"""Every topic, declared once: name, what its messages are keyed by, partitions.

Services take these names as defaults for their settings; the local stack and the
Kubernetes KafkaTopic resources are generated from this list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSpec:
    name: str
    key: str
    carries: tuple[str, ...]
    partitions: int = 3
    retention_hours: int = 168


TOPICS: tuple[TopicSpec, ...] = (
    # Commands. Every write to a goal goes through goal.commands, keyed by goal_id, so
    # one agent applies a goal's changes in order (single writer per aggregate).
    TopicSpec(
        "goal.commands",
        "goal_id",
        (
            "create_goal",
            "deactivate_goal",
            "increment_goal_progress",
            "start_goal",
            "close_funding_goal",
        ),
    ),
    TopicSpec("wallet.commands", "transaction_id", ("transfer", "refund", "release")),
    # events
    TopicSpec("goal.created", "goal_id", ("goal.created",)),
    TopicSpec("goal.added", "session_id", ("goal.added",)),
    TopicSpec("goal.progressed", "goal_id", ("goal.progressed",)),
    TopicSpec("goal.started", "goal_id", ("goal.started",)),
    TopicSpec("goal.ended", "goal_id", ("goal.ended",)),
    TopicSpec("session.ended", "session_id", ("session.ended",)),
    TopicSpec("transaction.created", "id", ("transaction.created",)),
    TopicSpec("transaction.failed", "transaction_id", ("transaction.failed",)),
    TopicSpec("balance.decremented", "user_id", ("balance.decremented",)),
    TopicSpec("balance.incremented", "user_id", ("balance.incremented",)),
    TopicSpec("user.updated", "user_id", ("user.updated",), retention_hours=24 * 30),
)

CONSUMER_GROUPS: tuple[str, ...] = ("goal-service", "session-service", "wallet-adapter", "notifier")


def dlq_topic(group: str) -> str:
    return f"{group}.dlq"


def all_topic_specs() -> tuple[TopicSpec, ...]:
    """Declared topics plus one dead-letter topic per consumer group."""
    dlqs = tuple(
        TopicSpec(dlq_topic(group), "original key", ("dead letter",), retention_hours=24 * 14)
        for group in CONSUMER_GROUPS
    )
    return TOPICS + dlqs
