"""The public pages in a real Chromium: HTMX filter and history, live search by keyboard, copy
link, no-JavaScript fallbacks, small screens, axe-core in light and dark, and screenshots."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from catalog.models import Pairing
from tests.browser import (
    SCREENSHOTS,
    assert_no_axe_violations,
    assert_no_axe_violations_in_both_schemes,
    back,
    forward,
    new_page,
    screenshot,
    settle,
    swapped_to,
)
from tests.factories import make_page_catalog

PAGES = {
    "home": "/",
    "roles": "/roles/",
    "role": "/roles/product-manager/",
    "role-filtered": "/roles/project-manager/?function=planning",
    "search": "/search/?q=roadmap",
    "search-empty": "/search/",
    "search-none": "/search/?q=zebra",
    "sources": "/sources/",
    "not-found": "/roles/no-such-role/",
}


SEED_PAGES = {
    "home": "/",
    "role": "/roles/product-manager/",
    "role-2": "/roles/project-manager/",
    "search": "/search/?q=plan",
    "sources": "/sources/",
}


@pytest.fixture
def catalog(transactional_db):
    return make_page_catalog()


@pytest.fixture
def seed(live_seed_catalog) -> None:
    """The committed content from fixtures/, visible to the live server."""


NOT_FOUND_LOG = "Failed to load resource: the server responded with a status of 404 (Not Found)"


def unexpected(console_errors, name: str) -> list[str]:
    """Console errors, less the browser's own note that the 404 page answered 404."""
    return [e for e in console_errors if not (name == "not-found" and e == NOT_FOUND_LOG)]


# --- HTMX: function filter and history -----------------------------------------------------------


def test_function_filter_swaps_only_the_section_and_pushes_the_url(catalog, page):
    page.goto("/roles/project-manager/")
    page.evaluate("window.notReloaded = true")
    expect(page.locator("#responsibilities .item")).to_have_count(6)

    page.select_option("#function-filter", "planning")

    expect(page).to_have_url(re.compile(r"/roles/project-manager/\?function=planning$"))
    expect(page.locator("#responsibilities .item")).to_have_count(2)
    expect(page.locator("#responsibilities-heading")).to_have_text("Responsibilities in Planning")
    expect(page.locator("#responsibilities-heading")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Showing 2 of 6 responsibilities, in Planning")
    assert page.evaluate("window.notReloaded") is True
    # The rest of the page is untouched, and the swapped items are upgraded too.
    expect(page.locator("#knowledge .item")).to_have_count(2)
    expect(page.locator("#responsibilities button.copy-link")).to_have_count(2)


def test_choosing_all_functions_returns_to_the_plain_address(catalog, page):
    page.goto("/roles/project-manager/?function=planning")
    page.select_option("#function-filter", "")
    expect(page).to_have_url(re.compile(r"/roles/project-manager/$"))
    expect(page.locator("#responsibilities .item")).to_have_count(6)
    expect(page.locator("#announcer")).to_have_text("Showing all 6 responsibilities")


def test_function_links_swap_and_show_all_returns(catalog, page):
    page.goto("/roles/product-manager/")
    page.get_by_role("link", name="Show only Vision").click()
    swapped_to(page, re.compile(r"\?function=vision$"))
    expect(page.locator("#responsibilities .item")).to_have_count(2)
    page.get_by_role("link", name="Show all functions").click()
    expect(page).to_have_url(re.compile(r"/roles/product-manager/$"))
    expect(page.locator("#responsibilities .item")).to_have_count(6)


def test_back_and_forward_restore_the_filtered_view(catalog, page):
    page.goto("/roles/project-manager/")
    page.select_option("#function-filter", "planning")
    expect(page.locator("#responsibilities .item")).to_have_count(2)
    swapped_to(page, re.compile(r"\?function=planning$"))
    page.select_option("#function-filter", "risk-and-resources")
    expect(page).to_have_url(re.compile(r"\?function=risk-and-resources$"))

    back(page)
    expect(page).to_have_url(re.compile(r"\?function=planning$"))
    expect(page.locator("#responsibilities-heading")).to_have_text("Responsibilities in Planning")
    expect(page.locator("#function-filter")).to_have_value("planning")

    back(page)
    expect(page).to_have_url(re.compile(r"/roles/project-manager/$"))
    expect(page.locator("#responsibilities .item")).to_have_count(6)

    forward(page)
    expect(page).to_have_url(re.compile(r"\?function=planning$"))
    expect(page.locator("#responsibilities .item")).to_have_count(2)


# --- live search ---------------------------------------------------------------------------------


def test_live_search_by_keyboard(catalog, page):
    page.goto("/")
    box = page.get_by_role("combobox", name="Search roles, responsibilities and activities")
    box.focus()
    page.keyboard.type("roadmap")
    options = page.locator("#live-results [role=option]")
    expect(options.first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    # Best first: the responsibility named after it, the role whose text mentions it, then "All".
    expect(options).to_have_text(
        [
            re.compile("Create and maintain the roadmap"),
            re.compile("Product manager"),
            re.compile("All 2 results"),
        ]
    )
    expect(page.locator("#live-results mark").first).to_have_text(re.compile("roadmap", re.I))

    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "live-option-1")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "live-option-all")
    page.keyboard.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", "live-option-2")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/roles/product-manager/#product-manager-roadmap$"))
    expect(page.locator("#product-manager-roadmap")).to_be_visible()


@pytest.mark.parametrize(
    ("typed", "first", "marked"),
    [
        ("roadmpa", "Create and maintain the roadmap", "roadmap"),
        # Its description names the hand-off from strategy to execution.
        ("handoff", "Turning the product strategy into initiatives", "hand-off"),
        # The sponsor's summary (go/no-go decisions) now comes before the launch decision.
        ("go/no-go", "Sponsor", "no-go"),
        ("dead", "deadline", "deadline"),
    ],
)
def test_live_search_forgives_on_the_seed_content(seed, page, typed, first, marked):
    page.goto("/roles/")
    page.locator("#site-search").focus()
    page.keyboard.type(typed)
    option = page.locator("#live-results [role=option]").first
    expect(option).to_contain_text(first)
    # Each suggestion says why it matched: a snippet with the match marked.
    expect(option.locator("mark").filter(has_text=re.compile(marked, re.I)).first).to_be_visible()


def test_a_pasted_5_kb_search_gets_the_apps_own_answer(catalog, page):
    query = "roadmap " + "lorem ipsum " * 430
    response = page.goto(f"/search/?q={query}")
    assert response.status == 200
    expect(page.locator("#results .note")).to_contain_text("only its first 200 were used")
    # The box holds what was searched, within the one maxlength every search box has.
    expect(page.locator("#search-q")).to_have_attribute("maxlength", "200")
    assert len(page.locator("#search-q").input_value()) <= 200
    expect(page.locator("#site-search")).to_have_attribute("maxlength", "200")


def test_live_search_escape_closes_and_keeps_focus(catalog, page):
    page.goto("/roles/")
    box = page.locator("#site-search")
    box.focus()
    page.keyboard.type("risk")
    expect(page.locator("#live-results")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(page.locator("#live-results")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".+"))
    expect(box).to_be_focused()
    expect(box).to_have_value("risk")


def test_live_search_hidden_when_nothing_matches(catalog, page):
    page.goto("/")
    page.locator("#site-search").focus()
    page.keyboard.type("zebra")
    expect(page.locator("#announcer")).to_have_text("No suggestions; press Enter to search")
    expect(page.locator("#live-results")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=zebra$"))
    expect(page.get_by_role("heading", level=2)).to_contain_text(["Nothing matches"])


# --- home: a comparison in one click --------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(375, 667), (1280, 800)])
def test_home_shows_every_confused_pair_in_the_first_screen(
    seed, browser, live_server, console_errors, width, height
):
    """Every pairing and its hint at 1280x800 and 375x667; the picker too at 1280."""
    context, page = new_page(
        browser, live_server, console_errors, viewport={"width": width, "height": height}
    )
    try:
        page.goto("/")
        pairs = page.locator(".pair")
        expect(pairs).to_have_count(Pairing.objects.count())
        for i in range(pairs.count()):
            expect(pairs.nth(i)).to_be_in_viewport(ratio=1)
        if width >= 1280:
            expect(page.get_by_role("button", name="Compare")).to_be_in_viewport(ratio=1)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        first = Pairing.objects.in_catalog_order()[0]
        page.locator(".pair-link").first.click()
        expect(page).to_have_url(re.compile(rf"{re.escape(first.get_absolute_url())}$"))
    finally:
        context.close()
    assert list(console_errors) == []


# --- copy link -----------------------------------------------------------------------------------


def test_copy_link_writes_the_items_address_and_announces_it(catalog, browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto("/roles/product-manager/?function=strategy")
        button = page.get_by_role("button", name="Copy link to Create and maintain the roadmap")
        button.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#announcer")).to_have_text("Link copied")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"{live_server.url}/roles/product-manager/#product-manager-roadmap"
    finally:
        context.close()


def test_item_anchor_is_highlighted_when_targeted(catalog, page):
    page.goto("/roles/product-manager/#product-manager-roadmap")
    item = page.locator("#product-manager-roadmap")
    background = item.evaluate("el => getComputedStyle(el).backgroundColor")
    other = page.locator("#product-manager-set-vision").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background != other


def test_print_shows_content_without_navigation_or_controls(catalog, page):
    page.goto("/roles/product-manager/")
    page.emulate_media(media="print")
    for hidden in (".site-header", ".toc", "#function-filter", ".copy-link", ".site-footer"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("#responsibilities .item").first).to_be_visible()
    expect(page.locator(".lifecycle .stage").first).to_be_visible()


# --- without JavaScript --------------------------------------------------------------------------


def test_filter_and_search_work_without_javascript(catalog, browser, live_server, console_errors):
    context, page = new_page(browser, live_server, console_errors, java_script_enabled=False)
    try:
        page.goto("/roles/project-manager/")
        expect(page.locator("a.item-link").first).to_have_text("Link")
        page.select_option("#function-filter", "risk-and-resources")
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(r"\?function=risk-and-resources#responsibilities$"))
        expect(page.locator("#responsibilities .item")).to_have_count(2)

        page.locator("#site-search").fill("deadline")
        page.locator(".live-search button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/search/\?q=deadline$"))
        expect(page.locator("#results mark").first).to_have_text(re.compile("deadline", re.I))

        page.goto("/")
        page.get_by_role("button", name="Compare").click()
        expect(page).to_have_url(
            re.compile(
                r"/compare/(\?a=product-manager&b=project-manager|product-manager/vs/project-manager/)$"
            )
        )
    finally:
        context.close()
    assert list(console_errors) == []


# --- small screens -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "roles", "role", "search", "sources", "not-found"])
def test_no_horizontal_scroll_at_320px(catalog, browser, live_server, console_errors, name):
    context, page = new_page(
        browser, live_server, console_errors, viewport={"width": 320, "height": 640}
    )
    try:
        page.goto(PAGES[name])
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{name}: content {widths[0]}px wide in a 320px window"
    finally:
        context.close()
    assert unexpected(console_errors, name) == []


# --- accessibility -------------------------------------------------------------------------------


# Home, a role, search results and sources are checked on the real content below; here, the
# pages and states the seed checks do not reach.
AXE_PAGES = ["roles", "role-filtered", "search-empty", "search-none", "not-found"]


@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_violations(catalog, browser, live_server, console_errors, name):
    context, page = new_page(browser, live_server, console_errors)
    try:
        page.goto(PAGES[name])
        settle(page)
        assert_no_axe_violations_in_both_schemes(page)
    finally:
        context.close()
    assert unexpected(console_errors, name) == []


def test_axe_with_live_results_open(catalog, page):
    page.goto("/")
    page.locator("#site-search").focus()
    page.keyboard.type("plan")
    expect(page.locator("#live-results")).to_be_visible()
    page.keyboard.press("ArrowDown")
    assert_no_axe_violations(page)


# --- screenshots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SEED_PAGES))
def test_axe_on_the_seed_content(seed, browser, live_server, console_errors, name):
    context, page = new_page(browser, live_server, console_errors)
    try:
        page.goto(SEED_PAGES[name])
        settle(page)
        assert_no_axe_violations_in_both_schemes(page)
    finally:
        context.close()
    assert list(console_errors) == []


@pytest.mark.screenshots
@pytest.mark.parametrize(("device", "width"), [("desktop", 1280), ("mobile", 375)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_first_screen_of_the_home_page(
    seed, browser, live_server, console_errors, device, width, scheme
):
    """What a visitor sees before scrolling, written to test-artifacts/screenshots/."""
    context, page = new_page(
        browser,
        live_server,
        console_errors,
        viewport={"width": width, "height": 800 if width > 400 else 667},
        color_scheme=scheme,
    )
    try:
        page.goto("/")
        settle(page)
        screenshot(page, f"home-first-screen-{device}-{scheme}")
    finally:
        context.close()
    assert list(console_errors) == []


@pytest.mark.screenshots
@pytest.mark.parametrize(("device", "width"), [("desktop", 1280), ("mobile", 375)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(seed, browser, live_server, console_errors, device, width, scheme):
    """Home, both seed roles, search and sources, written to test-artifacts/screenshots/."""
    (SCREENSHOTS / "parts").mkdir(parents=True, exist_ok=True)
    context, page = new_page(
        browser,
        live_server,
        console_errors,
        viewport={"width": width, "height": 900},
        color_scheme=scheme,
    )
    try:
        for name, url in SEED_PAGES.items():
            page.goto(url)
            settle(page)
            stem = f"{name}-{device}-{scheme}"
            path = screenshot(page, stem, full_page=True)
            # Tall pages, also in screen-sized slices that can be read at full size: cut from
            # the one capture (a capture per slice would lay out and paint the page again).
            with Image.open(path) as whole:
                for part, top in enumerate(range(0, whole.height, 1400), start=1):
                    box = (0, top, whole.width, min(top + 1400, whole.height))
                    whole.crop(box).save(SCREENSHOTS / "parts" / f"{stem}-{part}.png")
    finally:
        context.close()
    assert list(console_errors) == []
