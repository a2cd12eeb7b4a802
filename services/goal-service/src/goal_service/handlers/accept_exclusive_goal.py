from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from goal_service.clock import utcnow
from goal_service.domain.exclusive import refusal, start_command
from goal_service.domain.goal import GoalNotFound, InvalidCommand, ended_event
from goal_service.ports import CountedHold, Doc, GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import AcceptExclusiveGoal
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import OUTCOME_AGREED, TRIGGER_EXCLUSIVE_GOAL

log = logging.getLogger(__name__)


async def accept_exclusive_goal(
    message: AcceptExclusiveGoal,
    *,
    envelope: Envelope,
    goals: GoalRepository,
    clock: Callable[[], datetime] = utcnow,
) -> list[Message]:
    """End a paid, unexpired request as agreed and start its exclusive session.

    This worker is the request goal's only writer, so an accept and the expiry timer (or a
    decline) racing each other are applied one after the other: the first ends the goal,
    the second finds it ended and changes nothing. Refusals write nothing; the caller
    reads the goal to learn who won."""
    goal = await goals.get(message.goal_id)
    if goal is None:
        raise GoalNotFound(message.goal_id)
    if goal["_cls"] != TRIGGER_EXCLUSIVE_GOAL:
        raise InvalidCommand(f"{message.goal_id} is a {goal['_cls']}, not a request")
    hold = await _paid_hold(goals, message.goal_id)
    if goal["active"]:
        why = refusal(goal, paid=hold is not None, now=clock())
        if why or hold is None:
            log.info("accept refused", extra={"fields": {"goal_id": goal["_id"], "why": why}})
            return []
        ended = await goals.end(
            goal["_id"],
            {"active": True},
            now=clock(),
            triggerer=message.triggerer,
            ended_by=envelope.event_id,
            outcome=OUTCOME_AGREED,
        )
        if ended is not None:
            return _agreed(ended, hold)
        goal = await goals.get(message.goal_id) or goal
    # Ended already: by this very command before a crash lost its messages (say them
    # again, rebuilt from the goal), or by something else (nothing to say).
    if goal.get("ended_by") == envelope.event_id and hold is not None:
        return _agreed(goal, hold)
    return []


async def _paid_hold(goals: GoalRepository, goal_id: str) -> CountedHold | None:
    """The request's counted escrow hold (its debit), if it was paid."""
    async for hold in goals.counted_holds(goal_id):
        return hold
    return None


def _agreed(trigger: Doc, hold: CountedHold) -> list[Message]:
    insert_id, _, cost = hold
    return [ended_event(trigger), start_command(trigger, hold=insert_id, amount=int(cost or 0))]
