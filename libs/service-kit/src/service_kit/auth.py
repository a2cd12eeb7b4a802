"""Verify the gateway's JWT: the user is `sub`, the client id a configurable claim."""

from __future__ import annotations

from dataclasses import dataclass

import jwt


@dataclass(frozen=True)
class Caller:
    user_id: str
    client_id: str


class AuthError(Exception):
    pass


@dataclass(frozen=True)
class JwtVerifier:
    key: str
    algorithms: tuple[str, ...] = ("HS256",)
    issuer: str | None = None
    audience: str | None = None
    client_claim: str = "client_id"

    def verify(self, token: str) -> Caller:
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=list(self.algorithms),
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["sub", "exp"], "verify_aud": self.audience is not None},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(str(exc)) from exc
        return Caller(user_id=str(claims["sub"]), client_id=str(claims.get(self.client_claim, "")))


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
