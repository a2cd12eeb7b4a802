"""Wallet tag conventions.

`swag::livestream.session:{session_id}.{kind}:{goal_id}` names what a payment is
for; the escrow tag prefixes it with `escrow::{b64(beneficiary wallet id)}:` so
the wallet knows whose escrow holds the coins. Base64 is the standard alphabet
with padding (RFC 4648 section 4) over the UTF-8 wallet id.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

TRIGGER_EXCLUSIVE = "trigger_exclusive"
SHOW_TICKET = "show_ticket"

_SWAG = re.compile(
    r"^swag::livestream\.session:(?P<session>[^.:]+)\.(?P<kind>[a-z_]+):(?P<goal>[^:]+)$"
)


@dataclass(frozen=True)
class SwagTag:
    session_id: str
    kind: str
    goal_id: str


def swag_tag(session_id: str, kind: str, goal_id: str) -> str:
    return f"swag::livestream.session:{session_id}.{kind}:{goal_id}"


def escrow_tag(beneficiary_wallet_id: str, swag: str) -> str:
    encoded = base64.b64encode(beneficiary_wallet_id.encode()).decode()
    return f"escrow::{encoded}:{swag}"


def parse_swag_tag(tag: str) -> SwagTag | None:
    match = _SWAG.match(tag)
    if not match:
        return None
    return SwagTag(match["session"], match["kind"], match["goal"])


def parse_escrow_tag(tag: str) -> tuple[str, str] | None:
    """Return (beneficiary wallet id, swag tag) of an escrow tag, or None."""
    if not tag.startswith("escrow::"):
        return None
    encoded, sep, swag = tag[len("escrow::") :].partition(":")
    if not sep:
        return None
    try:
        wallet_id = base64.b64decode(encoded, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return wallet_id, swag


def find_swag(tags: list[str], kind: str | None = None) -> SwagTag | None:
    """The first swag tag among `tags` (of `kind`, when given)."""
    for tag in tags:
        parsed = parse_swag_tag(tag)
        if parsed and (kind is None or parsed.kind == kind):
            return parsed
    return None
