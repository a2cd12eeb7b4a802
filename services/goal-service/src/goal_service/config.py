from __future__ import annotations

from service_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "goal-service"
    http_port: int = 25001
    worker_web_port: int = 25101
    # How often the worker looks for due lifecycle tasks, and how long a claim holds.
    scheduler_interval_s: float = 1.0
    scheduler_lease_s: float = 30.0
    # POST /goals checks the caller's session here; a short timeout keeps the API responsive.
    session_service_url: str = "http://127.0.0.1:25002"
    session_service_timeout_s: float = 2.0
    # A funding goal without exp lives this long (capped at 7 days by the API).
    funding_goal_default_lifetime_s: float = 24 * 3600
    # After a funding goal ends, it waits for the debits of the purchases it accepted
    # before: it looks again every window, for at most the longest window.
    funding_settle_window_s: float = 3.0
    funding_settle_longest_s: float = 30.0
    # A funded show must start within this long, or every ticket is refunded.
    show_start_deadline_s: float = 24 * 3600
    # Reconciliation sweep: how often, how long a replica's lease lasts, and how long a
    # hold may stay open after its goal, show or session is over before it is re-settled.
    escrow_sweep_interval_s: float = 60.0
    escrow_sweep_lease_s: float = 120.0
    escrow_settle_grace_s: float = 300.0
    # A hold for a goal never created (create_goal lost) is refunded after this long.
    escrow_orphan_grace_s: float = 3600.0
    # POST /goals/{id}/accept|decline waits this long for the worker to apply the answer.
    answer_wait_s: float = 8.0
