"""The user actions of both flows, as the apps would call them through the gateway."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from journeys.stack import Stack, User, eventually, until_not_503


async def open_session(stack: Stack, streamer: User, per_minute: int = 100) -> str:
    r = await stack.http.post(
        f"{stack.ep.session}/sessions",
        json={
            "title": f"{streamer.username} live",
            "pricing": {
                "exclusive_sd_per_minute": per_minute,
                "exclusive_durations": [60, 120, 300],
            },
        },
        headers=streamer.headers(stack.ep),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["session_id"])


async def get_session(stack: Stack, user: User, session_id: str) -> dict[str, Any]:
    r = await stack.http.get(
        f"{stack.ep.session}/sessions/{session_id}", headers=user.headers(stack.ep)
    )
    r.raise_for_status()
    return r.json()  # type: ignore[no-any-return]


async def trigger_exclusive(
    stack: Stack,
    viewer: User,
    session_id: str,
    *,
    exp_in: float = 30,
    duration: int = 60,
    idempotency_key: str | None = None,
    exp: int | None = None,
) -> httpx.Response:
    headers = viewer.headers(stack.ep)
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return await stack.http.post(
        f"{stack.ep.session}/sessions/{session_id}/trigger_exclusive",
        json={"exp": exp or int(time.time() + exp_in), "duration": duration},
        headers=headers,
    )


async def cooling_down_until(stack: Stack, viewer: User, session_id: str) -> float:
    """Ask again as soon as the viewer's request has ended, and check that the cooldown
    refuses it; the monotonic time at which the cooldown is over.

    Until session-service has seen the request's end, the request is still open (409
    `request_open`); from then on the cooldown answers 429, for 8 s locally. Asked at once:
    asked after the refund, whose way round (the wallet, its callback, the notifier) can take
    longer than the whole local cooldown on a loaded machine, it found the cooldown over."""

    async def answered() -> tuple[httpx.Response] | None:
        r = await trigger_exclusive(stack, viewer, session_id)
        if r.status_code == 409 and r.json().get("reason") == "request_open":
            return None
        return (r,)

    (r,) = await eventually(answered, within=60, what="the request's end seen by the session")
    assert r.status_code == 429, r.text
    assert r.json()["reason"] == "LivestreamTriggerQuotaExceeded"
    retry_after = int(r.headers["Retry-After"])
    assert retry_after >= 1
    return time.monotonic() + retry_after


async def open_funding_goal(
    stack: Stack,
    streamer: User,
    session_id: str,
    *,
    target: int,
    ticket_price: int,
    exp_in: float | None = None,
    title: str = "Live show",
) -> str:
    body: dict[str, Any] = {
        "session_id": session_id,
        "title": title,
        "target": target,
        "ticket_price": ticket_price,
    }
    if exp_in is not None:
        body["exp"] = int(time.time() + exp_in)
    r = await stack.http.post(
        f"{stack.ep.goal}/goals", json=body, headers=streamer.headers(stack.ep)
    )
    assert r.status_code == 202, r.text
    return str(r.json()["goal_id"])


async def get_goal(stack: Stack, user: User, goal_id: str) -> httpx.Response:
    return await stack.http.get(f"{stack.ep.goal}/goals/{goal_id}", headers=user.headers(stack.ep))


async def wait_goal(stack: Stack, user: User, goal_id: str, **expect: Any) -> dict[str, Any]:
    """Wait until GET /goals/{id} shows every field in `expect`."""

    async def probe() -> dict[str, Any] | None:
        r = await get_goal(stack, user, goal_id)
        if r.status_code != 200:
            return None
        body = r.json()
        return body if all(body.get(k) == v for k, v in expect.items()) else None

    return await eventually(probe, within=45, what=f"goal {goal_id} with {expect}")


async def buy_tickets(
    stack: Stack, buyer: User, goal_id: str, count: int, *, idempotency_key: str | None = None
) -> httpx.Response:
    headers = buyer.headers(stack.ep)
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return await stack.http.post(
        f"{stack.ep.goal}/goals/{goal_id}/tickets", json={"count": count}, headers=headers
    )


async def end_goal(stack: Stack, streamer: User, goal_id: str) -> httpx.Response:
    return await stack.http.delete(
        f"{stack.ep.goal}/goals/{goal_id}", headers=streamer.headers(stack.ep)
    )


def sign_callback(secret: str, raw: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers the wallet puts on its callback: HMAC-SHA256 over f"{timestamp}.{body}"."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + raw, hashlib.sha256).hexdigest()
    return {
        "X-Wallet-Timestamp": ts,
        "X-Wallet-Signature": digest,
        "Content-Type": "application/json",
    }


async def post_callback(
    stack: Stack, body: dict[str, Any], secret: str, timestamp: int | None = None
) -> httpx.Response:
    raw = json.dumps(body).encode()
    return await stack.http.post(
        f"{stack.ep.wallet_adapter}/notify/wallet/transaction",
        content=raw,
        headers=sign_callback(secret, raw, timestamp),
    )


async def show_action(stack: Stack, streamer: User, show_id: str, action: str) -> httpx.Response:
    """`start`, `end` or `cancel` the funded show `show_id` (a ShowGoal)."""
    return await stack.http.post(
        f"{stack.ep.goal}/goals/{show_id}/{action}", headers=streamer.headers(stack.ep)
    )


async def end_session(stack: Stack, streamer: User, session_id: str) -> httpx.Response:
    return await stack.http.post(
        f"{stack.ep.session}/sessions/{session_id}/end", headers=streamer.headers(stack.ep)
    )


async def wait_show(stack: Stack, streamer: User, session_id: str, funding_goal: str) -> str:
    """The show a funded goal bound, once its session's show pair names it."""

    async def probe() -> str | None:
        for pair in (await get_session(stack, streamer, session_id))["show_goal_pairs"]:
            if pair["funding_goal"] == funding_goal and pair.get("show_goal"):
                return str(pair["show_goal"])
        return None

    return await eventually(probe, within=45, what=f"a show bound to {funding_goal}")


async def list_requests(stack: Stack, streamer: User, session_id: str) -> httpx.Response:
    return await stack.http.get(
        f"{stack.ep.session}/sessions/{session_id}/requests", headers=streamer.headers(stack.ep)
    )


async def answer_request(
    stack: Stack, user: User, session_id: str, viewer_id: str, action: str
) -> httpx.Response:
    """`action`: accept | decline (the streamer), end (the streamer or the viewer).

    A 503 means "not decided yet, send the same call again" (`answer_pending`, or a dependency
    briefly unavailable): the app retries it after Retry-After, and so does this client."""
    return await until_not_503(
        lambda: stack.http.post(
            f"{stack.ep.session}/sessions/{session_id}/requests/{viewer_id}/{action}",
            headers=user.headers(stack.ep),
            timeout=20,
        ),
        within=45,
        longest_wait=5.0,
    )


async def wait_paid(stack: Stack, streamer: User, goal_id: str, session_id: str) -> dict[str, Any]:
    """Wait until the request's debit is counted (progress 1) and the streamer is offered it:
    the app shows accept only for a request session-service lists, which its worker binds to
    the session apart from the payment, so paid alone does not mean acceptable yet."""
    goal = await wait_goal(stack, streamer, goal_id, progress=1)

    async def listed() -> bool:
        r = await list_requests(stack, streamer, session_id)
        return r.status_code == 200 and any(
            q.get("goal_id") == goal_id for q in r.json().get("requests", ())
        )

    await eventually(listed, within=45, what=f"request {goal_id} listed to the streamer")
    return goal


async def funded_show(stack: Stack, make_user, purchases=(2, 1), price: int = 30):  # type: ignore[no-untyped-def]
    """A streamer whose funding goal was bought out and ended: (streamer, buyers, session,
    funding goal, show)."""
    streamer = await stack.add_user(make_user("streamer"), 0)
    buyers = [await stack.add_user(make_user("buyer"), 300) for _ in purchases]
    await stack.wait_users_known(streamer, *buyers)
    session_id = await open_session(stack, streamer)
    goal_id = await open_funding_goal(
        stack, streamer, session_id, target=sum(purchases), ticket_price=price
    )
    await wait_goal(stack, streamer, goal_id, state="active")
    for buyer, count in zip(buyers, purchases, strict=True):
        assert (await buy_tickets(stack, buyer, goal_id, count)).status_code == 202
    await wait_goal(stack, streamer, goal_id, progress=sum(purchases))
    assert (await end_goal(stack, streamer, goal_id)).status_code == 202
    await wait_goal(stack, streamer, goal_id, state="funded")
    show_id = await wait_show(stack, streamer, session_id, goal_id)
    return streamer, buyers, session_id, goal_id, show_id
