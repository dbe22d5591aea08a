"""Finding your pair in a real Chromium: the home page's pairs and a role page's "Often confused
with" links, in the first screen, by mouse and keyboard, back again; axe-core on both."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import assert_no_axe_violations_at, back, opened
from tests.factories import make_confused_catalog

TRIO = "/compare/project-manager/vs/scrum-master/vs/delivery-manager/"


@pytest.fixture
def roles(transactional_db):
    return make_confused_catalog()


def tab_to(page, link, presses: int = 40) -> None:
    """Press Tab until `link` has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    expect(link).to_be_focused()


# --- role page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 667)])
def test_often_confused_with_is_high_on_a_role_page(
    roles, browser, live_server, console_errors, width, height
):
    """In the first screen at 1280x800; on a phone, right after the role's summary and goal."""
    viewport = {"width": width, "height": height}
    with opened(browser, live_server, console_errors, viewport=viewport) as page:
        page.goto("/roles/scrum-master/")
        first = page.locator(".confusion__link").first
        bottom = first.evaluate("el => el.getBoundingClientRect().bottom")
        screens = 1 if width >= 1280 else 2
        assert bottom <= screens * height, f"the first confused pair ends at {bottom}px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_confused_pair_leads_to_the_comparison_and_back(roles, page):
    page.goto("/roles/scrum-master/")
    confused = page.locator("#confused-with")
    confused.get_by_role("link", name="Scrum master vs Delivery manager").click()
    expect(page).to_have_url(re.compile(r"/compare/scrum-master/vs/delivery-manager/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scrum master")
    back(page)
    expect(page).to_have_url(re.compile(r"/roles/scrum-master/$"))
    expect(page.get_by_role("heading", name="Often confused with")).to_be_visible()


def test_a_confused_pair_is_reached_from_the_keyboard(roles, page):
    page.goto("/roles/sponsor/")
    tab_to(page, page.locator("#confused-with").get_by_role("link", name="Sponsor vs Product"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/compare/sponsor/vs/product-manager/$"))


# --- home -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 667)])
def test_home_pairs_in_the_first_screen_keyboard_and_back(
    roles, browser, live_server, width, height
):
    # No console check: the three-way comparison answers 404 until /compare/a/vs/b/vs/c/ is
    # served (the ncompare branch); this test is about the home page's links.
    viewport = {"width": width, "height": height}
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        page.goto("/")
        links = page.locator(".pair-link")
        expect(links).to_have_count(4)
        for i in range(4):
            expect(page.locator(".pair").nth(i)).to_be_in_viewport(ratio=1)
        tab_to(page, page.get_by_role("link", name="Project manager vs Scrum master vs Delivery"))
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(rf"{TRIO}$"))
        back(page)
        expect(page).to_have_url(re.compile(r"/$"))
        expect(links.first).to_be_visible()
    finally:
        context.close()


# --- axe ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("url", ["/", "/roles/product-owner/"])
def test_axe_on_the_home_pairs_and_a_role_page(
    roles, browser, live_server, console_errors, url, width
):
    assert_no_axe_violations_at(browser, live_server, console_errors, url, width=width)
