from __future__ import annotations

from goal_service.handlers.deactivate_goal import deactivate_goal
from goal_service.handlers.end_goal_on_failed_transfer import end_goal_on_failed_transfer
from livestream_schemas.commands import DeactivateGoal
from livestream_schemas.tags import swag_tag
from livestream_schemas.wallet import TransactionFailed

from .fakes import GOAL_ID, SESSION_ID, FakeTasks, envelope_of


def failed(kind: str = "transfer", tag_kind: str = "trigger_exclusive") -> TransactionFailed:
    return TransactionFailed(
        transaction_id=f"session:trigger-exclusive:{GOAL_ID}",
        kind=kind,
        reason="insufficient_funds",
        tags=[swag_tag(SESSION_ID, tag_kind, GOAL_ID)],
    )


async def test_an_unpaid_exclusive_request_is_ended() -> None:
    out = await end_goal_on_failed_transfer(failed())
    assert out == [DeactivateGoal(goal_id=GOAL_ID, filter={"active": True}, triggerer="wallet")]


async def test_failed_ticket_payments_and_refunds_leave_goals_alone() -> None:
    assert await end_goal_on_failed_transfer(failed(tag_kind="show_ticket")) == []
    assert await end_goal_on_failed_transfer(failed(kind="refund")) == []


async def test_redelivery_ends_the_goal_once(goals, clock, seed) -> None:  # type: ignore[no-untyped-def]
    await seed()
    # Worst case: each delivery's command reaches deactivate_goal under its own event id.
    for delivery in ("evt-1", "evt-2"):
        (command,) = await end_goal_on_failed_transfer(failed())
        envelope = envelope_of(command, delivery)
        await deactivate_goal(
            command,
            envelope=envelope,
            goals=goals,
            tasks=FakeTasks(),
            clock=clock,
            settle_window_s=0,
        )
    stored = goals.docs[GOAL_ID]
    assert stored["active"] is False
    assert (stored["version"], stored["ended_by"]) == (2, "evt-1"), "ended by the first only"
