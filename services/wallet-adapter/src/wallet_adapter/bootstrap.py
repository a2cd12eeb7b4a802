"""The only place that builds adapters and wires receivers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from service_kit.consumer import Handler, receiver
from service_kit.container import BaseContainer
from service_kit.retention import Rule
from wallet_adapter.adapters.mongo_seen import MongoSeenTransactions
from wallet_adapter.adapters.mongo_users import MongoUserReadModel
from wallet_adapter.adapters.wallet_api import HttpWalletApi
from wallet_adapter.config import Settings
from wallet_adapter.handlers.refund import refund
from wallet_adapter.handlers.release import release
from wallet_adapter.handlers.settle import settle
from wallet_adapter.handlers.transfer import transfer
from wallet_adapter.handlers.trigger_user_balance_updated import trigger_user_balance_updated
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
