"""Which errors are transient (a dependency unreachable or slow) and which are permanent.

A transient error says nothing about the message: the same message succeeds once Kafka,
MongoDB, the wallet or Pusher answer again, so the consumer waits for as long as it takes
and an API answers 503 with Retry-After. Anything else is permanent: retrying the same
bytes cannot help, so the consumer tries a bounded number of times, then dead-letters.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

import httpx
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError


class DependencyUnavailable(Exception):
    """An adapter's own word for "the other side did not answer in time": always transient.

    Adapters over SDKs this module does not know (the wallet's HTTP API, Pusher) raise a
    subclass of it, so the classification stays here and the handlers import no SDK.
    """


class StopUnacked(Exception):
    """The worker must exit before the message in hand is acked (faust acks it on the way
    out of the agent), so the message is redelivered after the restart."""

    exit_code = 70


class DeadLetterFailed(StopUnacked):
    """The dead-letter write failed: the worker must stop before the offset is committed."""


class StoppedWhileStalled(StopUnacked):
    """Asked to stop while a dependency held the message: waiting would outlast any stop
    timeout (faust waits for the message in hand), and acking it would lose it."""

    exit_code = 75  # EX_TEMPFAIL: nothing is wrong with the message; try again later


# HTTP answers that mean "try again later", not "this request is wrong".
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def is_transient(exc: BaseException) -> bool:
    """True when the error is about reaching a dependency, not about the message."""
    if isinstance(exc, DependencyUnavailable | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, PyMongoError):
        return _mongo_transient(exc)
    if isinstance(exc, KafkaError):
        return isinstance(exc, KafkaConnectionError | KafkaTimeoutError) or bool(exc.retriable)
    if isinstance(exc, httpx.TransportError):  # connect/read/write/pool timeouts, refused
        return True
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in RETRYABLE_STATUS
    cause = exc.__cause__
    return cause is not None and cause is not exc and is_transient(cause)


def _mongo_transient(exc: PyMongoError) -> bool:
    # AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError, WaitQueueTimeoutError
    if isinstance(exc, ConnectionFailure) or exc.timeout:  # .timeout: ExecutionTimeout, CSOT
        return True
    if isinstance(exc, OperationFailure):
        return (
            exc.has_error_label("RetryableWriteError")
            or exc.has_error_label("TransientTransactionError")
            or _backend_down(exc)
        )
    return False


# FerretDB answers InternalError (code 1) with its PostgreSQL's own words when that backend
# cannot be reached or is shutting down (SQLSTATE class 08, 57P01-57P03), as it does while the
# MongoDB-API server restarts. MongoDB itself never answers so.
BACKEND_DOWN = ("failed to connect to", "SQLSTATE 08", "SQLSTATE 57P0")


def _backend_down(exc: OperationFailure) -> bool:
    return exc.code == 1 and any(words in str(exc) for words in BACKEND_DOWN)


def backoff_s(
    attempt: int, *, base_s: float, cap_s: float, rng: random.Random | None = None
) -> float:
    """Capped exponential backoff with "equal jitter": between half and all of the step.

    Half the step is kept so a long outage is not hammered; the random half spreads the
    replicas that all lost the same dependency at the same moment.
    """
    step = min(cap_s, base_s * 2 ** max(0, attempt - 1))
    return step / 2 + (rng or random).uniform(0, step / 2)


async def pause(attempt: int, *, base_s: float, cap_s: float) -> None:
    await asyncio.sleep(backoff_s(attempt, base_s=base_s, cap_s=cap_s))


@dataclass(frozen=True)
class Failure:
    """A permanent failure after the bounded tries: what the dead letter records."""

    attempts: int
    error: str


@dataclass
class Stall:
    """What the consumer is waiting for while a dependency is down (shown in /readyz)."""

    topic: str
    handler: str
    error: str
    since: float = field(default_factory=time.monotonic)
    retries: int = 0

    def report(self) -> dict[str, object]:
        return {
            "topic": self.topic,
            "handler": self.handler,
            "error": self.error,
            "retries": self.retries,
            "for_s": round(time.monotonic() - self.since, 1),
        }
