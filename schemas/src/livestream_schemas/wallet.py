"""Wallet events: what the external wallet reported, and the balance changes it implies."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from livestream_schemas.base import Message, UserInfo
from livestream_schemas.bounds import MAX_COINS


class TransactionCreated(Message):
    """A completed wallet transaction, as the wallet's signed callback reported it."""

    message_type = "transaction.created"

    id: str
    ts: datetime
    from_account: str | None = Field(default=None, alias="fromAccount")
    from_amount: int = Field(alias="fromAmount", ge=0, le=MAX_COINS)
    to_account: str | None = Field(default=None, alias="toAccount")
    to_amount: int = Field(alias="toAmount", ge=0, le=MAX_COINS)
    tags: list[str] = Field(default_factory=list)


class TransactionFailed(Message):
    """The wallet refused a transfer, refund or release; nothing moved."""

    message_type = "transaction.failed"

    transaction_id: str
    kind: str  # transfer | refund | release
    reason: str  # insufficient_funds | unknown_wallet | wallet_unavailable | conflict | ...
    detail: str = ""
    from_user_id: str | None = None
    to_user_id: str | None = None
    amount: int = 0
    tags: list[str] = Field(default_factory=list)


class BalanceChanged(Message):
    user_id: str
    user_wallet_id: str
    source_user_id: str | None = None
    source_user_wallet_id: str | None = None
    amount: int = Field(ge=0, le=MAX_COINS)
    timestamp: datetime
    transaction_id: str
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, UserInfo] = Field(default_factory=dict)


class BalanceDecremented(BalanceChanged):
    message_type = "balance.decremented"


class BalanceIncremented(BalanceChanged):
    message_type = "balance.incremented"


class UserUpdated(Message):
    """The platform's user profile changed; services keep read models from it."""

    message_type = "user.updated"

    user_id: str
    username: str = ""
    wallet_id: str
    tags: list[str] = Field(default_factory=list)
    tagsv2: dict[str, str] = Field(default_factory=dict)
    level: int = 0
