from __future__ import annotations

from collections.abc import Iterator

from goal_service.domain.contributions import Contribution
from goal_service.domain.goal import check_breakdown_id
from goal_service.ports import GoalRepository
from goal_service.usecases.contributions import count_contributions
from livestream_schemas.base import Message
from livestream_schemas.commands import IncrementGoalProgress


async def increment_goal_progress(
    message: IncrementGoalProgress, *, goals: GoalRepository
) -> list[Message]:
    """Count a payment once while its goal counts it (active, or a funding goal's settle
    window for a purchase accepted before the end); refund a payment that came too late."""
    (out,) = await increment_goal_progress_many([message], goals=goals)
    return out


async def increment_goal_progress_many(
    messages: list[IncrementGoalProgress], *, goals: GoalRepository
) -> list[list[Message]]:
    """The same receiver for consecutive commands: one counting round per goal, not per
    payment. Each command gets exactly what it would have got alone."""
    by_goal: dict[str, list[Contribution]] = {}
    for m in messages:
        check_breakdown_id(m.breakdown_id)
        item = Contribution(m.insert_id, m.breakdown_id, m.amount, m.cost, m.accepted_at)
        by_goal.setdefault(m.goal_id, []).append(item)
    results: dict[str, Iterator[Message]] = {}
    for goal_id, items in by_goal.items():
        counted = await count_contributions(goal_id, items, goals=goals)
        results[goal_id] = iter(counted.messages)
    return [[next(results[m.goal_id])] for m in messages]


# The dispatcher derives event ids from the receiver's name: both forms are this receiver.
increment_goal_progress_many.receiver_name = "increment_goal_progress"  # type: ignore[attr-defined]
