"""The AsyncAPI document names every topic, message, Pusher channel and event, its references
resolve, what we send validates against it, and the committed copy is current."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from livestream_schemas import asyncapi, pusher
from livestream_schemas.envelope import encode
from livestream_schemas.goals import GoalProgressed
from livestream_schemas.registry import MESSAGE_TYPES
from livestream_schemas.topics import all_topic_specs

DOC: dict[str, Any] = json.loads(asyncapi.render())
# AsyncAPI 3 component and channel keys.
KEY = re.compile(r"^[a-zA-Z0-9.\-_]+$")


def validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({**DOC, "$ref": pointer})


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def resolve(pointer: str) -> Any:
    node: Any = DOC
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_the_committed_document_is_current() -> None:
    assert asyncapi.OUT_FILE.read_text() == asyncapi.render(), "run make schemas"


def test_every_reference_resolves_and_every_key_is_valid() -> None:
    for ref in refs(DOC):
        assert ref.startswith("#/"), ref
        resolve(ref)
    for section in (DOC["channels"], DOC["operations"], *DOC["components"].values()):
        assert all(KEY.match(key) for key in section), list(section)


def test_every_topic_message_channel_and_event_is_described() -> None:
    addresses = {c["address"] for c in DOC["channels"].values()}
    assert {t.name for t in all_topic_specs()} <= addresses
    assert {c.name for c in pusher.CHANNELS} <= addresses
    names = {m["name"] for m in DOC["components"]["messages"].values()}
    assert {t for t, _ in MESSAGE_TYPES} <= names
    assert {e.name for e in pusher.EVENTS} <= names
    assert DOC["asyncapi"] == "3.0.0"


def test_a_message_we_send_validates_and_a_wrong_one_does_not() -> None:
    progressed = GoalProgressed.model_validate(
        {
            "goal_id": "g1",
            "_cls": "ShowFundingGoal",
            "active": True,
            "version": 2,
            "amount": 1,
            "breakdown_id": "v1",
            "insert_id": "tx-1",
        }
    )
    sent = json.loads(encode(progressed, key="g1").model_dump_json())
    check = validator("#/components/messages/goal-progressed/payload")
    assert list(check.iter_errors(sent)) == []
    sent["payload"]["version"] = 0
    assert list(check.iter_errors(sent)) != []


@pytest.mark.parametrize(
    ("event", "channel", "ok"),
    [
        ("balance.changed", "private-user@u1", True),
        ("balance.changed", "private-stream@u1", False),
        ("goal.ended", "presence-stream@s1", True),
        ("goal.finished", "private-user@u1", False),
    ],
)
def test_an_event_is_checked_against_its_declared_channels(
    event: str, channel: str, ok: bool
) -> None:
    data = {
        "event_id": "e1",
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
        "transaction_id": "tx-1",
        "amount": 5,
        "direction": "debit",
        "reason": "show_ticket",
        "triggerer": "s1",
        "goal": {"goal_id": "g1", "_cls": "ShowGoal", "active": False, "version": 3},
    }
    if ok:
        pusher.check_event([channel], event, data)
    else:
        with pytest.raises(ValueError):
            pusher.check_event([channel], event, data)
