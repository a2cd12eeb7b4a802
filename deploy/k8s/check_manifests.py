"""Render the Kustomize base and overlays and check every object, offline and strictly.

    .venv/bin/python deploy/k8s/check_manifests.py [--root deploy/k8s]

Built-in kinds are validated against the Kubernetes OpenAPI schemas shipped in
`kubernetes-validate` (the strict variant: unknown fields fail), reporting every error. Custom resources (Strimzi, KEDA,
Prometheus Operator) get structural checks here. Then the rules this project holds
every deployment to: each service has an api and a worker Deployment with probes on its
health endpoints, requests and limits, a PDB, an HPA (api) or a ScaledObject on Kafka lag
(worker); every topic in `livestream_schemas.topics` has its KafkaTopic; and the security rules in
check_security.py (Kafka users and ACLs, Secrets only where used, metrics only to
monitoring). Exit 1 on any problem, each printed on its own line.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from referencing import Registry, Resource

from livestream_schemas.topics import CONSUMER_GROUPS, TOPICS, all_topic_specs

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import check_security  # noqa: E402  (sibling scripts, not a package)
from check_custom import CUSTOM, name_of  # noqa: E402

KUSTOMIZE = HERE / "kustomize.sh"
KUBERNETES_VERSION = "1.35.0"
TARGETS = ("base", "overlays/dev", "overlays/prod")
SCHEMAS = (
    Path(kubernetes_validate.__file__).parent
    / "kubernetes-json-schema"
    / f"v{KUBERNETES_VERSION}-local-strict"
)
DECLARED = {spec.name for spec in TOPICS}
Obj = dict[str, Any]


class RenderError(Exception):
    pass


def render(path: Path) -> list[Obj]:
    done = subprocess.run(
        [str(KUSTOMIZE), "build", str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RenderError(done.stderr.strip() or f"kustomize build {path} failed")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


# ---------------------------------------------------------------- schemas


@functools.cache
def _validator(api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
    """The strict schema of a built-in kind from kubernetes-validate's files; None if unknown."""
    # apps/v1 -> apps-v1, policy/v1 -> policy-v1, networking.k8s.io/v1 -> networking-v1
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = SCHEMAS / f"{kind.lower()}-{group_version}.json"
    if not path.is_file():
        return None
    schema = json.loads(path.read_text())
    definitions = _definitions()
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


@functools.cache
def _definitions() -> Any:
    return json.loads((SCHEMAS / "_definitions.json").read_text())


def check_schema(obj: Obj) -> list[str]:
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    custom = CUSTOM.get((api_version, kind))
    if custom:
        return custom(obj)
    validator = _validator(api_version, kind)
    if validator is None:
        return [
            f"{name_of(obj)}: no schema for {api_version} {kind} in Kubernetes {KUBERNETES_VERSION}"
        ]
    return [
        f"{name_of(obj)}: {'.'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
        for e in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    ]


# ---------------------------------------------------------------- project rules


def _by(objs: Iterable[Obj], kind: str) -> dict[str, Obj]:
    return {o["metadata"]["name"]: o for o in objs if o.get("kind") == kind}


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _container_problems(name: str, c: Obj, *, port: str) -> list[str]:
    out = []
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = (c.get(probe) or {}).get("httpGet") or {}
        if get.get("path") != path or get.get("port") != port:
            out.append(f"{name}: {probe} must GET {path} on port {port}")
    resources = c.get("resources") or {}
    for part in ("requests", "limits"):
        for res in ("cpu", "memory"):
            if not (resources.get(part) or {}).get(res):
                out.append(f"{name}: container {c.get('name')} has no {part}.{res}")
    return out


def check_workload(objs: list[Obj], service: str, kind: str) -> list[str]:
    """One service's api or worker: Deployment, probes, resources, PDB, autoscaler."""
    name = f"{service}-{kind}"
    deployment = _by(objs, "Deployment").get(name)
    if deployment is None:
        return [f"Deployment/{name}: missing"]
    pod = deployment["spec"]["template"]
    labels = pod["metadata"].get("labels", {})
    spec = pod["spec"]
    out = []
    for c in spec.get("containers", []):
        out += _container_problems(f"Deployment/{name}", c, port="http" if kind == "api" else "web")
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        if env.get("SERVICE_NAME") != service:
            out.append(f"Deployment/{name}: SERVICE_NAME must be {service}")
    if not (spec.get("securityContext") or {}).get("runAsNonRoot"):
        out.append(f"Deployment/{name}: pod must set securityContext.runAsNonRoot")
    if kind == "worker" and spec.get("terminationGracePeriodSeconds", 30) < 60:
        out.append(f"Deployment/{name}: terminationGracePeriodSeconds < 60 (faust must commit)")
    pdbs = [p for p in _by(objs, "PodDisruptionBudget").values()]
    if not any(_selects(p["spec"]["selector"].get("matchLabels", {}), labels) for p in pdbs):
        out.append(f"Deployment/{name}: no PodDisruptionBudget selects its pods")
    if kind == "api":
        out += _api_extras(objs, name, labels)
    else:
        out += _worker_extras(objs, name, service, labels)
    return out


def _api_extras(objs: list[Obj], name: str, labels: dict[str, str]) -> list[str]:
    out = []
    hpas = _by(objs, "HorizontalPodAutoscaler").values()
    if not any(h["spec"]["scaleTargetRef"]["name"] == name for h in hpas):
        out.append(f"Deployment/{name}: no HorizontalPodAutoscaler")
    services = _by(objs, "Service").values()
    if not any(_selects(s["spec"].get("selector", {}), labels) for s in services):
        out.append(f"Deployment/{name}: no Service selects its pods")
    policies = _by(objs, "NetworkPolicy").values()
    if not any(_selects(p["spec"]["podSelector"].get("matchLabels", {}), labels) for p in policies):
        out.append(f"Deployment/{name}: no NetworkPolicy selects its pods")
    return out


def _worker_extras(objs: list[Obj], name: str, service: str, labels: dict[str, str]) -> list[str]:
    scalers = [
        s for s in _by(objs, "ScaledObject").values() if s["spec"]["scaleTargetRef"]["name"] == name
    ]
    if not scalers:
        return [f"Deployment/{name}: no KEDA ScaledObject"]
    out = []
    for trigger in scalers[0]["spec"].get("triggers", []):
        meta = trigger.get("metadata", {})
        if meta.get("consumerGroup") != service:
            out.append(f"ScaledObject/{name}: consumerGroup must be {service}")
        if meta.get("topic") not in DECLARED:
            out.append(f"ScaledObject/{name}: topic {meta.get('topic')!r} is not declared")
    monitors = _by(objs, "PodMonitor").values()
    if not any(_selects(m["spec"]["selector"].get("matchLabels", {}), labels) for m in monitors):
        out.append(f"Deployment/{name}: no PodMonitor scrapes its pods")
    return out


def check_topics(objs: list[Obj]) -> list[str]:
    topics = {
        t["spec"].get("topicName", t["metadata"]["name"]): t
        for t in _by(objs, "KafkaTopic").values()
    }
    out = []
    for spec in all_topic_specs():
        topic = topics.get(spec.name)
        if topic is None:
            out.append(f"topic {spec.name}: no KafkaTopic")
        elif topic["spec"].get("partitions") != spec.partitions:
            out.append(f"KafkaTopic/{spec.name}: partitions differ from the topic list")
    return out


def check_project(objs: list[Obj]) -> list[str]:
    out = check_topics(objs)
    for service in CONSUMER_GROUPS:
        out += check_workload(objs, service, "api")
        out += check_workload(objs, service, "worker")
    if not _by(objs, "PrometheusRule"):
        out.append("no PrometheusRule")
    auths = _by(objs, "TriggerAuthentication")
    for scaler in _by(objs, "ScaledObject").values():
        for trigger in scaler["spec"].get("triggers", []):
            ref = (trigger.get("authenticationRef") or {}).get("name")
            if ref not in auths:
                out.append(
                    f"ScaledObject/{scaler['metadata']['name']}: no TriggerAuthentication {ref}"
                )
    return out + check_security.check_security(objs)


def check_images(objs: list[Obj]) -> list[str]:
    """A production image names a release, never `latest` or nothing."""
    out = []
    for d in _by(objs, "Deployment").values():
        for c in d["spec"]["template"]["spec"]["containers"]:
            tag = c["image"].rsplit("/", 1)[-1].partition(":")[2]
            if "@" not in c["image"] and tag in ("", "latest"):
                out.append(
                    f"Deployment/{d['metadata']['name']}: image {c['image']} has no release tag"
                )
    return out


def check_target(root: Path, target: str) -> list[str]:
    try:
        objs = render(root / target)
    except RenderError as exc:
        return [f"render failed: {exc}"]
    out = [p for obj in objs for p in check_schema(obj)]
    out += check_project(objs)
    if target.endswith("prod"):
        out += check_images(objs)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/k8s/check_manifests.py")
    parser.add_argument(
        "--root", type=Path, default=HERE, help="folder holding base/ and overlays/"
    )
    args = parser.parse_args(argv)
    failed = False
    for target in TARGETS:
        problems = check_target(args.root, target)
        for problem in problems:
            print(f"{target}: {problem}")
        failed = failed or bool(problems)
        print(f"{target}: {'FAILED' if problems else 'ok'}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
