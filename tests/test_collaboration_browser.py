"""The RACI grid in a real Chromium: one screen at 1280 px, the role filter by htmx and without
JavaScript, back and forward, a phone, one printed page, and axe-core on the seed content."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Contribution
from tests.browser import (
    assert_no_axe_violations_at,
    assert_no_axe_violations_in_both_schemes,
    back,
    new_page,
    opened,
    pdf_pages,
    screenshot,
    settle,
    swapped_to,
)
from tests.factories import PJM, PO, make_compare_catalog, make_raci_catalog

URL = "/collaboration/"


@pytest.fixture
def catalog(transactional_db):
    return make_compare_catalog()


@pytest.fixture
def seed(live_seed_catalog) -> None:
    """The committed content from fixtures/, visible to the live server."""


@pytest.fixture
def eight(transactional_db):
    return make_raci_catalog()


def rows(page):
    return page.locator("#matrix .raci-grid tbody tr")


def no_sideways_scrolling(page, selector: str) -> bool:
    """Whether the element's content fits its width (a 1px rounding allowed)."""
    return page.locator(selector).evaluate("el => el.scrollWidth <= el.clientWidth + 1")


def test_all_eight_role_columns_fit_1280_without_sideways_scrolling(
    eight, browser, live_server, console_errors
):
    with opened(
        browser, live_server, console_errors, viewport={"width": 1280, "height": 800}
    ) as page:
        page.goto(URL)
        expect(rows(page)).to_have_count(27)
        header = page.locator(".raci-grid thead th")
        expect(header).to_have_count(1 + 8)
        for i in range(9):
            expect(header.nth(i)).to_be_in_viewport()
        assert no_sideways_scrolling(page, "html")
        assert no_sideways_scrolling(page, ".raci-grid__wrap")
        # Every letter has a name a screen reader says.
        names = page.locator(".raci-grid td abbr .visually-hidden").all_text_contents()
        assert len(names) == Contribution.objects.count()
        assert set(names) <= {"Responsible", "Accountable", "Consulted", "Informed"}


def test_the_header_row_stays_in_view_down_the_grid(eight, browser, live_server, console_errors):
    with opened(
        browser, live_server, console_errors, viewport={"width": 1280, "height": 800}
    ) as page:
        page.goto(URL)
        rows(page).nth(24).scroll_into_view_if_needed()
        top = (
            page.locator(".raci-grid thead th")
            .nth(8)
            .evaluate("el => el.getBoundingClientRect().top")
        )
        assert abs(top) <= 1, f"the header row is at {top}px, not at the top of the screen"


def test_a_filtered_pairs_grid_fits_one_screen_at_1280(eight, browser, live_server, console_errors):
    with opened(
        browser, live_server, console_errors, viewport={"width": 1280, "height": 800}
    ) as page:
        page.goto(f"{URL}?role=product-manager&role=project-manager")
        expect(rows(page)).to_have_count(21)  # 6 of every 8: A or R for one of the two
        bottom = page.locator(".raci-grid").evaluate("el => el.getBoundingClientRect().bottom")
        assert bottom <= 800, f"the grid ends at {bottom}px, below a 1280x800 screen"


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
    swapped_to(page, re.compile(rf"/collaboration/\?role={PO}$"))
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


def test_on_a_phone_the_grid_scrolls_in_its_box_with_the_activities_pinned(
    eight, browser, live_server, console_errors
):
    with opened(
        browser, live_server, console_errors, viewport={"width": 375, "height": 667}
    ) as page:
        page.goto(URL)
        assert no_sideways_scrolling(page, "html")
        header = page.locator(".raci-grid thead th")
        expect(header).to_have_count(1 + 8)
        # Long labels give way to abbreviations; the link keeps the label as its name.
        po = header.get_by_role("link", name="Product owner")
        expect(po.locator(".raci-grid__abbr")).to_have_text("PO")
        expect(po.locator(".raci-grid__abbr")).to_be_visible()
        label = po.locator(".raci-grid__label").bounding_box()
        assert label["width"] <= 1 and label["height"] <= 1, "the long label still shows"
        expect(po).to_have_attribute("title", "Product owner")
        expect(page.locator(".raci-grid__abbrs")).to_be_visible()
        wrap = page.locator(".raci-grid__wrap")
        wrap.scroll_into_view_if_needed()
        wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        first = rows(page).first.locator("th")
        wrap_left = wrap.evaluate("el => el.getBoundingClientRect().left")
        first_left = first.evaluate("el => el.getBoundingClientRect().left")
        assert abs(first_left - wrap_left) <= 2, "the activity names scrolled away"
        expect(header.nth(8)).to_be_in_viewport()


def test_printing_gives_the_grid_on_one_a4_page_and_everything_only_when_asked(seed, page):
    page.goto(URL)
    grid_alone = pdf_pages(page.pdf(format="A4"))
    page.get_by_role("link", name="print everything").click()
    expect(page).to_have_url(f"{URL}?print=all")
    everything = pdf_pages(page.pdf(format="A4"))
    print(f"printed RACI grid: {grid_alone} A4 page(s); everything: {everything}")
    assert grid_alone == 1
    assert everything > 1
    page.emulate_media(media="print")
    expect(page.locator(".activity").first).to_be_visible()
    page.goto(URL)
    expect(page.locator(".activity").first).to_be_hidden()
    expect(page.locator(".raci-key")).to_be_visible()


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


@pytest.mark.parametrize("url", [URL, f"{URL}?role=product-manager", f"{URL}?print=all"])
def test_axe_on_the_seed_grid(seed, browser, live_server, console_errors, url):
    context, page = new_page(browser, live_server, console_errors)
    try:
        page.goto(url)
        settle(page)
        assert_no_axe_violations_in_both_schemes(page)
    finally:
        context.close()
    assert list(console_errors) == []


@pytest.mark.screenshots
@pytest.mark.parametrize(("device", "width"), [("desktop", 1280), ("mobile", 375)])
def test_screenshots(seed, browser, live_server, console_errors, device, width):
    """The first screen of /collaboration/, written to test-artifacts/screenshots/."""
    context, page = new_page(
        browser, live_server, console_errors, viewport={"width": width, "height": 800}
    )
    try:
        page.goto(URL)
        settle(page)
        screenshot(page, f"raci-{device}")
    finally:
        context.close()
    assert list(console_errors) == []


def test_any_subset_of_roles_filters_in_place_and_back_restores_it(eight, page):
    page.goto(URL)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("checkbox", name="Sponsor").check()
    swapped_to(page, re.compile(r"/collaboration/\?role=sponsor$"))
    page.get_by_role("checkbox", name="Product owner").check()
    swapped_to(page, re.compile(r"/collaboration/\?role=product-owner&role=sponsor$"))
    page.get_by_role("checkbox", name="Scrum master").check()
    expect(page).to_have_url(
        re.compile(r"/collaboration/\?role=product-owner&role=scrum-master&role=sponsor$")
    )
    expect(rows(page)).to_have_count(24)  # all but the three where i mod 8 = 6
    expect(page.locator("#matrix-title")).to_contain_text(
        "Activities the Product owner, Scrum master or Sponsor does or owns"
    )
    assert page.evaluate("window.notReloaded") is True
    back(page)
    expect(page).to_have_url(re.compile(r"/collaboration/\?role=product-owner&role=sponsor$"))
    expect(page.get_by_role("checkbox", name="Scrum master")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Sponsor")).to_be_checked()


def test_the_filter_works_from_the_keyboard(eight, page):
    page.goto(URL)
    page.get_by_role("checkbox", name="Business analyst").focus()
    page.keyboard.press("Space")
    swapped_to(page, re.compile(r"\?role=business-analyst$"))
    expect(page.get_by_role("checkbox", name="Business analyst")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("checkbox", name="Sponsor")).to_be_focused()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"\?role=business-analyst&role=sponsor$"))


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_on_the_eight_role_grid(eight, browser, live_server, console_errors, width):
    url = f"{URL}?role=sponsor&role=product-owner"
    assert_no_axe_violations_at(browser, live_server, console_errors, url, width=width)
