"""The Dockerfile and the compose file, checked by reading them.

`make images` builds and runs the images for real (deploy/containers/images.sh).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from livestream_schemas.topics import CONSUMER_GROUPS

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy/containers/Dockerfile"
# Build arguments of every image: the source directory and the module `python -m` runs.
IMAGES = {f"services/{service}": service.replace("-", "_") for service in CONSUMER_GROUPS}
IMAGES["deploy/local/wallet-sandbox"] = "wallet_sandbox"


def test_dockerfile_is_multi_stage_non_root_and_locked() -> None:
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM \S+ AS (\S+)$", text, re.MULTILINE)
    assert len(stages) >= 2, "multi-stage: a build stage and a runtime stage"
    runtime = text.split(f"AS {stages[-1]}", 1)[1]
    user = re.search(r"^USER (\d+)(?::(\d+))?$", runtime, re.MULTILINE)
    assert user and int(user.group(1)) != 0, "the runtime stage runs as a numeric non-root user"
    assert "COPY --from=" in runtime, "the runtime stage takes only the built environment"
    assert re.search(r"pip install --require-hashes --no-deps -r requirements\.runtime\.lock", text)
    assert re.search(r"^ENV .*SERVICE_MODULE=\$\{MODULE\}", runtime, re.MULTILINE | re.DOTALL)
    entrypoint = re.search(r"^ENTRYPOINT (\[.*\])$", runtime, re.MULTILINE)
    assert entrypoint and 'exec python -m "$SERVICE_MODULE"' in json.loads(entrypoint.group(1))[2]


@pytest.mark.parametrize(("source", "module"), sorted(IMAGES.items()))
def test_every_image_source_exists_and_runs_its_module(source: str, module: str) -> None:
    text = DOCKERFILE.read_text()
    for copied in re.findall(r"^COPY (?!--from)(\S+)", text, re.MULTILINE):
        path = copied.replace("${SOURCE}", source)
        assert (ROOT / path).exists(), f"COPY {path}: not in the repository"
    assert (ROOT / source / "src" / module / "__main__.py").exists()
    images_sh = (ROOT / "deploy/containers/images.sh").read_text()
    assert source in images_sh, "make images builds it"


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
            assert entry["read_only"] is True and entry["cap_drop"] == ["ALL"]
            assert "/tmp" in entry["tmpfs"]
            build = entry["build"]
            dockerfile = ROOT / "deploy/compose" / build["context"] / build["dockerfile"]
            assert dockerfile.resolve() == DOCKERFILE
            assert build["args"] == {
                "SOURCE": f"services/{service}",
                "MODULE": IMAGES[f"services/{service}"],
            }


def test_runtime_lock_pins_what_uv_lock_pins() -> None:
    """Images install requirements.runtime.lock (exported from uv.lock by `make lock`); it must
    not drift from the lock the tests ran with."""
    lines = (ROOT / "requirements.runtime.lock").read_text().splitlines()
    runtime = dict(
        line.split(" ")[0].split("==")
        for line in lines
        if "==" in line and not line.startswith(" ")
    )
    locked = {
        package["name"]: package.get("version")
        for package in tomllib.loads((ROOT / "uv.lock").read_text())["package"]
    }
    assert runtime and {name: locked.get(name) for name in runtime} == runtime
    assert not {"pytest", "mypy", "ruff"} & set(runtime)
