"""The only place that builds adapters and wires receivers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from service_kit.consumer import Handler, receiver
from service_kit.container import BaseContainer
from service_kit.retention import Rule
from session_service.adapters.goal_requests import HttpGoalRequests
from session_service.adapters.mongo_feed import MongoLivestreamFeed
from session_service.adapters.mongo_idempotency import MongoIdempotencyKeys
from session_service.adapters.mongo_locks import MongoOpenRequestLocks
from session_service.adapters.mongo_sessions import MongoSessionRepository
from session_service.adapters.mongo_slots import MongoExclusiveSlots
from session_service.adapters.mongo_users import MongoUserReadModel
from session_service.adapters.wallet_balances import HttpBalanceReader
from session_service.config import Settings
from session_service.handlers.bind_exclusive_goals_to_session import (
    bind_exclusive_goals_to_session,
)
from session_service.handlers.bind_show_goals_to_session import bind_show_goals_to_session
from session_service.handlers.exclusive_requests import RequestDeps
from session_service.handlers.generate_livestream_feed import generate_livestream_feed
from session_service.handlers.set_embedded_goal_ended import set_embedded_goal_ended
from session_service.handlers.trigger_exclusive import TriggerDeps
from session_service.handlers.trigger_exclusive_goal_escrow_refund import (
    trigger_exclusive_goal_escrow_refund,
)
from session_service.handlers.update_user_read_model import update_user_read_model
from session_service.ports import (
    BalanceReader,
    EventPublisher,
    ExclusiveSlots,
    GoalRequests,
    IdempotencyKeys,
    LivestreamFeed,
    OpenRequestLocks,
    SessionRepository,
    UserReadModel,
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Container(BaseContainer):
    """Real adapters; tests replace the attributes with fakes after building it."""

    settings: Settings
    sessions: SessionRepository = field(init=False)
    users: UserReadModel = field(init=False)
    locks: OpenRequestLocks = field(init=False)
    idempotency: IdempotencyKeys = field(init=False)
    feed: LivestreamFeed = field(init=False)
    balances: BalanceReader = field(init=False)
    slots: ExclusiveSlots = field(init=False)
    goal_requests: GoalRequests = field(init=False)
    clock: Callable[[], datetime] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.sessions = MongoSessionRepository(self.db)
        self.users = MongoUserReadModel(self.db)
        self.locks = MongoOpenRequestLocks(self.db)
        self.idempotency = MongoIdempotencyKeys(self.db)
        self.feed = MongoLivestreamFeed(self.db)
        self.balances = HttpBalanceReader(
            self.settings.wallet_adapter_url, timeout_s=self.settings.wallet_timeout_s
        )
        self.slots = MongoExclusiveSlots(self.db)
        self.goal_requests = HttpGoalRequests(
            self.settings.goal_service_url, timeout_s=self.settings.goal_service_timeout_s
        )
        self.clock = utc_now

    def retention_rules(self) -> list[Rule]:
        # expires_at is the end of the key's life already: delete as soon as it passes.
        return [Rule("idempotency_keys", "expires_at", 0)]

    @property
    def events(self) -> EventPublisher:
        return self.publisher

    async def start(self) -> None:
        await super().start()
        for repository in (self.sessions, self.idempotency, self.feed):
            ensure = getattr(repository, "ensure_indexes", None)  # fakes have none
            if ensure is not None:
                await ensure()

    async def close_clients(self) -> None:
        for client in (self.balances, self.goal_requests):
            close = getattr(client, "close", None)  # fakes have none
            if close is not None:
                await close()

    def request_deps(self) -> RequestDeps:
        return RequestDeps(
            sessions=self.sessions,
            locks=self.locks,
            slots=self.slots,
            goals=self.goal_requests,
            publisher=self.events,
            clock=self.clock,
            slot_stale_s=self.settings.exclusive_slot_stale_s,
        )

    def trigger_deps(self) -> TriggerDeps:
        return TriggerDeps(
            settings=self.settings,
            sessions=self.sessions,
            users=self.users,
            locks=self.locks,
            idempotency=self.idempotency,
            balances=self.balances,
            publisher=self.events,
            clock=self.clock,
        )


def bootstrap(settings: Settings) -> Container:
    return Container(settings)


def routes(c: Container) -> dict[str, Sequence[Handler]]:
    """Message type -> its receivers in this service, in order."""
    return {
        "goal.created": [
            receiver(bind_show_goals_to_session, sessions=c.sessions),
            receiver(bind_exclusive_goals_to_session, sessions=c.sessions),
        ],
        "goal.ended": [
            receiver(
                set_embedded_goal_ended,
                sessions=c.sessions,
                locks=c.locks,
                slots=c.slots,
                clock=c.clock,
            ),
            receiver(trigger_exclusive_goal_escrow_refund, sessions=c.sessions),
        ],
        # goal.added is this service's own event; the feed is built from it like any consumer.
        "goal.added": [receiver(generate_livestream_feed, feed=c.feed)],
        "user.updated": [receiver(update_user_read_model, users=c.users)],
    }
