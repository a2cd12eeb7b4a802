"""The security rules every rendered target is held to (run by check_manifests.py).

- Kafka: the Strimzi cluster listens only with TLS and a login, with ACLs on; every service
  has its KafkaUser, whose ACLs are exactly the topic list's producers (Write) and consumers
  (Read) in `livestream_schemas.topics`; every process logs in as its own service's user.
- Secrets: a process gets a Secret only if its settings use it (JWT only on APIs, the wallet
  callback key only on the wallet-adapter API, a KafkaUser's password only on its service).
- Metrics: served on the `metrics` port, scraped there, and reachable only from the
  monitoring namespace.
"""

from __future__ import annotations

import functools
from importlib import import_module
from typing import Any

from livestream_schemas.topics import CONSUMER_GROUPS, all_topic_specs

Obj = dict[str, Any]
# Settings only an API reads: a worker checks no tokens and receives no callbacks.
API_ONLY = {"jwt_secret", "wallet_callback_secret"}
MONITORING = {"kubernetes.io/metadata.name": "monitoring"}


def _name(obj: Obj) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def _of(objs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o.get("kind") == kind]


# ---------------------------------------------------------------- Kafka users and ACLs


def expected_topic_acls(service: str) -> set[tuple[str, str]]:
    """(topic, operation) pairs the topic list grants `service`."""
    pairs: set[tuple[str, str]] = set()
    for spec in all_topic_specs():
        if service in spec.producers:
            pairs |= {(spec.name, "Write"), (spec.name, "Describe")}
        if service in spec.consumers:
            pairs |= {(spec.name, "Read"), (spec.name, "Describe")}
    return pairs


def _granted(user: Obj, kind: str) -> set[tuple[str, str]]:
    acls = ((user.get("spec") or {}).get("authorization") or {}).get("acls") or []
    return {
        (acl["resource"].get("name", ""), op)
        for acl in acls
        if (acl.get("resource") or {}).get("type") == kind
        for op in acl.get("operations") or []
    }


def check_kafka_users(objs: list[Obj]) -> list[str]:
    clusters = {k["metadata"]["name"] for k in _of(objs, "Kafka")}
    if len(clusters) != 1:
        return [f"expected one Strimzi Kafka, found {sorted(clusters)}"]
    users = {u["metadata"]["name"]: u for u in _of(objs, "KafkaUser")}
    out = []
    for service in CONSUMER_GROUPS:
        user = users.get(service)
        if user is None:
            out.append(f"{service}: no KafkaUser")
            continue
        if user["metadata"].get("labels", {}).get("strimzi.io/cluster") not in clusters:
            out.append(f"KafkaUser/{service}: not of the Kafka cluster {sorted(clusters)}")
        granted, expected = _granted(user, "topic"), expected_topic_acls(service)
        for topic, op in sorted(granted - expected):
            out.append(f"KafkaUser/{service}: {op} on {topic} is not in the topic list")
        for topic, op in sorted(expected - granted):
            out.append(f"KafkaUser/{service}: lacks {op} on {topic} (the topic list needs it)")
        consumes = any(service in s.consumers for s in all_topic_specs())
        if consumes and (service, "Read") not in _granted(user, "group"):
            out.append(f"KafkaUser/{service}: cannot read as consumer group {service}")
    return out


# ---------------------------------------------------------------- what each process mounts


@functools.cache
def _settings_fields(service: str) -> frozenset[str]:
    settings = import_module(f"{service.replace('-', '_')}.config").Settings
    return frozenset(settings.model_fields)


def _config(objs: list[Obj]) -> dict[str, str]:
    maps = [
        m for m in _of(objs, "ConfigMap") if m["metadata"]["name"].startswith("livestream-config")
    ]
    return dict(maps[0].get("data") or {}) if maps else {}


def _workloads(objs: list[Obj]) -> list[tuple[str, str, Obj]]:
    """(service, kind, Deployment) for every api and worker of our services."""
    found = []
    for d in _of(objs, "Deployment"):
        service, _, kind = d["metadata"]["name"].rpartition("-")
        if service in CONSUMER_GROUPS and kind in ("api", "worker"):
            found.append((service, kind, d))
    return found


def _env_secret_problems(where: str, service: str, kind: str, env: list[Obj]) -> list[str]:
    out = []
    values = {e["name"]: e.get("value") for e in env}
    for e in env:
        ref = (e.get("valueFrom") or {}).get("secretKeyRef")
        if not ref:
            continue
        field = e["name"].lower()
        if field not in _settings_fields(service) or (kind == "worker" and field in API_ONLY):
            out.append(
                f"{where}: Secret {ref['name']} mounted as {e['name']}, which it never reads"
            )
        if e["name"] == "KAFKA_SASL_PASSWORD" and ref["name"] != service:
            out.append(f"{where}: logs in to Kafka with {ref['name']}'s password, not {service}'s")
    if values.get("KAFKA_SASL_USERNAME") != service:
        out.append(f"{where}: KAFKA_SASL_USERNAME must be {service} (its own KafkaUser)")
    if "KAFKA_SASL_PASSWORD" not in values:
        out.append(f"{where}: no KAFKA_SASL_PASSWORD from its KafkaUser's Secret")
    return out


def _volume_problems(where: str, pod: Obj, settings: dict[str, str]) -> list[str]:
    mounts = {
        m["name"]: m["mountPath"]
        for c in pod.get("containers", [])
        for m in c.get("volumeMounts", [])
    }
    out = []
    for volume in pod.get("volumes", []):
        if "secret" not in volume:
            continue
        path = mounts.get(volume["name"])
        if path is None or not any(str(v).startswith(path + "/") for v in settings.values()):
            out.append(
                f"{where}: Secret volume {volume['name']} is mounted but no setting reads it"
            )
    return out


def check_secret_mounts(objs: list[Obj]) -> list[str]:
    config = _config(objs)
    out = []
    if config.get("KAFKA_SECURITY_PROTOCOL") != "SASL_SSL":
        out.append("livestream-config: KAFKA_SECURITY_PROTOCOL must be SASL_SSL")
    if config.get("ENVIRONMENT", "local") != "local":
        for key in ("JWT_ISSUER", "JWT_AUDIENCE"):
            if not config.get(key):
                out.append(f"livestream-config: {key} is required outside local")
    for service, kind, deployment in _workloads(objs):
        pod, where = deployment["spec"]["template"]["spec"], f"Deployment/{service}-{kind}"
        for c in pod.get("containers", []):
            env = c.get("env", [])
            if any("secretRef" in source for source in c.get("envFrom", [])):
                out.append(f"{where}: a whole Secret in envFrom; name the keys it reads")
            out += _env_secret_problems(where, service, kind, env)
            settings = config | {e["name"]: e.get("value") or "" for e in env}
            out += _volume_problems(where, pod, settings)
    return out


# ---------------------------------------------------------------- metrics exposure


def _opens_metrics(rule: Obj) -> bool:
    ports = rule.get("ports")
    return not ports or any(p.get("port") in ("metrics", 9090) for p in ports)


def check_metrics_exposure(objs: list[Obj]) -> list[str]:
    out = []
    for service, kind, deployment in _workloads(objs):
        where = f"Deployment/{service}-{kind}"
        labels = deployment["spec"]["template"]["metadata"].get("labels", {})
        for c in deployment["spec"]["template"]["spec"].get("containers", []):
            port = {p["name"]: p["containerPort"] for p in c.get("ports", [])}.get("metrics")
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            if port is None or env.get("METRICS_PORT") != str(port):
                out.append(f"{where}: needs a `metrics` port that METRICS_PORT names")
        monitors = [
            m
            for m in _of(objs, "PodMonitor")
            if all(
                labels.get(k) == v for k, v in m["spec"]["selector"].get("matchLabels", {}).items()
            )
        ]
        if not any(
            e.get("port") == "metrics" for m in monitors for e in m["spec"]["podMetricsEndpoints"]
        ):
            out.append(f"{where}: no PodMonitor scrapes its `metrics` port")
    for policy in _of(objs, "NetworkPolicy"):
        for rule in policy["spec"].get("ingress", []):
            peers = rule.get("from") or [{}]
            only_monitoring = all(
                set(p) == {"namespaceSelector"}
                and p["namespaceSelector"].get("matchLabels") == MONITORING
                for p in peers
            )
            if _opens_metrics(rule) and not only_monitoring:
                out.append(
                    f"{_name(policy)}: opens the metrics port beyond the monitoring namespace"
                )
    return out


def check_security(objs: list[Obj]) -> list[str]:
    return check_kafka_users(objs) + check_secret_mounts(objs) + check_metrics_exposure(objs)
