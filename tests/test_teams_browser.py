"""A team's own chart in a real Chromium, on the seed catalog: the whole journey from the
keyboard at 1280 and 375 px (start, a second A and its rule, the fix, save, the read-only link
in a fresh context, an edit with the key, each export, one printed page, back and forward),
without JavaScript, axe-core on every team page, and screenshots."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser import (
    HTMX_BUSY,
    assert_no_axe_violations_in_both_schemes,
    back,
    forward,
    opened,
    screenshot,
    settle,
    swapped_to,
)

ROLES = ["Product owner", "Scrum master", "Project manager"]


@pytest.fixture
def seed(live_seed_catalog) -> None:
    """The committed content from fixtures/, visible to the live server."""


def press_on(page, locator, *keys: str) -> None:
    """Keyboard only: focus the control as Tab would reach it, then press the keys."""
    locator.focus()
    for key in keys:
        page.keyboard.press(key)


def start_a_chart(page) -> None:
    """Three catalog roles and a tech lead like the project manager, from the keyboard."""
    page.goto("/teams/new/")
    for name in ROLES:
        press_on(page, page.get_by_role("checkbox", name=name, exact=True), "Space")
        swapped_to(page, re.compile(r"/teams/new/\?.*suggest=1"))
    expect(page.get_by_role("checkbox", name=ROLES[-1], exact=True)).to_be_focused()
    page.get_by_label("Role 1 of your own", exact=True).focus()
    page.keyboard.type("Tech lead")
    like = page.get_by_label("Role 1 of your own is like")
    like.focus()
    page.keyboard.type("Proj")
    expect(like).to_have_value("project-manager")
    page.get_by_label("Team name (optional)").focus()
    page.keyboard.type("Checkout squad")
    # The suggestions for the last role choice are in (a person reads them before starting).
    page.wait_for_function(f"() => !document.querySelector({HTMX_BUSY!r})")
    press_on(page, page.get_by_role("button", name="Start the chart"), "Enter")
    expect(page.get_by_role("status").first).to_contain_text("Your chart is saved")


def second_accountable(page):
    """The first row with an A, and another role's cell in it (focused, not yet changed)."""
    letters = page.locator("select.team-grid__letter")
    values = letters.evaluate_all("els => els.map(el => [el.id, el.value])")
    owner = next(cell for cell, value in values if value == "A")
    row = owner.split("-")[1]
    other = next(
        cell for cell, value in values if cell.split("-")[1] == row and value not in ("A", "R")
    )
    return row, page.locator(f"#{other}")


def pdf_pages(page) -> int:
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    page.emulate_media(media="screen")
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize("width", [1280, 375])
def test_the_whole_journey_from_the_keyboard(seed, browser, live_server, console_errors, width):
    viewport = {"width": width, "height": 900}
    with opened(
        browser, live_server, console_errors, viewport=viewport, accept_downloads=True
    ) as page:
        start_a_chart(page)
        edit_address = page.url
        assert "/edit/" in edit_address
        expect(page.locator("thead input.team-grid__role-name")).to_have_count(4)
        expect(page.locator("#role-3-name")).to_have_value("Tech lead")

        # A second A: the rule shows beside the row and in the live summary; focus stays.
        row, cell = second_accountable(page)
        original = cell.input_value()
        cell.focus()
        page.keyboard.type("A")
        rules = page.locator(f"#activity-{row}-rules")
        expect(rules).to_contain_text("roles are Accountable")
        expect(page.locator("#rules")).to_contain_text("keep exactly one A")
        expect(cell).to_be_focused()
        expect(page.locator(f"#{cell.get_attribute('id')}-ref")).to_contain_text("ref.")
        expect(page.locator("#differences")).to_contain_text("in the reference")
        if width == 1280:
            screenshot(page, "teams-edit-rule-desktop")
        else:
            screenshot(page, "teams-edit-rule-mobile")

        # The fix: back to the reference letter ("none" is the first option: Home).
        if original:
            page.keyboard.type(original)
        else:
            page.keyboard.press("Home")
        expect(cell).to_have_value(original)
        expect(rules).not_to_contain_text("roles are Accountable")

        press_on(page, page.get_by_role("button", name="Save", exact=True), "Enter")
        expect(page).to_have_url(re.compile(r"\?saved=2$"))
        share = page.locator("#share-url").input_value()

        # Anyone with the read-only link, in a browser of their own: no controls, no key.
        with opened(browser, live_server, console_errors, viewport=viewport) as reader:
            reader.goto(share)
            expect(reader.get_by_role("heading", level=1)).to_have_text(
                "Checkout squad: who does what"
            )
            expect(reader.locator("select, textarea, form[method=post]")).to_have_count(0)
            expect(reader.locator('meta[name="robots"]')).to_have_attribute("content", "noindex")
            assert "/edit/" not in reader.content()
            assert pdf_pages(reader) == 1
            screenshot(reader, f"teams-read-only-{'desktop' if width == 1280 else 'mobile'}")

            # Each export.
            for label, extension in [("CSV", "csv"), ("Markdown", "md"), ("JSON", "json")]:
                with reader.expect_download() as download:
                    link = reader.locator("main").get_by_role("link", name=label, exact=True)
                    press_on(reader, link, "Enter")
                path = download.value.path()
                assert download.value.suggested_filename == f"checkout-squad.{extension}"
                text = path.read_text(encoding="utf-8")
                assert "Tech lead" in text
                if extension == "json":
                    assert json.loads(text)["version"] == 2

        # An editor with the key, in another browser: a note, saved as version 3.
        with opened(browser, live_server, console_errors, viewport=viewport) as editor:
            editor.goto(edit_address)
            editor.locator("#activity-0-note").focus()
            editor.keyboard.type("Agreed at the May retro")
            press_on(editor, editor.get_by_role("button", name="Save", exact=True), "Enter")
            expect(editor).to_have_url(re.compile(r"\?saved=3$"))
            expect(editor.locator("#activity-0-note")).to_have_value("Agreed at the May retro")

        # Back and forward through the edit page's own history.
        page.goto(share)
        expect(page.locator("#activity-0")).to_contain_text("Agreed at the May retro")
        back(page)
        expect(page).to_have_url(re.compile(r"\?saved=2$"))
        forward(page)
        expect(page).to_have_url(share)


def test_back_and_forward_step_through_the_start_pages_choices(seed, page):
    page.goto("/teams/new/")
    page.get_by_role("checkbox", name="Product owner").check()
    swapped_to(page, re.compile(r"role=product-owner"))
    page.get_by_role("checkbox", name="Sponsor").check()
    swapped_to(page, re.compile(r"role=product-owner&role=sponsor"))
    back(page)
    expect(page).to_have_url(re.compile(r"role=product-owner&(?!role=sponsor)"))
    expect(page.get_by_role("checkbox", name="Sponsor")).not_to_be_checked()
    forward(page)
    expect(page.get_by_role("checkbox", name="Sponsor")).to_be_checked()


def test_a_stale_save_keeps_the_typed_text(seed, browser, live_server, console_errors):
    with opened(browser, live_server, console_errors) as page:
        start_a_chart(page)
        edit_address = page.url
        with opened(browser, live_server, console_errors) as other:
            other.goto(edit_address)
            other.get_by_role("button", name="Save", exact=True).click()
            expect(other).to_have_url(re.compile(r"\?saved=2$"))
        page.locator("#name").fill("Typed while someone saved")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("someone saved version 2")
        expect(page.locator("#name")).to_have_value("Typed while someone saved")


def test_adding_a_role_by_htmx_moves_focus_to_its_name(seed, page):
    start_a_chart(page)
    page.get_by_label("Name", exact=True).fill("Designer")
    page.get_by_role("button", name="Add the role").click()
    expect(page.locator("#role-4-name")).to_be_focused()
    expect(page.locator("#role-4-name")).to_have_value("Designer")
    page.get_by_role("button", name="Remove the role Designer").click()
    expect(page.locator("#chart-title")).to_be_focused()
    expect(page.locator("thead input.team-grid__role-name")).to_have_count(4)


def test_the_chart_is_edited_and_saved_without_javascript(
    seed, browser, live_server, console_errors
):
    with opened(browser, live_server, console_errors, java_script_enabled=False) as page:
        page.goto("/teams/new/")
        for name in ROLES[:2]:
            page.get_by_role("checkbox", name=name, exact=True).check()
        page.get_by_role("button", name="Suggest activities for these roles").click()
        expect(page.get_by_role("checkbox", name=ROLES[0], exact=True)).to_be_checked()
        page.get_by_role("button", name="Start the chart").click()
        page.locator("#cell-0-1").select_option("A")
        page.get_by_role("button", name="Check the rules without saving").click()
        expect(page.locator("#activity-0-rules")).to_contain_text("roles are Accountable")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page).to_have_url(re.compile(r"\?saved=2$"))
        expect(page.locator("#cell-0-1")).to_have_value("A")


def test_axe_on_every_team_page(seed, browser, live_server, console_errors):
    for width in (1280, 375):
        with opened(
            browser, live_server, console_errors, viewport={"width": width, "height": 900}
        ) as page:
            page.goto("/teams/new/")
            settle(page)
            assert_no_axe_violations_in_both_schemes(page)
            if width == 1280:
                screenshot(page, "teams-new-desktop")
            else:
                screenshot(page, "teams-new-mobile")
            start_a_chart(page)
            page.locator("#cell-0-0").select_option("")  # a rule and a difference to show
            expect(page.locator("#activity-0-rules")).not_to_be_empty()
            assert_no_axe_violations_in_both_schemes(page)
            # Each check waits for the page it clicked to: axe on a page mid-navigation fails.
            page.get_by_role("link", name="History of versions").click()
            expect(page).to_have_url(re.compile(r"/history/$"))
            settle(page)
            assert_no_axe_violations_in_both_schemes(page)
            page.go_back()
            expect(page).to_have_url(re.compile(r"/edit/[^/]+/(\?started=1)?$"))
            page.get_by_role("link", name="Open the read-only page").click()
            expect(page).to_have_url(re.compile(r"/teams/[^/]+/$"))
            settle(page)
            assert_no_axe_violations_in_both_schemes(page)
