"""Every rendered manifest is valid, complete, and a broken one is caught."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from livestream_schemas.topics import all_topic_specs

ROOT = Path(__file__).resolve().parents[2]


def test_generated_files_are_current(generator: ModuleType) -> None:
    for path, text in generator.render().items():
        assert path.read_text() == text, f"{path.name} is stale: run python deploy/k8s/generate.py"


def test_every_topic_has_its_kafka_topic_resource(generator: ModuleType) -> None:
    text = (generator.OUT / "kafka-topics.yaml").read_text()
    names = {d["spec"]["topicName"] for d in yaml.safe_load_all(text)}
    assert names == {spec.name for spec in all_topic_specs()}


@pytest.mark.render
@pytest.mark.parametrize("target", ["base", "overlays/dev", "overlays/prod"])
def test_target_renders_and_validates(checker: ModuleType, target: str) -> None:
    assert checker.check_target(checker.HERE, target) == []


def test_workers_scale_on_the_topics_they_consume(generator: ModuleType) -> None:
    """The KEDA triggers follow each service's receiver routes (its consumed topics)."""
    from importlib import import_module

    from service_kit.worker import topics_for

    for service, topics in generator.CONSUMES.items():
        pkg = service.replace("-", "_")
        bootstrap = import_module(f"{pkg}.bootstrap")
        settings = import_module(f"{pkg}.config").Settings()
        routes = bootstrap.routes(bootstrap.bootstrap(settings))
        assert set(topics_for(settings, list(routes))) == set(topics), service


# ---------------------------------------------------------------- a broken copy fails


def _copy(tmp_path: Path) -> Path:
    for part in ("deploy/k8s", "deploy/observability"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "deploy" / "k8s"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _drop_readiness(k8s: Path) -> None:
    text = (k8s / "base/service/worker.yaml").read_text()
    text, n = re.subn(r"          readinessProbe:\n(            .*\n)+", "", text)
    assert n == 1
    (k8s / "base/service/worker.yaml").write_text(text)


def _drop_topic(k8s: Path) -> None:
    path = k8s / "base/generated/kafka-topics.yaml"
    docs = [
        d for d in yaml.safe_load_all(path.read_text()) if d["metadata"]["name"] != "goal.ended"
    ]
    path.write_text(yaml.safe_dump_all(docs))


def _edit_users(k8s: Path, change) -> None:  # type: ignore[no-untyped-def]
    path = k8s / "base/generated/kafka-users.yaml"
    docs = [d for d in (change(d) for d in yaml.safe_load_all(path.read_text())) if d]
    path.write_text(yaml.safe_dump_all(docs))


def _drop_user(k8s: Path) -> None:
    _edit_users(k8s, lambda d: None if d["metadata"]["name"] == "goal-service" else d)


def _let_notifier_write_wallet_commands(k8s: Path) -> None:
    def change(doc):  # type: ignore[no-untyped-def]
        if doc["metadata"]["name"] == "notifier":
            doc["spec"]["authorization"]["acls"].append(
                {
                    "resource": {
                        "type": "topic",
                        "name": "wallet.commands",
                        "patternType": "literal",
                    },
                    "operations": ["Write"],
                }
            )
        return doc

    _edit_users(k8s, change)


SECURITY_BREAKAGES = {
    "service without a KafkaUser": (_drop_user, "goal-service: no KafkaUser"),
    "ACL beyond the topic list": (
        _let_notifier_write_wallet_commands,
        "KafkaUser/notifier: Write on wallet.commands is not in the topic list",
    ),
    "JWT secret on a worker": (
        lambda k: _edit(
            k / "base/service/worker.yaml",
            "            - name: METRICS_PORT\n",
            "            - name: JWT_SECRET\n              valueFrom:\n                secretKeyRef:\n"
            "                  name: livestream-jwt\n                  key: key\n"
            "            - name: METRICS_PORT\n",
        ),
        "Secret livestream-jwt mounted as JWT_SECRET, which it never reads",
    ),
    "another service's Kafka password": (
        lambda k: _edit(
            k / "base/notifier/env.yaml",
            "                  name: notifier\n",
            "                  name: wallet-adapter\n",
        ),
        "logs in to Kafka with wallet-adapter's password, not notifier's",
    ),
    "metrics port open to the gateway": (
        lambda k: _edit(
            k / "base/network-policies.yaml",
            "              kubernetes.io/metadata.name: api-gateway\n      ports:\n        - port: http\n",
            "              kubernetes.io/metadata.name: api-gateway\n      ports:\n        - port: http\n"
            "        - port: metrics\n",
        ),
        "livestream-api-from-gateway: opens the metrics port beyond the monitoring namespace",
    ),
    "plaintext Kafka listener": (
        lambda k: _edit(k / "base/kafka.yaml", "        tls: true\n", "        tls: false\n"),
        "listener tls needs tls and a login",
    ),
    "KEDA without credentials": (
        lambda k: _edit(k / "base/generated/worker-scalers.yaml", "tls: enable", "tls: disable"),
        "needs tls, sasl and an authenticationRef",
    ),
}

BREAKAGES = {
    "missing readiness probe": (_drop_readiness, "readinessProbe must GET /readyz"),
    "unknown field": (
        lambda k: _edit(
            k / "base/service/api.yaml", '["api"]\n', '["api"]\n          imagePullPolcy: Always\n'
        ),
        "imagePullPolcy",
    ),
    "wrong type": (
        lambda k: _edit(
            k / "base/service/api.yaml", "containerPort: 8000", 'containerPort: "8000"'
        ),
        "containerPort",
    ),
    "missing limits": (
        lambda k: _edit(
            k / "base/service/worker.yaml",
            '            limits:\n              cpu: "1"\n',
            "            limits:\n",
        ),
        "no limits.cpu",
    ),
    "missing PDB": (
        lambda k: _edit(
            k / "base/service/worker.yaml",
            "kind: PodDisruptionBudget",
            "kind: PodDisruptionBudgetX",
        ),
        "worker: no PodDisruptionBudget selects its pods",
    ),
    "topic without its resource": (_drop_topic, "topic goal.ended: no KafkaTopic"),
    "unrenderable": (
        lambda k: _edit(
            k / "base/kustomization.yaml", "  - network-policies.yaml\n", "  - missing.yaml\n"
        ),
        "render failed",
    ),
}


@pytest.mark.render
@pytest.mark.parametrize("breakage", sorted(BREAKAGES | SECURITY_BREAKAGES))
def test_a_broken_copy_fails_the_check(
    checker: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str], breakage: str
) -> None:
    k8s = _copy(tmp_path)
    break_it, expected = (BREAKAGES | SECURITY_BREAKAGES)[breakage]
    break_it(k8s)
    assert checker.main(["--root", str(k8s)]) == 1
    out = capsys.readouterr().out
    assert expected in out, out


@pytest.mark.render
def test_the_command_line_exits_nonzero_on_a_broken_copy(tmp_path: Path) -> None:
    k8s = _copy(tmp_path)
    _drop_readiness(k8s)
    done = subprocess.run(
        [sys.executable, str(ROOT / "deploy/k8s/check_manifests.py"), "--root", str(k8s)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "worker: readinessProbe must GET /readyz" in done.stdout
