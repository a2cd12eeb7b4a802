from __future__ import annotations

from pydantic import Field, model_validator

from service_kit.settings import KitSettings, refuse_dev_secret

# What the local stack signs its sandbox callbacks with (deploy/local/env.sh).
DEV_WALLET_CALLBACK_SECRET = "dev-only-wallet-callback-secret"


class Settings(KitSettings):
    service_name: str = "wallet-adapter"
    http_port: int = 25003
    worker_web_port: int = 25103

    wallet_api_url: str = "http://127.0.0.1:25005"
    # Empty refuses every callback: an unset secret must not mean "unsigned is fine".
    wallet_callback_secret: str = ""
    wallet_callback_max_skew_s: float = 300
    wallet_timeout_s: float = 2.0
    # Extra attempts for a command the wallet answered 5xx or not at all; ids make them safe.
    wallet_retries: int = 3
    wallet_retry_backoff_s: float = 0.2
    # Wallet calls a worker has in flight at once for a batch of independent commands (one
    # aggregate's commands still go one at a time). Each call's WALLET_TIMEOUT_S counts its
    # wait behind the others inside the wallet, so calls in flight x one call's time there
    # must stay well under it: past what the wallet serves at once, more calls add only
    # queueing (README, "Wallet calls in flight").
    wallet_concurrency: int = Field(default=4, ge=1, le=256)
    # The largest transfer any producer of ours can ask for: an exclusive session at the top
    # per-minute price for 24 h is 1.44e12 coins, 100 tickets at the top price 1e11.
    max_transfer_coins: int = 2 * 10**12

    @model_validator(mode="after")
    def _no_dev_callback_secret_outside_local(self) -> Settings:
        if self.environment != "local":
            refuse_dev_secret(
                "WALLET_CALLBACK_SECRET", self.wallet_callback_secret, DEV_WALLET_CALLBACK_SECRET
            )
        return self
