"""Finding your pair in a real Chromium: a role page's "Often confused with" links, by mouse and
keyboard, back again, on a phone and in the first screen; axe-core on every page it touches."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import assert_no_axe_violations, back, new_page
from tests.factories import make_confused_catalog


@pytest.fixture
def roles(transactional_db):
    return make_confused_catalog()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 667)])
def test_often_confused_with_is_high_on_a_role_page(
    roles, browser, live_server, console_errors, width, height
):
    """In the first screen at 1280x800; on a phone, right after the role's summary and goal."""
    context, page = new_page(
        browser, live_server, console_errors, viewport={"width": width, "height": height}
    )
    try:
        page.goto("/roles/scrum-master/")
        first = page.locator(".confusion__link").first
        bottom = first.evaluate("el => el.getBoundingClientRect().bottom")
        screens = 1 if width >= 1280 else 2
        assert bottom <= screens * height, f"the first confused pair ends at {bottom}px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
    assert list(console_errors) == []


def test_a_confused_pair_leads_to_the_comparison_and_back(roles, page):
    page.goto("/roles/scrum-master/")
    page.locator("#confused-with").get_by_role(
        "link", name="Scrum master vs Delivery manager"
    ).click()
    expect(page).to_have_url(re.compile(r"/compare/scrum-master/vs/delivery-manager/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scrum master")
    back(page)
    expect(page).to_have_url(re.compile(r"/roles/scrum-master/$"))
    expect(page.get_by_role("heading", name="Often confused with")).to_be_visible()


def test_a_confused_pair_is_reached_from_the_keyboard(roles, page):
    page.goto("/roles/sponsor/")
    link = page.locator("#confused-with").get_by_role("link", name="Sponsor vs Product manager")
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/compare/sponsor/vs/product-manager/$"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_axe_on_a_role_page_with_its_confusions(
    roles, browser, live_server, console_errors, width, scheme
):
    context, page = new_page(
        browser,
        live_server,
        console_errors,
        color_scheme=scheme,
        viewport={"width": width, "height": 800},
    )
    try:
        page.goto("/roles/product-owner/")
        page.wait_for_load_state("networkidle")
        assert_no_axe_violations(page)
    finally:
        context.close()
    assert list(console_errors) == []


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 667)])
def test_home_pairs_in_the_first_screen_keyboard_and_back(
    roles, browser, live_server, console_errors, width, height
):
    context, page = new_page(
        browser, live_server, console_errors, viewport={"width": width, "height": height}
    )
    try:
        page.goto("/")
        links = page.locator(".pair-link")
        expect(links).to_have_count(4)
        for i in range(4):
            expect(page.locator(".pair").nth(i)).to_be_in_viewport(ratio=1)
        # The first Tab stops after the header are the pairs, in the order shown.
        trio = page.get_by_role("link", name="Project manager vs Scrum master vs Delivery manager")
        for _ in range(30):
            page.keyboard.press("Tab")
            if trio.evaluate("el => el === document.activeElement"):
                break
        expect(trio).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(
            re.compile(r"/compare/project-manager/vs/scrum-master/vs/delivery-manager/$")
        )
        back(page)
        expect(page).to_have_url(re.compile(r"/$"))
        expect(links.first).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_axe_on_the_home_pairs(roles, browser, live_server, console_errors, width, scheme):
    context, page = new_page(
        browser,
        live_server,
        console_errors,
        color_scheme=scheme,
        viewport={"width": width, "height": 800},
    )
    try:
        page.goto("/")
        page.wait_for_load_state("networkidle")
        assert_no_axe_violations(page)
    finally:
        context.close()
    assert list(console_errors) == []
