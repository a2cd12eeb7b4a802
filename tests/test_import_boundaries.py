"""Services never import each other; schemas is a leaf; the kit imports no service."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {
    "goal_service": ROOT / "services/goal-service/src/goal_service",
    "session_service": ROOT / "services/session-service/src/session_service",
    "wallet_adapter": ROOT / "services/wallet-adapter/src/wallet_adapter",
    "notifier": ROOT / "services/notifier/src/notifier",
}
PACKAGES = {
    **SERVICES,
    "livestream_schemas": ROOT / "schemas/src/livestream_schemas",
    "service_kit": ROOT / "libs/service-kit/src/service_kit",
    "wallet_sandbox": ROOT / "deploy/local/wallet-sandbox/src/wallet_sandbox",
    "dev_login": ROOT / "deploy/local/dev-login/src/dev_login",
}
# What each package may import from this repository besides itself.
ALLOWED = {
    **{name: {"livestream_schemas", "service_kit"} for name in SERVICES},
    "livestream_schemas": set(),
    "service_kit": {"livestream_schemas"},
    "wallet_sandbox": set(),  # stands in for an external system: no shared code
    "dev_login": {"livestream_schemas", "service_kit"},  # plays the platform's login and user feed
}
# Handlers and domain hold the rules: no framework or driver imports there.
FRAMEWORKS = {"faust", "fastapi", "pymongo", "aiokafka", "pusher", "uvicorn", "httpx"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_package_imports_only_what_it_may(package: str) -> None:
    ours = set(PACKAGES)
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            (imported_roots(path) & ours) - ALLOWED[package] - {package}
        )
        for path in PACKAGES[package].rglob("*.py")
    }
    assert {p: bad for p, bad in offenders.items() if bad} == {}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_handlers_and_domain_import_no_framework(service: str) -> None:
    offenders = {}
    for folder in ("handlers", "domain"):
        for path in (SERVICES[service] / folder).rglob("*.py"):
            bad = imported_roots(path) & FRAMEWORKS
            if bad:
                offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}
