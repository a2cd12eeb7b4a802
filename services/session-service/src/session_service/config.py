from __future__ import annotations

from service_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "session-service"
    http_port: int = 38002
    worker_web_port: int = 38102
