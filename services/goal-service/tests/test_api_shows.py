from __future__ import annotations

import time

import pytest

from goal_service.domain.goal import new_goal
from livestream_schemas.commands import CreateGoal, DeactivateGoal, StartGoal

from .fakes import GOAL_ID, SESSION_ID, STREAMER, T0, VIEWER, FakeContainer, create_command
from .test_api import SETTINGS, auth

SHOW = {"_cls": "ShowGoal", "conditions": {"session_id": SESSION_ID, "funding_goal": "f" * 24}}


def store(c: FakeContainer, **overrides) -> dict:
    doc = new_goal(create_command(**{**SHOW, **overrides}), now=T0)
    c.goals.docs[doc["_id"]] = doc
    return doc


@pytest.mark.parametrize("action", ["start", "end", "cancel"])
def test_a_show_route_needs_a_token_and_the_owner(c, http, action) -> None:
    store(c)
    assert http.post(f"/goals/{GOAL_ID}/{action}").status_code == 401
    r = http.post(f"/goals/{GOAL_ID}/{action}", headers=auth(VIEWER))
    assert r.status_code == 404 and r.json()["reason"] == "goal_not_found"
    r = http.post(f"/goals/{'0' * 24}/{action}", headers=auth(STREAMER))
    assert r.status_code == 404
    assert c.publisher.messages() == []


def test_start_sends_start_goal_and_a_retry_gets_the_same_answer(c, http) -> None:
    store(c)
    first = http.post(f"/goals/{GOAL_ID}/start", headers=auth(STREAMER))
    assert first.status_code == 202, first.text
    (command,) = c.publisher.messages()
    assert isinstance(command, StartGoal) and command.filter == {"metadata.user_id": STREAMER}
    c.goals.docs[GOAL_ID]["started"] = True  # the worker applied it
    again = http.post(f"/goals/{GOAL_ID}/start", headers=auth(STREAMER))
    assert again.status_code == 202 and again.json() == first.json()
    assert len(c.publisher.messages()) == 1


def test_end_needs_a_started_show_and_asks_for_completed(c, http) -> None:
    store(c)
    r = http.post(f"/goals/{GOAL_ID}/end", headers=auth(STREAMER))
    assert r.status_code == 409 and r.json()["reason"] == "show_not_started"
    c.goals.docs[GOAL_ID]["started"] = True
    assert http.post(f"/goals/{GOAL_ID}/end", headers=auth(STREAMER)).status_code == 202
    (command,) = c.publisher.messages()
    assert isinstance(command, DeactivateGoal) and command.outcome == "completed"
    assert command.filter == {"active": True, "metadata.user_id": STREAMER, "started": True}
    c.goals.docs[GOAL_ID].update(active=False, outcome="completed")
    assert http.post(f"/goals/{GOAL_ID}/end", headers=auth(STREAMER)).status_code == 202
    r = http.post(f"/goals/{GOAL_ID}/cancel", headers=auth(STREAMER))
    assert r.status_code == 409 and r.json()["reason"] == "show_over"
    r = http.post(f"/goals/{GOAL_ID}/start", headers=auth(STREAMER))
    assert r.status_code == 409
    assert len(c.publisher.messages()) == 1


def test_cancel_asks_for_cancelled_and_is_idempotent(c, http) -> None:
    store(c)
    assert http.post(f"/goals/{GOAL_ID}/cancel", headers=auth(STREAMER)).status_code == 202
    (command,) = c.publisher.messages()
    assert isinstance(command, DeactivateGoal) and command.outcome == "cancelled"
    c.goals.docs[GOAL_ID].update(active=False, outcome="cancelled")
    assert http.post(f"/goals/{GOAL_ID}/cancel", headers=auth(STREAMER)).status_code == 202
    r = http.post(f"/goals/{GOAL_ID}/end", headers=auth(STREAMER))
    assert r.status_code == 409 and len(c.publisher.messages()) == 1


def test_a_funding_goal_is_not_a_show(c, http) -> None:
    store(c, _cls="ShowFundingGoal")
    r = http.post(f"/goals/{GOAL_ID}/start", headers=auth(STREAMER))
    assert r.status_code == 409 and r.json()["reason"] == "not_a_show"


def test_a_funding_goal_without_exp_lives_the_default_lifetime(c, http) -> None:
    body = {"session_id": SESSION_ID, "title": "Show", "target": 5, "ticket_price": 20}
    r = http.post("/goals", json=body, headers=auth(STREAMER))
    assert r.status_code == 202, r.text
    (command,) = c.publisher.messages()
    assert isinstance(command, CreateGoal) and command.exp is not None
    lifetime = command.exp.timestamp() - time.time()
    assert abs(lifetime - SETTINGS.funding_goal_default_lifetime_s) < 60
    assert r.json()["exp"] == int(command.exp.timestamp())


@pytest.mark.parametrize("exp", [10**20, -(10**20), 0])
def test_an_exp_out_of_range_is_422_not_500(c, http, exp) -> None:
    body = {"session_id": SESSION_ID, "title": "S", "target": 5, "ticket_price": 20, "exp": exp}
    assert http.post("/goals", json=body, headers=auth(STREAMER)).status_code == 422


@pytest.mark.parametrize(
    "pair",
    [{"funding_goal": "f", "funded": True}, {"funding_goal": "f", "show_goal": "s"}],
)
def test_no_new_funding_goal_while_a_show_is_not_done(c, http, pair) -> None:
    c.sessions.sessions[SESSION_ID]["show_goal_pairs"] = [pair]
    body = {"session_id": SESSION_ID, "title": "Show", "target": 5, "ticket_price": 20}
    r = http.post("/goals", json=body, headers=auth(STREAMER))
    assert r.status_code == 409 and r.json()["reason"] == "show_not_done"
    c.sessions.sessions[SESSION_ID]["show_goal_pairs"] = [{**pair, "show_ended": "2025-01-01"}]
    assert http.post("/goals", json=body, headers=auth(STREAMER)).status_code == 202
