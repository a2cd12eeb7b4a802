"""POST /notify/wallet/transaction: signed, fresh, well-formed, published once."""

from __future__ import annotations

import json
import time

from livestream_schemas.wallet import TransactionCreated
from wallet_adapter.domain.ids import transaction_event_id
from wallet_adapter.domain.signature import sign

from .conftest import SECRET

URL = "/notify/wallet/transaction"
BODY = {
    "id": "session:trigger-exclusive:goal-1",
    "ts": "2025-04-28T03:14:13+00:00",
    "fromAccount": "w-viewer",
    "fromAmount": 300,
    "toAccount": None,
    "toAmount": 300,
    "tags": ["swag::livestream.session:s1.trigger_exclusive:goal-1"],
}


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if at is None else at
    return {
        "Content-Type": "application/json",
        "X-Wallet-Timestamp": str(timestamp),
        "X-Wallet-Signature": sign(secret, timestamp, body),
    }


def raw(body: dict = BODY) -> bytes:
    return json.dumps(body).encode()


async def test_valid_callback_publishes_transaction_created_once(edge) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    response = await client.post(URL, content=raw(), headers=signed(raw()))
    assert response.status_code == 200
    assert response.json() == {"status": "accepted", "duplicate": False}
    ((message, event_id),) = c.publisher.sent
    assert isinstance(message, TransactionCreated)
    assert (message.id, message.from_account, message.to_account) == (BODY["id"], "w-viewer", None)
    assert (message.from_amount, message.tags) == (300, BODY["tags"])
    assert event_id == transaction_event_id(BODY["id"])


async def test_repeated_callback_answers_200_and_publishes_nothing_new(edge) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    for _ in range(3):
        response = await client.post(URL, content=raw(), headers=signed(raw()))
        assert response.status_code == 200
    assert len(c.publisher.sent) == 1
    assert response.json()["duplicate"] is True


async def test_a_callback_whose_publish_failed_is_published_again_with_the_same_event_id(
    edge,
) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    c.publisher.fail_next = True
    failed = await client.post(URL, content=raw(), headers=signed(raw()))
    assert failed.status_code == 503
    assert c.publisher.sent == []
    retried = await client.post(URL, content=raw(), headers=signed(raw()))
    assert retried.json() == {"status": "accepted", "duplicate": False}
    assert [eid for _, eid in c.publisher.sent] == [transaction_event_id(BODY["id"])]


async def test_forged_signature_is_refused_and_nothing_published(edge) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    forged = await client.post(URL, content=raw(), headers=signed(raw(), secret="guess"))
    tampered_body = raw({**BODY, "fromAmount": 1})
    tampered = await client.post(URL, content=tampered_body, headers=signed(raw()))
    for response in (forged, tampered):
        assert response.status_code == 401
        assert response.json()["reason"] == "bad_signature"
    assert c.publisher.sent == []
    assert c.seen.published == {}


async def test_stale_or_future_timestamp_is_refused(edge) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    now = int(time.time())
    # Well past the 300 s skew, so a slow machine (seconds between signing and checking)
    # cannot bring the future one back inside it.
    for at in (now - 330, now + 330):
        response = await client.post(URL, content=raw(), headers=signed(raw(), at=at))
        assert response.status_code == 401
        assert response.json()["reason"] == "stale_signature"
    within = await client.post(URL, content=raw(), headers=signed(raw(), at=now - 290))
    assert within.status_code == 200
    assert len(c.publisher.sent) == 1


async def test_missing_or_garbled_headers_are_refused(edge) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    headers = signed(raw())
    no_signature = {k: v for k, v in headers.items() if k != "X-Wallet-Signature"}
    no_timestamp = {k: v for k, v in headers.items() if k != "X-Wallet-Timestamp"}
    for hdrs, reason in (
        (no_signature, "missing_signature"),
        (no_timestamp, "missing_signature"),
        ({**headers, "X-Wallet-Timestamp": "yesterday"}, "invalid_timestamp"),
    ):
        response = await client.post(URL, content=raw(), headers=hdrs)
        assert response.status_code == 401
        assert response.json()["reason"] == reason
    assert c.publisher.sent == []


async def test_malformed_body_is_422_with_a_reason(edge) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    for body in (b"{not json", raw({**BODY, "fromAmount": "amount"}), raw({"id": "x"})):
        response = await client.post(URL, content=body, headers=signed(body))
        assert response.status_code == 422
        assert response.json()["reason"] == "invalid_request"
    assert c.publisher.sent == []


async def test_without_a_configured_secret_everything_is_refused(edge) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    c.settings.wallet_callback_secret = ""
    response = await client.post(URL, content=raw(), headers=signed(raw(), secret=""))
    assert response.status_code == 401
    assert c.publisher.sent == []
