"""What a handler does when a wallet command timed out: the wallet may have committed it."""

from __future__ import annotations

from wallet_adapter.ports import WalletApi, WalletUnavailable


async def taken_or_raise(wallet: WalletApi, transaction_id: str) -> None:
    """Ask the wallet for the transaction by id before deciding. Taken: the wallet finishes
    it and its callback reports it, nothing to say. Unknown, or the wallet still silent:
    WalletUnavailable (transient), so the consumer sends the same id again once the wallet
    answers. Either way nobody is told of a failure that is not one.
    """
    if await wallet.transaction(transaction_id) is None:
        raise WalletUnavailable(f"wallet has no transaction {transaction_id} after a timeout")
