from __future__ import annotations


class Rejected(Exception):
    """A request the edge answers with a 4xx/5xx and a machine-readable reason."""

    def __init__(self, status: int, reason: str, detail: str = "") -> None:
        super().__init__(f"{status} {reason}: {detail}")
        self.status = status
        self.reason = reason
        self.detail = detail
