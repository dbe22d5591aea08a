"""A move page in a real Chromium at 1280 and 375 px: answer in the first screen, no sideways
scroll, keyboard to the ladders, back to the role page, axe-core in both colour schemes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import (
    assert_no_axe_violations_in_both_schemes,
    back,
    opened,
    screenshot,
    settle,
)

MOVE = "/roles/business-analyst/to/product-owner/"


@pytest.fixture
def seed(live_seed_catalog) -> None:
    """The committed content from fixtures/, visible to the live server."""


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 667)])
def test_move_page_answers_first_and_passes_axe(
    seed, browser, live_server, console_errors, width, height
):
    viewport = {"width": width, "height": height}
    with opened(browser, live_server, console_errors, viewport=viewport) as page:
        page.goto(MOVE)
        settle(page)
        expect(page.get_by_role("heading", level=1)).to_be_in_viewport(ratio=1)
        expect(page.locator(".lead")).to_be_in_viewport()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"role-move-{width}", full_page=True)
        assert_no_axe_violations_in_both_schemes(page)


def test_move_page_by_keyboard_and_back_to_the_role(seed, browser, live_server, console_errors):
    with opened(browser, live_server, console_errors) as page:
        page.goto("/roles/business-analyst/")
        page.locator('a[href="/roles/business-analyst/to/product-owner/"]').first.click()
        expect(page).to_have_url(re.compile(f"{re.escape(MOVE)}$"))
        # Tab reaches the link to the new role's ladder, and Enter follows it.
        ladder = page.locator('.ladder a[href="/roles/product-owner/#levels"]')
        for _ in range(60):
            page.keyboard.press("Tab")
            if ladder.evaluate("link => link === document.activeElement"):
                break
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/roles/product-owner/#levels$"))
        back(page)
        expect(page).to_have_url(re.compile(f"{re.escape(MOVE)}$"))
        back(page)
        expect(page).to_have_url(re.compile(r"/roles/business-analyst/$"))
