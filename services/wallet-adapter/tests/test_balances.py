"""GET /balances/{user_id}: the caller's own balance, from the wallet, failing fast."""

from __future__ import annotations

from service_kit.auth import issue_token
from service_kit.settings import KitSettings


def bearer(user_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(KitSettings().jwt_secret, user_id)}"}


async def test_a_caller_reads_their_own_balance(edge) -> None:  # type: ignore[no-untyped-def]
    client, _ = edge
    response = await client.get("/balances/viewer-1", headers=bearer("viewer-1"))
    assert response.status_code == 200
    assert response.json() == {"user_id": "viewer-1", "wallet_id": "w-viewer", "balance": 500}


async def test_someone_elses_balance_is_forbidden_and_no_token_is_401(edge) -> None:  # type: ignore[no-untyped-def]
    client, _ = edge
    other = await client.get("/balances/viewer-1", headers=bearer("streamer-1"))
    assert (other.status_code, other.json()["reason"]) == (403, "not_owner")
    assert (await client.get("/balances/viewer-1")).status_code == 401


async def test_unknown_user_is_404_and_a_down_wallet_is_503(edge) -> None:  # type: ignore[no-untyped-def]
    client, c = edge
    unknown = await client.get("/balances/ghost", headers=bearer("ghost"))
    assert (unknown.status_code, unknown.json()["reason"]) == (404, "unknown_user")
    c.wallet.unavailable = True
    down = await client.get("/balances/viewer-1", headers=bearer("viewer-1"))
    assert (down.status_code, down.json()["reason"]) == (503, "wallet_unavailable")
