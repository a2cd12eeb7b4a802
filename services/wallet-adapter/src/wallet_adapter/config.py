from __future__ import annotations

from service_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "wallet-adapter"
    http_port: int = 38003
    worker_web_port: int = 38103
