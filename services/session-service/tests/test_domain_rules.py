"""Who may trigger an exclusive session: each 403 reason, the cooldown and its boundaries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from session_service_fakes import T0, make_session

from session_service.domain.errors import LivestreamTriggerQuotaExceeded, TriggerForbidden
from session_service.domain.rules import check_trigger_allowed, cooldown_remaining_s
from session_service.domain.session import ExclusiveGoalPair, ShowGoalPair, Status

VIEWER = "viewer-1"
COOLDOWN = 300


def check(session, tags=(), now=T0, viewer=VIEWER):  # type: ignore[no-untyped-def]
    check_trigger_allowed(session, viewer_id=viewer, viewer_tags=tags, now=now, cooldown_s=COOLDOWN)


def forbidden_reason(session, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(TriggerForbidden) as err:
        check(session, **kwargs)
    return err.value.reason


def test_a_fresh_session_allows_a_trigger() -> None:
    check(make_session())


def test_the_streamer_cannot_trigger_their_own_session() -> None:
    assert forbidden_reason(make_session(), viewer="streamer-1") == "own_session"


def test_a_viewer_blocked_by_this_streamer_is_forbidden() -> None:
    assert forbidden_reason(make_session(), tags=("vip", "blocked-by:streamer-1")) == (
        "blocked_by_streamer"
    )


def test_a_block_by_another_streamer_does_not_matter() -> None:
    check(make_session(), tags=("blocked-by:streamer-2",))


def test_funding_still_open_on_the_last_pair_is_forbidden() -> None:
    pairs = [
        ShowGoalPair(funding_goal="g1", funding_ended=T0),
        ShowGoalPair(funding_goal="g2"),
    ]
    assert forbidden_reason(make_session(show_goal_pairs=pairs)) == "funding_not_ended"


def test_only_the_last_pair_counts_for_funding() -> None:
    pairs = [ShowGoalPair(funding_goal="g1"), ShowGoalPair(funding_goal="g2", funding_ended=T0)]
    check(make_session(show_goal_pairs=pairs))


def test_a_show_still_running_is_forbidden() -> None:
    pairs = [ShowGoalPair(funding_goal="g1", funding_ended=T0, show_goal="s1")]
    assert forbidden_reason(make_session(show_goal_pairs=pairs)) == "show_not_done"


def test_a_funded_show_not_yet_bound_is_already_not_done() -> None:
    pairs = [ShowGoalPair(funding_goal="g1", funding_ended=T0, funded=True)]
    assert forbidden_reason(make_session(show_goal_pairs=pairs)) == "show_not_done"
    unfunded = [ShowGoalPair(funding_goal="g1", funding_ended=T0, funded=False)]
    check(make_session(show_goal_pairs=unfunded))


def test_a_finished_show_allows_a_trigger() -> None:
    pair = ShowGoalPair(funding_goal="g1", funding_ended=T0, show_goal="s1", show_ended=T0)
    check(make_session(show_goal_pairs=[pair]))


def test_an_exclusive_session_is_forbidden() -> None:
    status = Status(preset="sd", exclusive_to="viewer-2")
    assert forbidden_reason(make_session(status=status)) == "already_exclusive"


def test_sd_without_an_exclusive_viewer_is_not_exclusive() -> None:
    check(make_session(status=Status(preset="sd")))


def _declined(ended_ago_s: float) -> dict[str, ExclusiveGoalPair]:
    ended = T0 - timedelta(seconds=ended_ago_s)
    return {
        VIEWER: ExclusiveGoalPair(trigger_exclusive_goal="t1", trigger_exclusive_goal_ended=ended)
    }


def test_cooldown_rejects_with_seconds_to_wait() -> None:
    with pytest.raises(LivestreamTriggerQuotaExceeded) as err:
        check(make_session(exclusive_goal_pairs=_declined(100)))
    assert err.value.retry_after_s == 200
    assert err.value.reason == "LivestreamTriggerQuotaExceeded"


def test_cooldown_rounds_a_fraction_of_a_second_up() -> None:
    with pytest.raises(LivestreamTriggerQuotaExceeded) as err:
        check(make_session(exclusive_goal_pairs=_declined(COOLDOWN - 0.25)))
    assert err.value.retry_after_s == 1


def test_cooldown_is_over_exactly_at_its_end() -> None:
    check(make_session(exclusive_goal_pairs=_declined(COOLDOWN)))


def test_an_agreed_request_has_no_cooldown() -> None:
    pairs = _declined(10)
    pairs[VIEWER] = pairs[VIEWER].model_copy(update={"trigger_exclusive_goal_agreed": T0})
    check(make_session(exclusive_goal_pairs=pairs))


def test_a_request_still_open_is_not_a_cooldown() -> None:
    pairs = {VIEWER: ExclusiveGoalPair(trigger_exclusive_goal="t1")}
    assert cooldown_remaining_s(pairs[VIEWER], now=T0, cooldown_s=COOLDOWN) == 0
    check(make_session(exclusive_goal_pairs=pairs))


def test_another_viewers_cooldown_does_not_apply() -> None:
    check(make_session(exclusive_goal_pairs=_declined(10)), viewer="viewer-2")


def test_forbidden_reasons_come_before_the_cooldown() -> None:
    session = make_session(
        exclusive_goal_pairs=_declined(10), status=Status(preset="sd", exclusive_to="x")
    )
    assert forbidden_reason(session) == "already_exclusive"


def test_the_four_403_reasons_in_the_specs_order() -> None:
    # Every condition holds at first; lifting them one by one shows the next in line.
    tags = [f"blocked-by:{make_session().user_id}"]
    open_funding = ShowGoalPair(funding_goal="f", show_goal="s")
    show_running = ShowGoalPair(funding_goal="f", funding_ended=T0, show_goal="s")
    show_done = ShowGoalPair(funding_goal="f", funding_ended=T0, show_goal="s", show_ended=T0)
    exclusive = Status(preset="sd", exclusive_to="viewer-2")
    seen = [
        forbidden_reason(make_session(show_goal_pairs=[open_funding], status=exclusive), tags=tags),
        forbidden_reason(make_session(show_goal_pairs=[open_funding], status=exclusive)),
        forbidden_reason(make_session(show_goal_pairs=[show_running], status=exclusive)),
        forbidden_reason(make_session(show_goal_pairs=[show_done], status=exclusive)),
    ]
    assert seen == [
        "blocked_by_streamer",
        "funding_not_ended",
        "show_not_done",
        "already_exclusive",
    ]
