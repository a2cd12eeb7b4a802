"""A popular goal against the real store: 20,000 contributions (holds) from 100 users.

Built through the goal.commands worker's own use case (in batches, as its single writer
counts them), not 20,000 HTTP purchases; `make bench` runs 20,000 distinct users through
the worker. Events must stay far below Kafka's 1 MB limit (64 KB here, whatever the goal's
size), and the goal's end must refund every hold.
"""

from __future__ import annotations

import pytest

from goal_service.adapters.escrow import MongoEndedSessions
from goal_service.adapters.goals import MongoGoals
from goal_service.adapters.purchases import MongoPurchases
from goal_service.adapters.tasks import MongoTasks
from goal_service.domain.contributions import Contribution
from goal_service.handlers.close_funding_goal import SettleWindow, close_funding_goal
from goal_service.handlers.create_goal import create_goal
from goal_service.handlers.deactivate_goal import deactivate_goal
from goal_service.handlers.increment_goal_progress import increment_goal_progress
from goal_service.handlers.trigger_show_escrow_refund import trigger_show_escrow_refund
from goal_service.usecases.contributions import count_contributions
from livestream_schemas.base import Message
from livestream_schemas.commands import (
    CloseFundingGoal,
    DeactivateGoal,
    IncrementGoalProgress,
    Refund,
)
from livestream_schemas.envelope import encode
from livestream_schemas.goals import GoalEnded

from .fakes import GOAL_ID, STREAMER, T0, create_command

pytestmark = pytest.mark.integration

HOLDS = 20_000
USERS = 100
BATCH = 2_000
MAX_EVENT_BYTES = 64 * 1024


@pytest.fixture
async def goals(db):  # type: ignore[no-untyped-def]
    repo = MongoGoals(db)
    await repo.ensure_indexes()
    return repo


def wire_size(message: Message) -> int:
    return len(encode(message, key=GOAL_ID).model_dump_json().encode())


async def end_funding_goal(goals: MongoGoals, db) -> GoalEnded:  # type: ignore[no-untyped-def]
    """deactivate_goal, then the close after its settle window, as the worker runs them."""
    tasks = MongoTasks(db)
    deactivate = DeactivateGoal(goal_id=GOAL_ID, filter={"active": True}, triggerer="system")
    envelope = encode(deactivate, key=GOAL_ID)
    assert (
        await deactivate_goal(
            deactivate, envelope=envelope, goals=goals, tasks=tasks, settle_window_s=0
        )
        == []
    )
    close = CloseFundingGoal(goal_id=GOAL_ID)
    (ended,) = await close_funding_goal(
        close,
        envelope=encode(close, key=GOAL_ID),
        goals=goals,
        purchases=MongoPurchases(db),
        tasks=tasks,
        ended_sessions=MongoEndedSessions(db),
        window=SettleWindow(recheck_s=1, longest_s=10),
    )
    assert isinstance(ended, GoalEnded)
    return ended


async def test_a_goal_of_20000_holds_keeps_events_small_and_refunds_every_hold(goals, db) -> None:  # type: ignore[no-untyped-def]
    target = {"levels": [{"title": "Show", "target": 10 * HOLDS}]}  # never funded
    await create_goal(create_command(**target), goals=goals, clock=lambda: T0)
    largest = 0
    for start in range(0, HOLDS - 1, BATCH):
        stop = min(start + BATCH, HOLDS - 1)
        items = [
            Contribution(f"tx-{i}", f"user-{i % USERS}", 1 + i % 3, 10) for i in range(start, stop)
        ]
        counted = await count_contributions(GOAL_ID, items, goals=goals)
        largest = max(largest, *(wire_size(m) for m in counted.messages))
    last = IncrementGoalProgress(
        goal_id=GOAL_ID, amount=1, cost=10, breakdown_id="user-last", insert_id="tx-last"
    )
    (progressed,) = await increment_goal_progress(last, goals=goals)
    ended = await end_funding_goal(goals, db)
    refunds = await trigger_show_escrow_refund(ended, goals=goals)

    assert max(largest, wire_size(progressed), wire_size(ended)) < MAX_EVENT_BYTES
    assert (ended.contributions, ended.contributors) == (HOLDS, USERS + 1)
    assert len(ended.top) == 10 and ended.metadata == {**ended.metadata, "user_id": STREAMER}
    expected = {f"tx-{i}" for i in range(HOLDS - 1)} | {"tx-last"}
    assert all(isinstance(r, Refund) and r.reason == "funding_missed" for r in refunds)
    assert len(refunds) == HOLDS
    assert {r.transaction_id for r in refunds if isinstance(r, Refund)} == expected
