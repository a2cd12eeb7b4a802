"""Domain errors; each carries the machine-readable reason the HTTP edge returns."""

from __future__ import annotations


class DomainError(Exception):
    reason: str = "domain_error"

    def __init__(self, reason: str | None = None, detail: str = "") -> None:
        self.reason = reason or self.reason
        self.detail = detail
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)


class DurationNotAllowed(DomainError):
    """The requested exclusive duration is not one the streamer priced."""

    reason = "duration_not_allowed"


class TriggerForbidden(DomainError):
    """The viewer may not request an exclusive session now (reason says why)."""


class LivestreamTriggerQuotaExceeded(DomainError):
    """The viewer's last request went unanswered too recently."""

    reason = "LivestreamTriggerQuotaExceeded"

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(detail=f"retry after {retry_after_s} s")


class InvalidRequest(DomainError):
    """Well-formed but unacceptable input (e.g. an expiry in the past)."""

    reason = "invalid_request"


class SessionNotFound(DomainError):
    reason = "session_not_found"


class NotSessionOwner(DomainError):
    reason = "not_owner"


class RequestAlreadyOpen(DomainError):
    """The viewer's previous exclusive request on this session is still open."""

    reason = "request_open"


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was already used for a request with another body."""

    reason = "idempotency_key_reused"


class RequestNotFound(DomainError):
    """The viewer has no exclusive request on this session."""

    reason = "request_not_found"


class ExclusiveNotRunning(DomainError):
    """There is no exclusive session with this viewer to end."""

    reason = "not_exclusive"


class AlreadyExclusive(DomainError):
    """The session runs (or is starting) an exclusive session with someone else."""

    reason = "already_exclusive"
