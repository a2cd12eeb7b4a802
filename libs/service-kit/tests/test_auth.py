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
        jwt.encode({"sub": "u1", "exp": int(time.time()) - 40}, SECRET, algorithm="HS256"),
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


@pytest.fixture(autouse=True)
def _no_stack_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stack's environment (env.sh) carries the dev JWT secret; a deployment would not."""
    monkeypatch.delenv("JWT_SECRET", raising=False)


def test_a_deployment_refuses_the_dev_jwt_secret() -> None:
    from service_kit.settings import DEV_JWT_SECRET, KitSettings

    with pytest.raises(ValueError, match="JWT_SECRET"):
        KitSettings(environment="production", jwt_secret=DEV_JWT_SECRET)
    assert KitSettings(environment="production", jwt_secret="x" * 40).jwt_secret == "x" * 40
    assert KitSettings().environment == "local"
    assert KitSettings().jwt_secret == DEV_JWT_SECRET


def test_a_worker_starts_without_any_jwt_setting_outside_local() -> None:
    from service_kit.settings import KitSettings

    settings = KitSettings(environment="production")
    assert settings.jwt_secret == ""


@pytest.mark.parametrize(
    "missing", ["JWT_ISSUER", "JWT_AUDIENCE", "JWT_SECRET or JWT_JWKS_URL"], ids=str.lower
)
def test_an_api_outside_local_needs_a_key_an_issuer_and_an_audience(missing: str) -> None:
    from service_kit.http import create_app
    from service_kit.settings import KitSettings

    config = {"jwt_secret": SECRET, "jwt_issuer": "https://gw", "jwt_audience": "livestream"}
    config.pop(
        {"JWT_ISSUER": "jwt_issuer", "JWT_AUDIENCE": "jwt_audience"}.get(missing, "jwt_secret")
    )
    settings = KitSettings(environment="production", **config)  # type: ignore[arg-type]

    async def ready() -> dict[str, bool]:
        return {}

    with pytest.raises(ValueError, match=missing):
        create_app(settings, ready=ready)


def _claims(**extra: object) -> dict[str, object]:
    now = int(time.time())
    return {"sub": "u1", "iat": now, "exp": now + 60, **extra}


def test_issuer_and_audience_are_checked_when_configured() -> None:
    verifier = JwtVerifier(SECRET, issuer="https://gw", audience="livestream")
    good = jwt.encode(_claims(iss="https://gw", aud="livestream"), SECRET, algorithm="HS256")
    assert verifier.verify(good).user_id == "u1"
    for claims in (_claims(iss="https://other", aud="livestream"), _claims(iss="https://gw")):
        with pytest.raises(AuthError):
            verifier.verify(jwt.encode(claims, SECRET, algorithm="HS256"))


def test_a_gateway_clock_a_little_ahead_is_tolerated_but_not_a_minute() -> None:
    now = int(time.time())
    ahead = jwt.encode({"sub": "u1", "iat": now + 5, "nbf": now + 5, "exp": now + 60}, SECRET)
    assert JwtVerifier(SECRET).verify(ahead).user_id == "u1"
    expired_recently = jwt.encode({"sub": "u1", "exp": now - 10}, SECRET)
    assert JwtVerifier(SECRET).verify(expired_recently).user_id == "u1"
    far_ahead = jwt.encode({"sub": "u1", "nbf": now + 90, "exp": now + 600}, SECRET)
    with pytest.raises(AuthError):
        JwtVerifier(SECRET).verify(far_ahead)
