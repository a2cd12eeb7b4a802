from __future__ import annotations

from goal_service.handlers.mark_ticket_purchase_failed import mark_ticket_purchase_failed
from livestream_schemas.tags import SHOW_TICKET, TRIGGER_EXCLUSIVE, swag_tag
from livestream_schemas.wallet import TransactionFailed

from .fakes import GOAL_ID, SESSION_ID, FakePurchases

TX = f"goal:show-ticket:{GOAL_ID}:p1"


def failed(kind: str = SHOW_TICKET, what: str = "transfer") -> TransactionFailed:
    return TransactionFailed(
        transaction_id=TX,
        kind=what,
        reason="insufficient_funds",
        tags=[swag_tag(SESSION_ID, kind, GOAL_ID)],
    )


async def test_a_refused_ticket_is_marked_failed_once() -> None:
    purchases = FakePurchases()
    await purchases.insert_if_absent({"_id": "p1", "goal_id": GOAL_ID, "transaction_id": TX})
    for _ in range(2):  # redelivery changes nothing more
        assert await mark_ticket_purchase_failed(failed(), purchases=purchases) == []
    assert purchases.docs["p1"]["failed"] is True


async def test_other_failures_leave_purchases_alone() -> None:
    purchases = FakePurchases()
    await purchases.insert_if_absent({"_id": "p1", "goal_id": GOAL_ID, "transaction_id": TX})
    await mark_ticket_purchase_failed(failed(TRIGGER_EXCLUSIVE), purchases=purchases)
    await mark_ticket_purchase_failed(failed(what="refund"), purchases=purchases)
    assert "failed" not in purchases.docs["p1"]
