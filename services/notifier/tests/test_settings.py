"""The notifier refuses to start outside `local` with the committed Pusher secret."""

from __future__ import annotations

import pytest

from notifier.config import DEV_PUSHER_SECRET, Settings


def test_a_deployment_refuses_the_dev_pusher_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    # The stack's environment (env.sh) carries the dev values; a deployment would not.
    for name in ("JWT_SECRET", "PUSHER_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="PUSHER_SECRET"):
        Settings(environment="production", pusher_secret=DEV_PUSHER_SECRET)
    assert Settings(environment="production", pusher_secret="real").pusher_secret == "real"
    assert Settings().pusher_secret == DEV_PUSHER_SECRET
