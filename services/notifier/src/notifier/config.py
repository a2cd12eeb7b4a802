from __future__ import annotations

from pydantic import Field, model_validator

from service_kit.settings import KitSettings, refuse_dev_secret

DEV_PUSHER_SECRET = "local-secret-change-me"


class Settings(KitSettings):
    service_name: str = "notifier"
    http_port: int = 25004
    worker_web_port: int = 25104

    # Any Pusher-protocol server: hosted Pusher, or Sockudo locally (deploy/local/env.sh).
    # The official SDK accepts numeric app ids only (hosted Pusher's format).
    pusher_app_id: str = Field(default="1001", pattern=r"^[0-9]+$")
    pusher_key: str = "local-key"
    pusher_secret: str = DEV_PUSHER_SECRET
    pusher_host: str = "127.0.0.1"
    pusher_port: int = 23001
    pusher_ssl: bool = False
    pusher_timeout_s: float = 5.0

    @model_validator(mode="after")
    def _no_dev_pusher_secret_outside_local(self) -> Settings:
        if self.environment != "local":
            refuse_dev_secret("PUSHER_SECRET", self.pusher_secret, DEV_PUSHER_SECRET)
        return self
