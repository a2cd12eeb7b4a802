from __future__ import annotations

from service_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "session-service"
    http_port: int = 25002
    worker_web_port: int = 25102

    # How far ahead a viewer may set an exclusive request's expiry.
    max_exclusive_request_s: int = 3600
    # After an unanswered request ends, the viewer waits this long before asking again.
    exclusive_cooldown_s: int = 300
    # The balance read (GET /balances/{user_id}) lives in the wallet-adapter.
    wallet_adapter_url: str = "http://127.0.0.1:25003"
    wallet_timeout_s: float = 2.0
    # An open-request lock whose commands never reached Kafka (crash between the lock and
    # the publish) stops blocking the viewer after this long.
    unpublished_lock_stale_s: int = 30
    # Any lock stops blocking this long after its request's expiry, even if the goal's end
    # was never seen (e.g. goal-service dead-lettered the create_goal).
    expired_lock_grace_s: int = 300
    # Accept/decline go to goal-service, which waits for its worker (answer_wait_s there).
    goal_service_url: str = "http://127.0.0.1:25001"
    goal_service_timeout_s: float = 12.0
    # An exclusive slot taken by an accept that never finished stops blocking after this.
    exclusive_slot_stale_s: float = 60.0
    # A retry with the same Idempotency-Key gets the first answer for at least this long.
    idempotency_key_ttl_s: int = 24 * 3600
