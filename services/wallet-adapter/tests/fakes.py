"""In-memory stand-ins for the adapter's ports, the wallet and the Kafka publisher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope, encode
from wallet_adapter.ports import WalletReply, WalletTransfer, WalletUnavailable, WalletUser


class FakeUsers:
    def __init__(self, *users: WalletUser) -> None:
        self.by_user: dict[str, WalletUser] = {}
        self.by_wallet: dict[str, str] = {}
        self.as_of: dict[str, datetime] = {}
        self.reads = 0  # batched reads, each one store round trip in the real model
        for user in users:
            self.by_user[user.user_id] = user
            self.by_wallet[user.wallet_id] = user.user_id

    async def save(self, user: WalletUser, *, as_of: datetime) -> None:
        self.by_wallet[user.wallet_id] = user.user_id
        if as_of >= self.as_of.get(user.user_id, as_of):
            self.by_user[user.user_id] = user
            self.as_of[user.user_id] = as_of

    async def by_user_id(self, user_id: str) -> WalletUser | None:
        return self.by_user.get(user_id)

    async def by_wallet_id(self, wallet_id: str) -> WalletUser | None:
        user_id = self.by_wallet.get(wallet_id)
        return self.by_user.get(user_id) if user_id else None

    async def by_user_ids(self, user_ids: Sequence[str]) -> dict[str, WalletUser]:
        self.reads += 1
        return {uid: self.by_user[uid] for uid in user_ids if uid in self.by_user}

    async def by_wallet_ids(self, wallet_ids: Sequence[str]) -> dict[str, WalletUser]:
        self.reads += 1
        found = {w: await self.by_wallet_id(w) for w in wallet_ids}
        return {w: user for w, user in found.items() if user is not None}


@dataclass
class FakeWallet:
    """Honours transaction ids and settles each hold once, like the real wallet."""

    balances: dict[str, int] = field(default_factory=dict)
    holds: dict[str, dict[str, Any]] = field(default_factory=dict)
    done: dict[str, WalletTransfer] = field(default_factory=dict)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    unavailable: bool = False
    refuse_settle: int = 0  # a status the wallet answers every settlement with, when set
    # The next command commits, then its answer is lost (the caller sees a timeout).
    lose_next_answer: bool = False
    settlements: set[str] = field(default_factory=set)  # settlement (and split leg) ids
    # Calls waiting on the wallet at once: in all, and most of one payer's or hold's.
    in_flight: dict[str, int] = field(default_factory=dict)
    most_at_once: int = 0
    most_of_one: int = 0
    silent_for: set[str] = field(default_factory=set)  # payers whose calls time out

    async def transfer(self, order: WalletTransfer) -> WalletReply:
        self.calls.append(("transfer", order))
        async with self._waiting(order.from_wallet):
            if self.unavailable or order.from_wallet in self.silent_for:
                raise WalletUnavailable("wallet answered 503")
            return await self._lossy(self._commit(order))

    @asynccontextmanager
    async def _waiting(self, aggregate: str) -> AsyncIterator[None]:
        """A wallet call is a network wait: others start meanwhile, as they would."""
        self.in_flight[aggregate] = self.in_flight.get(aggregate, 0) + 1
        self.most_of_one = max(self.most_of_one, self.in_flight[aggregate])
        self.most_at_once = max(self.most_at_once, sum(self.in_flight.values()))
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            yield
        finally:
            self.in_flight[aggregate] -= 1

    async def _lossy(self, committing: Awaitable[WalletReply]) -> WalletReply:
        reply = await committing
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise WalletUnavailable("ReadTimeout: no answer in 2 s")
        return reply

    async def transaction(self, transaction_id: str) -> dict[str, Any] | None:
        self.calls.append(("lookup", transaction_id))
        if self.unavailable:
            raise WalletUnavailable("timeout")
        known = transaction_id in self.done or transaction_id in self.settlements
        return {"id": transaction_id, "status": "completed"} if known else None

    async def _commit(self, order: WalletTransfer) -> WalletReply:
        if order.transaction_id in self.done:
            same = self.done[order.transaction_id] == order
            return WalletReply(200) if same else WalletReply(409, "transaction_conflict")
        if order.from_wallet not in self.balances or (
            order.to_wallet is not None and order.to_wallet not in self.balances
        ):
            return WalletReply(404, "unknown_wallet", "no such wallet")
        if self.balances[order.from_wallet] < order.amount and not order.forced:
            return WalletReply(402, "insufficient_funds", "not enough coins")
        self.balances[order.from_wallet] -= order.amount
        if order.to_wallet is None:
            self.holds[order.transaction_id] = {"payer": order.from_wallet, "amount": order.amount}
        else:
            self.balances[order.to_wallet] += order.amount
        self.done[order.transaction_id] = order
        return WalletReply(201)

    async def settle(self, hold_id: str, outcome: str, transaction_id: str) -> WalletReply:
        self.calls.append((outcome, (hold_id, transaction_id)))
        async with self._waiting(hold_id):
            if self.unavailable:
                raise WalletUnavailable("timeout")
            if self.refuse_settle:
                return WalletReply(self.refuse_settle, "refused", "refused by the test")
            return await self._lossy(self._settle(hold_id, outcome, transaction_id))

    async def _settle(self, hold_id: str, outcome: str, transaction_id: str) -> WalletReply:
        hold = self.holds.get(hold_id)
        if hold is None:
            return WalletReply(404, "no_hold", hold_id)
        if "outcome" in hold:
            if hold["outcome"] == outcome:
                return WalletReply(200)
            settled = {"refund": "refunded", "release": "released"}[hold["outcome"]]
            body = {"reason": "hold_settled", "outcome": settled}
            return WalletReply(409, "hold_settled", "settled", body)
        hold["outcome"] = outcome
        self.settlements.add(transaction_id)
        if outcome == "refund":
            self.balances[hold["payer"]] += hold["amount"]
        return WalletReply(201)

    async def split(self, hold_id: str, settlement_id: str, release: int) -> WalletReply:
        self.calls.append(("settle", (hold_id, settlement_id, release)))
        async with self._waiting(hold_id):
            if self.unavailable:
                raise WalletUnavailable("timeout")
            return await self._lossy(self._split(hold_id, settlement_id, release))

    async def _split(self, hold_id: str, settlement_id: str, release: int) -> WalletReply:
        hold = self.holds.get(hold_id)
        if hold is None:
            return WalletReply(404, "no_hold", hold_id)
        if "outcome" in hold:
            if hold["outcome"] == ("settle", settlement_id, release):
                return WalletReply(200)
            body = {"reason": "hold_settled", "outcome": "settled"}
            return WalletReply(409, "hold_settled", "settled", body)
        hold["outcome"] = ("settle", settlement_id, release)
        # The wallet's legs: release and refund, a leg of zero coins left out.
        legs = {"release": release, "refund": hold["amount"] - release}
        self.settlements.update(f"{settlement_id}:{leg}" for leg, coins in legs.items() if coins)
        self.balances[hold["payer"]] += hold["amount"] - release
        return WalletReply(201)

    async def balance(self, wallet_id: str) -> int | None:
        if self.unavailable:
            raise WalletUnavailable("timeout")
        return self.balances.get(wallet_id)


class FakeSeen:
    def __init__(self) -> None:
        self.published: dict[str, bool] = {}

    async def claim(self, transaction_id: str) -> bool:
        if self.published.get(transaction_id):
            return False
        self.published[transaction_id] = False
        return True

    async def mark_published(self, transaction_id: str) -> None:
        self.published[transaction_id] = True


class FakePublisher:
    def __init__(self) -> None:
        self.sent: list[tuple[Message, str | None]] = []
        self.fail_next = False

    async def publish(self, payload: Message, *, event_id: str | None = None) -> Envelope:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("kafka down")
        self.sent.append((payload, event_id))
        return encode(payload, key="k", event_id=event_id)

    async def publish_all(self, items: list[tuple[Message, str | None]], **_: Any) -> None:
        for payload, event_id in items:
            await self.publish(payload, event_id=event_id)

    async def ping(self) -> bool:
        return True

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def envelope_of(payload: Message, event_id: str = "evt-1") -> Envelope:
    return encode(payload, key="k", event_id=event_id)
