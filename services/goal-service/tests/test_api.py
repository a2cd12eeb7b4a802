from __future__ import annotations

import time

import pytest

from goal_service.config import Settings
from goal_service.domain.goal import new_goal
from goal_service.usecases.tickets import purchase_id_for
from livestream_schemas.commands import CreateGoal, DeactivateGoal, Transfer
from service_kit.auth import issue_token

from .fakes import GOAL_ID, SESSION_ID, STREAMER, T0, VIEWER, FakeContainer, create_command

SETTINGS = Settings()


def auth(user: str, client_id: str = "app-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SETTINGS.jwt_secret, user, client_id)}"}


def store_goal(c: FakeContainer, **overrides) -> dict:
    doc = new_goal(create_command(**overrides), now=T0)
    c.goals.docs[doc["_id"]] = doc
    return doc


def open_body(**overrides) -> dict:
    return {"session_id": SESSION_ID, "title": "Show", "target": 5, "ticket_price": 20, **overrides}


# POST /goals


def test_opening_a_goal_sends_create_goal(c, http) -> None:
    exp = int(time.time()) + 3600
    headers = auth(STREAMER)
    r = http.post("/goals", json=open_body(exp=exp), headers=headers)

    assert r.status_code == 202, r.text
    body = r.json()
    [command] = c.publisher.messages()
    assert isinstance(command, CreateGoal) and command.goal_id == body["goal_id"]
    assert len(body["goal_id"]) == 24 and body["status"] == "pending"
    assert command.cls == "ShowFundingGoal" and int(command.exp.timestamp()) == exp
    assert [(lv.title, lv.target) for lv in command.levels] == [("Show", 5)]
    assert command.conditions == {"session_id": SESSION_ID}
    assert command.metadata == {"user_id": STREAMER, "session_id": SESSION_ID, "ticket_price": 20}
    assert c.sessions.seen_authorization == [headers["Authorization"]]


@pytest.mark.parametrize(
    "session",
    [
        None,
        {"session_id": SESSION_ID, "user_id": "someone-else", "active": True},
        {"session_id": SESSION_ID, "user_id": STREAMER, "active": False},
    ],
)
def test_only_the_owner_of_an_active_session_opens_a_goal(c, http, session) -> None:
    c.sessions.sessions = {SESSION_ID: session} if session else {}
    r = http.post("/goals", json=open_body(), headers=auth(STREAMER))
    assert r.status_code == 404 and r.json()["reason"] == "session_not_found"
    assert c.publisher.sent == []


def test_session_service_down_is_a_503(c, http) -> None:
    c.sessions.down = True
    r = http.post("/goals", json=open_body(), headers=auth(STREAMER))
    assert r.status_code == 503
    assert r.json()["reason"] == "session_service_unavailable"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": 1_000}, "invalid_exp"),
        ({"exp": int(time.time()) + 8 * 86400}, "invalid_exp"),
        ({"target": 0}, "invalid_request"),
        ({"ticket_price": 0}, "invalid_request"),
        ({"title": ""}, "invalid_request"),
        ({"session_id": "../admin"}, "invalid_request"),
        # Past what a datetime holds: was an OverflowError and a 500.
        ({"exp": 100000000000000000000}, "invalid_request"),
        ({"exp": -(10**20)}, "invalid_request"),
        ({"target": 10**30}, "invalid_request"),
    ],
)
def test_bad_goal_input_is_a_422(c, http, overrides, reason) -> None:
    r = http.post("/goals", json=open_body(**overrides), headers=auth(STREAMER))
    assert r.status_code == 422
    body = r.json()
    assert body["reason"] == reason and body["status"] == 422
    assert c.publisher.sent == []


def test_no_token_no_goal(c, http) -> None:
    assert http.post("/goals", json=open_body()).status_code == 401


def test_a_broker_outage_is_a_503_not_a_500(c, http) -> None:
    c.publisher.fail = True
    r = http.post("/goals", json=open_body(), headers=auth(STREAMER))
    assert r.status_code == 503 and r.json()["reason"] == "broker_unavailable"


# GET /goals/{id}


def test_reading_a_goal_shows_state_and_leaderboard(c, http) -> None:
    doc = store_goal(c)
    doc.update(progress=4, version=5)
    doc["top"] = [
        {"user_id": "b", "progress": 2, "cost": 20},
        {"user_id": "c", "progress": 1, "cost": 30},
        {"user_id": "a", "progress": 1, "cost": 10},
    ]
    r = http.get(f"/goals/{GOAL_ID}", headers=auth(VIEWER))
    assert r.status_code == 200
    body = r.json()
    assert body["state"] == "active" and body["progress"] == 4 and body["target"] == 3
    assert body["version"] == 5 and body["exp"] == int(doc["exp"].timestamp())
    assert [e["user_id"] for e in body["leaderboard"]] == ["b", "c", "a"]
    assert "insert_ids" not in r.text


@pytest.mark.parametrize(("progress", "state"), [(3, "funded"), (2, "failed")])
def test_an_ended_funding_goal_is_funded_or_failed(c, http, progress, state) -> None:
    store_goal(c).update(active=False, progress=progress)
    assert http.get(f"/goals/{GOAL_ID}", headers=auth(VIEWER)).json()["state"] == state


def test_reading_an_unknown_goal_is_a_404(http) -> None:
    assert http.get("/goals/nope", headers=auth(VIEWER)).status_code == 404


# DELETE /goals/{id}


def test_the_streamer_ends_their_goal(c, http) -> None:
    store_goal(c)
    r = http.delete(f"/goals/{GOAL_ID}", headers=auth(STREAMER, "ios-7"))
    assert r.status_code == 202
    assert c.publisher.messages() == [
        DeactivateGoal(
            goal_id=GOAL_ID,
            filter={"active": True, "metadata.user_id": STREAMER},
            triggerer="ios-7",
        )
    ]


def test_others_goals_and_ended_goals_look_absent(c, http) -> None:
    store_goal(c)
    assert http.delete(f"/goals/{GOAL_ID}", headers=auth(VIEWER)).status_code == 404
    c.goals.docs[GOAL_ID]["active"] = False
    assert http.delete(f"/goals/{GOAL_ID}", headers=auth(STREAMER)).status_code == 404
    assert http.delete("/goals/unknown", headers=auth(STREAMER)).status_code == 404
    assert c.publisher.sent == []


# POST /goals/{id}/tickets


def buy(http, count: int = 2, key: str | None = "k-1", user: str = VIEWER):
    headers = auth(user) | ({"Idempotency-Key": key} if key else {})
    return http.post(f"/goals/{GOAL_ID}/tickets", json={"count": count}, headers=headers)


def test_buying_tickets_transfers_coins_into_the_streamers_escrow(c, http) -> None:
    store_goal(c)
    r = buy(http, 2)
    assert r.status_code == 202
    purchase_id = purchase_id_for(VIEWER, GOAL_ID, "k-1")
    tx = f"goal:show-ticket:{GOAL_ID}:{purchase_id}"
    assert r.json() == {
        "purchase_id": purchase_id,
        "transaction_id": tx,
        "goal_id": GOAL_ID,
        "amount": 20,
        "count": 2,
    }
    assert c.publisher.messages() == [
        Transfer(
            transaction_id=tx,
            from_user_id=VIEWER,
            to_user_id=None,
            escrow_user_id=STREAMER,
            amount=20,
            tags=[f"swag::livestream.session:{SESSION_ID}.show_ticket:{GOAL_ID}"],
        )
    ]
    assert c.purchases.docs[purchase_id]["published"] is True


def test_a_repeated_key_returns_the_first_answer_and_charges_once(c, http) -> None:
    store_goal(c)
    first = buy(http)
    c.goals.docs[GOAL_ID]["active"] = False  # even after the goal ended
    again = buy(http)
    assert again.status_code == 202 and again.json() == first.json()
    assert len(c.publisher.sent) == 1


def test_without_a_key_every_request_is_a_new_purchase(c, http) -> None:
    store_goal(c)
    a, b = buy(http, key=None), buy(http, key=None)
    assert a.json()["purchase_id"] != b.json()["purchase_id"]
    assert len(c.publisher.sent) == 2


def test_a_purchase_cut_short_before_publishing_is_finished_by_the_retry(c, http) -> None:
    store_goal(c)
    c.publisher.fail = True
    assert buy(http).status_code == 503
    c.publisher.fail = False
    r = buy(http)
    assert r.status_code == 202
    assert [m.transaction_id for m in c.publisher.messages()] == [r.json()["transaction_id"]]


def test_a_key_reused_for_a_different_purchase_is_refused(c, http) -> None:
    store_goal(c)
    buy(http, 2)
    r = buy(http, 3)
    assert r.status_code == 422 and r.json()["reason"] == "idempotency_key_reused"


def test_an_ended_goal_sells_nothing(c, http) -> None:
    store_goal(c)["active"] = False
    r = buy(http)
    assert r.status_code == 409 and r.json()["reason"] == "goal_ended"
    assert c.publisher.sent == [] and c.purchases.docs == {}


def test_only_funding_goals_sell_tickets(c, http) -> None:
    store_goal(c, _cls="TriggerExclusiveGoal", levels=[])
    assert buy(http).status_code == 422
    assert (
        http.post("/goals/unknown/tickets", json={"count": 1}, headers=auth(VIEWER)).status_code
        == 404
    )


@pytest.mark.parametrize("count", [0, 101])
def test_ticket_count_is_bounded(c, http, count) -> None:
    store_goal(c)
    assert buy(http, count).status_code == 422
    assert c.publisher.sent == []
