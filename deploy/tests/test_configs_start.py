"""The deployed configurations start: every container's settings build from what it is given.

Each overlay is rendered, each of the project's containers gets the environment Kubernetes
would give it (its ConfigMaps and Secrets included), and its process's settings are built
from exactly that (deploy/k8s/check_configs.py); the compose file likewise.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from service_kit.settings import DEV_JWT_SECRET

ROOT = Path(__file__).resolve().parents[2]
# What an operator creates before the first production apply (deploy/k8s/README.md).
PROD_SECRETS = {
    "livestream-mongodb": {"uri": "mongodb://mongo-0.mongo.db.svc:27017/?replicaSet=rs0"},
    "livestream-jwt": {"key": "a-production-key-from-the-secret-store-0123456789"},
    "livestream-wallet": {"callback-secret": "a-production-callback-secret-0123456789"},
    "livestream-pusher": {"app-id": "1849302", "key": "prod-key", "secret": "prod-secret-0123"},
}


@pytest.fixture(scope="module")
def rendered(checker: ModuleType) -> dict[str, list[dict[str, Any]]]:
    return {t: checker.render(checker.HERE / t) for t in ("overlays/dev", "overlays/prod")}


@pytest.mark.render
def test_every_dev_overlay_container_starts(configs: ModuleType, rendered: Any) -> None:
    containers = configs.rendered_containers(rendered["overlays/dev"])
    assert {(c.package, c.kind) for c in containers} >= {
        (pkg, kind)
        for pkg in ("goal_service", "session_service", "wallet_adapter", "notifier")
        for kind in ("api", "worker")
    } | {("wallet_sandbox", "api")}
    assert configs.problems(containers) == []


@pytest.mark.render
def test_prod_overlay_without_its_secrets_fails_naming_each(
    configs: ModuleType, rendered: Any
) -> None:
    found = configs.problems(configs.rendered_containers(rendered["overlays/prod"]))
    assert found and all("does not exist" in line for line in found)
    named = {line.rsplit("Secret ", 1)[1].split()[0] for line in found}
    assert named == set(PROD_SECRETS)


@pytest.mark.render
def test_prod_overlay_starts_once_its_secrets_exist(configs: ModuleType, rendered: Any) -> None:
    containers = configs.rendered_containers(rendered["overlays/prod"], PROD_SECRETS)
    assert containers and configs.problems(containers) == []


@pytest.mark.render
@pytest.mark.parametrize(
    ("secret", "key", "value", "refused"),
    [
        ("livestream-jwt", "key", DEV_JWT_SECRET, "JWT_SECRET"),
        ("livestream-pusher", "app-id", "livestream-prod", "pusher_app_id"),
    ],
)
def test_a_secret_a_process_refuses_is_caught(
    configs: ModuleType, rendered: Any, secret: str, key: str, value: str, refused: str
) -> None:
    bad = PROD_SECRETS | {secret: PROD_SECRETS[secret] | {key: value}}
    found = configs.problems(configs.rendered_containers(rendered["overlays/prod"], bad))
    assert found and all(refused in line and "would not start" in line for line in found)


def test_every_compose_container_starts(configs: ModuleType) -> None:
    containers = configs.compose_containers()
    assert len(containers) == 10  # four api + worker pairs, the sandbox, the topic job
    assert configs.problems(containers) == []


def test_compose_pusher_server_is_configured_like_the_native_one() -> None:
    """Same app credentials as the services use, and the rate limits the native stack needed
    (Sockudo's defaults turn the notifier's publishes into 429s)."""
    lines = subprocess.run(
        ["bash", "-c", f"source {ROOT / 'deploy/local/env.sh'} && sockudo_env"],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    local_only = {"HOST", "PORT", "METRICS_HOST", "METRICS_PORT", "LOG_OUTPUT_FORMAT"}
    native = {k: v for k, v in (line.split("=", 1) for line in lines) if k not in local_only}
    services = yaml.safe_load((ROOT / "deploy/compose/compose.yaml").read_text())["services"]
    pusher = {k: str(v) for k, v in services["pusher"]["environment"].items()}
    assert {k: pusher.get(k) for k in native} == native
    notifier = services["notifier-worker"]["environment"]
    for server, client in (
        ("ID", "PUSHER_APP_ID"),
        ("KEY", "PUSHER_KEY"),
        ("SECRET", "PUSHER_SECRET"),
    ):
        assert pusher[f"SOCKUDO_DEFAULT_APP_{server}"] == notifier[client]
