"""The RACI grid in a real Chromium: one screen at 1280 px, the role filter by htmx and without
JavaScript, back and forward, a phone, one printed page, and axe-core on the seed content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalog.models import Collaboration, Contribution
from tests.browser import assert_no_axe_violations, back, new_page
from tests.factories import PJM, PO, make_compare_catalog

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
URL = "/collaboration/"


@pytest.fixture
def catalog(transactional_db):
    return make_compare_catalog()


@pytest.fixture
def seed(live_seed_catalog) -> None:
    """The committed content from fixtures/, visible to the live server."""


def rows(page):
    return page.locator("#matrix .raci-grid tbody tr")


def test_the_seed_grid_fits_one_screen_at_1280(seed, browser, live_server, console_errors):
    context, page = new_page(
        browser, live_server, console_errors, viewport={"width": 1280, "height": 800}
    )
    try:
        page.goto(URL)
        activities = Collaboration.objects.count()
        assert activities >= 10
        expect(rows(page)).to_have_count(activities)
        bottom = page.locator(".raci-grid").evaluate("el => el.getBoundingClientRect().bottom")
        assert bottom <= 800, f"the grid ends at {bottom}px, below a 1280x800 screen"
        # Every letter has a name a screen reader says.
        names = page.locator(".raci-grid td abbr .visually-hidden").all_text_contents()
        assert len(names) == Contribution.objects.count()
        assert set(names) <= {"Responsible", "Accountable", "Consulted", "Informed"}
    finally:
        context.close()
    assert list(console_errors) == []


def test_a_row_leads_to_its_details_on_the_same_page(catalog, page):
    page.goto(URL)
    page.locator(".raci-grid").get_by_role("link", name="Status reporting").click()
    expect(page).to_have_url(re.compile(r"/collaboration/#collaboration-status-reporting$"))
    details = page.locator("#collaboration-status-reporting")
    expect(details).to_be_in_viewport()
    expect(details).to_contain_text("Product owner part in Status reporting")


def test_role_filter_swaps_the_grid_and_back_restores_it(catalog, page):
    page.goto(URL)
    page.evaluate("window.notReloaded = true")
    expect(rows(page)).to_have_count(4)

    page.get_by_role("checkbox", name="Product owner").check()
    expect(page).to_have_url(re.compile(rf"/collaboration/\?role={PO}$"))
    expect(rows(page)).to_have_count(1)
    expect(page.locator("#matrix-title")).to_contain_text("Activities the Product owner does")
    expect(page.locator("#announcer")).to_have_text(
        "Showing 1 of 4 activities: those where the Product owner is Responsible or Accountable"
    )
    expect(page.get_by_role("checkbox", name="Product owner")).to_be_focused()

    page.get_by_role("checkbox", name="Project manager").check()
    expect(page).to_have_url(re.compile(rf"/collaboration/\?role={PJM}&role={PO}$"))
    expect(rows(page)).to_have_count(4)
    assert page.evaluate("window.notReloaded") is True

    page.wait_for_load_state()
    back(page)
    expect(page).to_have_url(re.compile(rf"/collaboration/\?role={PO}$"))
    expect(rows(page)).to_have_count(1)
    expect(page.get_by_role("checkbox", name="Product owner")).to_be_checked()


def test_role_filter_works_without_javascript(catalog, browser, live_server, console_errors):
    context, page = new_page(browser, live_server, console_errors, java_script_enabled=False)
    try:
        page.goto(URL)
        page.get_by_role("checkbox", name="Project manager").check()
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(rf"\?role={PJM}$"))
        expect(rows(page)).to_have_count(3)
    finally:
        context.close()
    assert list(console_errors) == []


def test_the_grid_stays_a_grid_on_a_phone(seed, browser, live_server, console_errors):
    context, page = new_page(
        browser, live_server, console_errors, viewport={"width": 375, "height": 740}
    )
    try:
        page.goto(URL)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1]
        header = page.locator(".raci-grid thead th")
        expect(header).to_have_count(3)
        expect(header.nth(2)).to_be_visible()
    finally:
        context.close()
    assert list(console_errors) == []


def test_the_grid_prints_on_one_a4_page(seed, page):
    page.goto(URL)
    page.emulate_media(media="print")
    # A4 at 96 dpi with Chromium's default 1 cm margins: 718 x 1047 CSS pixels of paper.
    page.set_viewport_size({"width": 718, "height": 1047})
    expect(page.locator(".role-filter")).to_be_hidden()
    top = page.locator("main").evaluate("el => el.getBoundingClientRect().top")
    bottom = page.locator(".raci-grid").evaluate("el => el.getBoundingClientRect().bottom")
    assert bottom - top <= 1047, f"the grid needs {bottom - top}px of a 1047px page"
    breaks = page.locator(".raci-grid-section").evaluate("el => getComputedStyle(el).breakAfter")
    assert breaks == "page"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("url", [URL, f"{URL}?role=product-manager"])
def test_axe_on_the_seed_grid(seed, browser, live_server, console_errors, url, scheme):
    context, page = new_page(browser, live_server, console_errors, color_scheme=scheme)
    try:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert_no_axe_violations(page)
    finally:
        context.close()
    assert list(console_errors) == []


@pytest.mark.parametrize(("device", "width"), [("desktop", 1280), ("mobile", 375)])
def test_screenshots(seed, browser, live_server, console_errors, device, width):
    """The first screen of /collaboration/, written to test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, page = new_page(
        browser, live_server, console_errors, viewport={"width": width, "height": 800}
    )
    try:
        page.goto(URL)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=SCREENSHOTS / f"raci-{device}.png")
    finally:
        context.close()
    assert list(console_errors) == []
