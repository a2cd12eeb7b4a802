"""The topic list's producers are what the code publishes: the Kafka ACLs come from that list,
so a service that starts publishing a new message type without saying so here would be
refused by Kafka in production, and one listed but never publishing would hold a needless
write grant."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from livestream_schemas.registry import MESSAGE_TYPES
from livestream_schemas.topics import CONSUMER_GROUPS, TOPICS

ROOT = Path(__file__).resolve().parents[2]
TOPIC_OF = {t: spec.name for spec in TOPICS for t in spec.carries}
MODELS = {model.__name__: model.message_type for model in MESSAGE_TYPES.values()}


def published_topics(service: str) -> set[str]:
    """Topics of every contract model the service's code builds (a call to its class)."""
    src = ROOT / "services" / service / "src"
    built: set[str] = set()
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                built |= {MODELS[name]} if (name := _model_built(node.func)) else set()
    return {TOPIC_OF[t] for t in built}


def _model_built(func: ast.expr) -> str | None:
    """`Model(...)` or `Model.model_validate(...)`: the name of the contract model built."""
    if isinstance(func, ast.Name) and func.id in MODELS:
        return func.id
    if (
        isinstance(func, ast.Attribute)
        and func.attr.startswith("model_validate")
        and isinstance(func.value, ast.Name)
        and func.value.id in MODELS
    ):
        return func.value.id
    return None


@pytest.mark.parametrize("service", CONSUMER_GROUPS)
def test_a_service_writes_exactly_the_topics_the_list_names_it_a_producer_of(service: str) -> None:
    listed = {spec.name for spec in TOPICS if service in spec.producers}
    assert published_topics(service) == listed
