"""Settings every service shares; each service subclasses once and builds it in __main__."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from livestream_schemas.topics import TOPICS, dlq_topic

DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-32bytes!"


def refuse_dev_secret(name: str, value: str, dev_value: str) -> None:
    """Refuse a development default outside `local`: it is committed, so anyone can read it."""
    if value == dev_value:
        raise ValueError(f"{name} must be set outside the local environment")


class KitSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    service_name: str = "service"
    # "local" (the dev stack, tests) or anything else (a real deployment).
    environment: str = "local"
    kafka_bootstrap_servers: str = "127.0.0.1:26092"
    # PLAINTEXT on the local stack; SASL_SSL with SCRAM-SHA-512 on Kubernetes (Strimzi), where
    # the username is the service's KafkaUser and the CA file is the cluster CA certificate.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = ""
    kafka_ssl_cafile: str = ""
    mongodb_uri: str = "mongodb://127.0.0.1:24017/"
    mongodb_database: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    worker_web_port: int = 6066
    metrics_port: int = 0
    # Every API body is small JSON; anything larger is refused (413) before it is parsed.
    http_max_body_bytes: int = 64 * 1024
    http_max_head_bytes: int = 256 * 1024
    log_level: str = "INFO"

    # OpenTelemetry: spans leave the process only when one of these is set. The endpoint is an
    # OTLP/HTTP collector's base URL (the SDK's variable of the same name, /v1/traces added).
    otel_exporter_otlp_endpoint: str = ""
    otel_traces_console: bool = False
    # The share of new traces kept; a trace continued from a caller keeps the caller's choice.
    otel_traces_sampler_ratio: float = Field(default=1.0, ge=0.0, le=1.0)

    # JWTs come from the API gateway: HS256 with a shared secret (JWT_SECRET) and/or
    # RS256/ES256 with the gateway's public keys (JWT_JWKS_URL). Only APIs check tokens, so
    # only APIs get these (see require_jwt_config); workers run without any.
    jwt_secret: str = ""
    jwt_jwks_url: str | None = None
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["HS256"])
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_client_claim: str = "client_id"
    jwt_leeway_s: float = 30.0

    # Consumer group liveness: a worker killed with kill -9 is noticed after the session
    # timeout and its partitions handed over (faust's default of 60 s left them idle for
    # about a minute); heartbeats must come several times per session timeout.
    kafka_session_timeout_s: float = 8.0
    kafka_heartbeat_interval_s: float = 1.0
    kafka_rebalance_timeout_s: float = 10.0

    lag_probe_interval_s: float = 15.0
    # Records kept only for deduplication and audit (published events, seen transactions,
    # finished tasks, ...) are deleted this long after they were written.
    retention_days: float = 7.0
    retention_interval_s: float = 300.0
    # Services with a batched receiver take up to this many messages that arrived within
    # consumer_batch_wait_s and hand consecutive ones of that type over in one call.
    consumer_batch_max: int = 200
    consumer_batch_wait_s: float = 0.005
    # Tries of a message that fails permanently (a bug, bad data) before it is dead-lettered;
    # transient failures (a dependency down or slow) are retried without limit.
    consumer_max_attempts: int = 3
    consumer_retry_backoff_s: float = 0.2
    consumer_retry_max_backoff_s: float = 5.0
    # Client-side bound on every MongoDB operation (and on opening a connection): one hung
    # query must not stall a worker's partitions for ever.
    mongodb_timeout_ms: int = 5000
    mongodb_connect_timeout_ms: int = 3000
    # The connection pool (README, "MongoDB connections"): a request waits for a free
    # connection within mongodb_timeout_ms, its operation's whole budget.
    mongodb_max_pool_size: int = Field(default=100, ge=1)
    mongodb_min_pool_size: int = Field(default=16, ge=0)
    mongodb_max_connecting: int = Field(default=8, ge=1)
    # {"goal.created": "prod.goal.created"}: rename a declared topic without code changes.
    topic_overrides: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _no_dev_secrets_outside_local(self) -> KitSettings:
        # The dev stack and the tests sign with the well-known key; a deployment that forgot
        # its Secret must not start with a key anyone can read here.
        if self.environment == "local":
            self.jwt_secret = self.jwt_secret or DEV_JWT_SECRET
        else:
            refuse_dev_secret("JWT_SECRET", self.jwt_secret, DEV_JWT_SECRET)
        sasl = self.kafka_security_protocol.startswith("SASL_")
        if sasl and not (self.kafka_sasl_username and self.kafka_sasl_password):
            raise ValueError("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are needed for SASL")
        return self

    def require_jwt_config(self) -> None:
        """An API outside `local` needs a key, and pins the gateway's issuer and audience."""
        if self.environment == "local":
            return
        missing = [
            name
            for name, value in (
                ("JWT_SECRET or JWT_JWKS_URL", self.jwt_secret or self.jwt_jwks_url),
                ("JWT_ISSUER", self.jwt_issuer),
                ("JWT_AUDIENCE", self.jwt_audience),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"{', '.join(missing)} must be set outside the local environment")

    def topic(self, declared: str) -> str:
        known = {spec.name for spec in TOPICS}
        if declared not in known:
            raise KeyError(f"undeclared topic {declared!r}")
        return self.topic_overrides.get(declared, declared)

    @property
    def dlq_topic(self) -> str:
        return self.topic_overrides.get(dlq_topic(self.service_name), dlq_topic(self.service_name))

    @property
    def database(self) -> str:
        return self.mongodb_database or self.service_name.replace("-", "_")
