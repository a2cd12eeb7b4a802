"""RS256/ES256 tokens checked against the gateway's JWKS URL, served here over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from service_kit.auth import AuthError, JwtVerifier
from service_kit.http import CallerDep, create_app
from service_kit.settings import KitSettings

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
SECRET = "s" * 32
ALGORITHMS = ("HS256", "RS256", "ES256")


def _jwk(public_key: object, kid: str, alg: str) -> dict[str, str]:
    to_jwk = RSAAlgorithm.to_jwk if alg == "RS256" else ECAlgorithm.to_jwk
    return {**json.loads(to_jwk(public_key)), "kid": kid, "alg": alg, "use": "sig"}  # type: ignore[arg-type]


JWKS = {
    "keys": [
        _jwk(RSA_KEY.public_key(), "rsa-1", "RS256"),
        _jwk(EC_KEY.public_key(), "ec-1", "ES256"),
    ]
}


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(JWKS).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None: ...

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


def token(key: object, alg: str, kid: str, **claims: object) -> str:
    now = int(time.time())
    body = {"sub": "u1", "iat": now, "exp": now + 60, "iss": "gw", "aud": "lsg", **claims}
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})  # type: ignore[arg-type]


def verifier(jwks_url: str) -> JwtVerifier:
    return JwtVerifier(SECRET, ALGORITHMS, issuer="gw", audience="lsg", jwks_url=jwks_url)


@pytest.mark.parametrize(
    ("key", "alg", "kid"), [(RSA_KEY, "RS256", "rsa-1"), (EC_KEY, "ES256", "ec-1")]
)
def test_gateway_signed_tokens_are_accepted(jwks_url: str, key: object, alg: str, kid: str) -> None:
    assert verifier(jwks_url).verify(token(key, alg, kid)).user_id == "u1"


def test_hs256_still_works_beside_the_jwks(jwks_url: str) -> None:
    assert verifier(jwks_url).verify(token(SECRET, "HS256", "none")).user_id == "u1"


def test_a_token_signed_by_another_key_is_refused(jwks_url: str) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthError):
        verifier(jwks_url).verify(token(stranger, "RS256", "rsa-1"))
    with pytest.raises(AuthError):
        verifier(jwks_url).verify(token(stranger, "RS256", "unknown-kid"))


def test_the_public_key_cannot_be_used_as_an_hmac_secret(jwks_url: str) -> None:
    """The classic confusion: HS256 "signed" with the gateway's public key, which is public."""
    pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"})
    payload = _b64({"sub": "u1", "exp": int(time.time()) + 60, "iss": "gw", "aud": "lsg"})
    mac = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    for key in ("", SECRET):
        with pytest.raises(AuthError):
            JwtVerifier(key, ALGORITHMS, issuer="gw", audience="lsg", jwks_url=jwks_url).verify(
                forged
            )


def _b64(part: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def test_an_algorithm_not_configured_is_refused(jwks_url: str) -> None:
    hs_only = JwtVerifier(SECRET, ("HS256",), issuer="gw", audience="lsg", jwks_url=jwks_url)
    with pytest.raises(AuthError):
        hs_only.verify(token(RSA_KEY, "RS256", "rsa-1"))


async def test_an_api_checks_jwks_tokens_without_blocking(
    jwks_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)  # the stack's dev key; RS256 only here
    settings = KitSettings(
        environment="production",
        jwt_jwks_url=jwks_url,
        jwt_algorithms=["RS256"],
        jwt_issuer="gw",
        jwt_audience="lsg",
    )

    async def ready() -> dict[str, bool]:
        return {}

    app = create_app(settings, ready=ready)

    @app.get("/me")
    async def me(caller: CallerDep) -> dict[str, str]:
        return {"user": caller.user_id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        good = await http.get(
            "/me", headers={"Authorization": f"Bearer {token(RSA_KEY, 'RS256', 'rsa-1')}"}
        )
        hs = await http.get(
            "/me", headers={"Authorization": f"Bearer {token(SECRET, 'HS256', 'x')}"}
        )
    assert good.json() == {"user": "u1"}
    assert hs.status_code == 401
