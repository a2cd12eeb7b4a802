"""Every contract round-trips through the envelope, and the committed JSON Schema is current."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from livestream_schemas import jsonschema, tags
from livestream_schemas.base import GoalLevel, Message, UserInfo
from livestream_schemas.commands import (
    AcceptExclusiveGoal,
    CloseFundingGoal,
    CreateGoal,
    DeactivateGoal,
    IncrementGoalProgress,
    Refund,
    Release,
    Settle,
    StartGoal,
    Transfer,
)
from livestream_schemas.envelope import Envelope, decode, encode
from livestream_schemas.goals import GoalAdded, GoalCreated, GoalEnded, GoalProgressed, GoalStarted
from livestream_schemas.registry import MESSAGE_TYPES
from livestream_schemas.sessions import SessionEnded
from livestream_schemas.topics import TOPICS, all_topic_specs
from livestream_schemas.wallet import (
    BalanceDecremented,
    BalanceIncremented,
    TransactionCreated,
    TransactionFailed,
    UserUpdated,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
GOAL = "6740a1b2c3d4e5f601234567"
SNAPSHOT = {
    "goal_id": GOAL,
    "_cls": "TriggerExclusiveGoal",
    "active": True,
    "conditions": {"session_id": "s1", "exclusive_to": "viewer-1"},
    "context": {"type": "trigger-exclusive", "exclusive_to": "viewer-1"},
    "levels": [],
    "exp": NOW,
    "metadata": {"user_id": "streamer-1", "prepaid_duration": 60},
    "version": 1,
}
SWAG = tags.swag_tag("s1", tags.TRIGGER_EXCLUSIVE, GOAL)
USER = UserInfo(id="viewer-1", username="Vee", tags=["vip"], tagsv2={"tier": "gold"}, level=7)

EXAMPLES: list[Message] = [
    GoalCreated.model_validate(SNAPSHOT),
    GoalAdded.model_validate({**SNAPSHOT, "session_id": "s1", "streamer_id": "streamer-1"}),
    GoalProgressed.model_validate(
        {
            **SNAPSHOT,
            "progress": 1,
            "amount": 1,
            "cost": 120,
            "breakdown_id": "viewer-1",
            "insert_id": f"session:trigger-exclusive:{GOAL}",
            "breakdown": {"viewer-1": {"progress": 1, "cost": 120}},
            "version": 2,
        }
    ),
    GoalEnded.model_validate(
        {
            **SNAPSHOT,
            "_cls": "ShowFundingGoal",
            "active": False,
            "progress": 3,
            "levels": [GoalLevel(title="Show", target=10)],
            "triggerer": "web",
            "version": 5,
            "outcome": "failed",
        }
    ),
    TransactionCreated.model_validate(
        {
            "id": f"session:trigger-exclusive:{GOAL}",
            "ts": NOW,
            "fromAccount": "w-viewer",
            "fromAmount": 120,
            "toAccount": None,
            "toAmount": 120,
            "tags": [SWAG, tags.escrow_tag("w-streamer", SWAG)],
        }
    ),
    TransactionFailed(
        transaction_id="t1",
        kind="transfer",
        reason="insufficient_funds",
        from_user_id="viewer-1",
        amount=120,
        tags=[SWAG],
    ),
    BalanceDecremented(
        user_id="viewer-1",
        user_wallet_id="w-viewer",
        amount=120,
        timestamp=NOW,
        transaction_id="t1",
        tags=[SWAG],
        metadata={"user": USER},
    ),
    BalanceIncremented(
        user_id="streamer-1",
        user_wallet_id="w-streamer",
        source_user_id="viewer-1",
        source_user_wallet_id="w-viewer",
        amount=120,
        timestamp=NOW,
        transaction_id="t2",
        tags=[SWAG],
    ),
    UserUpdated(user_id="viewer-1", username="Vee", wallet_id="w-viewer", tags=["blocked-by:s9"]),
    CreateGoal.model_validate({**SNAPSHOT, "nbf": None}),
    DeactivateGoal(
        goal_id=GOAL, filter={"active": True, "metadata.user_id": "streamer-1"}, triggerer="web"
    ),
    IncrementGoalProgress(
        goal_id=GOAL, amount=1, cost=120, breakdown_id="viewer-1", insert_id="t1", accepted_at=NOW
    ),
    Transfer(
        transaction_id="t1",
        from_user_id="viewer-1",
        escrow_user_id="streamer-1",
        amount=120,
        tags=[SWAG],
    ),
    Refund(transaction_id="t1", reason="exclusive_not_agreed"),
    Release(transaction_id="t1"),
    GoalStarted.model_validate(
        {**SNAPSHOT, "_cls": "ShowGoal", "started_at": NOW, "exp": None, "version": 2}
    ),
    SessionEnded(session_id="s1", user_id="streamer-1", ended_at=NOW),
    StartGoal(goal_id=GOAL, filter={"active": True, "metadata.user_id": "s1"}, triggerer="web"),
    CloseFundingGoal(goal_id=GOAL),
    AcceptExclusiveGoal(goal_id=GOAL, triggerer="web"),
    Settle(transaction_id="t1", release_amount=40, reason="exclusive:1/3min"),
]


def test_every_registered_type_has_an_example() -> None:
    assert {(m.message_type, m.schema_version) for m in EXAMPLES} == set(MESSAGE_TYPES)


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: m.message_type)
def test_round_trip_through_envelope(message: Message) -> None:
    envelope = encode(
        message, key="k1", trace={"traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"}
    )
    raw = envelope.model_dump_json().encode()
    decoded_envelope, decoded = decode(raw)
    assert decoded_envelope == envelope
    assert type(decoded) is type(message)
    assert decoded == message


def test_aliases_match_the_seed_wire_names() -> None:
    created = encode(EXAMPLES[0], key=GOAL).payload
    assert created["_cls"] == "TriggerExclusiveGoal"
    callback = encode(EXAMPLES[4], key="t").payload
    assert {"fromAccount", "fromAmount", "toAccount", "toAmount"} <= callback.keys()


def test_unknown_type_and_bad_payload_are_rejected() -> None:
    bad_type = Envelope(type="goal.exploded", key="k", payload={}).model_dump_json()
    with pytest.raises(ValueError, match="unknown message type"):
        decode(bad_type)
    bad_payload = Envelope(
        type="increment_goal_progress",
        key="k",
        payload={"goal_id": GOAL, "amount": 0, "cost": 1, "breakdown_id": "v", "insert_id": "i"},
    ).model_dump_json()
    with pytest.raises(ValidationError):
        decode(bad_payload)
    with pytest.raises(ValueError):
        decode(b"not json")


def test_money_is_integer_coins() -> None:
    with pytest.raises(ValidationError):
        Transfer(transaction_id="t", from_user_id="u", amount=1.5, tags=[])  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Transfer(transaction_id="t", from_user_id="u", amount=0, tags=[])


def test_escrow_tag_round_trips_wallet_id() -> None:
    tag = tags.escrow_tag("wallet/ü+1", SWAG)
    assert tag.startswith("escrow::") and tag.endswith(":" + SWAG)
    assert tags.parse_escrow_tag(tag) == ("wallet/ü+1", SWAG)
    assert tags.parse_escrow_tag("escrow::!!notbase64:" + SWAG) is None
    parsed = tags.find_swag(["other", tag, SWAG], tags.TRIGGER_EXCLUSIVE)
    assert parsed == tags.SwagTag("s1", "trigger_exclusive", GOAL)


def test_topics_declared_once_and_every_type_routed() -> None:
    names = [spec.name for spec in all_topic_specs()]
    assert len(names) == len(set(names))
    carried = {t for spec in TOPICS for t in spec.carries}
    assert {t for t, _ in MESSAGE_TYPES} == carried
    assert all(spec.partitions >= 3 for spec in TOPICS)


def test_committed_json_schema_is_current() -> None:
    assert jsonschema.stale_files() == [], "run `make schemas` and commit schemas/json"


def test_staleness_check_catches_an_edited_file(tmp_path: Path) -> None:
    for name, text in jsonschema.render().items():
        (tmp_path / name).write_text(text)
    assert jsonschema.stale_files(tmp_path) == []
    victim = tmp_path / "goal.ended.v1.json"
    victim.write_text(victim.read_text().replace('"triggerer"', '"trigger"'))
    (tmp_path / "leftover.v9.json").write_text("{}")
    assert jsonschema.stale_files(tmp_path) == ["goal.ended.v1.json", "leftover.v9.json"]


def test_models_are_frozen() -> None:
    message = EXAMPLES[-1]
    assert isinstance(message, BaseModel)
    with pytest.raises(ValidationError):
        message.transaction_id = "other"  # type: ignore[misc]
