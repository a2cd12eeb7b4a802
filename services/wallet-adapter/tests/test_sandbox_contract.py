"""The adapter against the real wallet sandbox and FerretDB (in-process, over ASGI).

Checks the contract both sides must agree on: the escrow tag's wallet id, reasons
for refusals, hold ids in URLs, and the signed callback the adapter accepts once.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from pymongo import AsyncMongoClient

from livestream_schemas.commands import Refund, Release, Settle, Transfer
from livestream_schemas.envelope import encode
from livestream_schemas.tags import TRIGGER_EXCLUSIVE, swag_tag
from livestream_schemas.wallet import (
    BalanceDecremented,
    BalanceIncremented,
    TransactionCreated,
    UserUpdated,
)
from wallet_adapter.adapters.wallet_api import HttpWalletApi
from wallet_adapter.bootstrap import Container
from wallet_adapter.config import Settings
from wallet_adapter.entrypoints.api import create_api
from wallet_adapter.handlers.refund import refund
from wallet_adapter.handlers.release import release
from wallet_adapter.handlers.settle import settle
from wallet_adapter.handlers.transfer import transfer
from wallet_adapter.handlers.trigger_user_balance_updated import trigger_user_balance_updated
from wallet_adapter.handlers.update_wallet_read_model import update_wallet_read_model
from wallet_sandbox.app import create_app as create_sandbox
from wallet_sandbox.callbacks import CallbackDeliverer
from wallet_sandbox.config import Settings as SandboxSettings

from .fakes import FakePublisher

pytestmark = pytest.mark.integration

SECRET = "contract-secret"
SWAG = swag_tag("session-1", TRIGGER_EXCLUSIVE, "goal-1")
TXN = "session:trigger-exclusive:goal-1"


@pytest.fixture
async def pair(stack_env):  # type: ignore[no-untyped-def]
    run = uuid.uuid4().hex[:8]
    uri = stack_env["MONGODB_URI"]
    sandbox_settings = SandboxSettings(
        mongodb_uri=uri, mongodb_database=f"wallet_sandbox_contract_{run}", callback_poll_s=60
    )
    sandbox = create_sandbox(sandbox_settings)
    c = Container(
        Settings(
            mongodb_uri=uri,
            mongodb_database=f"wallet_adapter_contract_{run}",
            wallet_callback_secret=SECRET,
            wallet_retries=0,
        )
    )
    c.publisher = FakePublisher()  # type: ignore[assignment]
    c.wallet = HttpWalletApi(
        "http://sandbox",
        timeout_s=c.settings.wallet_timeout_s,
        transport=httpx.ASGITransport(app=sandbox),
    )
    adapter_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_api(c)))
    async with (
        sandbox.router.lifespan_context(sandbox),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sandbox), base_url="http://sandbox"
        ) as admin,
    ):
        # The sandbox's own deliverer has no URL here; this one posts into the adapter app.
        deliverer = CallbackDeliverer(
            sandbox.state.ledger,
            sandbox_settings.model_copy(
                update={
                    "wallet_callback_url": "http://adapter/notify/wallet/transaction",
                    "wallet_callback_secret": SECRET,
                }
            ),
            adapter_http,
        )
        yield c, admin, deliverer
    await adapter_http.aclose()
    await c.wallet.close()  # type: ignore[attr-defined]
    mongo: AsyncMongoClient = AsyncMongoClient(uri)
    for name in (sandbox_settings.mongodb_database, c.settings.database):
        await mongo.drop_database(name)
    await mongo.close()
    await c.client.close()


async def _setup(c, admin) -> None:  # type: ignore[no-untyped-def]
    for user_id, wallet_id in (("viewer-1", "w-viewer"), ("streamer-1", "w-streamer")):
        message = UserUpdated(user_id=user_id, wallet_id=wallet_id, username=user_id)
        await update_wallet_read_model(
            message, envelope=encode(message, key=user_id), users=c.users
        )
    await admin.put("/admin/accounts/w-viewer", json={"balance": 500})
    await admin.put("/admin/accounts/w-streamer", json={"balance": 0})


def escrow_transfer(amount: int = 300, txn: str = TXN) -> Transfer:
    return Transfer(
        transaction_id=txn,
        from_user_id="viewer-1",
        escrow_user_id="streamer-1",
        amount=amount,
        tags=[SWAG],
    )


async def test_escrow_debit_is_called_back_once_and_becomes_one_balance_decremented(pair) -> None:  # type: ignore[no-untyped-def]
    c, admin, deliverer = pair
    await _setup(c, admin)
    assert await transfer(escrow_transfer(), wallet=c.wallet, users=c.users, max_amount=10**6) == []
    (hold,) = (await admin.get("/holds", params={"tag": SWAG})).json()["holds"]
    assert (hold["payer"], hold["beneficiary"], hold["amount"]) == ("w-viewer", "w-streamer", 300)
    assert await deliverer.deliver_due() == 1
    # The same callback delivered twice more: acknowledged, nothing new published.
    for _ in range(2):
        await deliverer.ledger.transactions.update_one(
            {"_id": TXN}, {"$set": {"callback_pending": True}}
        )
        await deliverer.ledger.track(TXN, "callback")
        assert await deliverer.deliver_due() == 1
    ((message, _),) = c.publisher.sent
    assert isinstance(message, TransactionCreated)
    assert (message.id, message.from_account, message.to_account, message.from_amount) == (
        TXN,
        "w-viewer",
        None,
        300,
    )
    (event,) = await trigger_user_balance_updated(message, users=c.users)
    assert isinstance(event, BalanceDecremented)
    assert (event.user_id, event.user_wallet_id, event.amount, event.transaction_id) == (
        "viewer-1",
        "w-viewer",
        300,
        TXN,
    )


async def test_refund_once_then_release_is_refused_and_overdraft_fails(pair) -> None:  # type: ignore[no-untyped-def]
    c, admin, _ = pair
    await _setup(c, admin)
    assert (await refund(Refund(transaction_id=TXN), wallet=c.wallet))[0].reason == "no_hold"  # type: ignore[attr-defined]
    await transfer(escrow_transfer(), wallet=c.wallet, users=c.users, max_amount=10**6)
    for _ in range(2):
        assert await refund(Refund(transaction_id=TXN), wallet=c.wallet) == []
    assert (await admin.get("/accounts/w-viewer")).json()["balance"] == 500
    (settled,) = await release(Release(transaction_id=TXN), wallet=c.wallet)
    assert (settled.reason, settled.detail) == ("hold_settled", "refunded")  # type: ignore[attr-defined]
    (overdraft,) = await transfer(
        escrow_transfer(501, TXN + "-big"), wallet=c.wallet, users=c.users, max_amount=10**6
    )
    assert overdraft.reason == "insufficient_funds"  # type: ignore[attr-defined]
    summary = (await admin.get("/ledger/summary")).json()
    assert summary == {"total_balances": 500, "open_holds": 0, "minted": 500}


async def test_a_split_is_two_callbacks_and_one_credit_each_for_streamer_and_viewer(pair) -> None:  # type: ignore[no-untyped-def]
    c, admin, deliverer = pair
    await _setup(c, admin)
    await transfer(escrow_transfer(), wallet=c.wallet, users=c.users, max_amount=10**6)
    command = Settle(transaction_id=TXN, release_amount=200)
    for _ in range(2):  # redelivered: still one settlement
        assert await settle(command, wallet=c.wallet, max_amount=10**6) == []
    assert await deliverer.deliver_due() == 3  # the debit, the release leg, the refund leg
    # The three callbacks are delivered concurrently, so they may be published in any order.
    events = []
    for message, _ in c.publisher.sent:
        events += await trigger_user_balance_updated(message, users=c.users)  # type: ignore[arg-type]
    debits = [e for e in events if isinstance(e, BalanceDecremented)]
    credits = [e for e in events if isinstance(e, BalanceIncremented)]
    assert len(events) == 3
    assert [(e.user_id, e.amount) for e in debits] == [("viewer-1", 300)]
    assert sorted((e.user_id, e.amount) for e in credits) == [
        ("streamer-1", 200),
        ("viewer-1", 100),
    ]
    assert (await admin.get("/accounts/w-streamer")).json()["balance"] == 200
    assert (await admin.get("/accounts/w-viewer")).json()["balance"] == 300
    summary = (await admin.get("/ledger/summary")).json()
    assert summary == {"total_balances": 500, "open_holds": 0, "minted": 500}
