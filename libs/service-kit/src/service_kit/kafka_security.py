"""How every Kafka client of a process authenticates: one place for aiokafka and faust.

The local stack is plaintext on loopback (the default). Kubernetes uses Strimzi's TLS
listener with SCRAM-SHA-512: each service logs in as its own KafkaUser, whose ACLs allow
exactly the topics the topic list says it produces and consumes.
"""

from __future__ import annotations

import ssl
from typing import Any

import faust
from faust.types.auth import CredentialsT

from service_kit.settings import KitSettings


def _ssl_context(settings: KitSettings) -> ssl.SSLContext:
    # The cluster CA (Strimzi's <cluster>-cluster-ca-cert); the system store when unset.
    return ssl.create_default_context(cafile=settings.kafka_ssl_cafile or None)


def client_options(settings: KitSettings) -> dict[str, Any]:
    """Keyword arguments for AIOKafkaProducer, AIOKafkaConsumer and AIOKafkaAdminClient."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return {}
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = _ssl_context(settings)
    if protocol in ("SASL_PLAINTEXT", "SASL_SSL"):
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": settings.kafka_sasl_password,
        }
    return options


def faust_credentials(settings: KitSettings) -> CredentialsT | None:
    """The same, as faust's `broker_credentials`."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    if protocol == "SSL":
        return faust.SSLCredentials(_ssl_context(settings))
    credentials = faust.SASLCredentials(
        username=settings.kafka_sasl_username,
        password=settings.kafka_sasl_password,
        ssl_context=_ssl_context(settings) if protocol == "SASL_SSL" else None,
        mechanism=settings.kafka_sasl_mechanism,
    )
    return credentials
