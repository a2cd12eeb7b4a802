"""The alert rules, run by Prometheus' own promtool on series shaped like scraped ones.

promtool comes with Debian's `prometheus` package (`deploy/local/stack.sh install`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import service_kit.metrics  # noqa: F401  (registers the shared metrics)
import wallet_adapter.adapters.metrics  # noqa: F401
from goal_service.adapters import metrics as _goal_metrics  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
OBSERVABILITY = ROOT / "deploy/observability"
# Labels Prometheus' Kubernetes scraping sets on every series (a ServiceMonitor adds `service`):
# an application label of the same name would be renamed to exported_<name>.
TARGET_LABELS = {"job", "instance", "namespace", "pod", "container", "endpoint", "service", "node"}


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    assert found, "promtool missing: deploy/local/stack.sh install (Debian's prometheus)"
    return found


def _promtool(promtool: str, tmp_path: Path, *args: str) -> str:
    spec = yaml.safe_load((OBSERVABILITY / "prometheus-rules.yaml").read_text())["spec"]
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(spec))
    shutil.copy(OBSERVABILITY / "prometheus-rules.test.yaml", tmp_path / "tests.yaml")
    done = subprocess.run(
        [promtool, *args], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_rules_are_valid(promtool: str, tmp_path: Path) -> None:
    _promtool(promtool, tmp_path, "check", "rules", "rules.yaml")


def test_alerts_fire_on_scraped_series(promtool: str, tmp_path: Path) -> None:
    out = _promtool(promtool, tmp_path, "test", "rules", "tests.yaml")
    assert "SUCCESS" in out


def test_no_application_label_is_a_target_label() -> None:
    names = {
        name
        for collector in list(REGISTRY._collector_to_names)
        if getattr(collector, "_name", "").startswith("lsg_")
        for name in getattr(collector, "_labelnames", ())
    }
    assert "service_name" in names
    assert not names & TARGET_LABELS, names & TARGET_LABELS
