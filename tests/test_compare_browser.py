"""The comparison and the RACI matrix in a real Chromium: swaps in place, history, no-JavaScript
fallbacks, copy link by keyboard, axe-core in light and dark, 320 px, print, and screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import assert_no_axe_violations, back, forward, new_page
from tests.compare_catalog import PJM, PM, PO, make_compare_catalog

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PAIR = f"/compare/{PM}/vs/{PJM}/"
PAGES = {
    "compare": PAIR,
    "compare-filtered": f"{PAIR}?function=planning&diff=1",
    "compare-self": f"/compare/{PM}/vs/{PM}/",
    "compare-start": "/compare/",
    "compare-start-error": "/compare/?a=nobody&b=",
    "collaboration": "/collaboration/",
    "collaboration-filtered": f"/collaboration/?role={PO}",
}


@pytest.fixture
def catalog(transactional_db):
    return make_compare_catalog()


def responsibility_rows(page):
    return page.locator("#responsibilities tbody tr")


# --- HTMX: pickers and swap --------------------------------------------------------------------


def test_picking_roles_swaps_the_comparison_in_place_and_pushes_its_url(catalog, page):
    page.goto(PAIR)
    page.evaluate("window.notReloaded = true")

    page.select_option("#id_b", PO)
    page.get_by_role("button", name="Compare", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/compare/{PM}/vs/{PO}/$"))
    heading = page.locator("#comparison h1")
    expect(heading).to_have_text("Product manager vs Product owner")
    expect(heading).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Comparing Product manager with Product owner")
    expect(page).to_have_title("Product manager vs Product owner · Roles")
    assert page.evaluate("window.notReloaded") is True
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical.endswith(f"/compare/{PM}/vs/{PO}/")
    # The swapped content is live too: its item links became copy buttons, its pickers work.
    expect(page.locator(f"#{PO}-trait-main-objective button.copy-link")).to_have_count(1)
    expect(page.locator("#id_b")).to_have_value(PO)


def test_swap_control_swaps_sides_in_place(catalog, page):
    page.goto(PAIR)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Swap sides").click()
    expect(page).to_have_url(re.compile(rf"/compare/{PJM}/vs/{PM}/$"))
    expect(page.locator("#comparison h1")).to_have_text("Project manager vs Product manager")
    expect(page.locator("#announcer")).to_have_text(
        "Comparing Project manager with Product manager"
    )
    expect(page.locator("#dimensions thead th").nth(1)).to_have_text("Project manager")
    assert page.evaluate("window.notReloaded") is True


def test_picking_the_same_role_twice_explains_and_offers_the_picker(catalog, page):
    page.goto(PAIR)
    page.select_option("#id_b", PM)
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/compare/{PM}/vs/{PM}/$"))
    expect(page.locator(".notice")).to_contain_text("You're comparing Product manager with itself")
    page.select_option("#id_b", PJM)
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(PAIR)}$"))
    expect(page.locator("#overlap")).to_be_visible()


# --- HTMX: function filter and differences only ------------------------------------------------


def test_function_filter_swaps_only_the_responsibilities(catalog, page):
    page.goto(PAIR)
    page.evaluate("window.notReloaded = true")
    expect(responsibility_rows(page)).to_have_count(6)
    overlap = page.locator("#overlap").inner_html()

    page.locator("#responsibilities").get_by_role("link", name="Planning", exact=True).click()

    expect(page).to_have_url(re.compile(r"\?function=planning$"))
    expect(responsibility_rows(page)).to_have_count(1)
    expect(page.locator("#responsibilities-title")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Showing Planning responsibilities")
    expect(page.locator("#knowledge tbody tr")).to_have_count(4)
    assert page.locator("#overlap").inner_html() == overlap
    assert page.evaluate("window.notReloaded") is True


def test_differences_only_swaps_the_tables_and_survives_a_reload(catalog, page):
    page.goto(f"{PAIR}?function=planning")
    page.get_by_role("link", name="Only differences").click()
    expect(page).to_have_url(re.compile(r"\?function=planning&diff=1$"))
    expect(page.locator("#details-title")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Showing only the differences")
    expect(page.locator("#dimensions tbody tr")).to_have_count(3)
    expect(page.locator("#knowledge tbody tr")).to_have_count(3)
    expect(responsibility_rows(page)).to_have_count(1)

    page.reload()
    expect(page.locator("#dimensions tbody tr")).to_have_count(3)
    expect(page.get_by_role("link", name="Only differences")).to_have_attribute(
        "aria-current", "true"
    )
    expect(
        page.locator("#responsibilities").get_by_role("link", name="Planning", exact=True)
    ).to_have_attribute("aria-current", "true")

    page.get_by_role("link", name="Everything").click()
    expect(page).to_have_url(re.compile(r"\?function=planning$"))
    expect(page.locator("#dimensions tbody tr")).to_have_count(4)


def test_back_and_forward_restore_each_view(catalog, page):
    page.goto(PAIR)
    page.locator("#responsibilities").get_by_role("link", name="Planning", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?function=planning$"))
    page.get_by_role("link", name="Only differences").click()
    expect(page).to_have_url(re.compile(r"\?function=planning&diff=1$"))
    page.get_by_role("link", name="Swap sides").click()
    expect(page).to_have_url(re.compile(rf"/compare/{PJM}/vs/{PM}/\?function=planning&diff=1$"))

    page.wait_for_load_state()
    back(page)
    expect(page).to_have_url(re.compile(rf"{re.escape(PAIR)}\?function=planning&diff=1$"))
    expect(page.locator("#comparison h1")).to_have_text("Product manager vs Project manager")
    expect(page.locator("#dimensions tbody tr")).to_have_count(3)
    page.wait_for_load_state()
    back(page)
    expect(page).to_have_url(re.compile(r"\?function=planning$"))
    expect(page.locator("#dimensions tbody tr")).to_have_count(4)
    expect(responsibility_rows(page)).to_have_count(1)
    page.wait_for_load_state()
    back(page)
    expect(page).to_have_url(re.compile(rf"{re.escape(PAIR)}$"))
    expect(responsibility_rows(page)).to_have_count(6)

    page.wait_for_load_state()
    forward(page)
    expect(page).to_have_url(re.compile(r"\?function=planning$"))
    expect(responsibility_rows(page)).to_have_count(1)
    page.wait_for_load_state()
    forward(page)
    expect(page).to_have_url(re.compile(rf"{re.escape(PAIR)}\?function=planning&diff=1$"))
    page.wait_for_load_state()
    forward(page)
    expect(page).to_have_url(re.compile(rf"/compare/{PJM}/vs/{PM}/\?function=planning&diff=1$"))
    expect(page.locator("#comparison h1")).to_have_text("Project manager vs Product manager")


# --- without JavaScript ------------------------------------------------------------------------


def test_everything_works_without_javascript(catalog, browser, live_server, console_errors):
    context, page = new_page(browser, live_server, console_errors, java_script_enabled=False)
    try:
        page.goto("/compare/")
        page.select_option("#id_a", PJM)
        page.select_option("#id_b", PO)
        page.get_by_role("button", name="Compare", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/compare/{PJM}/vs/{PO}/$"))
        expect(page.locator("#comparison h1")).to_have_text("Project manager vs Product owner")

        page.get_by_role("link", name="Swap sides").click()
        expect(page).to_have_url(re.compile(rf"/compare/{PO}/vs/{PJM}/$"))

        page.get_by_role("link", name="Only differences").click()
        expect(page).to_have_url(re.compile(r"\?diff=1$"))
        page.locator("#responsibilities").get_by_role("link", name="Planning", exact=True).click()
        expect(page).to_have_url(re.compile(r"\?function=planning&diff=1$"))
        expect(page.locator("a.item-link").first).to_have_text("Link")

    finally:
        context.close()
    assert list(console_errors) == []


# --- copy link ---------------------------------------------------------------------------------


def test_copy_link_by_keyboard_copies_the_current_pairs_address(catalog, browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(PAIR)
        # After a swap the copied address names the pair now shown.
        page.get_by_role("link", name="Swap sides").click()
        expect(page).to_have_url(re.compile(rf"/compare/{PJM}/vs/{PM}/$"))
        button = page.get_by_role("button", name="Copy link to Project manager: Key question")
        button.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#announcer")).to_have_text("Link copied")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"{live_server.url}/compare/{PJM}/vs/{PM}/#{PJM}-trait-key-question"
    finally:
        context.close()


def test_targeted_item_is_highlighted(catalog, page):
    page.goto(f"{PAIR}#{PJM}-trait-key-question")
    target = page.locator(f"#{PJM}-trait-key-question")
    other = page.locator(f"#{PM}-trait-key-question")
    assert target.evaluate("el => getComputedStyle(el).backgroundColor") != other.evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )


# --- accessibility, small screens, print -------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations(catalog, browser, live_server, console_errors, name, scheme):
    context, page = new_page(browser, live_server, console_errors, color_scheme=scheme)
    try:
        page.goto(PAGES[name])
        page.wait_for_load_state("networkidle")
        assert_no_axe_violations(page)
    finally:
        context.close()
    assert list(console_errors) == []


@pytest.mark.parametrize("name", ["compare", "compare-filtered", "compare-start", "collaboration"])
def test_no_horizontal_scroll_and_no_violations_at_320px(
    catalog, browser, live_server, console_errors, name
):
    context, page = new_page(
        browser, live_server, console_errors, viewport={"width": 320, "height": 640}
    )
    try:
        page.goto(PAGES[name])
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{name}: content {widths[0]}px wide in a 320px window"
        assert_no_axe_violations(page)
    finally:
        context.close()
    assert list(console_errors) == []


def test_stacked_cells_name_their_role_on_a_small_screen(catalog, browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 700})
    page = context.new_page()
    try:
        page.goto(PAIR)
        cell = page.locator(f"#{PJM}-trait-key-question")
        expect(cell.locator(".cell-role")).to_be_visible()
        expect(cell.locator(".cell-role")).to_have_text("Project manager")
        page.set_viewport_size({"width": 1280, "height": 800})
        expect(cell.locator(".cell-role")).to_be_hidden()
    finally:
        context.close()


def test_print_hides_navigation_and_controls(catalog, page):
    page.goto(PAIR)
    page.emulate_media(media="print")
    for hidden in [".site-header", ".site-footer", ".picker", ".view-toggle", ".function-filter"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".compare-toc")).to_be_hidden()
    expect(page.locator("button.copy-link").first).to_be_hidden()
    expect(page.locator("#dimensions table")).to_be_visible()
    expect(page.locator(".timeline")).to_be_visible()
    # Links print their address; in-page overlap links do not.
    link_after = page.locator(".compare-role__name a").first.evaluate(
        "el => getComputedStyle(el, '::after').content"
    )
    assert "/roles/" in link_after
    overlap_after = page.locator(".overlap a").first.evaluate(
        "el => getComputedStyle(el, '::after').content"
    )
    assert overlap_after == "none"
    page.goto("/collaboration/")
    page.emulate_media(media="print")
    expect(page.locator(".role-filter")).to_be_hidden()
    expect(page.locator("#matrix table")).to_be_visible()


# --- screenshots of the real content -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "url", "width", "scheme"),
    [
        ("compare-desktop", "/compare/product-manager/vs/project-manager/", 1280, "light"),
        ("compare-mobile", "/compare/product-manager/vs/project-manager/", 375, "light"),
        ("compare-desktop-dark", "/compare/product-manager/vs/project-manager/", 1280, "dark"),
        ("compare-mobile-dark", "/compare/product-manager/vs/project-manager/", 375, "dark"),
        ("collaboration-desktop", "/collaboration/", 1280, "light"),
        ("collaboration-mobile", "/collaboration/", 375, "light"),
    ],
)
def test_screenshots(
    transactional_db, browser, live_server, console_errors, name, url, width, scheme
):
    from django.core.management import call_command

    call_command("load_catalog", verbosity=0)
    context, page = new_page(
        browser,
        live_server,
        console_errors,
        viewport={"width": width, "height": 900},
        color_scheme=scheme,
    )
    try:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    finally:
        context.close()
    assert list(console_errors) == []
