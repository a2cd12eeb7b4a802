"""The platform's feed (user.updated) is read by an agent of its own: a profile is not queued
behind the service's commands, nor held while a receiver waits out an outage."""

from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from service_kit.consumer import Dispatcher
from service_kit.faults import Stall
from service_kit.kafka import Publisher
from service_kit.settings import KitSettings
from service_kit.worker import build_worker, readiness

SETTINGS = KitSettings(service_name="svc")


async def noop(envelope: Envelope, payload: Message) -> list[Message]:
    return []


def agent_topics(routes: dict) -> dict[str, set[str]]:  # type: ignore[type-arg]
    app = build_worker(SETTINGS, routes, publisher=Publisher(SETTINGS), ready=_ready)
    return {name: set(agent.channel.topics) for name, agent in app.agents.items()}  # type: ignore[attr-defined]


async def _ready() -> dict[str, bool]:
    return {"kafka": True}


def test_user_updated_has_an_agent_of_its_own_beside_the_commands_and_events() -> None:
    routes = {"user.updated": [noop], "transfer": [noop], "transaction.created": [noop]}
    assert agent_topics(routes) == {
        "svc.receivers": {"wallet.commands", "transaction.created"},
        "svc.feeds": {"user.updated"},
    }


def test_a_service_without_feeds_or_with_only_feeds_has_one_agent() -> None:
    assert agent_topics({"transfer": [noop]}) == {"svc.receivers": {"wallet.commands"}}
    assert agent_topics({"user.updated": [noop]}) == {"svc.feeds": {"user.updated"}}


async def test_not_ready_while_either_agent_waits_on_a_dependency() -> None:
    publisher = Publisher(SETTINGS)
    commands = Dispatcher(SETTINGS, publisher, {"transfer": [noop]})
    feeds = Dispatcher(SETTINGS, publisher, {"user.updated": [noop]})
    assert (await readiness(_ready, commands, feeds))[0]["consumer"] is True
    feeds.stall = Stall("user.updated", "update_wallet_read_model", "AutoReconnect")
    checks, body = await readiness(_ready, commands, feeds)
    assert checks["consumer"] is False and body["stalled"]["topic"] == "user.updated"
