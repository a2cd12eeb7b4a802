"""The SDK adapter without a server: signatures and configuration."""

from __future__ import annotations

import json

import pytest
import requests
from pusher.http import process_response
from pusher.requests import RequestsBackend

from notifier.adapters.pusher_publisher import PusherPublisher
from notifier.config import Settings
from notifier.domain.ports import PusherUnavailable
from service_kit.faults import is_transient

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


class _Answer:
    def __init__(self, status: int) -> None:
        self.status_code, self.text = status, "{}"


@pytest.mark.parametrize(
    ("outcome", "transient"),
    [
        (requests.ConnectTimeout("connect timed out"), True),
        (requests.ReadTimeout("read timed out"), True),
        (requests.ConnectionError("refused"), True),
        (_Answer(503), True),
        (_Answer(429), True),
        (_Answer(413), False),
        (_Answer(400), False),
    ],
    ids=lambda v: getattr(v, "status_code", type(v).__name__),
)
async def test_unreachable_or_overloaded_server_is_transient(
    monkeypatch: pytest.MonkeyPatch, outcome: object, transient: bool
) -> None:
    def send(self, request):  # type: ignore[no-untyped-def]
        if isinstance(outcome, Exception):
            raise outcome
        return process_response(outcome.status_code, outcome.text)  # type: ignore[attr-defined]

    monkeypatch.setattr(RequestsBackend, "send_request", send)
    with pytest.raises(Exception) as raised:
        await publisher("1").trigger(["private-user@u1"], "goal.ended", {"a": 1})
    assert isinstance(raised.value, PusherUnavailable) is transient
    assert is_transient(raised.value) is transient


async def test_publishes_are_bounded_by_the_timeout_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[float] = []

    def send(self, request):  # type: ignore[no-untyped-def]
        seen.append(self.client.timeout)  # what the backend passes to requests as timeout=
        return {}

    monkeypatch.setattr(RequestsBackend, "send_request", send)
    await PusherPublisher(Settings(pusher_timeout_s=1.5)).trigger(["private-user@u1"], "e", {})
    assert seen == [1.5]
