"""deploy/compose/compose.yaml against the Compose Specification's JSON Schema.

The schema is the one check-jsonschema vendors (a dev dependency), so this runs offline.
"""

from __future__ import annotations

import copy
import json
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    # Found without importing the package: only its data file is used.
    spec = find_spec("check_jsonschema")
    assert spec and spec.submodule_search_locations
    package = Path(next(iter(spec.submodule_search_locations)))
    schema = json.loads((package / "builtin_schemas/vendor/compose-spec.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "deploy/compose/compose.yaml").read_text())
    return loaded


def errors(validator: Draft202012Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_compose_file_follows_the_compose_specification(
    validator: Draft202012Validator, compose: dict[str, Any]
) -> None:
    assert errors(validator, compose) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("services", "kafka", "imagee"), "apache/kafka"),  # a misspelt key
        (("services", "goal-service-api", "depends_on", "kafka-topics", "condition"), "done"),
        (("services", "kafka", "environment"), 5),
    ],
)
def test_a_broken_copy_is_rejected(
    validator: Draft202012Validator, compose: dict[str, Any], path: tuple[str, ...], value: Any
) -> None:
    broken = copy.deepcopy(compose)
    node: Any = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert errors(validator, broken)
