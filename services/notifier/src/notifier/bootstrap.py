"""The only place that builds adapters and wires receivers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from notifier.adapters.mongo import MongoChannelStates, MongoPublishedEvents, MongoUsers
from notifier.adapters.pusher_publisher import PusherPublisher
from notifier.config import Settings
from notifier.domain.ports import ChannelPublisher, ChannelStates, PublishedEvents, Users
from notifier.handlers.fetch_user_balance_when_changed import fetch_user_balance_when_changed
from notifier.handlers.invalidate_cached_pusher_channel_data import (
    invalidate_cached_pusher_channel_data,
)
from notifier.handlers.notify_escrow_released import notify_escrow_released
from notifier.handlers.notify_exclusive_session import notify_exclusive_session
from notifier.handlers.notify_goal_ended import notify_goal_ended
from notifier.handlers.notify_goal_progress_updated import notify_goal_progress_updated
from notifier.handlers.notify_show_ended import notify_show_ended
from notifier.handlers.notify_show_started import notify_show_started
from notifier.handlers.notify_transfer_failed import notify_transfer_failed
from notifier.handlers.notify_user_refunded import notify_user_refunded
from notifier.handlers.trigger_notify_goal_added import trigger_notify_goal_added
from notifier.handlers.update_user_read_model import update_user_read_model
from service_kit.consumer import Handler, receiver
from service_kit.container import BaseContainer
from service_kit.retention import Rule


@dataclass
class Container(BaseContainer):
    settings: Settings
    pusher: ChannelPublisher = field(init=False)
    published: PublishedEvents = field(init=False)
    states: ChannelStates = field(init=False)
    users: Users = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.pusher = PusherPublisher(self.settings)
        self.published = MongoPublishedEvents(self.db)
        self.states = MongoChannelStates(self.db)
        self.users = MongoUsers(self.db)

    def retention_rules(self) -> list[Rule]:
        keep = self.settings.retention_days * 86400
        return [Rule("published_events", "at", keep)]


def bootstrap(settings: Settings) -> Container:
    return Container(settings)


def routes(c: Container) -> dict[str, Sequence[Handler]]:
    """Message type -> its receivers in this service, in order."""
    pusher = {"publisher": c.pusher, "published": c.published}
    refresh_state = receiver(invalidate_cached_pusher_channel_data, states=c.states)
    balance_changed = receiver(fetch_user_balance_when_changed, **pusher)
    exclusive = receiver(notify_exclusive_session, **pusher)
    return {
        "goal.added": [receiver(trigger_notify_goal_added, **pusher), exclusive, refresh_state],
        "goal.progressed": [receiver(notify_goal_progress_updated, **pusher), refresh_state],
        "goal.started": [receiver(notify_show_started, **pusher)],
        "goal.ended": [
            receiver(notify_goal_ended, **pusher),
            receiver(notify_show_ended, **pusher),
            exclusive,
            refresh_state,
        ],
        "balance.decremented": [balance_changed],
        "balance.incremented": [
            receiver(notify_user_refunded, **pusher),
            receiver(notify_escrow_released, **pusher),
            balance_changed,
        ],
        "transaction.failed": [receiver(notify_transfer_failed, **pusher)],
        "user.updated": [receiver(update_user_read_model, users=c.users)],
    }
