from __future__ import annotations

from notifier.domain.payloads import MAX_EVENT_BYTES, encoded_size, event_payload

from .fakes import T0, goal_progressed


def test_a_huge_breakdown_is_cut_to_fit_one_pusher_event() -> None:
    breakdown = {f"viewer-{i:05d}-{'x' * 40}": {"progress": i, "cost": i} for i in range(2000)}
    goal = goal_progressed(breakdown=breakdown)
    payload = event_payload(goal, event_id="e", occurred_at=T0)
    assert encoded_size(payload) <= MAX_EVENT_BYTES
    assert payload["goal"]["contributors"] == 2000
    assert len(payload["goal"]["breakdown"]) == 10


def test_bulky_metadata_is_dropped_before_the_event_grows_too_big() -> None:
    metadata = {"user_id": "streamer-1", "notes": "x" * 20_000}
    payload = event_payload(goal_progressed(metadata=metadata), event_id="e", occurred_at=T0)
    assert payload["goal"]["metadata"] == {"user_id": "streamer-1"}
    assert encoded_size(payload) <= MAX_EVENT_BYTES
