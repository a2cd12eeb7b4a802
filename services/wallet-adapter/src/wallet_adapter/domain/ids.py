"""Event ids derived from wallet transaction ids, so a re-sent callback republishes the same id."""

from __future__ import annotations

import uuid

_NS = uuid.UUID("0b7d9c52-6a43-4f7e-8d0c-3c1e5b2a9f64")


def transaction_event_id(transaction_id: str) -> str:
    return uuid.uuid5(_NS, f"transaction.created/{transaction_id}").hex
