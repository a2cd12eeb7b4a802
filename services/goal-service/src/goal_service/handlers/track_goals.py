from __future__ import annotations

from goal_service.domain.goal import outcome
from goal_service.ports import AuditLog, LifecycleMetrics
from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import GoalCreated, GoalEnded, GoalProgressed, GoalSnapshot


async def track_goals(
    message: GoalSnapshot, *, envelope: Envelope, audit: AuditLog, metrics: LifecycleMetrics
) -> list[Message]:
    """Audit each lifecycle event once (by event id) and count it in the metrics."""
    entry = {
        "_id": envelope.event_id,
        "type": envelope.type,
        "goal_id": message.goal_id,
        "cls": message.cls,
        "version": message.version,
        "active": message.active,
        "progress": message.progress,
        "occurred_at": envelope.occurred_at,
    }
    if isinstance(message, GoalProgressed):
        entry |= {"amount": message.amount, "cost": message.cost, "insert_id": message.insert_id}
    if isinstance(message, GoalEnded):
        entry["triggerer"] = message.triggerer
        entry["outcome"] = message.outcome
    # Metrics follow the audit insert, so a redelivered event is not counted twice.
    if not await audit.record(entry):
        return []
    if isinstance(message, GoalCreated):
        metrics.created(message.cls)
    elif isinstance(message, GoalProgressed):
        metrics.progressed(message.cls, amount=message.amount, cost=message.cost)
    elif isinstance(message, GoalEnded):
        ended_how = message.outcome or outcome(
            message.cls, message.progress, message.levels, message.triggerer
        )
        metrics.ended(message.cls, outcome=ended_how)
    return []
