"""What the batched wallet receivers share: independent commands go to the wallet side by
side, commands of one aggregate one after the other, in the order they were consumed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

from livestream_schemas.base import Message

M = TypeVar("M")


async def side_by_side(
    messages: Sequence[M],
    keys: Callable[[M], Iterable[str]],
    handle: Callable[[M], Awaitable[list[Message]]],
    *,
    limit: int,
) -> list[list[Message]]:
    """Each message's outbound messages, in input order.

    Messages sharing any key (a transaction id, a payer) form one group, run in order; the
    groups run concurrently, at most `limit` wallet calls at once. A failure ends its group
    (a later command of the aggregate must not overtake it) and is raised only once every
    other group has finished, so nothing of the batch is still running when the consumer
    falls back to one message at a time; what did run is repeated then under the same ids,
    which the wallet answers with its first result.
    """
    results: list[list[Message]] = [[] for _ in messages]
    slots = asyncio.Semaphore(max(1, limit))

    async def run(group: list[int]) -> None:
        for index in group:
            async with slots:
                results[index] = await handle(messages[index])

    outcomes = await asyncio.gather(
        *(run(group) for group in groups(messages, keys)), return_exceptions=True
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return results


def groups(messages: Sequence[M], keys: Callable[[M], Iterable[str]]) -> list[list[int]]:
    """Indexes of the messages, grouped so that any two sharing a key are in one group."""
    owner: dict[str, int] = {}  # key -> the group that has it
    members: dict[int, list[int]] = {}
    for index, message in enumerate(messages):
        mine = list(dict.fromkeys(keys(message)))
        joined = sorted({owner[k] for k in mine if k in owner})
        group = joined[0] if joined else index
        members.setdefault(group, [])
        for other in joined[1:]:
            members[group] += members.pop(other)
            owner.update({k: group for k, g in owner.items() if g == other})
        members[group].append(index)
        owner.update({k: group for k in mine})
    return [sorted(indexes) for indexes in members.values()]
