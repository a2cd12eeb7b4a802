"""The streamer answers an exclusive request (accept or decline) and learns who won.

The edge never writes the goal: it checks what it can, sends the command to the goal's
single writer, then reads the goal until it has ended and answers from its outcome. An
accept racing the expiry timer therefore gets the outcome the worker actually applied.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from goal_service.domain.exclusive import exclusive_goal_id, refusal
from goal_service.ports import Doc, GoalRepository
from goal_service.usecases.errors import Rejected
from livestream_schemas.base import Message
from livestream_schemas.commands import AcceptExclusiveGoal, DeactivateGoal
from livestream_schemas.goals import OUTCOME_AGREED, OUTCOME_DECLINED, TRIGGER_EXCLUSIVE_GOAL
from service_kit.auth import Caller

Publish = Callable[[Message], Awaitable[Any]]
ACCEPT, DECLINE = "accept", "decline"
_WANTED = {ACCEPT: OUTCOME_AGREED, DECLINE: OUTCOME_DECLINED}


async def answer_request(
    goal_id: str,
    decision: str,
    *,
    caller: Caller,
    goals: GoalRepository,
    publish: Publish,
    now: datetime,
    wait_s: float,
    poll_s: float = 0.1,
) -> dict[str, Any]:
    """200 with the outcome the caller asked for; 409 with the one that won instead."""
    goal = await _own_request(goal_id, caller, goals)
    if goal["active"]:
        if decision == ACCEPT:
            why = refusal(goal, paid=goal.get("progress", 0) >= 1, now=now)
            if why:
                raise Rejected(409, why, "this request cannot be accepted")
        await publish(_command(goal_id, decision, caller))
        goal = await _until_ended(goal_id, goals, wait_s=wait_s, poll_s=poll_s)
    return _answer(goal, decision)


async def _own_request(goal_id: str, caller: Caller, goals: GoalRepository) -> Doc:
    goal = await goals.get(goal_id)
    owner = ((goal or {}).get("metadata") or {}).get("user_id")
    if goal is None or goal["_cls"] != TRIGGER_EXCLUSIVE_GOAL or owner != caller.user_id:
        raise Rejected(404, "request_not_found", "no exclusive request to you has this id")
    return goal


def _command(goal_id: str, decision: str, caller: Caller) -> Message:
    triggerer = caller.client_id or caller.user_id
    if decision == ACCEPT:
        return AcceptExclusiveGoal(goal_id=goal_id, triggerer=triggerer)
    return DeactivateGoal(
        goal_id=goal_id,
        filter={"active": True, "_cls": TRIGGER_EXCLUSIVE_GOAL},
        triggerer=triggerer,
        outcome=OUTCOME_DECLINED,
    )


async def _until_ended(goal_id: str, goals: GoalRepository, *, wait_s: float, poll_s: float) -> Doc:
    deadline = time.monotonic() + wait_s
    while True:
        goal = await goals.get(goal_id)
        if goal is not None and not goal["active"]:
            return goal
        if time.monotonic() >= deadline:
            # The command is on its way and will be applied; a retry answers from it.
            raise Rejected(503, "answer_pending", "not applied yet; retry the same call")
        await asyncio.sleep(poll_s)


def _answer(goal: Doc, decision: str) -> dict[str, Any]:
    outcome = goal.get("outcome") or "ended"
    if outcome != _WANTED[decision]:
        raise Rejected(409, f"request_{outcome}", f"the request already ended: {outcome}")
    conditions = goal.get("conditions") or {}
    body: dict[str, Any] = {
        "goal_id": goal["_id"],
        "outcome": outcome,
        "session_id": conditions.get("session_id"),
        "viewer_id": conditions.get("exclusive_to"),
    }
    if outcome == OUTCOME_AGREED:
        body["exclusive_goal_id"] = exclusive_goal_id(goal["_id"])
        body["prepaid_duration"] = (goal.get("metadata") or {}).get("prepaid_duration")
    return body
