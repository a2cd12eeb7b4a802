"""Pricing: integer coins for allowed durations only; nonsense pricing is refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from session_service_fakes import make_session

from session_service.domain.errors import DurationNotAllowed
from session_service.domain.session import Pricing


def test_price_is_per_minute_times_minutes() -> None:
    session = make_session(per_minute=10, durations=(60, 300, 600))
    assert session.get_exclusive_sd_price(60) == 10
    assert session.get_exclusive_sd_price(300) == 50
    assert session.get_exclusive_sd_price(600) == 100


def test_price_of_a_partial_minute_rounds_down_to_whole_coins() -> None:
    session = make_session(per_minute=7, durations=(90,))
    assert session.get_exclusive_sd_price(90) == 10  # 7 * 1.5 = 10.5


def test_a_duration_not_priced_is_refused() -> None:
    with pytest.raises(DurationNotAllowed) as err:
        make_session(durations=(60, 300)).get_exclusive_sd_price(120)
    assert err.value.reason == "duration_not_allowed"
    assert "60, 300" in err.value.detail


def test_durations_are_deduplicated_and_sorted() -> None:
    pricing = Pricing(exclusive_sd_per_minute=1, exclusive_durations=[600, 60, 600])
    assert pricing.exclusive_durations == [60, 600]


@pytest.mark.parametrize(
    "raw",
    [
        {"exclusive_sd_per_minute": 0, "exclusive_durations": [60]},
        {"exclusive_sd_per_minute": 5, "exclusive_durations": []},
        {"exclusive_sd_per_minute": 5, "exclusive_durations": [0]},
        {"exclusive_sd_per_minute": 5, "exclusive_durations": [-60]},
        {"exclusive_sd_per_minute": 1, "exclusive_durations": [30]},  # would cost 0 coins
    ],
)
def test_invalid_pricing_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Pricing.model_validate(raw)
