"""FastAPI app with the endpoints every service has: health, readiness, metrics, auth."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from service_kit import openapi, telemetry
from service_kit.auth import AuthError, Caller, JwtVerifier
from service_kit.edge import BodyLimit, Observe, http_error
from service_kit.nul import RefuseNul
from service_kit.outages import Outages
from service_kit.problems import invalid_request
from service_kit.settings import KitSettings

ReadyCheck = Callable[[], Awaitable[dict[str, bool]]]


def verifier_from(settings: KitSettings) -> JwtVerifier:
    settings.require_jwt_config()
    return JwtVerifier(
        key=settings.jwt_secret,
        algorithms=tuple(settings.jwt_algorithms),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        client_claim=settings.jwt_client_claim,
        leeway_s=settings.jwt_leeway_s,
        jwks_url=settings.jwt_jwks_url,
    )


def create_app(settings: KitSettings, *, ready: ReadyCheck, **fastapi_kwargs: object) -> FastAPI:
    app = FastAPI(title=settings.service_name, **fastapi_kwargs)  # type: ignore[arg-type]
    app.state.verifier = verifier_from(settings)

    # Innermost: a route that meets an outage answers 503, and Observe counts that.
    app.add_middleware(Outages)
    # A NUL anywhere in the request is a 422 the metrics and the trace see, before any route.
    app.add_middleware(RefuseNul)
    app.add_middleware(Observe, service=settings.service_name)
    # Outermost: an oversized body is refused before tracing, auth or a signature check.
    app.add_middleware(BodyLimit, max_bytes=settings.http_max_body_bytes)
    app.add_exception_handler(StarletteHTTPException, http_error)
    telemetry.instrument_app(app)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_request(exc.errors())

    openapi.install(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks = await ready()
        ok = all(checks.values())
        return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)

    return app


def problem(
    status: int, reason: str, detail: str = "", headers: dict[str, str] | None = None
) -> HTTPException:
    """An HTTP error with a machine-readable reason."""
    return HTTPException(status, detail={"reason": reason, "detail": detail}, headers=headers)


# Declares the bearer scheme in the OpenAPI document; a missing token is answered below, in
# the one error shape, rather than by FastAPI's own 403.
BEARER = HTTPBearer(
    auto_error=False, bearerFormat="JWT", description="the gateway's JWT; the user is `sub`"
)


async def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Caller:
    if credentials is None:
        raise problem(
            401, "unauthenticated", "missing bearer token", {"WWW-Authenticate": "Bearer"}
        )
    verifier: JwtVerifier = request.app.state.verifier
    token = credentials.credentials.strip()
    try:
        if verifier.fetches_keys:
            return await run_in_threadpool(verifier.verify, token)
        return verifier.verify(token)
    except AuthError as exc:
        raise problem(401, "unauthenticated", str(exc), {"WWW-Authenticate": "Bearer"}) from exc


CallerDep = Annotated[Caller, Depends(current_caller)]


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that parses its JSON body itself (after authentication):
    the body still appears in the OpenAPI document, so clients and the fuzz tests see it."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    content = {"application/json": {"schema": inline(schema)}}
    return {"requestBody": {"required": True, "content": content}}
