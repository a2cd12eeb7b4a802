"""What handlers need from the wallet and from storage; adapters and test fakes provide it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from service_kit.faults import DependencyUnavailable
from service_kit.users import UserProfile


class WalletUnavailable(DependencyUnavailable):
    """The wallet did not answer (or answered 5xx) within the bounded retries: transient,
    so the consumer waits for the wallet instead of dead-lettering the command."""


class UnknownUser(LookupError):
    """No user (or wallet) with that id in the read model."""


# The user read model's profile (shared shape): wallet id, and `metadata.user` via info().
WalletUser = UserProfile


@dataclass(frozen=True)
class WalletTransfer:
    """A transfer as the wallet API takes it; `to_wallet` None puts the coins into escrow."""

    transaction_id: str
    from_wallet: str
    to_wallet: str | None
    amount: int
    tags: tuple[str, ...]
    forced: bool = False
    timestamp: datetime | None = None


@dataclass(frozen=True)
class WalletReply:
    status: int
    reason: str = ""
    detail: str = ""
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class WalletApi(Protocol):
    async def transfer(self, order: WalletTransfer) -> WalletReply: ...

    async def settle(self, hold_id: str, outcome: str, transaction_id: str) -> WalletReply:
        """Refund or release (`outcome`) the escrow hold opened by transaction `hold_id`."""

    async def split(self, hold_id: str, settlement_id: str, release: int) -> WalletReply:
        """Release `release` coins of the hold to its beneficiary and refund the rest, as one
        settlement keyed by `settlement_id` (one callback per money movement)."""

    async def balance(self, wallet_id: str) -> int | None:
        """Coins in the wallet; None when the wallet does not know it."""

    async def transaction(self, transaction_id: str) -> dict[str, Any] | None:
        """The wallet's record of a transaction; None when it never took that id."""


class UserReadModel(Protocol):
    async def save(self, user: WalletUser, *, as_of: datetime) -> None:
        """Keep the newest profile per user (`as_of` = the event's time)."""

    async def by_user_id(self, user_id: str) -> WalletUser | None: ...

    async def by_user_ids(self, user_ids: Sequence[str]) -> dict[str, WalletUser]:
        """The known ones of these users, by user id, in one read."""

    async def by_wallet_id(self, wallet_id: str) -> WalletUser | None: ...

    async def by_wallet_ids(self, wallet_ids: Sequence[str]) -> dict[str, WalletUser]:
        """The owners of these wallets that are known, by wallet id, in two reads."""


class SeenTransactions(Protocol):
    async def claim(self, transaction_id: str) -> bool:
        """Record the id (insert-if-absent); False once its event was published."""

    async def mark_published(self, transaction_id: str) -> None: ...
