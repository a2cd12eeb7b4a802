from __future__ import annotations

from service_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "goal-service"
    http_port: int = 38001
    worker_web_port: int = 38101
    # How often the worker looks for due lifecycle tasks, and how long a claim holds.
    scheduler_interval_s: float = 1.0
    scheduler_lease_s: float = 30.0
    # POST /goals checks the caller's session here; a short timeout keeps the API responsive.
    session_service_url: str = "http://127.0.0.1:38002"
    session_service_timeout_s: float = 2.0
