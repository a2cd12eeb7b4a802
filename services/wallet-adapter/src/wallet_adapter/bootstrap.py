"""The only place that builds adapters and wires receivers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from service_kit.consumer import BatchHandler, Handler, batch_receiver, receiver
from service_kit.container import BaseContainer
from service_kit.retention import Rule
from wallet_adapter.adapters.mongo_seen import MongoSeenTransactions
from wallet_adapter.adapters.mongo_users import MongoUserReadModel
from wallet_adapter.adapters.wallet_api import HttpWalletApi
from wallet_adapter.config import Settings
from wallet_adapter.handlers.refund import refund, refund_many
from wallet_adapter.handlers.release import release, release_many
from wallet_adapter.handlers.settle import settle, settle_many
from wallet_adapter.handlers.transfer import transfer, transfer_many
from wallet_adapter.handlers.trigger_user_balance_updated import (
    trigger_user_balance_updated,
    trigger_user_balance_updated_many,
)
from wallet_adapter.handlers.update_wallet_read_model import update_wallet_read_model
from wallet_adapter.ports import SeenTransactions, UserReadModel, WalletApi


@dataclass
class Container(BaseContainer):
    settings: Settings
    wallet: WalletApi = field(init=False)
    users: UserReadModel = field(init=False)
    seen: SeenTransactions = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        s = self.settings
        self.wallet = HttpWalletApi(
            s.wallet_api_url,
            timeout_s=s.wallet_timeout_s,
            retries=s.wallet_retries,
            backoff_s=s.wallet_retry_backoff_s,
        )
        self.users = MongoUserReadModel(self.db)
        self.seen = MongoSeenTransactions(self.db)

    def retention_rules(self) -> list[Rule]:
        keep = self.settings.retention_days * 86400
        return [Rule("transactions_seen", "first_seen", keep)]

    async def close_clients(self) -> None:
        close = getattr(self.wallet, "close", None)  # fakes have none
        if close is not None:
            await close()


def bootstrap(settings: Settings) -> Container:
    return Container(settings)


def routes(c: Container) -> dict[str, Sequence[Handler]]:
    """Message type -> its receivers in this service, in order."""
    return {
        "transfer": [
            receiver(
                transfer,
                wallet=c.wallet,
                users=c.users,
                max_amount=c.settings.max_transfer_coins,
            )
        ],
        "refund": [receiver(refund, wallet=c.wallet)],
        "release": [receiver(release, wallet=c.wallet)],
        "settle": [receiver(settle, wallet=c.wallet, max_amount=c.settings.max_transfer_coins)],
        "transaction.created": [receiver(trigger_user_balance_updated, users=c.users)],
        "user.updated": [receiver(update_wallet_read_model, users=c.users)],
    }


def batch_routes(c: Container) -> dict[str, BatchHandler]:
    """The same receivers taking consecutive messages together: the wallet's commands side
    by side (one aggregate's in order), the users read once per batch."""
    s = c.settings
    at_once = {"wallet": c.wallet, "concurrency": s.wallet_concurrency}
    return {
        "transfer": batch_receiver(
            transfer_many, users=c.users, max_amount=s.max_transfer_coins, **at_once
        ),
        "refund": batch_receiver(refund_many, **at_once),
        "release": batch_receiver(release_many, **at_once),
        "settle": batch_receiver(settle_many, max_amount=s.max_transfer_coins, **at_once),
        "transaction.created": batch_receiver(trigger_user_balance_updated_many, users=c.users),
    }
