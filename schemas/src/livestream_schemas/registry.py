"""Which payload model belongs to each (type, schema_version)."""

from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.commands import (
    AcceptExclusiveGoal,
    CloseFundingGoal,
    CreateGoal,
    DeactivateGoal,
    IncrementGoalProgress,
    Refund,
    Release,
    Settle,
    StartGoal,
    Transfer,
)
from livestream_schemas.goals import GoalAdded, GoalCreated, GoalEnded, GoalProgressed, GoalStarted
from livestream_schemas.sessions import SessionEnded
from livestream_schemas.wallet import (
    BalanceDecremented,
    BalanceIncremented,
    TransactionCreated,
    TransactionFailed,
    UserUpdated,
)

MESSAGE_TYPES: dict[tuple[str, int], type[Message]] = {
    (model.message_type, model.schema_version): model
    for model in (
        GoalCreated,
        GoalAdded,
        GoalProgressed,
        GoalEnded,
        GoalStarted,
        SessionEnded,
        TransactionCreated,
        TransactionFailed,
        BalanceDecremented,
        BalanceIncremented,
        UserUpdated,
        CreateGoal,
        DeactivateGoal,
        IncrementGoalProgress,
        Transfer,
        Refund,
        Release,
        StartGoal,
        CloseFundingGoal,
        AcceptExclusiveGoal,
        Settle,
    )
}


def payload_model(message_type: str, schema_version: int) -> type[Message]:
    try:
        return MESSAGE_TYPES[(message_type, schema_version)]
    except KeyError:
        raise ValueError(f"unknown message type {message_type!r} v{schema_version}") from None
