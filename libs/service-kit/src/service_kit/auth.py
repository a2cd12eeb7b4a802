"""Verify the gateway's JWT: the user is `sub`, the client id a configurable claim.

HS256 tokens are checked with the shared secret; RS256/ES256 tokens with the gateway's
public keys from its JWKS URL. Each key only ever checks the algorithms of its own kind, so
a token cannot choose to be checked against the other key ("algorithm confusion").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jwt

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"})


@dataclass(frozen=True)
class Caller:
    user_id: str
    client_id: str


class AuthError(Exception):
    pass


@dataclass(frozen=True)
class JwtVerifier:
    key: str = ""
    algorithms: tuple[str, ...] = ("HS256",)
    issuer: str | None = None
    audience: str | None = None
    client_claim: str = "client_id"
    # Clock skew tolerated on exp/iat/nbf: a gateway a second ahead must not cause 401s.
    leeway_s: float = 30.0
    jwks_url: str | None = None
    _jwks: jwt.PyJWKClient | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.algorithms) - HMAC_ALGORITHMS - ASYMMETRIC_ALGORITHMS
        if unknown:
            raise ValueError(f"unsupported JWT algorithms {sorted(unknown)}")
        if self.jwks_url:
            # The key set is cached for five minutes; a new `kid` refetches it at once.
            client = jwt.PyJWKClient(self.jwks_url, cache_keys=True, lifespan=300, timeout=5)
            object.__setattr__(self, "_jwks", client)

    @property
    def fetches_keys(self) -> bool:
        """Whether verify() may do network I/O (a JWKS fetch): callers run it off the loop."""
        return self._jwks is not None

    def verify(self, token: str) -> Caller:
        try:
            key, algorithms = self._key_for(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway_s,
                options={"require": ["sub", "exp"], "verify_aud": self.audience is not None},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(str(exc)) from exc
        return Caller(user_id=str(claims["sub"]), client_id=str(claims.get(self.client_claim, "")))

    def _key_for(self, token: str) -> tuple[Any, list[str]]:
        alg = jwt.get_unverified_header(token).get("alg")
        if alg in HMAC_ALGORITHMS and alg in self.algorithms and self.key:
            return self.key, sorted(HMAC_ALGORITHMS & set(self.algorithms))
        if alg in ASYMMETRIC_ALGORITHMS and alg in self.algorithms and self._jwks is not None:
            signing_key = self._jwks.get_signing_key_from_jwt(token)
            return signing_key.key, sorted(ASYMMETRIC_ALGORITHMS & set(self.algorithms))
        raise jwt.InvalidAlgorithmError(f"algorithm {alg!r} is not accepted")


def issue_token(
    secret: str,
    user_id: str,
    client_id: str = "web",
    ttl_s: int = 3600,
    client_claim: str = "client_id",
) -> str:
    """Mint an HS256 token the way the gateway would (dev stack, demo and tests)."""
    import time

    now = int(time.time())
    return jwt.encode(
        {"sub": user_id, client_claim: client_id, "iat": now, "exp": now + ttl_s},
        secret,
        algorithm="HS256",
    )
