from __future__ import annotations

from service_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "notifier"
    http_port: int = 38004
    worker_web_port: int = 38104
