"""HTTP edge: decode, call the use case, answer. Goals change only through goal.commands."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from bson import ObjectId
from fastapi import FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse

from goal_service.bootstrap import Container
from goal_service.clock import utcnow
from goal_service.entrypoints.models import (
    GoalChange,
    GoalOpened,
    GoalState,
    LeaderboardPage,
    OpenGoalBody,
    RequestAnswered,
    TicketsBody,
    TicketsBought,
)
from goal_service.usecases.errors import Rejected
from goal_service.usecases.goals import (
    MAX_PAGE,
    OpenGoal,
    end_goal,
    open_funding_goal,
    read_goal,
    read_leaderboard,
)
from goal_service.usecases.requests import ACCEPT, DECLINE, answer_request
from goal_service.usecases.shows import cancel_show, end_show, start_show
from goal_service.usecases.tickets import buy_tickets
from livestream_schemas.base import Message
from service_kit.auth import Caller
from service_kit.http import CallerDep, create_app, problem
from service_kit.openapi import errors
from service_kit.runner import api_lifespan

log = logging.getLogger(__name__)


# Past this no goal has contributors; it keeps the page query inside int64.
MAX_OFFSET = 10_000_000
SHOW_ROUTE: dict[str, Any] = {
    "response_model": GoalChange,
    "responses": errors(
        {
            404: "goal_not_found: no show of yours has this id",
            409: "not_a_show, show_over, show_not_started",
        }
    ),
}
ANSWER_ROUTE: dict[str, Any] = {
    "response_model": RequestAnswered,
    "responses": errors(
        {
            404: "request_not_found: no exclusive request to you has this id",
            409: "request_{outcome} (request_expired, request_declined, request_agreed, ...), "
            "not_paid: the request lost or cannot be answered",
            503: "answer_pending: not applied yet, retry the same call; broker_unavailable",
        }
    ),
}


def _new_id() -> str:
    return str(ObjectId())


def _publisher(c: Container) -> Callable[[Message], Awaitable[Any]]:
    async def publish(message: Message) -> Any:
        try:
            return await c.publisher.publish(message)
        except Exception as exc:
            log.exception("publish failed", extra={"fields": {"type": message.message_type}})
            raise Rejected(503, "broker_unavailable", "try again shortly") from exc

    return publish


async def _answer(work: Awaitable[dict[str, Any]], status: int = 200) -> JSONResponse:
    try:
        body = await work
    except Rejected as exc:
        raise problem(exc.status, exc.reason, exc.detail) from exc
    return JSONResponse(body, status_code=status)


def create_api(c: Container) -> FastAPI:
    app = create_app(c.settings, ready=c.ready, lifespan=api_lifespan(c))
    publish = _publisher(c)

    @app.post(
        "/goals",
        status_code=202,
        response_model=GoalOpened,
        responses=errors(
            {
                404: "session_not_found: no active session of yours has this id",
                409: "show_not_done: the last funded show has not ended",
                422: "invalid_request, invalid_exp: exp past or over 7 days away",
                503: "broker_unavailable, session_service_unavailable",
            }
        ),
    )
    async def open_goal(body: OpenGoalBody, caller: CallerDep, request: Request) -> JSONResponse:
        work = open_funding_goal(
            OpenGoal(**body.model_dump()),
            caller=caller,
            authorization=request.headers.get("authorization", ""),
            sessions=c.sessions,
            publish=publish,
            new_id=_new_id,
            now=utcnow(),
            default_lifetime_s=c.settings.funding_goal_default_lifetime_s,
        )
        return await _answer(work, 202)

    @app.get(
        "/goals/{goal_id}",
        response_model=GoalState,
        responses=errors({404: "goal_not_found"}),
    )
    async def get_goal(goal_id: str, caller: CallerDep) -> JSONResponse:
        return await _answer(read_goal(goal_id, goals=c.goals))

    @app.get(
        "/goals/{goal_id}/leaderboard",
        response_model=LeaderboardPage,
        responses=errors({404: "goal_not_found"}),
    )
    async def get_leaderboard(
        goal_id: str,
        caller: CallerDep,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    ) -> JSONResponse:
        work = read_leaderboard(goal_id, offset=offset, limit=limit, goals=c.goals)
        return await _answer(work)

    @app.delete(
        "/goals/{goal_id}",
        status_code=202,
        response_model=GoalChange,
        responses=errors({404: "goal_not_found: no active goal of yours has this id"}),
    )
    async def delete_goal(goal_id: str, caller: CallerDep) -> JSONResponse:
        return await _answer(end_goal(goal_id, caller=caller, goals=c.goals, publish=publish), 202)

    @app.post(
        "/goals/{goal_id}/tickets",
        status_code=202,
        response_model=TicketsBought,
        responses=errors(
            {
                404: "goal_not_found",
                409: "goal_ended: the goal no longer sells tickets",
                422: "invalid_request, not_a_funding_goal, idempotency_key_reused",
            }
        ),
    )
    async def post_tickets(
        goal_id: str,
        body: TicketsBody,
        caller: CallerDep,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> JSONResponse:
        work = buy_tickets(
            goal_id,
            body.count,
            key=idempotency_key or None,
            caller=caller,
            goals=c.goals,
            purchases=c.purchases,
            publish=publish,
            new_id=_new_id,
            now=utcnow(),
        )
        return await _answer(work, 202)

    # A funded show: the streamer starts it, ends it (paid) or cancels it (refunded).
    @app.post("/goals/{goal_id}/start", status_code=202, **SHOW_ROUTE)
    async def post_start(goal_id: str, caller: CallerDep) -> JSONResponse:
        work = start_show(goal_id, caller=caller, goals=c.goals, publish=publish)
        return await _answer(work, 202)

    @app.post("/goals/{goal_id}/end", status_code=202, **SHOW_ROUTE)
    async def post_end(goal_id: str, caller: CallerDep) -> JSONResponse:
        return await _answer(end_show(goal_id, caller=caller, goals=c.goals, publish=publish), 202)

    @app.post("/goals/{goal_id}/cancel", status_code=202, **SHOW_ROUTE)
    async def post_cancel(goal_id: str, caller: CallerDep) -> JSONResponse:
        work = cancel_show(goal_id, caller=caller, goals=c.goals, publish=publish)
        return await _answer(work, 202)

    async def answer(goal_id: str, decision: str, caller: Caller) -> JSONResponse:
        work = answer_request(
            goal_id,
            decision,
            caller=caller,
            goals=c.goals,
            publish=publish,
            now=utcnow(),
            wait_s=c.settings.answer_wait_s,
        )
        return await _answer(work)

    @app.post("/goals/{goal_id}/accept", **ANSWER_ROUTE)
    async def accept(goal_id: str, caller: CallerDep) -> JSONResponse:
        """The streamer accepts an exclusive request; the answer says who won."""
        return await answer(goal_id, ACCEPT, caller)

    @app.post("/goals/{goal_id}/decline", **ANSWER_ROUTE)
    async def decline(goal_id: str, caller: CallerDep) -> JSONResponse:
        return await answer(goal_id, DECLINE, caller)

    return app
