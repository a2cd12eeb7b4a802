from __future__ import annotations

from typing import Any

from wallet_adapter.ports import UnknownUser, UserReadModel, WalletApi


async def read_balance(user_id: str, *, users: UserReadModel, wallet: WalletApi) -> dict[str, Any]:
    """A user's coins, asked of the wallet (WalletUnavailable propagates)."""
    user = await users.by_user_id(user_id)
    if user is None:
        raise UnknownUser(f"no wallet known for user {user_id}")
    balance = await wallet.balance(user.wallet_id)
    if balance is None:
        raise UnknownUser(f"the wallet does not know {user.wallet_id}")
    return {"user_id": user_id, "wallet_id": user.wallet_id, "balance": balance}
