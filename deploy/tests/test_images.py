"""Dockerfiles and the compose file, checked by reading them (no Docker engine here)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from livestream_schemas.topics import CONSUMER_GROUPS

ROOT = Path(__file__).resolve().parents[2]
IMAGES = {service: service.replace("-", "_") for service in CONSUMER_GROUPS}
IMAGES["deploy/local/wallet-sandbox"] = "wallet_sandbox"


def _dockerfile(name: str) -> Path:
    return ROOT / (name if "/" in name else f"services/{name}") / "Dockerfile"


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_dockerfile_is_multi_stage_non_root_and_locked(name: str) -> None:
    text = _dockerfile(name).read_text()
    stages = re.findall(r"^FROM \S+ AS (\S+)$", text, re.MULTILINE)
    assert len(stages) >= 2, "multi-stage: a build stage and a runtime stage"
    runtime = text.split(f"AS {stages[-1]}", 1)[1]
    user = re.search(r"^USER (\d+)(?::(\d+))?$", runtime, re.MULTILINE)
    assert user and int(user.group(1)) != 0, "the runtime stage runs as a numeric non-root user"
    assert "COPY --from=" in runtime, "the runtime stage takes only the built environment"
    assert re.search(r"pip install --require-hashes --no-deps -r requirements\.runtime\.lock", text)
    entrypoint = re.search(r"^ENTRYPOINT (\[.*\])$", runtime, re.MULTILINE)
    assert entrypoint and json.loads(entrypoint.group(1)) == ["python", "-m", IMAGES[name]]
    for source in re.findall(r"^COPY (?!--from)(\S+)", text, re.MULTILINE):
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"


def test_compose_runs_infra_and_every_process() -> None:
    compose = yaml.safe_load((ROOT / "deploy/compose/compose.yaml").read_text())
    services = compose["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert services["mongodb"]["image"].startswith("mongo:")
    assert "pusher" in services and "wallet-sandbox" in services
    for service in CONSUMER_GROUPS:
        for kind in ("api", "worker"):
            entry = services[f"{service}-{kind}"]
            assert entry["command"] == [kind]
            assert entry["environment"]["SERVICE_NAME"] == service
            assert entry["environment"]["HTTP_HOST"] == "0.0.0.0"
            dockerfile = (
                ROOT / "deploy/compose" / entry["build"]["context"] / entry["build"]["dockerfile"]
            )
            assert dockerfile.resolve() == _dockerfile(service).resolve()


def test_runtime_lock_pins_the_same_versions_as_the_full_lock() -> None:
    """Images install requirements.runtime.lock; it must not drift from what the tests ran."""

    def pins(name: str) -> dict[str, str]:
        lines = (ROOT / name).read_text().splitlines()
        return dict(
            line.split(" ")[0].split("==")
            for line in lines
            if "==" in line and not line.startswith(" ")
        )

    runtime, full = pins("requirements.runtime.lock"), pins("requirements.lock")
    assert runtime and set(runtime.items()) <= set(full.items())
    assert not {"pytest", "mypy", "ruff"} & set(runtime)
