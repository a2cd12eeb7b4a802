"""A MongoDB-API outage far longer than the consumer's old retry budget (3 tries in about
0.6 s): nothing is dead-lettered, every flow completes, every coin is accounted for."""

from __future__ import annotations

import pytest

from journeys.chaos import one_round
from journeys.chaos_load import Answers, Flows, Size, Workload
from journeys.flows import get_goal
from journeys.infra import managed
from journeys.stack import Stack

pytestmark = pytest.mark.journey

OUTAGE_S = 4.0


async def test_a_mongodb_api_outage_dead_letters_nothing_and_every_flow_completes(
    stack: Stack,
) -> None:
    if "ferretdb" not in await managed():
        pytest.skip("the MongoDB-API server was started elsewhere: it cannot be stopped from here")
    work = Workload(stack, Size(viewers=4, streamers=2, buyers=4, purchases=2, concurrency=8))
    await work.add_users()

    async def read_a_goal_meanwhile(flows: Flows, answers: Answers) -> None:
        goal_id = next(iter(flows.funding))
        answers.record("get goal in the outage", await get_goal(stack, work.show_streamer, goal_id))

    outcome = await one_round(work, "ferretdb", OUTAGE_S, during=read_a_goal_meanwhile)
    assert outcome.errors == []  # among them: a 503 without Retry-After, a 500
    assert outcome.settled_s is not None and outcome.flows >= 8
    assert "503" in outcome.answers.statuses, "a read in the outage is answered 503"
