"""Integer bounds shared by contracts and request models.

Python integers never overflow, but what they become does: a `datetime`, a MongoDB int64, a
JavaScript number in an app. Every integer a client or another system sends is bounded here
so a huge value is a 4xx or a dead letter, never an OverflowError half-way through a write.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# 9999-12-31T23:59:59Z: the last second `datetime` can represent.
MAX_EPOCH_S = 253_402_300_799
# The largest integer a JSON client (JavaScript) reads exactly; far inside int64.
MAX_COINS = 2**53 - 1

EpochSeconds = Annotated[int, Field(ge=0, le=MAX_EPOCH_S, description="unix seconds")]
Coins = Annotated[int, Field(ge=0, le=MAX_COINS)]
