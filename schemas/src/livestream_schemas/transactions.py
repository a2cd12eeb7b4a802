"""The wallet transaction ids our services give escrow holds, written once.

A hold's id is also the goal's progress insert_id, and `refund` / `release` name the hold by
it. The wallet-adapter settles only holds whose id has one of these prefixes, so a command
that names any other wallet transaction is refused.
"""

from __future__ import annotations

TRIGGER_EXCLUSIVE_PREFIX = "session:trigger-exclusive:"
SHOW_TICKET_PREFIX = "goal:show-ticket:"
HOLD_PREFIXES = (TRIGGER_EXCLUSIVE_PREFIX, SHOW_TICKET_PREFIX)


def trigger_exclusive_transaction_id(goal_id: str) -> str:
    return f"{TRIGGER_EXCLUSIVE_PREFIX}{goal_id}"


def show_ticket_transaction_id(goal_id: str, purchase_id: str) -> str:
    return f"{SHOW_TICKET_PREFIX}{goal_id}:{purchase_id}"


def is_our_hold(transaction_id: str) -> bool:
    """Whether a hold with this id was created by one of our services."""
    return any(
        transaction_id.startswith(prefix) and len(transaction_id) > len(prefix)
        for prefix in HOLD_PREFIXES
    )
