"""The live page in a real browser: Debian's chromium driven by Playwright (never
Playwright's own browser download), one context per person so each has their own tab."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright, expect

CHROMIUM = os.environ.get("LSG_CHROMIUM", "/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts" / "live-page"


def gateway_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '22480')}"


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    # Root (CI, these machines) cannot use chromium's sandbox.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            yield browser
        finally:
            await browser.close()


class LivePage:
    """One person's window on the live page."""

    def __init__(self, page: Page, user_id: str) -> None:
        self.page, self.user_id = page, user_id

    @classmethod
    async def open(cls, browser: Browser, user_id: str, name: str, route: str) -> LivePage:
        context = await browser.new_context(viewport={"width": 1280, "height": 860})
        page = await context.new_page()
        await page.goto(f"{gateway_url()}/?as={user_id}&name={name}#{route}")
        live = cls(page, user_id)
        await live.connected()
        return live

    async def connected(self) -> None:
        await expect(self.page.locator("#connection")).to_have_text("connected", timeout=60_000)

    async def screenshot(self, name: str) -> Path:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTEFACTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path

    def goal_card(self, goal_id: str | None = None):  # type: ignore[no-untyped-def]
        css = f'#goals article.goal[data-goal-id="{goal_id}"]' if goal_id else "#goals article.goal"
        return self.page.locator(css).first

    async def leaderboard(self, goal_id: str) -> list[str]:
        rows = self.goal_card(goal_id).locator(".leaderboard li")
        return [str(await r.get_attribute("data-user-id")) for r in await rows.all()]

    def notices(self, kind: str | None = None):  # type: ignore[no-untyped-def]
        return self.page.locator(f'#notices li[data-kind="{kind}"]' if kind else "#notices li")

    async def notice_transactions(self) -> set[str]:
        ids = [await n.get_attribute("data-transaction-id") for n in await self.notices().all()]
        return {i for i in ids if i}
