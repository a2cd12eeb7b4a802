"""The dev login mints tokens the services accept, for valid user ids only, locally only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from dev_login.app import create_app
from dev_login.config import Settings
from dev_login.users import NotReady
from service_kit.auth import JwtVerifier


class Users:
    """Records who was announced; `ready=False` plays a stack whose services lag behind."""

    def __init__(self, ready: bool = True) -> None:
        self.ready = ready
        self.announced: list[tuple[str, str]] = []

    async def ensure(self, user_id: str, username: str) -> None:
        if not self.ready:
            raise NotReady("session-service has not read user.updated within 30s")
        self.announced.append((user_id, username))


def client(users: Users) -> TestClient:
    return TestClient(create_app(Settings(jwt_secret="s" * 32), users))


def test_login_mints_a_token_for_the_user_after_announcing_them() -> None:
    users = Users()
    r = client(users).post("/dev/login", json={"user_id": "demo-leo"})
    assert r.status_code == 200
    body = r.json()
    assert users.announced == [("demo-leo", "Leo")]
    caller = JwtVerifier("s" * 32).verify(body["token"])
    assert (caller.user_id, caller.client_id) == ("demo-leo", "live-page")
    assert body["pusher"] == {"key": "local-key"}


def test_any_user_id_signs_in_under_its_given_name() -> None:
    users = Users()
    r = client(users).post("/dev/login", json={"user_id": "viewer-zoe", "username": "Zoe"})
    assert r.json()["username"] == "Zoe"
    assert users.announced == [("viewer-zoe", "Zoe")]


@pytest.mark.parametrize("user_id", ["", "Upper", "a", "has space", "../x", "x" * 80])
def test_a_malformed_user_id_is_refused_and_announces_nobody(user_id: str) -> None:
    users = Users()
    r = client(users).post("/dev/login", json={"user_id": user_id})
    assert r.status_code == 422
    assert users.announced == []


def test_a_stack_that_is_not_ready_answers_503_with_a_reason() -> None:
    r = client(Users(ready=False)).post("/dev/login", json={"user_id": "demo-leo"})
    assert r.status_code == 503
    assert r.json()["reason"] == "stack_not_ready"
    assert r.headers["Retry-After"] == "5"


def test_signing_in_twice_announces_again_newest_wins() -> None:
    users = Users()
    c = client(users)
    c.post("/dev/login", json={"user_id": "demo-mia"})
    c.post("/dev/login", json={"user_id": "demo-mia"})
    assert users.announced == [("demo-mia", "Mia"), ("demo-mia", "Mia")]


def test_demo_users_are_listed_with_their_roles() -> None:
    users = client(Users()).get("/dev/users").json()["users"]
    assert {u["role"] for u in users} == {"streamer", "viewer"}
    assert all(u["user_id"].startswith("demo-") for u in users)


def test_it_refuses_to_run_outside_the_local_environment() -> None:
    with pytest.raises(ValidationError, match="local stack only"):
        Settings(environment="production", jwt_secret="x" * 40)
