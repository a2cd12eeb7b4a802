"""The SDK adapter without a server: signatures and configuration."""

from __future__ import annotations

import json

import pytest

from notifier.adapters.pusher_publisher import PusherPublisher
from notifier.config import Settings

from .fakes import pusher_signature


def publisher(app_id: str) -> PusherPublisher:
    return PusherPublisher(Settings(pusher_app_id=app_id, pusher_key="k", pusher_secret="s3cret"))


def test_signs_private_channels_as_pusher_does() -> None:
    result = publisher("123456").authenticate("private-user@u1", "1.2")
    assert result == {"auth": f"k:{pusher_signature('s3cret', '1.2:private-user@u1')}"}


def test_presence_signature_covers_the_channel_data() -> None:
    member = {"user_id": "u1", "user_info": {"id": "u1", "username": "a", "level": 1}}
    result = publisher("123456").authenticate("presence-stream@s1", "1.2", member)
    assert json.loads(result["channel_data"]) == member
    signed = f"1.2:presence-stream@s1:{result['channel_data']}"
    assert result["auth"] == f"k:{pusher_signature('s3cret', signed)}"


def test_rejects_malformed_socket_ids() -> None:
    with pytest.raises(ValueError):
        publisher("1").authenticate("private-user@u1", "not-a-socket")


def test_settings_read_the_pusher_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSHER_APP_ID", "4242")
    monkeypatch.setenv("PUSHER_PORT", "443")
    monkeypatch.setenv("PUSHER_SSL", "true")
    settings = Settings()
    assert (settings.pusher_app_id, settings.pusher_port, settings.pusher_ssl) == (
        "4242",
        443,
        True,
    )


def test_non_numeric_app_id_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="pusher_app_id"):
        Settings(pusher_app_id="livestream-local")


async def test_each_trigger_is_a_client_span_in_the_current_trace(spans) -> None:  # type: ignore[no-untyped-def]
    from opentelemetry import trace

    sent: list[tuple[list[str], str]] = []

    class Client:
        def trigger(self, channels: list[str], event: str, data: dict[str, object]) -> None:
            sent.append((channels, event))

    adapter = publisher("1")
    adapter._client = Client()  # type: ignore[assignment]
    with trace.get_tracer("test").start_as_current_span("handler") as handler:
        await adapter.trigger(["private-stream@s1"], "goal.added", {"goal_id": "g1"})
    assert sent == [(["private-stream@s1"], "goal.added")]
    (span,) = [s for s in spans.get_finished_spans() if s.name == "pusher trigger goal.added"]
    assert span.kind is trace.SpanKind.CLIENT and span.parent is not None
    assert span.parent.span_id == handler.get_span_context().span_id
    assert span.attributes["pusher.channels"] == ("private-stream@s1",)
