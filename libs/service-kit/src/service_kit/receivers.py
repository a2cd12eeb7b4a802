"""What a receiver is, and how a plain handler function becomes one.

A handler is a plain function of the message, its dependencies keyword arguments; the
consumer (service_kit.consumer) calls the bound receiver with the decoded envelope.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope

Handler = Callable[[Envelope, Message], Awaitable[Sequence[Message]]]
# Many messages of one type at once (in order) -> each one's outbound messages.
BatchHandler = Callable[[Sequence[tuple[Envelope, Message]]], Awaitable[list[list[Message]]]]


def receiver(fn: Callable[..., Awaitable[Sequence[Message]]], **deps: object) -> Handler:
    """Bind a plain handler `fn(message, *, deps...)` to the (envelope, payload) shape.

    `fn` gets `envelope=` too when it declares that keyword (for event ids, times).
    """
    wants_envelope = "envelope" in inspect.signature(fn).parameters

    async def bound(envelope: Envelope, payload: Message) -> Sequence[Message]:
        if wants_envelope:
            return await fn(payload, envelope=envelope, **deps)
        return await fn(payload, **deps)

    bound.__name__ = fn.__name__
    bound.__qualname__ = fn.__qualname__
    return bound


def batch_receiver(
    fn: Callable[..., Awaitable[list[list[Message]]]], **deps: object
) -> BatchHandler:
    """Bind `fn(messages, *, deps...) -> [outbound per message]` to the batch shape."""

    async def bound(items: Sequence[tuple[Envelope, Message]]) -> list[list[Message]]:
        return await fn([payload for _, payload in items], **deps)

    bound.__name__ = getattr(fn, "receiver_name", fn.__name__)
    bound.__qualname__ = bound.__name__
    return bound
