"""A move page in a real Chromium at 1280 and 375 px: answer in the first screen, no sideways
scroll, keyboard to the ladders, back to the role page, axe-core in both colour schemes; the
comparison's level chooser: swapped in place, focus and announcement, back button, axe."""

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
    swapped_to,
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


PAIR = "/compare/product-manager/vs/project-manager/"


def test_level_chooser_swaps_the_levels_in_place_and_back_restores_them(
    seed, browser, live_server, console_errors
):
    with opened(browser, live_server, console_errors) as page:
        page.goto(PAIR)
        page.evaluate("window.notReloaded = true")
        key_differences = page.locator("#key-differences").inner_html()
        page.get_by_label("Project manager", exact=True).select_option("head-of-project-delivery")
        page.get_by_role("button", name="Show these levels").click()
        swapped_to(page, re.compile(r"\?level=product-manager&level=head-of-project-delivery$"))
        expect(page.locator("#levels-title")).to_be_focused()
        expect(page.locator("#announcer")).to_have_text(
            "Showing Product manager as Product manager, Project manager as Head of project "
            "delivery"
        )
        expect(page.locator("#levels")).to_contain_text("Head of project delivery at SFIA level 7")
        assert page.locator("#key-differences").inner_html() == key_differences
        assert page.evaluate("window.notReloaded") is True
        # The other controls now carry the level, out of band.
        expect(page.get_by_role("link", name="Only differences")).to_have_attribute(
            "href", f"{PAIR}?diff=1&level=head-of-project-delivery"
        )
        assert_no_axe_violations_in_both_schemes(page)

        back(page)
        expect(page).to_have_url(re.compile(f"{re.escape(PAIR)}$"))
        expect(page.locator("#levels")).to_contain_text("All at SFIA level 5")
        expect(page.get_by_label("Project manager", exact=True)).to_have_value("project-manager")


def test_level_chooser_works_without_javascript_and_keeps_the_first_screen_on_a_phone(
    seed, browser, live_server, console_errors
):
    viewport = {"width": 375, "height": 667}
    with opened(
        browser, live_server, console_errors, java_script_enabled=False, viewport=viewport
    ) as page:
        page.goto(f"{PAIR}?diff=1")
        expect(page.locator("#bottom-line")).to_be_in_viewport()
        expect(page.locator("#levels")).not_to_be_in_viewport()
        page.get_by_label("Product manager", exact=True).select_option("head-of-product")
        page.get_by_role("button", name="Show these levels").click()
        expect(page).to_have_url(
            re.compile(r"\?diff=1&level=head-of-product&level=project-manager$")
        )
        expect(page.locator("#levels")).to_contain_text("Head of product at SFIA level 7")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, "compare-levels-375", full_page=True)
