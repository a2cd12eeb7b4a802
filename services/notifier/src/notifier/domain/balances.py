"""Why a user's balance changed, in the words the app shows (never a wallet id)."""

from __future__ import annotations

from typing import Literal

from livestream_schemas.tags import SHOW_TICKET, TRIGGER_EXCLUSIVE, find_swag

Reason = Literal["exclusive_request", "show_ticket", "refund", "release", "other"]
REFUND_PREFIX = "refund::"
RELEASE_PREFIX = "release::"
_BY_SWAG_KIND: dict[str, Reason] = {
    TRIGGER_EXCLUSIVE: "exclusive_request",
    SHOW_TICKET: "show_ticket",
}


def balance_reason(tags: list[str]) -> Reason:
    """Settlements first: a refund or release carries the hold's swag tag too."""
    if any(tag.startswith(REFUND_PREFIX) for tag in tags):
        return "refund"
    if any(tag.startswith(RELEASE_PREFIX) for tag in tags):
        return "release"
    swag = find_swag(tags)
    return _BY_SWAG_KIND.get(swag.kind, "other") if swag else "other"
