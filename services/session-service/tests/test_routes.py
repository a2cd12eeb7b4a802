"""The worker's wiring: real envelopes through the kit's dispatcher to the receivers."""

from __future__ import annotations

from session_service_fakes import (
    T0,
    Clock,
    FakeFeed,
    FakeLocks,
    FakePublisher,
    FakeSessions,
    FakeUsers,
    goal_created,
    goal_ended,
    make_session,
)

from livestream_schemas.envelope import encode
from livestream_schemas.goals import TRIGGER_EXCLUSIVE_GOAL, GoalAdded
from service_kit.consumer import Dispatcher
from service_kit.kafka import derived_event_id
from service_kit.worker import topics_for
from session_service.bootstrap import Container, routes
from session_service.config import Settings

SID = "a" * 24
GOAL = "1" * 24
CONDITIONS = {"session_id": SID, "exclusive_to": "viewer-1"}
META = {"user_id": "streamer-1", "insert_ids": [f"session:trigger-exclusive:{GOAL}"]}


def world() -> tuple[Container, Dispatcher, FakePublisher]:
    c = Container(Settings())
    c.sessions = FakeSessions(make_session(SID))
    c.users, c.locks, c.clock = FakeUsers(), FakeLocks(), Clock()
    c.feed = FakeFeed()
    publisher = FakePublisher()
    return c, Dispatcher(c.settings, publisher, routes(c)), publisher  # type: ignore[arg-type]


def test_each_consumed_type_has_its_receivers_in_order() -> None:
    c, _, _ = world()
    names = {t: [h.__name__ for h in hs] for t, hs in routes(c).items()}
    assert names == {
        "goal.created": ["bind_show_goals_to_session", "bind_exclusive_goals_to_session"],
        "goal.ended": ["set_embedded_goal_ended", "trigger_exclusive_goal_escrow_refund"],
        "goal.added": ["generate_livestream_feed"],
        "user.updated": ["update_user_read_model"],
    }


def test_the_worker_consumes_its_own_goal_added_topic() -> None:
    c, _, _ = world()
    topics = topics_for(c.settings, list(routes(c)))
    assert sorted(topics) == ["goal.added", "goal.created", "goal.ended", "user.updated"]


async def test_a_trigger_goal_is_bound_announced_ended_and_refunded() -> None:
    c, dispatcher, publisher = world()
    created = encode(
        goal_created(GOAL, TRIGGER_EXCLUSIVE_GOAL, conditions=CONDITIONS, metadata=META), key=GOAL
    )
    await dispatcher.dispatch("goal.created", created.model_dump_json().encode())
    added = publisher.published[0]
    assert isinstance(added[0], GoalAdded) and added[0].session_id == SID
    cause = f"{created.event_id}/bind_exclusive_goals_to_session"
    assert added[1] == derived_event_id(cause, 0, "goal.added")

    ended = encode(
        goal_ended(
            GOAL, TRIGGER_EXCLUSIVE_GOAL, active=False, conditions=CONDITIONS, metadata=META
        ),
        key=GOAL,
    )
    await dispatcher.dispatch("goal.ended", ended.model_dump_json().encode())
    session = await c.sessions.get(SID)
    assert session is not None
    assert session.exclusive_goal_pairs["viewer-1"].trigger_exclusive_goal_ended == T0
    assert [m.message_type for m in publisher.messages] == ["goal.added", "refund"]


async def test_the_announced_goal_lands_in_the_feed_once() -> None:
    c, dispatcher, publisher = world()
    created = encode(
        goal_created(GOAL, TRIGGER_EXCLUSIVE_GOAL, conditions=CONDITIONS, metadata=META), key=GOAL
    )
    await dispatcher.dispatch("goal.created", created.model_dump_json().encode())
    [(added, event_id)] = publisher.published
    raw = encode(added, key=SID, event_id=event_id).model_dump_json().encode()
    for _ in range(2):  # redelivered: still one entry
        await dispatcher.dispatch("goal.added", raw)
    [entry] = await c.feed.latest(SID, 20)
    assert (entry.entry_id, entry.goal_id, entry.kind) == (event_id, GOAL, "exclusive_requested")
