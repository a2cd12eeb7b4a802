"""The deploy checks import their tools from deploy/k8s (scripts, not an installed package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def _load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, K8S / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def checker() -> ModuleType:
    return _load("check_manifests")


@pytest.fixture(scope="session")
def generator() -> ModuleType:
    return _load("generate")


@pytest.fixture(scope="session")
def configs() -> ModuleType:
    return _load("check_configs")
