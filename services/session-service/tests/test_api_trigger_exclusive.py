"""POST /sessions/{id}/trigger_exclusive through the real FastAPI app, with fakes behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from session_service_fakes import T0, profile
from session_service_trigger_world import EXP, SID, STREAMER, URL, VIEWER, World, reason

from livestream_schemas.commands import CreateGoal, Transfer
from service_kit.auth import issue_token
from session_service.domain.session import ExclusiveGoalPair, ShowGoalPair, Status
from session_service.ports import OpenRequest


@pytest.fixture
async def w() -> AsyncIterator[World]:
    world = World()
    yield world
    await world.http.aclose()


async def test_accepts_a_request_and_sends_create_goal_then_transfer(w: World) -> None:
    response = await w.trigger()
    assert response.status_code == 202
    body = response.json()
    goal_id = body["goal_id"]
    assert len(goal_id) == 24 and int(goal_id, 16) >= 0
    assert body == {
        "goal_id": goal_id,
        "amount": 50,
        "exp": EXP,
        "duration": 300,
        "transaction_id": f"session:trigger-exclusive:{goal_id}",
    }
    create, transfer = w.publisher.messages
    assert isinstance(create, CreateGoal) and isinstance(transfer, Transfer)
    assert (create.goal_id, create.cls, create.active, create.nbf) == (
        goal_id,
        "TriggerExclusiveGoal",
        True,
        None,
    )
    assert create.exp is not None and int(create.exp.timestamp()) == EXP
    assert create.levels == []
    assert create.context == {"type": "trigger-exclusive", "exclusive_to": VIEWER}
    assert create.conditions == {"session_id": SID, "exclusive_to": VIEWER}
    assert create.metadata == {"user_id": STREAMER, "prepaid_duration": 300}
    assert transfer.model_dump() == {
        "transaction_id": f"session:trigger-exclusive:{goal_id}",
        "from_user_id": VIEWER,
        "to_user_id": None,
        "escrow_user_id": STREAMER,
        "amount": 50,
        "tags": [f"swag::livestream.session:{SID}.trigger_exclusive:{goal_id}"],
        "forced": False,
        "timestamp": None,
    }
    lock = await w.locks.get(SID, VIEWER)
    assert lock is not None and lock.goal_id == goal_id and lock.published


async def test_the_balance_read_carries_the_viewers_token(w: World) -> None:
    # One token, sent and compared: two minted a second apart differ in `iat`.
    token = w.token()
    headers = {"Authorization": f"Bearer {token}"}
    await w.http.post(URL, json={"exp": EXP, "duration": 300}, headers=headers)
    assert w.balances.calls == [(VIEWER, f"Bearer {token}")]


async def test_without_a_token_is_401_whatever_the_body(w: World) -> None:
    response = await w.http.post(URL, content=b"not json")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert w.publisher.published == []


async def test_with_a_forged_token_is_401(w: World) -> None:
    forged = issue_token("another-secret-that-is-long-enough!!", VIEWER)
    response = await w.http.post(
        URL, json={"exp": EXP, "duration": 300}, headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"exp": EXP},
        {"duration": 300},
        {"exp": "soon", "duration": 300},
        [1, 2],
        None,
        {"exp": 10**20, "duration": 300},
        {"exp": EXP, "duration": 10**20},
    ],
    ids=["no-duration", "no-exp", "exp-not-int", "not-object", "null", "huge-exp", "huge-duration"],
)
async def test_a_malformed_body_is_422(w: World, body: Any) -> None:
    headers = {"Authorization": f"Bearer {w.token()}"}
    response = await w.http.post(URL, json=body, headers=headers)
    assert response.status_code == 422
    assert reason(response) == "invalid_request"


async def test_invalid_json_is_422(w: World) -> None:
    headers = {"Authorization": f"Bearer {w.token()}", "Content-Type": "application/json"}
    response = await w.http.post(URL, content=b"{", headers=headers)
    assert response.status_code == 422


@pytest.mark.parametrize("exp_offset", [0, -1, 3601])
async def test_an_expiry_not_in_the_allowed_window_is_422(w: World, exp_offset: int) -> None:
    exp = int(T0.timestamp()) + exp_offset
    response = await w.trigger({"exp": exp, "duration": 300})
    assert response.status_code == 422
    assert reason(response) == "invalid_exp"


async def test_the_latest_allowed_expiry_is_accepted(w: World) -> None:
    response = await w.trigger({"exp": int(T0.timestamp()) + 3600, "duration": 300})
    assert response.status_code == 202


async def test_a_duration_not_priced_is_422(w: World) -> None:
    response = await w.trigger({"exp": EXP, "duration": 120})
    assert response.status_code == 422
    assert reason(response) == "duration_not_allowed"
    assert w.publisher.published == []


async def test_an_unknown_session_is_404(w: World) -> None:
    response = await w.trigger(url=f"/sessions/{'b' * 24}/trigger_exclusive")
    assert response.status_code == 404


async def test_an_ended_session_is_404(w: World) -> None:
    w.edit_session(active=False)
    assert (await w.trigger()).status_code == 404


async def test_the_streamer_cannot_trigger_their_own_session(w: World) -> None:
    response = await w.trigger(user=STREAMER)
    assert (response.status_code, reason(response)) == (403, "own_session")


async def test_a_blocked_viewer_is_403(w: World) -> None:
    w.users.docs[VIEWER] = (profile(VIEWER, f"blocked-by:{STREAMER}"), 1)
    response = await w.trigger()
    assert (response.status_code, reason(response)) == (403, "blocked_by_streamer")


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ({"show_goal_pairs": [ShowGoalPair(funding_goal="f" * 24)]}, "funding_not_ended"),
        (
            {"show_goal_pairs": [ShowGoalPair(funding_goal="f", funding_ended=T0, show_goal="s")]},
            "show_not_done",
        ),
        ({"status": Status(preset="sd", exclusive_to="viewer-2")}, "already_exclusive"),
    ],
)
async def test_session_state_forbids_with_a_reason(
    w: World, update: dict[str, Any], expected: str
) -> None:
    w.edit_session(**update)
    response = await w.trigger()
    assert (response.status_code, reason(response)) == (403, expected)
    assert w.publisher.published == []


async def test_during_the_cooldown_is_429_with_retry_after(w: World) -> None:
    ended = T0 - timedelta(seconds=120)
    pair = ExclusiveGoalPair(trigger_exclusive_goal="0" * 24, trigger_exclusive_goal_ended=ended)
    w.edit_session(exclusive_goal_pairs={VIEWER: pair})
    response = await w.trigger()
    assert response.status_code == 429
    assert reason(response) == "LivestreamTriggerQuotaExceeded"
    assert response.headers["Retry-After"] == "180"
    w.clock.advance(180)
    assert (await w.trigger({"exp": EXP + 180, "duration": 300})).status_code == 202


async def test_a_second_open_request_is_409_and_sends_nothing(w: World) -> None:
    assert (await w.trigger()).status_code == 202
    response = await w.trigger({"exp": EXP, "duration": 60})
    assert (response.status_code, reason(response)) == (409, "request_open")
    assert len(w.publisher.published) == 2


async def test_another_idempotency_key_while_open_is_409(w: World) -> None:
    assert (await w.trigger(key="k1")).status_code == 202
    response = await w.trigger(key="k2")
    assert (response.status_code, reason(response)) == (409, "request_open")


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_sends_nothing(
    w: World,
) -> None:
    first = await w.trigger(key="retry-me")
    again = await w.trigger(key="retry-me")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(w.publisher.published) == 2
    assert len(w.balances.calls) == 1


async def test_one_key_used_by_two_viewers_gives_two_goals(w: World) -> None:
    w.users.docs["viewer-2"] = (profile("viewer-2"), 1)
    w.balances.balances["viewer-2"] = 1_000
    one = (await w.trigger(key="k")).json()["goal_id"]
    two = (await w.trigger(user="viewer-2", key="k")).json()["goal_id"]
    assert one != two


async def test_a_crash_before_kafka_is_completed_by_the_retry(w: World) -> None:
    w.publisher.fail_after = 1  # create_goal goes out, the transfer does not
    failed = await w.trigger(key="k")
    assert (failed.status_code, reason(failed)) == (503, "broker_unavailable")
    w.publisher.fail_after = None
    retried = await w.trigger(key="k")
    assert retried.status_code == 202
    ids = [(m.message_type, event_id) for m, event_id in w.publisher.published]
    assert ids[0] == ids[1] and ids[0][0] == "create_goal"  # same command, same event id
    assert ids[2][0] == "transfer" and len(ids) == 3
    lock = await w.locks.get(SID, VIEWER)
    assert lock is not None and lock.published


async def test_a_lock_that_never_reached_kafka_goes_stale(w: World) -> None:
    stale = OpenRequest(SID, VIEWER, STREAMER, "9" * 24, 50, 300, EXP, None, T0, published=False)
    await w.locks.take(stale)
    assert (await w.trigger()).status_code == 409
    w.clock.advance(31)
    response = await w.trigger({"exp": EXP + 31, "duration": 300})
    assert response.status_code == 202
    lock = await w.locks.get(SID, VIEWER)
    assert lock is not None and lock.goal_id == response.json()["goal_id"]


async def test_wallet_adapter_down_is_503(w: World) -> None:
    w.balances.down = True
    response = await w.trigger()
    assert (response.status_code, reason(response)) == (503, "wallet_unavailable")
    assert await w.locks.get(SID, VIEWER) is None


async def test_a_balance_below_the_price_is_403(w: World) -> None:
    w.balances.balances[VIEWER] = 49
    response = await w.trigger()
    assert (response.status_code, reason(response)) == (403, "insufficient_balance")
    assert w.publisher.published == []


async def test_a_balance_equal_to_the_price_is_enough(w: World) -> None:
    w.balances.balances[VIEWER] = 50
    assert (await w.trigger()).status_code == 202


@pytest.mark.parametrize("unknown", ["viewer-profile", "streamer-profile", "wallet"])
async def test_unknown_wallets_are_403(w: World, unknown: str) -> None:
    if unknown == "viewer-profile":
        del w.users.docs[VIEWER]
    elif unknown == "streamer-profile":
        del w.users.docs[STREAMER]
    else:
        del w.balances.balances[VIEWER]
    response = await w.trigger()
    assert (response.status_code, reason(response)) == (403, "unknown_wallet")
    assert w.publisher.published == []


async def test_a_malformed_request_is_422_before_any_403(w: World) -> None:
    w.users.docs[VIEWER] = (profile(VIEWER, f"blocked-by:{STREAMER}"), 1)
    response = await w.trigger({"exp": int(T0.timestamp()) - 1, "duration": 300})
    assert (response.status_code, reason(response)) == (422, "invalid_exp")


async def test_a_403_reason_comes_before_an_unpriced_duration(w: World) -> None:
    w.users.docs[VIEWER] = (profile(VIEWER, f"blocked-by:{STREAMER}"), 1)
    response = await w.trigger({"exp": EXP, "duration": 120})
    assert (response.status_code, reason(response)) == (403, "blocked_by_streamer")
    w.edit_session(status=Status(preset="sd", exclusive_to="viewer-2"))
    w.users.docs[VIEWER] = (profile(VIEWER), 1)
    response = await w.trigger({"exp": EXP, "duration": 120})
    assert (response.status_code, reason(response)) == (403, "already_exclusive")


async def test_an_unpriced_duration_is_422_before_the_balance_403(w: World) -> None:
    w.balances.balances[VIEWER] = 0
    response = await w.trigger({"exp": EXP, "duration": 120})
    assert (response.status_code, reason(response)) == (422, "duration_not_allowed")
    assert w.publisher.published == []
