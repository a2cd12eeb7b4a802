"""HTTP edge: Pusher channel auth and the channel state clients read after reconnecting."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request

from notifier.bootstrap import Container
from notifier.domain.channels import UserProfile, decide, may_watch_stream
from service_kit.http import CallerDep, create_app, problem
from service_kit.runner import api_lifespan

STREAM_PREFIX = "stream@"


async def _auth_fields(request: Request) -> tuple[str, str]:
    """socket_id and channel_name, sent form-encoded by pusher-js or as JSON by others."""
    raw = await request.body()
    fields: dict[str, Any]
    if "json" in request.headers.get("content-type", ""):
        try:
            fields = json.loads(raw or b"{}")
        except ValueError as exc:
            raise problem(422, "invalid_request", "body is not JSON") from exc
        if not isinstance(fields, dict):
            raise problem(422, "invalid_request", "body must be a JSON object")
    else:
        fields = {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
    socket_id, channel = fields.get("socket_id"), fields.get("channel_name")
    if not isinstance(socket_id, str) or not isinstance(channel, str):
        raise problem(422, "invalid_request", "socket_id and channel_name are required")
    return socket_id, channel


def create_api(c: Container) -> FastAPI:
    app = create_app(c.settings, ready=c.ready, lifespan=api_lifespan(c))

    async def profile_of(user_id: str) -> UserProfile:
        # A user the read model has not seen yet has no blocks and no public profile.
        return await c.users.get(user_id) or UserProfile(user_id)

    @app.post("/pusher/auth")
    async def pusher_auth(request: Request, caller: CallerDep) -> dict[str, Any]:
        """Sign a private or presence channel subscription for the signed-in user."""
        socket_id, channel = await _auth_fields(request)
        access = decide(await profile_of(caller.user_id), channel)
        if not access.allowed:
            raise problem(403, access.reason, f"may not subscribe to {channel}")
        try:
            return c.pusher.authenticate(channel, socket_id, access.presence)
        except ValueError as exc:
            raise problem(422, "invalid_subscription", str(exc)) from exc

    @app.get("/channels/{channel}/state")
    async def channel_state(channel: str, caller: CallerDep) -> dict[str, Any]:
        """The stream's current goals (newest snapshot each) and its recently ended ones."""
        if not channel.startswith(STREAM_PREFIX) or channel == STREAM_PREFIX:
            raise problem(404, "unknown_channel", "only stream@{streamer_id} has state")
        streamer_id = channel.removeprefix(STREAM_PREFIX)
        access = may_watch_stream(await profile_of(caller.user_id), streamer_id)
        if not access.allowed:
            raise problem(403, access.reason, f"may not read {channel}")
        state = await c.states.load(streamer_id)
        return state.to_json()

    return app
