"""The chaos suite's settlement flows: an exclusive request accepted, its exclusive session
ended by the viewer (settled per minute: a split), and a funded show started and ended (its
tickets released to the streamer). Each step is retried the way an app would: 503 honours
Retry-After, a 409 that only says "not yet" is asked again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx

from journeys.flows import answer_request, get_goal, get_session, list_requests, show_action
from journeys.stack import User

if TYPE_CHECKING:
    from journeys.chaos_load import Answers, Flows, Workload

IN_SESSION_S = 1.0  # inside the first prepaid minute: the split releases one minute
STEP_WITHIN_S = 120.0
# 409s that only say "not yet": the exclusive session is not bound yet, the show's start is
# not applied yet. Any other 409 (show_over: it missed its start deadline) is final.
NOT_YET = frozenset({"not_exclusive", "show_not_started"})


async def _until(
    answers: Answers,
    what: str,
    send: Callable[[], Awaitable[httpx.Response]],
    done: Callable[[httpx.Response], bool],
) -> httpx.Response | None:
    """Send until `done(answer)`; None if the step never got there in STEP_WITHIN_S."""
    deadline = time.monotonic() + STEP_WITHIN_S
    while time.monotonic() < deadline:
        r = await answers.call(what, send)
        if r is None or done(r):
            return r
        if r.status_code != 409 or _reason(r) not in NOT_YET:
            return None
        await asyncio.sleep(0.5)
    return None


def _reason(r: httpx.Response) -> str:
    try:
        return str(r.json().get("reason", ""))
    except ValueError:
        return ""


async def _goal(work: Workload, owner: User, goal_id: str, answers: Answers) -> dict[str, Any]:
    r = await answers.call("get goal", lambda: get_goal(work.stack, owner, goal_id))
    return r.json() if r is not None and r.status_code == 200 else {}


async def accept_and_end(
    work: Workload,
    streamer: User,
    viewer: User,
    session_id: str,
    goal_id: str,
    flows: Flows,
    answers: Answers,
) -> None:
    """Accept a paid request once the streamer is offered it, let the exclusive session run a
    moment, and the viewer ends it."""
    deadline = time.monotonic() + STEP_WITHIN_S
    while (await _goal(work, streamer, goal_id, answers)).get("progress") != 1:
        if time.monotonic() > deadline:
            return  # never paid: it expires and is refunded like any other
        await asyncio.sleep(0.5)
    stack = work.stack
    # The app offers accept only for a request session-service lists, which its worker binds
    # to the session; paid is not enough: with that worker down, an accept is a 404.
    if not await _offered(work, streamer, session_id, goal_id, answers, deadline):
        return  # never listed: it expires and is refunded like any other
    r = await answers.call(
        "accept",
        lambda: answer_request(stack, streamer, session_id, viewer.user_id, "accept"),
    )
    if r is None or r.status_code != 200 or r.json().get("outcome") != "agreed":
        return  # expiry won the race: refunded
    flows.accepted[goal_id] = viewer
    await asyncio.sleep(IN_SESSION_S)
    await _until(
        answers,
        "end exclusive",
        lambda: answer_request(stack, viewer, session_id, viewer.user_id, "end"),
        lambda r: r.status_code in (200, 202),
    )


async def _offered(
    work: Workload,
    streamer: User,
    session_id: str,
    goal_id: str,
    answers: Answers,
    deadline: float,
) -> bool:
    """Wait until the streamer's request list shows this request (False past `deadline`)."""
    while time.monotonic() < deadline:
        r = await answers.call(
            "list requests", lambda: list_requests(work.stack, streamer, session_id)
        )
        listed = r.json().get("requests", ()) if r is not None and r.status_code == 200 else ()
        if any(q.get("goal_id") == goal_id for q in listed):
            return True
        await asyncio.sleep(0.5)
    return False


async def _show_of(work: Workload, session_id: str, goal_id: str, answers: Answers) -> str | None:
    """The show a funded goal bound, once the session's show pair names it."""
    owner, deadline = work.show_streamer, time.monotonic() + STEP_WITHIN_S
    while time.monotonic() < deadline:
        try:
            session = await get_session(work.stack, owner, session_id)
        except httpx.HTTPError:  # a 503 in an outage: ask again
            session = {}
        for pair in session.get("show_goal_pairs", ()):
            if pair["funding_goal"] == goal_id and pair.get("show_goal"):
                return str(pair["show_goal"])
        goal = await _goal(work, owner, goal_id, answers)
        if goal.get("active") is False and goal.get("state") not in ("funded", "settling"):
            return None  # ended without funding: no show
        await asyncio.sleep(0.5)
    return None


async def hold_show(work: Workload, session_id: str, flows: Flows, answers: Answers) -> None:
    """Start and end the show of each funded goal of the round: its tickets are released."""
    owner, stack = work.show_streamer, work.stack
    for goal_id in flows.funding:
        show_id = await _show_of(work, session_id, goal_id, answers)
        if show_id is None:
            continue  # not funded: its tickets are refunded
        started = await _until(
            answers,
            "start show",
            lambda s=show_id: show_action(stack, owner, s, "start"),
            lambda r: r.status_code == 202,
        )
        if started is None or started.status_code != 202:
            continue  # missed its start deadline: refunded
        ended = await _until(
            answers,
            "end show",
            lambda s=show_id: show_action(stack, owner, s, "end"),
            lambda r: r.status_code == 202,
        )
        if ended is not None and ended.status_code == 202:
            flows.shows_held.add(goal_id)


def back_and_out(hold: dict[str, Any]) -> tuple[int, int]:
    """Coins of a settled hold back to its payer, and out to its beneficiary."""
    amount, status = hold["amount"], hold["status"]
    if status == "refunded":
        return amount, 0
    if status == "released":
        return 0, amount
    if status == "split":
        return hold["split"]["refund"], hold["split"]["release"]
    return 0, 0  # open: still held
