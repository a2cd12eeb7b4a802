"""The two commands an exclusive request sends, and sending them with stable event ids."""

from __future__ import annotations

from datetime import UTC, datetime

from livestream_schemas.base import Message
from livestream_schemas.commands import CreateGoal, Transfer
from livestream_schemas.goals import TRIGGER_EXCLUSIVE_GOAL
from livestream_schemas.tags import TRIGGER_EXCLUSIVE, swag_tag
from service_kit.kafka import derived_event_id
from session_service.ports import EventPublisher, OpenRequest, OpenRequestLocks


class CommandsNotSent(Exception):
    """Kafka did not take the request's commands; nothing was charged."""


async def publish_commands(
    request: OpenRequest, *, publisher: EventPublisher, locks: OpenRequestLocks
) -> None:
    """Send create_goal + transfer, then mark the lock published."""
    # Event ids derive from the goal, so a re-publish (replay after a crash) repeats them.
    cause = f"trigger_exclusive/{request.goal_id}"
    try:
        for index, command in enumerate(commands_for(request)):
            await publisher.publish(
                command, event_id=derived_event_id(cause, index, command.message_type)
            )
    except Exception as exc:
        # The lock stays unpublished: a retry with the same Idempotency-Key sends the
        # commands again (same ids), and without one the lock goes stale soon.
        raise CommandsNotSent(f"{type(exc).__name__}: {exc}") from exc
    await locks.mark_published(request.session_id, request.viewer_id, request.goal_id)


def commands_for(request: OpenRequest) -> list[Message]:
    """create_goal for the request, then the transfer of its price into escrow."""
    viewer, goal_id = request.viewer_id, request.goal_id
    create = CreateGoal.model_validate(
        {
            "goal_id": goal_id,
            "_cls": TRIGGER_EXCLUSIVE_GOAL,
            "active": True,
            "nbf": None,
            "exp": datetime.fromtimestamp(request.exp, UTC),
            "levels": [],
            "context": {"type": "trigger-exclusive", "exclusive_to": viewer},
            "conditions": {"session_id": request.session_id, "exclusive_to": viewer},
            "metadata": {"user_id": request.streamer_id, "prepaid_duration": request.duration},
        }
    )
    transfer = Transfer(
        transaction_id=request.transaction_id,
        from_user_id=viewer,
        to_user_id=None,
        escrow_user_id=request.streamer_id,
        amount=request.amount,
        tags=[swag_tag(request.session_id, TRIGGER_EXCLUSIVE, goal_id)],
        forced=False,
    )
    return [create, transfer]
