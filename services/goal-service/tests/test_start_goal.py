from __future__ import annotations

from goal_service.handlers.start_goal import start_goal
from livestream_schemas.commands import StartGoal
from livestream_schemas.goals import GoalStarted

from .fakes import GOAL_ID, STREAMER, envelope_of

SHOW = {"_cls": "ShowGoal", "levels": [{"title": "Show", "target": 0}]}


def command(owner: str = STREAMER) -> StartGoal:
    return StartGoal(goal_id=GOAL_ID, filter={"metadata.user_id": owner}, triggerer="app-1")


async def run(goals, clock, cmd: StartGoal, event_id: str = "evt-start"):
    return await start_goal(cmd, envelope=envelope_of(cmd, event_id), goals=goals, clock=clock)


async def test_starting_a_show_clears_its_deadline_and_announces_it(goals, clock, seed) -> None:
    await seed(**SHOW)
    clock.advance(30)
    (event,) = await run(goals, clock, command())
    assert isinstance(event, GoalStarted) and event.started_at == clock()
    assert event.exp is None and event.version == 2
    assert goals.docs[GOAL_ID]["started"] is True


async def test_redelivery_repeats_the_same_event_and_starts_once(goals, clock, seed) -> None:
    await seed(**SHOW)
    first = await run(goals, clock, command())
    clock.advance(5)
    again = await run(goals, clock, command())
    assert [m.model_dump() for m in again] == [m.model_dump() for m in first]
    assert goals.docs[GOAL_ID]["version"] == 2
    assert await run(goals, clock, command(), "evt-other") == []


async def test_someone_elses_or_an_ended_show_does_not_start(goals, clock, seed) -> None:
    await seed(**SHOW)
    assert await run(goals, clock, command("intruder")) == []
    goals.docs[GOAL_ID]["active"] = False
    assert await run(goals, clock, command()) == []
    assert goals.docs[GOAL_ID]["started"] is False
