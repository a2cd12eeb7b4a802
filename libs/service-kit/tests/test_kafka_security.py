"""Kafka clients take SASL/TLS from settings: plaintext locally, SCRAM over TLS on Kubernetes."""

from __future__ import annotations

import ssl

import faust
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from service_kit.kafka_security import client_options, faust_credentials
from service_kit.settings import KitSettings

SCRAM = {
    "kafka_security_protocol": "SASL_SSL",
    "kafka_sasl_mechanism": "SCRAM-SHA-512",
    "kafka_sasl_username": "goal-service",
    "kafka_sasl_password": "from-the-kafkauser-secret",
}


def test_the_local_stack_is_plaintext() -> None:
    assert client_options(KitSettings()) == {}
    assert faust_credentials(KitSettings()) is None


async def test_scram_over_tls_reaches_every_client_kind() -> None:
    options = client_options(KitSettings(**SCRAM))  # type: ignore[arg-type]
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "goal-service",
        "from-the-kafkauser-secret",
    )
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    # aiokafka validates the combination when a client is built.
    for client in (AIOKafkaProducer, AIOKafkaConsumer, AIOKafkaAdminClient):
        client(bootstrap_servers="kafka:9093", **options)


def test_faust_gets_the_same_credentials() -> None:
    credentials = faust_credentials(KitSettings(**SCRAM))  # type: ignore[arg-type]
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.protocol.value == "SASL_SSL"
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert (credentials.username, credentials.password) == (
        "goal-service",
        "from-the-kafkauser-secret",
    )


def test_the_cluster_ca_file_is_trusted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FileNotFoundError):
        client_options(KitSettings(**SCRAM, kafka_ssl_cafile=str(tmp_path / "ca.crt")))  # type: ignore[arg-type]


def test_sasl_without_credentials_refuses_to_start() -> None:
    with pytest.raises(ValueError, match="KAFKA_SASL_USERNAME"):
        KitSettings(kafka_security_protocol="SASL_SSL")
