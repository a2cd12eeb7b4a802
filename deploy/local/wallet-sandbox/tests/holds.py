"""The hold most escrow tests start from: viewer w-v pays 40 of 100 coins for streamer w-s."""

from __future__ import annotations

import base64

SWAG = "swag::livestream.session:s1.trigger_exclusive:g1"
HOLD = "session:trigger-exclusive:g1"


def escrow(beneficiary: str) -> str:
    return f"escrow::{base64.b64encode(beneficiary.encode()).decode()}:{SWAG}"


def hold_body() -> dict[str, object]:
    return {
        "id": HOLD,
        "fromAccount": "w-v",
        "fromAmount": 40,
        "toAccount": None,
        "toAmount": 40,
        "tags": [SWAG, escrow("w-s")],
        "forced": False,
        "timestamp": None,
    }


async def balances(api) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    v = (await api.get("/accounts/w-v")).json()["balance"]
    s = (await api.get("/accounts/w-s")).json()["balance"]
    return v, s
