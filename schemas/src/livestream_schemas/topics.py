"""Every topic, declared once: name, what its messages are keyed by, partitions.

Services take these names as defaults for their settings; the local stack and the
Kubernetes KafkaTopic resources are generated from this list.
"""

from __future__ import annotations

from dataclasses import dataclass

GOAL, SESSION, WALLET, NOTIFIER = "goal-service", "session-service", "wallet-adapter", "notifier"
CONSUMER_GROUPS: tuple[str, ...] = (GOAL, SESSION, WALLET, NOTIFIER)


@dataclass(frozen=True)
class TopicSpec:
    """A topic, and which services write and read it: the Kafka ACLs are generated from this
    (deploy/k8s/generate.py), and deploy/tests checks it against what the code publishes."""

    name: str
    key: str
    carries: tuple[str, ...]
    # At least as many as worker processes per service; 6 leaves room for 2-3 workers each.
    partitions: int = 6
    retention_hours: int = 168
    producers: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()


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
            "accept_exclusive_goal",
        ),
        producers=(GOAL, SESSION),
        consumers=(GOAL,),
    ),
    TopicSpec(
        "wallet.commands",
        "transaction_id",
        ("transfer", "refund", "release", "settle"),
        producers=(GOAL, SESSION),
        consumers=(WALLET,),
    ),
    # events
    TopicSpec(
        "goal.created", "goal_id", ("goal.created",), producers=(GOAL,), consumers=(GOAL, SESSION)
    ),
    TopicSpec(
        "goal.added",
        "session_id",
        ("goal.added",),
        producers=(SESSION,),
        consumers=(SESSION, NOTIFIER),
    ),
    TopicSpec(
        "goal.progressed",
        "goal_id",
        ("goal.progressed",),
        producers=(GOAL,),
        consumers=(GOAL, NOTIFIER),
    ),
    TopicSpec(
        "goal.started",
        "goal_id",
        ("goal.started",),
        producers=(GOAL,),
        consumers=(GOAL, NOTIFIER),
    ),
    TopicSpec(
        "goal.ended",
        "goal_id",
        ("goal.ended",),
        producers=(GOAL,),
        consumers=(GOAL, SESSION, NOTIFIER),
    ),
    TopicSpec(
        "session.ended",
        "session_id",
        ("session.ended",),
        producers=(SESSION,),
        consumers=(GOAL,),
    ),
    TopicSpec(
        "transaction.created",
        "id",
        ("transaction.created",),
        producers=(WALLET,),
        consumers=(WALLET,),
    ),
    TopicSpec(
        "transaction.failed",
        "transaction_id",
        ("transaction.failed",),
        producers=(WALLET,),
        consumers=(GOAL, NOTIFIER),
    ),
    TopicSpec(
        "balance.decremented",
        "user_id",
        ("balance.decremented",),
        producers=(WALLET,),
        consumers=(GOAL, NOTIFIER),
    ),
    TopicSpec(
        "balance.incremented",
        "user_id",
        ("balance.incremented",),
        producers=(WALLET,),
        consumers=(GOAL, NOTIFIER),
    ),
    # Written by the platform (fixtures locally), by none of our services.
    TopicSpec(
        "user.updated",
        "user_id",
        ("user.updated",),
        retention_hours=24 * 30,
        consumers=(SESSION, WALLET, NOTIFIER),
    ),
)


def dlq_topic(group: str) -> str:
    return f"{group}.dlq"


def all_topic_specs() -> tuple[TopicSpec, ...]:
    """Declared topics plus one dead-letter topic per consumer group."""
    # Read by operators only (service_kit.admin redrive), as the operator KafkaUser.
    dlqs = tuple(
        TopicSpec(
            dlq_topic(group),
            "original key",
            ("dead letter",),
            retention_hours=24 * 14,
            producers=(group,),
        )
        for group in CONSUMER_GROUPS
    )
    return TOPICS + dlqs
