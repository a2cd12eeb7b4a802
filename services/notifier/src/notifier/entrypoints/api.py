"""HTTP edge: Pusher channel auth and the channel state clients read after reconnecting."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from livestream_schemas.pusher import GoalView
from notifier.bootstrap import Container
from notifier.domain.channels import UserProfile, decide, may_watch_stream
from service_kit.http import CallerDep, create_app, documented_body, problem
from service_kit.openapi import errors
from service_kit.runner import api_lifespan

STREAM_PREFIX = "stream@"


class PusherAuthBody(BaseModel):
    """What pusher-js sends (form-encoded) to authorize a subscription; JSON is taken too."""

    model_config = ConfigDict(extra="ignore")

    # Pusher's own formats: a socket id is two numbers, a channel name at most 200 of these.
    socket_id: str = Field(pattern=r"^\d{1,20}\.\d{1,20}$")
    channel_name: str = Field(min_length=1, max_length=200, pattern=r"^[-a-zA-Z0-9_=@,.;]+$")


class PusherAuth(BaseModel):
    auth: str = Field(description="{key}:{signature}")
    channel_data: str | None = Field(default=None, description="presence channels: the member")


class EndedGoalView(GoalView):
    ended: bool = True
    ended_at: str


class ChannelState(BaseModel):
    channel: str
    streamer_id: str
    goals: dict[str, GoalView] = Field(description="open goals by id, newest snapshot each")
    recent_ended: list[EndedGoalView] = Field(description="recently ended goals, newest first")
    updated_at: str | None


_AUTH_DOC = documented_body(PusherAuthBody)
_AUTH_DOC["requestBody"]["content"]["application/x-www-form-urlencoded"] = _AUTH_DOC["requestBody"][
    "content"
]["application/json"]


async def _auth_fields(request: Request) -> PusherAuthBody:
    """socket_id and channel_name, sent form-encoded by pusher-js or as JSON by others."""
    raw = await request.body()
    fields: Any
    if "json" in request.headers.get("content-type", ""):
        try:
            return PusherAuthBody.model_validate_json(raw or b"{}")
        except ValidationError as exc:
            raise _invalid(exc) from exc
    fields = {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
    try:
        return PusherAuthBody.model_validate(fields)
    except ValidationError as exc:
        raise _invalid(exc) from exc


def _invalid(exc: ValidationError) -> RequestValidationError:
    return RequestValidationError(
        [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_input=False)]
    )


def create_api(c: Container) -> FastAPI:
    app = create_app(c.settings, ready=c.ready, lifespan=api_lifespan(c))

    async def profile_of(user_id: str) -> UserProfile:
        # A user the read model has not seen yet has no blocks and no public profile.
        return await c.users.get(user_id) or UserProfile(user_id)

    @app.post(
        "/pusher/auth",
        openapi_extra=_AUTH_DOC,
        response_model_exclude_none=True,
        responses=errors(
            {403: "not_channel_owner, blocked_by_streamer, unknown_channel: may not subscribe"}
        ),
    )
    async def pusher_auth(request: Request, caller: CallerDep) -> PusherAuth:
        """Sign a private or presence channel subscription for the signed-in user."""
        body = await _auth_fields(request)
        channel = body.channel_name
        access = decide(await profile_of(caller.user_id), channel)
        if not access.allowed:
            raise problem(403, access.reason, f"may not subscribe to {channel}")
        try:
            return PusherAuth.model_validate(
                c.pusher.authenticate(channel, body.socket_id, access.presence)
            )
        except ValueError as exc:
            raise problem(422, "invalid_request", str(exc)) from exc

    @app.get(
        "/channels/{channel}/state",
        responses=errors(
            {
                403: "blocked_by_streamer: the streamer blocked the caller",
                404: "unknown_channel: only stream@{streamer_id} has state",
            }
        ),
    )
    async def channel_state(channel: str, caller: CallerDep) -> ChannelState:
        """The stream's current goals (newest snapshot each) and its recently ended ones."""
        if not channel.startswith(STREAM_PREFIX) or channel == STREAM_PREFIX:
            raise problem(404, "unknown_channel", "only stream@{streamer_id} has state")
        streamer_id = channel.removeprefix(STREAM_PREFIX)
        access = may_watch_stream(await profile_of(caller.user_id), streamer_id)
        if not access.allowed:
            raise problem(403, access.reason, f"may not read {channel}")
        state = await c.states.load(streamer_id)
        return ChannelState.model_validate(state.to_json())

    return app
