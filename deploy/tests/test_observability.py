"""The dashboard and the alerts use the metric names the services export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import Counter, Histogram

from goal_service.adapters import metrics as goal_metrics
from service_kit import metrics
from wallet_adapter.adapters import metrics as wallet_metrics

ROOT = Path(__file__).resolve().parents[2]
OBSERVABILITY = ROOT / "deploy/observability"


def _exported() -> set[str]:
    names: set[str] = set()
    modules = (metrics, goal_metrics, wallet_metrics)
    for metric in [value for module in modules for value in vars(module).values()]:
        if isinstance(metric, Histogram):
            names |= {f"{metric._name}_{s}" for s in ("bucket", "sum", "count")}
        elif isinstance(metric, Counter):
            names.add(f"{metric._name}_total")
        elif hasattr(metric, "_name"):
            names.add(metric._name)
    return names


def _dashboard() -> dict:
    return json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text())


def _rules() -> list[dict]:
    doc = yaml.safe_load((OBSERVABILITY / "prometheus-rules.yaml").read_text())
    return [rule for group in doc["spec"]["groups"] for rule in group["rules"]]


def _expressions() -> list[str]:
    panels = _dashboard()["panels"]
    exprs = [t["expr"] for p in panels for t in p.get("targets", [])]
    return exprs + [r["expr"] for r in _rules()]


def test_every_metric_used_is_exported() -> None:
    used = {name for expr in _expressions() for name in re.findall(r"\blsg_[a-z_]+", expr)}
    assert used, "no lsg_ metric referenced"
    assert used <= _exported(), sorted(used - _exported())


def test_every_metric_exported_is_on_the_dashboard() -> None:
    shown = " ".join(t["expr"] for p in _dashboard()["panels"] for t in p.get("targets", []))
    missing = {
        m._name for m in vars(metrics).values() if hasattr(m, "_name") and m._name not in shown
    }
    assert not missing, missing


def test_dashboard_panels_are_well_formed() -> None:
    panels = _dashboard()["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        if panel["type"] != "row":
            assert panel["targets"] and all(t["expr"] and t["refId"] for t in panel["targets"])


def test_the_required_alerts_exist() -> None:
    alerts = {r["alert"]: r for r in _rules() if "alert" in r}
    for name in (
        "LivestreamConsumerLagGrowing",
        "LivestreamDeadLetterTopicGrowing",
        "LivestreamHttpErrorRate",
        "LivestreamWalletCallbackRejected",
        "LivestreamWalletCallbackFailing",
        "LivestreamEscrowOverdue",
        "LivestreamCommandRefused",
    ):
        assert name in alerts and alerts[name]["annotations"]["summary"]
    assert "lsg_messages_dead_lettered_total" in alerts["LivestreamDeadLetterTopicGrowing"]["expr"]
    assert "/notify/wallet/transaction" in alerts["LivestreamWalletCallbackRejected"]["expr"]
    assert "lsg_escrow_overdue_holds" in alerts["LivestreamEscrowOverdue"]["expr"]
    assert "lsg_commands_refused_total" in alerts["LivestreamCommandRefused"]["expr"]
