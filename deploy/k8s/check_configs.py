"""Every container of the project, as deployed, gets an environment its process starts with.

An operator's view: render an overlay (or read the compose file), give each of the project's
containers the environment Kubernetes would give it (its `env`, and the ConfigMaps and
Secrets it references, `envFrom` included), then build that process's settings from exactly
that, as `python -m <package> api|worker` does before it opens any connection: an API also
needs its token configuration. A reference to a missing ConfigMap or Secret, or a key missing
from one, is a failure of its own, named.

    python deploy/k8s/check_configs.py overlays/dev overlays/prod compose
"""

from __future__ import annotations

import base64
import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
COMPOSE = ROOT / "deploy/compose/compose.yaml"
IMAGE_PREFIX = "livestream-goals/"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}
Obj = dict[str, Any]


@dataclass
class Container:
    """One process as deployed: where it comes from, its package and kind, its environment."""

    where: str
    package: str
    kind: str
    env: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- Kubernetes


def _secret_data(obj: Obj) -> dict[str, str]:
    data = {k: base64.b64decode(v).decode() for k, v in (obj.get("data") or {}).items()}
    return data | dict(obj.get("stringData") or {})


def operator_secrets(objs: list[Obj]) -> dict[str, dict[str, str]]:
    """Secrets Strimzi writes for what the manifests declare: one per KafkaUser (its SCRAM
    password) and the cluster CA certificate of each Kafka cluster."""
    made: dict[str, dict[str, str]] = {}
    for obj in objs:
        name = obj["metadata"]["name"]
        if obj["kind"] == "KafkaUser":
            made[name] = {"password": "written-by-strimzi", "sasl.jaas.config": "..."}
        elif obj["kind"] == "Kafka":
            made[f"{name}-cluster-ca-cert"] = {"ca.crt": "written-by-strimzi"}
    return made


def _image_package(image: str) -> str | None:
    if not image.startswith(IMAGE_PREFIX):
        return None
    return image.removeprefix(IMAGE_PREFIX).split(":", 1)[0].replace("-", "_")


def _lookup(ref: Obj, source: dict[str, dict[str, str]], what: str, out: Container) -> str | None:
    """One key of a ConfigMap or Secret, or None (recorded as missing unless optional)."""
    found = source.get(ref["name"])
    if found is not None and ref["key"] in found:
        return found[ref["key"]]
    if not ref.get("optional"):
        where = "" if found is None else f" has no key {ref['key']!r}"
        out.missing.append(f"{out.where}: {what} {ref['name']}{where or ' does not exist'}")
    return None


def _fill(
    c: Obj, maps: dict[str, dict[str, str]], secrets: dict[str, dict[str, str]], out: Container
) -> None:
    # envFrom first, in order; then env, which wins (Kubernetes' precedence).
    for src in c.get("envFrom") or []:
        ref = src.get("configMapRef") or src.get("secretRef")
        what, source = ("ConfigMap", maps) if "configMapRef" in src else ("Secret", secrets)
        if ref["name"] in source:
            out.env.update({src.get("prefix", "") + k: v for k, v in source[ref["name"]].items()})
        elif not ref.get("optional"):
            out.missing.append(f"{out.where}: {what} {ref['name']} does not exist")
    for var in c.get("env") or []:
        vf = var.get("valueFrom") or {}
        if "value" in var or not vf:
            value: str | None = str(var.get("value", ""))
        elif "configMapKeyRef" in vf:
            value = _lookup(vf["configMapKeyRef"], maps, "ConfigMap", out)
        elif "secretKeyRef" in vf:
            value = _lookup(vf["secretKeyRef"], secrets, "Secret", out)
        else:  # fieldRef / resourceFieldRef: known only in the running pod
            value = "from-the-pod"
        if value is not None:
            out.env[var["name"]] = value


def rendered_containers(
    objs: list[Obj], extra_secrets: dict[str, dict[str, str]] | None = None
) -> list[Container]:
    """The project's containers of a rendered target with the environment each would get."""
    maps = {
        o["metadata"]["name"]: dict(o.get("data") or {}) for o in objs if o["kind"] == "ConfigMap"
    }
    secrets = {o["metadata"]["name"]: _secret_data(o) for o in objs if o["kind"] == "Secret"}
    secrets = operator_secrets(objs) | secrets | (extra_secrets or {})
    found = []
    for obj in objs:
        if obj["kind"] not in WORKLOADS:
            continue
        pod = obj["spec"]["template"]["spec"]
        for c in pod.get("initContainers", []) + pod["containers"]:
            package = _image_package(c["image"])
            if package is None:
                continue
            where = f"{obj['kind']}/{obj['metadata']['name']}/{c['name']}"
            out = Container(where, package, (c.get("args") or ["api"])[0])
            _fill(c, maps, secrets, out)
            found.append(out)
    return found


# ---------------------------------------------------------------- compose


def compose_containers(path: Path = COMPOSE) -> list[Container]:
    """compose.yaml's own containers (those built from the project's Dockerfile)."""
    doc = yaml.safe_load(path.read_text())
    found = []
    for name, svc in doc["services"].items():
        module = ((svc.get("build") or {}).get("args") or {}).get("MODULE")
        if module is None:
            continue
        entry = svc.get("entrypoint") or []
        package = entry[2] if entry[:2] == ["python", "-m"] else module
        kind = (svc.get("command") or ["api"])[0]
        env = {k: str(v) for k, v in (svc.get("environment") or {}).items()}
        found.append(Container(f"compose/{name}", package, kind, env))
    return found


# ---------------------------------------------------------------- start


@contextmanager
def _only_environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def start_problem(c: Container) -> str | None:
    """Why this process would refuse to start with this environment, or None."""
    if c.package == "service_kit.admin":  # compose's topic job: the shared settings only
        module, cls = "service_kit.settings", "KitSettings"
    else:
        module, cls = f"{c.package}.config", "Settings"
    settings_class = getattr(importlib.import_module(module), cls)
    with _only_environment(c.env):
        try:
            settings = settings_class()
            if c.kind == "api" and hasattr(settings, "require_jwt_config"):
                settings.require_jwt_config()
        except (ValidationError, ValueError) as e:
            return f"{c.where} ({c.package} {c.kind}) would not start: {e}"
    return None


def problems(containers: list[Container]) -> list[str]:
    out = [m for c in containers for m in c.missing]
    out += [p for c in containers if not c.missing and (p := start_problem(c))]
    return list(dict.fromkeys(out))  # a Secret named by three variables: said once


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    from check_manifests import render

    found: list[str] = []
    for target in argv or ["overlays/dev", "compose"]:
        containers = (
            compose_containers()
            if target == "compose"
            else rendered_containers(render(HERE / target))
        )
        found += problems(containers)
    print("\n".join(found) or "every container's settings build", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
