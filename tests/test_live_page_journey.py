"""The live page, as people use it: a streamer's window and two viewers' windows in a real
browser, through the local gateway, updated by Pusher events only."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.async_api import expect

from journeys.browser import LivePage, chromium, gateway_url

pytestmark = [pytest.mark.journey, pytest.mark.timeout(420)]
# ms: a purchase travels HTTP -> Kafka -> wallet -> callback -> goal -> Pusher, on a 2-core
# machine that other stacks may be loading at the same time.
WAIT = 60_000


async def go_live_with_a_goal(streamer: LivePage, target: int = 6) -> tuple[str, str]:
    page = streamer.page
    await page.fill('#go-live input[name="per_minute"]', "100")
    await page.click('#go-live button[type="submit"]')
    link = page.locator("#viewer-link")
    await expect(link).to_be_visible(timeout=WAIT)
    session_id = str(await link.get_attribute("href")).rsplit("session=", 1)[1]
    await page.fill('#open-goal input[name="target"]', str(target))
    await page.fill('#open-goal input[name="ticket_price"]', "40")
    await page.click('#open-goal button[type="submit"]')
    card = streamer.goal_card()
    await expect(card).to_be_visible(timeout=WAIT)
    return session_id, str(await card.get_attribute("data-goal-id"))


async def buy(viewer: LivePage, goal_id: str, count: int) -> None:
    card = viewer.goal_card(goal_id)
    await expect(card.locator("form.buy")).to_be_visible(timeout=WAIT)
    await card.locator('input[name="count"]').fill(str(count))
    await card.locator('form.buy button[type="submit"]').click()


async def progress_is(streamer: LivePage, goal_id: str, tickets: int) -> None:
    bar = streamer.goal_card(goal_id).locator('[role="progressbar"]')
    await expect(bar).to_have_attribute("aria-valuenow", str(tickets), timeout=WAIT)


async def leader_is(streamer: LivePage, goal_id: str, user_id: str) -> None:
    first = streamer.goal_card(goal_id).locator(".leaderboard li").first
    await expect(first).to_have_attribute("data-user-id", user_id, timeout=WAIT)


async def request_unanswered_exclusive(streamer: LivePage, viewer: LivePage) -> None:
    """A 60 s session the streamer has 15 s to answer: it arrives, expires, is refunded."""
    await viewer.page.select_option('select[name="answer_window"]', "15")
    await viewer.page.click('.price-option[data-duration="60"]')
    request = streamer.page.locator(f'#requests article.request[data-viewer="{viewer.user_id}"]')
    await expect(request).to_be_visible(timeout=WAIT)
    await expect(request.locator(".badge")).to_have_text("paid · in escrow", timeout=WAIT)
    await expect(request.locator(".price")).to_have_text("100 coins")
    await expect(viewer.notices("held")).to_have_count(2, timeout=WAIT)
    await streamer.screenshot("streamer-request")
    await expect(viewer.notices("refused")).to_have_count(1, timeout=WAIT)
    await viewer.page.click('.price-option[data-duration="60"]')  # at once: cooldown
    await expect(viewer.page.locator("#cooldown .countdown")).to_have_text(
        re.compile(r"00:0\d"), timeout=10_000
    )
    await expect(viewer.notices("refunded").first).to_have_text(
        re.compile("100 coins refunded"), timeout=WAIT
    )
    await viewer.screenshot("viewer1")


async def test_streamer_and_viewers_watch_goals_and_requests_live() -> None:
    run = uuid.uuid4().hex[:8]
    ids = {who: f"{who}-{run}" for who in ("streamer", "viewer1", "viewer2")}
    async with chromium() as browser:
        streamer = await LivePage.open(browser, ids["streamer"], "Mia", "/streamer")
        session_id, goal_id = await go_live_with_a_goal(streamer)
        route = f"/viewer?session={session_id}"
        viewer1 = await LivePage.open(browser, ids["viewer1"], "Leo", route)
        viewer2 = await LivePage.open(browser, ids["viewer2"], "Noah", route)

        await buy(viewer1, goal_id, 2)
        await progress_is(streamer, goal_id, 2)
        await leader_is(streamer, goal_id, ids["viewer1"])
        await expect(viewer1.notices("held")).to_have_count(1, timeout=WAIT)

        await buy(viewer2, goal_id, 3)  # overtakes viewer1: the leaderboard reorders
        await progress_is(streamer, goal_id, 5)
        await leader_is(streamer, goal_id, ids["viewer2"])
        assert await streamer.leaderboard(goal_id) == [ids["viewer2"], ids["viewer1"]]
        await expect(streamer.goal_card(goal_id).locator(".count")).to_have_text("5 / 6 tickets")
        await streamer.screenshot("streamer-goal")

        # A request waits for the funding to end (403 show_not_done): 5 of 6 is a miss.
        await streamer.goal_card(goal_id).locator("text=End funding").click()
        badge = streamer.goal_card(goal_id).locator(".badge")
        await expect(badge).to_have_text("failed", timeout=WAIT)
        for viewer, coins in ((viewer1, 80), (viewer2, 120)):
            refunds = viewer.notices("refunded")
            await expect(refunds).to_have_text(
                [re.compile(f"{coins} coins refunded")], timeout=WAIT
            )
            balance = viewer.page.locator("#balance")
            await expect(balance).to_have_text("1,000 coins", timeout=WAIT)
        await request_unanswered_exclusive(streamer, viewer1)

        await expect(viewer2.notices("held")).to_have_count(1, timeout=WAIT)
        await expect(viewer2.notices("held")).to_have_text(re.compile("120 coins held"))
        mine, theirs = await viewer2.notice_transactions(), await viewer1.notice_transactions()
        assert mine and theirs and not (mine & theirs), (mine, theirs)
        assert "exclusive" not in (await viewer2.page.locator("#notices").inner_text())
        await viewer2.screenshot("viewer2")


async def channel_progress(streamer: LivePage, goal_id: str) -> int:
    token = await streamer.page.evaluate("JSON.parse(sessionStorage['live-page.auth']).token")
    async with httpx.AsyncClient() as http:
        r = await http.get(
            f"{gateway_url()}/channels/stream@{streamer.user_id}/state",
            headers={"Authorization": f"Bearer {token}"},
        )
    goal = r.json()["goals"].get(goal_id) or {}
    return int(goal.get("progress", 0))


async def test_a_reconnecting_streamer_catches_up_from_the_channel_state() -> None:
    run = uuid.uuid4().hex[:8]
    async with chromium() as browser:
        streamer = await LivePage.open(browser, f"streamer-{run}", "Ava", "/streamer")
        session_id, goal_id = await go_live_with_a_goal(streamer)
        viewer = await LivePage.open(
            browser, f"viewer-{run}", "Emma", f"/viewer?session={session_id}"
        )
        await streamer.page.evaluate("window.livePage.disconnect()")
        await expect(streamer.page.locator("#connection")).not_to_have_text("connected")

        await buy(viewer, goal_id, 4)  # published while the streamer's socket is down
        for _ in range(150):
            if await channel_progress(streamer, goal_id) == 4:
                break
            await viewer.page.wait_for_timeout(200)
        await progress_is(streamer, goal_id, 0)

        await streamer.page.evaluate("window.livePage.connect()")
        await streamer.connected()
        await progress_is(streamer, goal_id, 4)
        await leader_is(streamer, goal_id, viewer.user_id)


async def test_a_funded_show_is_started_ended_and_paid_out_on_screen() -> None:
    run = uuid.uuid4().hex[:8]
    async with chromium() as browser:
        streamer = await LivePage.open(browser, f"streamer-{run}", "Ava", "/streamer")
        session_id, goal_id = await go_live_with_a_goal(streamer, target=2)
        viewer = await LivePage.open(
            browser, f"viewer-{run}", "Emma", f"/viewer?session={session_id}"
        )
        await buy(viewer, goal_id, 2)
        await progress_is(streamer, goal_id, 2)
        await streamer.goal_card(goal_id).locator("text=End funding").click()
        await expect(streamer.goal_card(goal_id).locator(".badge")).to_have_text(
            "funded", timeout=WAIT
        )

        show = streamer.page.locator("#goals article.show")
        await show.locator("button.start-show").click(timeout=WAIT)
        await expect(show.locator(".badge")).to_have_text("on air", timeout=WAIT)
        await show.locator("button.end-show").click()
        await expect(show.locator(".badge")).to_have_text("completed", timeout=WAIT)

        payouts = streamer.page.locator("#payouts li.payout")
        await expect(payouts).to_have_text([re.compile(r"\+80 coins")], timeout=WAIT)
        await expect(streamer.page.locator("#balance")).to_have_text("1,080 coins", timeout=WAIT)
        await expect(viewer.notices("spent")).to_have_text([re.compile("80 coins spent")])
        await streamer.screenshot("streamer-show-paid")
