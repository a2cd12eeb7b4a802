"""Which containers the chaos suite may stop and start: this checkout's infrastructure on the
host network, by the image's name."""

from __future__ import annotations

from types import SimpleNamespace

from journeys.infra import component_of


def container(network: str, *tags: str) -> SimpleNamespace:
    return SimpleNamespace(
        attrs={"HostConfig": {"NetworkMode": network}}, image=SimpleNamespace(tags=list(tags))
    )


def test_a_host_network_infrastructure_container_is_named_by_its_image() -> None:
    assert component_of(container("host", "localhost/livestream-goals/kafka:4.1.1")) == "kafka"
    assert (
        component_of(container("host", "livestream-goals/ferretdb:1.24.2-postgresql")) == "ferretdb"
    )


def test_a_container_on_mapped_ports_or_of_another_kind_is_not_faulted() -> None:
    # Docker maps new host ports when such a container starts again: clients would lose it.
    assert component_of(container("bridge", "mongo:8.0")) is None
    assert component_of(container("host", "localhost/livestream-goals/goal-service:dev")) is None
    assert component_of(container("host")) is None
