"""The dev login's settings, from the environment (deploy/local/env.sh locally)."""

from __future__ import annotations

from pydantic import model_validator

from service_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "dev-login"
    http_port: int = 22481
    wallet_sandbox_url: str = "http://127.0.0.1:25005"
    wallet_adapter_url: str = "http://127.0.0.1:25003"
    pusher_key: str = "local-key"
    # Coins a demo user's wallet starts with the first time anyone signs in as them.
    starting_balance: int = 1_000
    token_ttl_s: int = 8 * 3600
    # Signing in waits until these consumer groups have read the user's profile.
    readers: tuple[str, ...] = ("session-service", "notifier", "wallet-adapter")

    @model_validator(mode="after")
    def _local_only(self) -> Settings:
        # Anyone can sign in as anyone here: it must never run next to real users.
        if self.environment != "local":
            raise ValueError("dev-login runs on the local stack only (ENVIRONMENT=local)")
        return self
