"""HTTP edge: decode, call the handler, answer; rules live in domain/ and handlers/."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from service_kit.http import CallerDep, create_app, documented_body, problem
from service_kit.openapi import errors
from service_kit.problems import problem_response
from service_kit.runner import api_lifespan
from session_service.bootstrap import Container
from session_service.domain.errors import (
    AlreadyExclusive,
    DomainError,
    DurationNotAllowed,
    ExclusiveNotRunning,
    IdempotencyKeyReused,
    InvalidRequest,
    LivestreamTriggerQuotaExceeded,
    NotSessionOwner,
    RequestAlreadyOpen,
    RequestNotFound,
    SessionNotFound,
    TriggerForbidden,
)
from session_service.domain.feed import DEFAULT_FEED_LIMIT, MAX_FEED_LIMIT
from session_service.entrypoints.models import (
    ExclusiveEnding,
    Feed,
    OpenRequests,
    OpenSessionBody,
    RequestAnswered,
    SessionView,
    TriggerAccepted,
    TriggerExclusiveBody,
)
from session_service.handlers import exclusive_requests as requests
from session_service.handlers import sessions as session_handlers
from session_service.handlers.trigger_exclusive import (
    CommandsNotSent,
    TriggerExclusive,
    trigger_exclusive,
)
from session_service.ports import GoalServiceUnavailable, WalletUnavailable

_STATUS: dict[type[DomainError], int] = {
    InvalidRequest: 422,
    DurationNotAllowed: 422,
    IdempotencyKeyReused: 422,
    SessionNotFound: 404,
    TriggerForbidden: 403,
    NotSessionOwner: 403,
    RequestAlreadyOpen: 409,
    LivestreamTriggerQuotaExceeded: 429,
    RequestNotFound: 404,
    AlreadyExclusive: 409,
    ExclusiveNotRunning: 409,
}


NOT_FOUND = errors({404: "session_not_found"})
ENDING: dict[int | str, dict[str, Any]] = {
    202: {"model": ExclusiveEnding, "description": "the exclusive session is ending"}
}
ANSWER_ROUTE: dict[str, Any] = {
    "response_model": RequestAnswered,
    "responses": errors(
        {
            403: "not_owner: only the streamer answers",
            404: "session_not_found, request_not_found",
            409: "request_{outcome} (request_expired, request_declined, ...), not_paid, "
            "already_exclusive",
            503: "answer_pending: retry the same call; goal_service_unavailable",
        }
    ),
}
M = TypeVar("M", bound=BaseModel)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
FeedLimit = Annotated[int, Query(ge=1, le=MAX_FEED_LIMIT)]


def create_api(c: Container) -> FastAPI:
    app = create_app(c.settings, ready=c.ready, lifespan=api_lifespan(c))
    app.include_router(_router(c))
    app.include_router(_requests_router(c))
    return app


def _router(c: Container) -> APIRouter:
    router = APIRouter()

    @router.post(
        "/sessions",
        status_code=201,
        openapi_extra=documented_body(OpenSessionBody),
        response_model=SessionView,
        response_model_exclude_unset=True,
    )
    async def open_session(caller: CallerDep, request: Request) -> dict[str, Any]:
        body = await _body(request, OpenSessionBody)
        session = await session_handlers.open_session(
            owner_id=caller.user_id,
            title=body.title,
            pricing=body.pricing,
            sessions=c.sessions,
            clock=c.clock,
        )
        return session_handlers.session_view(session, viewer_id=caller.user_id)

    @router.get(
        "/sessions/{session_id}",
        response_model=SessionView,
        response_model_exclude_unset=True,
        responses=NOT_FOUND,
    )
    async def read_session(session_id: str, caller: CallerDep) -> dict[str, Any]:
        with _problems():
            session = await session_handlers.read_session(session_id, sessions=c.sessions)
        return session_handlers.session_view(session, viewer_id=caller.user_id)

    @router.get(
        "/sessions/{session_id}/feed",
        response_model=Feed,
        response_model_exclude_unset=True,
        responses=NOT_FOUND,
    )
    async def read_feed(
        session_id: str, caller: CallerDep, limit: FeedLimit = DEFAULT_FEED_LIMIT
    ) -> dict[str, Any]:
        with _problems():
            entries = await session_handlers.read_feed(
                session_id, limit=limit, sessions=c.sessions, feed=c.feed
            )
        views = [session_handlers.feed_view(e, viewer_id=caller.user_id) for e in entries]
        return {"session_id": session_id, "entries": views}

    @router.post(
        "/sessions/{session_id}/end",
        response_model=SessionView,
        response_model_exclude_unset=True,
        responses=errors(
            {
                403: "not_owner: only the streamer ends their session",
                404: "session_not_found",
                503: "broker_unavailable",
            }
        ),
    )
    async def end_session(session_id: str, caller: CallerDep) -> dict[str, Any]:
        with _problems():
            session = await session_handlers.end_session(
                session_id,
                caller_id=caller.user_id,
                sessions=c.sessions,
                events=c.events,
                clock=c.clock,
            )
        return session_handlers.session_view(session, viewer_id=caller.user_id)

    @router.post(
        "/sessions/{session_id}/trigger_exclusive",
        status_code=202,
        openapi_extra=documented_body(TriggerExclusiveBody),
        response_model=TriggerAccepted,
        responses=errors(
            {
                403: "own_session, blocked_by_streamer, funding_not_ended, show_not_done, "
                "already_exclusive, insufficient_balance",
                404: "session_not_found",
                409: "request_open: your request on this session is still open",
                422: "invalid_request, invalid_exp, duration_not_allowed, idempotency_key_reused",
                429: "LivestreamTriggerQuotaExceeded: cooldown after a refused request",
                503: "broker_unavailable, wallet_unavailable",
            }
        ),
    )
    async def trigger(
        session_id: str, caller: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
    ) -> JSONResponse:
        body = await _body(request, TriggerExclusiveBody)
        cmd = TriggerExclusive(
            session_id=session_id,
            viewer_id=caller.user_id,
            exp=body.exp,
            duration=body.duration,
            idempotency_key=idempotency_key or None,
            authorization=request.headers.get("authorization"),
        )
        with _problems():
            answer = await trigger_exclusive(cmd, c.trigger_deps())
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
        return JSONResponse(answer.body, status_code=answer.status, headers=headers)

    return router


def _requests_router(c: Container) -> APIRouter:
    """The streamer answers exclusive requests; either side ends the exclusive session."""
    router = APIRouter()

    @router.get(
        "/sessions/{session_id}/requests",
        response_model=OpenRequests,
        response_model_exclude_unset=True,
        responses=errors({403: "not_owner", 404: "session_not_found"}),
    )
    async def list_requests(session_id: str, caller: CallerDep) -> dict[str, Any]:
        with _problems():
            open_ = await requests.list_requests(
                session_id, caller_id=caller.user_id, deps=c.request_deps()
            )
        return {"session_id": session_id, "requests": open_}

    async def answer(
        session_id: str, viewer_id: str, decision: str, request: Request, caller_id: str
    ) -> JSONResponse:
        with _problems():
            status, body = await requests.answer_request(
                session_id,
                viewer_id,
                decision,
                caller_id=caller_id,
                authorization=request.headers.get("authorization", ""),
                deps=c.request_deps(),
            )
        if status >= 400:  # goal-service's refusal, passed on in the one error shape
            reason, detail = str(body.get("reason") or "http_error"), str(body.get("detail", ""))
            return problem_response(status, reason, detail)
        return JSONResponse(body, status_code=status)

    @router.post("/sessions/{session_id}/requests/{viewer_id}/accept", **ANSWER_ROUTE)
    async def accept(
        session_id: str, viewer_id: str, caller: CallerDep, request: Request
    ) -> JSONResponse:
        return await answer(session_id, viewer_id, requests.ACCEPT, request, caller.user_id)

    @router.post("/sessions/{session_id}/requests/{viewer_id}/decline", **ANSWER_ROUTE)
    async def decline(
        session_id: str, viewer_id: str, caller: CallerDep, request: Request
    ) -> JSONResponse:
        return await answer(session_id, viewer_id, requests.DECLINE, request, caller.user_id)

    @router.post(
        "/sessions/{session_id}/requests/{viewer_id}/end",
        response_model=ExclusiveEnding,
        responses=ENDING
        | errors(
            {
                403: "not_owner: only the streamer or that viewer",
                404: "session_not_found, request_not_found",
                409: "not_exclusive: no exclusive session of this viewer is running",
            }
        ),
    )
    async def end(session_id: str, viewer_id: str, caller: CallerDep) -> JSONResponse:
        with _problems():
            status, body = await requests.end_exclusive(
                session_id, viewer_id, caller_id=caller.user_id, deps=c.request_deps()
            )
        return JSONResponse(body, status_code=status)

    return router


async def _body(request: Request, model: type[M]) -> M:
    """Parse the body after authentication, so a bad token is 401 whatever the body is."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False)) from exc


@contextmanager
def _problems() -> Iterator[None]:
    """Domain errors become 4xx answers with a machine-readable reason."""
    try:
        yield
    except LivestreamTriggerQuotaExceeded as exc:
        headers = {"Retry-After": str(exc.retry_after_s)}
        raise problem(429, exc.reason, exc.detail, headers) from exc
    except DomainError as exc:
        raise problem(_status(exc), exc.reason, exc.detail) from exc
    except WalletUnavailable as exc:
        raise problem(503, "wallet_unavailable", str(exc), {"Retry-After": "5"}) from exc
    except CommandsNotSent as exc:
        raise problem(503, "broker_unavailable", str(exc), {"Retry-After": "5"}) from exc
    except GoalServiceUnavailable as exc:
        raise problem(503, "goal_service_unavailable", str(exc), {"Retry-After": "2"}) from exc


def _status(exc: DomainError) -> int:
    for kind in type(exc).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return 400
