"""The wallet's callback signature: hex HMAC-SHA256 over `{timestamp}.{raw body}`."""

from __future__ import annotations

import hashlib
import hmac


class SignatureRejected(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def sign(secret: str, timestamp: int | str, raw_body: bytes) -> str:
    message = f"{timestamp}.".encode() + raw_body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    *,
    secret: str,
    timestamp: str | None,
    signature: str | None,
    raw_body: bytes,
    now: float,
    max_skew_s: float,
) -> None:
    """Raise SignatureRejected unless the body is signed with `secret` and fresh."""
    if not secret:
        raise SignatureRejected("not_configured", "no wallet callback secret is configured")
    if not timestamp or not signature:
        raise SignatureRejected(
            "missing_signature", "X-Wallet-Timestamp and X-Wallet-Signature required"
        )
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureRejected(
            "invalid_timestamp", "X-Wallet-Timestamp is not unix seconds"
        ) from None
    # The skew bound is what makes a captured callback useless for replay later on.
    if abs(now - sent_at) > max_skew_s:
        raise SignatureRejected("stale_signature", f"timestamp is more than {max_skew_s:g}s off")
    if not hmac.compare_digest(sign(secret, timestamp, raw_body), signature.strip().lower()):
        raise SignatureRejected("bad_signature", "signature does not match the body")
