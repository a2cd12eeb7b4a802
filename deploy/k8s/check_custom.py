"""Structural checks of the custom resources (Strimzi, KEDA, Prometheus Operator), which the
Kubernetes schemas in kubernetes-validate do not cover. Used by check_manifests.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Obj = dict[str, Any]


def name_of(obj: Obj) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def _require(obj: Obj, *paths: str) -> list[str]:
    missing = []
    for path in paths:
        node: Any = obj
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node in (None, "", [], {}):
            missing.append(f"{name_of(obj)}: missing {path}")
    return missing


def _positive_int(obj: Obj, value: Any, what: str) -> list[str]:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return []
    return [f"{name_of(obj)}: {what} must be a positive integer, got {value!r}"]


def check_kafka_topic(obj: Obj) -> list[str]:
    out = _require(obj, "metadata.name", "spec")
    if not obj.get("metadata", {}).get("labels", {}).get("strimzi.io/cluster"):
        out.append(f"{name_of(obj)}: missing label strimzi.io/cluster")
    spec = obj.get("spec") or {}
    out += _positive_int(obj, spec.get("partitions"), "spec.partitions")
    out += _positive_int(obj, spec.get("replicas"), "spec.replicas")
    if not isinstance(spec.get("config", {}), dict):
        out.append(f"{name_of(obj)}: spec.config must be a mapping")
    return out


def check_scaled_object(obj: Obj) -> list[str]:
    out = _require(obj, "metadata.name", "spec.scaleTargetRef.name", "spec.triggers")
    spec = obj.get("spec") or {}
    lo, hi = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
    if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi):
        out.append(f"{name_of(obj)}: need 0 <= minReplicaCount <= maxReplicaCount")
    for i, trigger in enumerate(spec.get("triggers") or []):
        meta = trigger.get("metadata") or {}
        if trigger.get("type") != "kafka":
            out.append(f"{name_of(obj)}: trigger {i} is not a kafka trigger")
            continue
        for key in ("bootstrapServers", "consumerGroup", "topic", "lagThreshold"):
            if not isinstance(meta.get(key), str) or not meta[key]:
                out.append(f"{name_of(obj)}: trigger {i} needs string metadata.{key}")
        # Kafka accepts only TLS logins: KEDA reads the lag as the service's KafkaUser.
        if (
            meta.get("tls") != "enable"
            or not meta.get("sasl")
            or not trigger.get("authenticationRef")
        ):
            out.append(f"{name_of(obj)}: trigger {i} needs tls, sasl and an authenticationRef")
    return out


def check_service_monitor(obj: Obj) -> list[str]:
    out = _require(obj, "spec.selector", "spec.endpoints")
    for ep in (obj.get("spec") or {}).get("endpoints") or []:
        if not ep.get("port") or not ep.get("path"):
            out.append(f"{name_of(obj)}: every endpoint needs port and path")
    return out


def check_pod_monitor(obj: Obj) -> list[str]:
    out = _require(obj, "spec.selector", "spec.podMetricsEndpoints")
    for ep in (obj.get("spec") or {}).get("podMetricsEndpoints") or []:
        if not ep.get("port") or not ep.get("path"):
            out.append(f"{name_of(obj)}: every endpoint needs port and path")
    return out


def check_prometheus_rule(obj: Obj) -> list[str]:
    out = _require(obj, "spec.groups")
    for group in (obj.get("spec") or {}).get("groups") or []:
        if not group.get("name") or not group.get("rules"):
            out.append(f"{name_of(obj)}: every group needs a name and rules")
        for rule in group.get("rules") or []:
            if not rule.get("expr") or not (rule.get("alert") or rule.get("record")):
                out.append(f"{name_of(obj)}: rule {rule.get('alert')!r} needs alert and expr")
            if rule.get("alert") and not (rule.get("annotations") or {}).get("summary"):
                out.append(f"{name_of(obj)}: alert {rule['alert']} needs a summary")
    return out


def check_kafka(obj: Obj) -> list[str]:
    spec = (obj.get("spec") or {}).get("kafka") or {}
    out = [] if spec.get("listeners") else [f"{name_of(obj)}: no listeners"]
    for listener in spec.get("listeners") or []:
        auth = (listener.get("authentication") or {}).get("type")
        if listener.get("tls") is not True or auth not in ("scram-sha-512", "tls"):
            out.append(f"{name_of(obj)}: listener {listener.get('name')} needs tls and a login")
    if (spec.get("authorization") or {}).get("type") != "simple":
        out.append(f"{name_of(obj)}: authorization must be simple (ACLs)")
    if "userOperator" not in ((obj.get("spec") or {}).get("entityOperator") or {}):
        out.append(f"{name_of(obj)}: the User Operator must run (it turns KafkaUsers into logins)")
    return out


def check_node_pool(obj: Obj) -> list[str]:
    spec = obj.get("spec") or {}
    replicas = spec.get("replicas")
    out = []
    if not isinstance(replicas, int) or replicas < 1:
        out.append(f"{name_of(obj)}: replicas must be a positive integer")
    if not spec.get("roles") or not spec.get("storage"):
        out.append(f"{name_of(obj)}: needs roles and storage")
    return out


def check_kafka_user(obj: Obj) -> list[str]:
    spec = obj.get("spec") or {}
    out = []
    if not (obj.get("metadata", {}).get("labels") or {}).get("strimzi.io/cluster"):
        out.append(f"{name_of(obj)}: missing label strimzi.io/cluster")
    if (spec.get("authentication") or {}).get("type") not in ("scram-sha-512", "tls"):
        out.append(f"{name_of(obj)}: authentication must be scram-sha-512 or tls")
    authorization = spec.get("authorization") or {}
    if authorization.get("type") != "simple" or not authorization.get("acls"):
        out.append(f"{name_of(obj)}: needs simple authorization with ACLs")
    for acl in authorization.get("acls") or []:
        resource = acl.get("resource") or {}
        if resource.get("type") != "cluster" and resource.get("patternType") != "literal":
            out.append(f"{name_of(obj)}: ACL on {resource.get('name')!r} must be literal")
        if not acl.get("operations"):
            out.append(f"{name_of(obj)}: ACL on {resource.get('name')!r} has no operations")
    return out


def check_trigger_authentication(obj: Obj) -> list[str]:
    spec = obj.get("spec") or {}
    refs = spec.get("secretTargetRef") or []
    out = []
    if not refs and not spec.get("env"):
        out.append(f"{name_of(obj)}: names no credentials")
    for ref in refs:
        if not (ref.get("parameter") and ref.get("name") and ref.get("key")):
            out.append(f"{name_of(obj)}: every secretTargetRef needs parameter, name and key")
    return out


CUSTOM: dict[tuple[str, str], Callable[[Obj], list[str]]] = {
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): check_kafka_topic,
    ("keda.sh/v1alpha1", "ScaledObject"): check_scaled_object,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): check_service_monitor,
    ("monitoring.coreos.com/v1", "PodMonitor"): check_pod_monitor,
    ("monitoring.coreos.com/v1", "PrometheusRule"): check_prometheus_rule,
    ("kafka.strimzi.io/v1beta2", "Kafka"): check_kafka,
    ("kafka.strimzi.io/v1beta2", "KafkaNodePool"): check_node_pool,
    ("kafka.strimzi.io/v1beta2", "KafkaUser"): check_kafka_user,
    ("keda.sh/v1alpha1", "TriggerAuthentication"): check_trigger_authentication,
}
