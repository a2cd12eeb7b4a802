from __future__ import annotations

import time

import jwt
import pytest

from service_kit.auth import AuthError, JwtVerifier, issue_token

SECRET = "s" * 32


def test_valid_token_gives_user_and_client() -> None:
    caller = JwtVerifier(SECRET).verify(issue_token(SECRET, "u1", "ios-app"))
    assert (caller.user_id, caller.client_id) == ("u1", "ios-app")


@pytest.mark.parametrize(
    "token",
    [
        issue_token("another-secret-of-enough-length!!", "u1"),
        jwt.encode({"sub": "u1", "exp": int(time.time()) - 10}, SECRET, algorithm="HS256"),
        jwt.encode({"sub": "u1"}, SECRET, algorithm="HS256"),  # no expiry
        jwt.encode({"exp": int(time.time()) + 60}, SECRET, algorithm="HS256"),  # no subject
        "not-a-jwt",
    ],
    ids=["wrong-key", "expired", "no-exp", "no-sub", "garbage"],
)
def test_bad_tokens_rejected(token: str) -> None:
    with pytest.raises(AuthError):
        JwtVerifier(SECRET).verify(token)


def test_algorithm_none_is_refused() -> None:
    token = jwt.encode({"sub": "u1", "exp": int(time.time()) + 60}, None, algorithm="none")
    with pytest.raises(AuthError):
        JwtVerifier(SECRET).verify(token)


def test_a_deployment_refuses_the_dev_jwt_secret() -> None:
    from service_kit.settings import KitSettings

    with pytest.raises(ValueError, match="JWT_SECRET"):
        KitSettings(environment="production")
    assert KitSettings(environment="production", jwt_secret="x" * 40).jwt_secret == "x" * 40
    assert KitSettings().environment == "local"
