"""The wallet's callback signature: hex HMAC-SHA256 over `{timestamp}.{raw body}`."""

from __future__ import annotations

import hashlib
import hmac
import re

# Checked before anything is compared or parsed: a header of another shape (non-ASCII,
# 100 KB, a float) is refused as malformed without reaching the HMAC comparison.
_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


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
    timestamp, signature = timestamp.strip(), signature.strip()
    if not _TIMESTAMP.fullmatch(timestamp):
        raise SignatureRejected("invalid_timestamp", "X-Wallet-Timestamp is not unix seconds")
    if not _SIGNATURE.fullmatch(signature):
        raise SignatureRejected("invalid_signature", "X-Wallet-Signature is not 64 hex digits")
    sent_at = int(timestamp)
    # The skew bound is what makes a captured callback useless for replay later on.
    if abs(now - sent_at) > max_skew_s:
        raise SignatureRejected("stale_signature", f"timestamp is more than {max_skew_s:g}s off")
    if not hmac.compare_digest(sign(secret, timestamp, raw_body), signature.lower()):
        raise SignatureRejected("bad_signature", "signature does not match the body")
