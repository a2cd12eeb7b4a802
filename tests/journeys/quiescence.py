"""What must hold after every journey, once the stack is quiet (issue 9): no escrow hold is
open unless its goal, request, show or exclusive session is, and the sandbox ledger balances
(every minted coin is in a balance or an open hold)."""

from __future__ import annotations

from typing import Any

from journeys.stack import Stack, User, eventually
from livestream_schemas.tags import SHOW_TICKET, TRIGGER_EXCLUSIVE, find_swag

# Goal states (GET /goals/{id}) of a goal that is not over: funding or running, or a funding
# goal still in its settle window.
OPEN_STATES = ("active", "running", "settling")
# Long enough for a lost settlement to be repaired by the local sweep (3 s period, 15 s grace,
# 60 s for a goal never created).
WITHIN_S = 90


async def assert_quiescent(stack: Stack, users: list[User]) -> None:
    """Wait until every open hold paid by `users` belongs to something still open, and the
    ledger balances; fail naming the holds that stay open."""
    payers = {user.wallet_id for user in users}

    async def quiet() -> bool:
        return not await stuck_holds(stack, payers) and await _balanced(stack)

    try:
        await eventually(quiet, within=WITHIN_S, every=1.0, what="escrow quiescent")
    except AssertionError:
        stuck = await stuck_holds(stack, payers)
        raise AssertionError(f"holds open after what they pay for is over: {stuck}") from None


async def stuck_holds(stack: Stack, payers: set[str]) -> list[dict[str, Any]]:
    """Open holds paid by `payers` whose goal, request, show and session are all over."""
    stuck = []
    for hold in await stack.holds("swag::livestream.session:"):
        if hold["payer"] in payers and not await _paid_for_is_open(stack, hold):
            stuck.append(hold)
    return stuck


async def _balanced(stack: Stack) -> bool:
    ledger = await stack.ledger()
    return bool(ledger["total_balances"] + ledger["open_holds"] == ledger["minted"])


async def _paid_for_is_open(stack: Stack, hold: dict[str, Any]) -> bool:
    swag = find_swag(hold["tags"])
    if swag is None:
        return False
    goal = await _goal(stack, swag.goal_id)
    if goal is None:
        # Not a flow's hold (a journey sending wallet commands itself): the sweep refunds
        # it after ESCROW_ORPHAN_GRACE_S (unit tested), longer than a journey should wait.
        return True
    if goal["state"] in OPEN_STATES:
        return True
    # Over, but what it paid for may still be to come: the funded show, the agreed session.
    if swag.kind == SHOW_TICKET and goal["state"] == "funded":
        return await _follow_up_open(stack, goal, "show_goal_pairs", "funding_goal", "show_goal")
    if swag.kind == TRIGGER_EXCLUSIVE and goal["outcome"] == "agreed":
        return await _follow_up_open(
            stack, goal, "exclusive_goal_pairs", "trigger_exclusive_goal", "exclusive_goal"
        )
    return False


async def _follow_up_open(
    stack: Stack, goal: dict[str, Any], pairs: str, named: str, follow_up: str
) -> bool:
    """Whether the goal that follows `goal` in its session's pairs is still open."""
    streamer = User(user_id=str(goal["streamer_id"]), username="", wallet_id="")
    r = await stack.http.get(
        f"{stack.ep.session}/sessions/{goal['session_id']}", headers=streamer.headers(stack.ep)
    )
    r.raise_for_status()
    found = r.json()[pairs]
    for pair in found.values() if isinstance(found, dict) else found:
        if pair.get(named) == goal["goal_id"] and pair.get(follow_up):
            after = await _goal(stack, str(pair[follow_up]))
            return after is not None and after["state"] in OPEN_STATES
    return False  # not bound yet (or lost): open only once its goal exists


async def _goal(stack: Stack, goal_id: str) -> dict[str, Any] | None:
    reader = User(user_id="quiescence-check", username="", wallet_id="")
    r = await stack.http.get(f"{stack.ep.goal}/goals/{goal_id}", headers=reader.headers(stack.ep))
    if r.status_code == 404:
        return None
    r.raise_for_status()
    return r.json()  # type: ignore[no-any-return]
