from __future__ import annotations

from prometheus_client import REGISTRY

from goal_service.adapters.metrics import GoalMetrics
from goal_service.domain.contributions import Contribution
from goal_service.domain.goal import created_event, ended_event, new_goal, progressed_event
from goal_service.handlers.track_goals import track_goals

from .fakes import T0, create_command, envelope_of


def goal(**overrides):
    return new_goal(create_command(**overrides), now=T0)


async def test_each_lifecycle_event_is_audited_and_counted(audit, metrics) -> None:
    doc = goal()
    created = created_event(doc)
    doc.update(progress=1, version=2, top=[{"user_id": "v", "progress": 1, "cost": 10}])
    progressed = progressed_event(doc, Contribution("tx", "v", 1, 10))
    doc.update(active=False, version=3, triggerer="app-1")
    ended = ended_event(doc)

    for i, event in enumerate((created, progressed, ended)):
        out = await track_goals(
            event, envelope=envelope_of(event, f"e{i}"), audit=audit, metrics=metrics
        )
        assert out == []

    assert metrics.calls == [
        ("created", "ShowFundingGoal"),
        ("progressed", "ShowFundingGoal", 1, 10),
        ("ended", "ShowFundingGoal", "failed"),  # 1 of 3 tickets
    ]
    assert audit.entries["e1"]["insert_id"] == "tx"
    assert audit.entries["e2"]["triggerer"] == "app-1"
    assert [audit.entries[f"e{i}"]["version"] for i in range(3)] == [1, 2, 3]


async def test_an_expired_exclusive_request_counts_as_expired(audit, metrics) -> None:
    doc = goal(_cls="TriggerExclusiveGoal", levels=[])
    doc.update(active=False, version=2, triggerer="system")
    event = ended_event(doc)
    await track_goals(event, envelope=envelope_of(event), audit=audit, metrics=metrics)
    assert metrics.calls == [("ended", "TriggerExclusiveGoal", "expired")]


async def test_redelivery_is_neither_audited_nor_counted_twice(audit) -> None:
    event = created_event(goal())
    real = GoalMetrics()
    labels = {"cls": "ShowFundingGoal"}
    before = REGISTRY.get_sample_value("lsg_goals_created_total", labels) or 0.0
    envelope = envelope_of(event, "same")
    await track_goals(event, envelope=envelope, audit=audit, metrics=real)
    await track_goals(event, envelope=envelope, audit=audit, metrics=real)
    assert REGISTRY.get_sample_value("lsg_goals_created_total", labels) == before + 1
    assert list(audit.entries) == ["same"]
