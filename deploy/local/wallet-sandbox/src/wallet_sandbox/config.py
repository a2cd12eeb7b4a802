"""The sandbox's settings, from the environment (it shares nothing with the services)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    service_name: str = "wallet-sandbox"
    http_host: str = "127.0.0.1"
    http_port: int = 25005
    log_level: str = "INFO"
    mongodb_uri: str = "mongodb://127.0.0.1:24017/"
    mongodb_database: str = "wallet_sandbox"

    # Empty URL: completed transactions keep their callbacks pending until one is configured.
    wallet_callback_url: str = ""
    wallet_callback_secret: str = ""
    callback_timeout_s: float = 3.0
    callback_backoff_s: float = 0.2
    callback_backoff_max_s: float = 4.0
    callback_poll_s: float = 0.5
    # Callbacks posted at once: the receiver answers each after a Kafka produce.
    callback_concurrency: int = 16
    # A transaction still pending after this long was interrupted (crash): finish it.
    recovery_after_s: float = 5.0
    # How often completed transaction ids leave the accounts' `applied` lists.
    trim_interval_s: float = 60.0
