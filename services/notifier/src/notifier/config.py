from __future__ import annotations

from pydantic import Field

from service_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "notifier"
    http_port: int = 38004
    worker_web_port: int = 38104

    # Any Pusher-protocol server: hosted Pusher, or Sockudo locally (deploy/local/env.sh).
    # The official SDK accepts numeric app ids only (hosted Pusher's format).
    pusher_app_id: str = Field(default="1001", pattern=r"^[0-9]+$")
    pusher_key: str = "local-key"
    pusher_secret: str = "local-secret-change-me"
    pusher_host: str = "127.0.0.1"
    pusher_port: int = 36001
    pusher_ssl: bool = False
    pusher_timeout_s: float = 5.0
