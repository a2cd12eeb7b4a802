"""The wallet-adapter refuses to start outside `local` with the committed callback secret."""

from __future__ import annotations

import pytest

from wallet_adapter.config import DEV_WALLET_CALLBACK_SECRET, Settings


def test_a_deployment_refuses_the_dev_wallet_callback_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The stack's environment (env.sh) carries the dev values; a deployment would not.
    for name in ("JWT_SECRET", "WALLET_CALLBACK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="WALLET_CALLBACK_SECRET"):
        Settings(environment="production", wallet_callback_secret=DEV_WALLET_CALLBACK_SECRET)
    assert Settings(environment="production", wallet_callback_secret="k").wallet_callback_secret
    local = Settings(wallet_callback_secret=DEV_WALLET_CALLBACK_SECRET)
    assert local.wallet_callback_secret == DEV_WALLET_CALLBACK_SECRET
