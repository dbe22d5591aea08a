"""The admin in a real Chromium under the site's strict CSP: an editor edits a role's inlines,
the role form fits a 1280 px screen, and an edit goes round: public page, change log, revert.

Any CSP violation (an inline script or style the admin needed) shows up as a console error,
which the `page` fixture turns into a failure.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from playwright.sync_api import expect
from reversion.models import Version

from catalog.models import Responsibility, Role
from catalog.registry import content_models
from tests.browser import assert_no_axe_violations, screenshot, settle
from tests.factories import make_admin_catalog
from tests.test_admin import (
    PASSWORD,
    make_editor,
)

# serialized_rollback: the flush after a live-server test would otherwise also wipe the
# Editors group that migrate creates (catalog.signals.after_migrate), for every later test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def editors_group(transactional_db) -> None:
    """The Editors group as migrate makes it. Once a live-server test has flushed the
    database, serialized_rollback cannot always bring it back: after Playwright has started,
    the test's database connection may be a fresh one that never held the serialized copy."""
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="catalog",
            content_type__model__in=[model._meta.model_name for model in content_models()],
        )
    )


def log_in(page, username: str) -> None:
    page.goto(reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def test_editor_edits_role_inlines_in_chromium_without_console_errors(page):
    catalog = make_admin_catalog()
    role, duty = catalog[Role], catalog[Responsibility]
    make_editor("edna")
    log_in(page, "edna")

    page.goto(reverse("admin:catalog_role_change", args=[role.pk]))
    page.fill("#id_responsibilities-0-title", "Creates and maintains the roadmap")

    # A new inline row: the admin's inline, prepopulate and autocomplete scripts must all run.
    page.click("#responsibilities-group .add-row a")
    page.fill("#id_responsibilities-1-title", "Sets the product vision")
    page.press("#id_responsibilities-1-title", "Tab")
    assert page.input_value("#id_responsibilities-1-slug") == "sets-the-product-vision"
    page.click("#responsibilities-1 .field-function .select2-selection")
    search = ".select2-dropdown .select2-search__field"  # key functions has its own search box
    page.fill(search, "Strat")
    # Only once the filtered list has come back: before it, Enter picks from the full list.
    expect(page.locator(".select2-results__option")).to_have_text(["Strategy"])
    page.press(search, "Enter")

    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    duty.refresh_from_db()
    assert duty.title == "Creates and maintains the roadmap"
    added = role.responsibilities.get(slug="sets-the-product-vision")
    assert added.function.slug == "strategy"
    assert Version.objects.get_for_object(added).get().revision.user.username == "edna"

    page.goto(reverse("admin:catalog_responsibility_history", args=[duty.pk]))
    changes = page.locator("#change-history .history-changes").first.inner_text()
    assert "Title: Keeps the roadmap → Creates and maintains the roadmap" in changes
    assert "edna" in page.locator("#change-history").inner_text()

    page.locator("#change-history tbody tr").last.locator("a").click()  # the first version
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    duty.refresh_from_db()
    assert duty.title == "Keeps the roadmap"


ROLE_FORM_FIT = """() => {
  const fields = document.querySelectorAll(
    '#content input, #content select, #content textarea, #content .select2-container');
  const rights = [...fields].map(e => e.getBoundingClientRect().right);
  const overflowing = [...document.querySelectorAll('#content .inline-group, #content fieldset')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id || e.className);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight,
    rightmost: Math.max(...rights),
    overflowing,
  };
}"""


def test_role_form_and_lists_fit_a_1280_px_screen(live_seed_catalog, page):
    role = Role.objects.get(slug="product-manager")
    make_editor("edna")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "edna")

    page.goto(reverse("admin:catalog_role_change", args=[role.pk]))
    settle(page)
    fit = page.evaluate(ROLE_FORM_FIT)

    print(f"role form at 1280 px: {fit}")
    assert fit["scrollWidth"] <= 1280
    assert fit["rightmost"] <= 1280
    assert fit["overflowing"] == []
    # The long text is in boxes tall enough for it: nothing scrolls inside them.
    hidden = page.evaluate(
        "[...document.querySelectorAll('#content textarea')]"
        ".filter(e => e.scrollHeight > e.clientHeight + 2).map(e => e.id)"
    )
    assert hidden == []

    # Every list's columns fit beside its filters.
    for model in content_models():
        if not admin.site.is_registered(model):
            continue  # edited inline only (citations)
        page.goto(reverse(f"admin:catalog_{model._meta.model_name}_changelist"))
        overflow = page.evaluate(
            "(() => { const t = document.querySelector('#result_list');"
            " return t ? t.scrollWidth - t.parentElement.clientWidth : 0; })()"
        )
        assert overflow <= 0, model


def test_editor_round_trip_edit_public_page_change_log_revert(live_seed_catalog, page):
    role = Role.objects.get(slug="project-manager")
    original = role.summary
    make_editor("edna")
    log_in(page, "edna")

    page.goto(reverse("admin:catalog_role_change", args=[role.pk]))
    page.fill("#id_summary", "Delivers agreed outcomes on time, in scope and within budget.")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    page.goto(role.get_absolute_url())
    expect(page.locator(".role-hero .lead")).to_have_text(
        "Delivers agreed outcomes on time, in scope and within budget."
    )
    page.click(".last-changed a")
    expect(page).to_have_url(re.compile(r"/changes/\?role=project-manager$"))
    entry = page.locator(".change").first
    expect(entry.locator("dt").first).to_have_text("Summary")
    expect(entry.locator("del").first).to_have_text(original)
    expect(entry.locator("ins").first).to_have_text(
        "Delivers agreed outcomes on time, in scope and within budget."
    )
    assert "edna" not in page.content()
    assert_no_axe_violations(page)

    page.goto(reverse("admin:catalog_role_history", args=[role.pk]))
    page.locator("#change-history tbody tr").last.locator("a").click()  # as loaded
    expect(page.locator("#id_summary")).to_have_value(original)
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    page.goto(role.get_absolute_url())
    expect(page.locator(".role-hero .lead")).to_have_text(original)


@pytest.mark.screenshots
def test_screenshots_of_the_role_form_and_its_history(live_seed_catalog, page):
    """The seed role's change form and history at 1280 px, into test-artifacts/screenshots/."""
    role = Role.objects.get(slug="product-manager")
    make_editor("edna")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "edna")
    for name, url in (
        ("admin-role-change-1280", reverse("admin:catalog_role_change", args=[role.pk])),
        ("admin-role-history-1280", reverse("admin:catalog_role_history", args=[role.pk])),
    ):
        page.goto(url)
        settle(page)
        screenshot(page, name, full_page=True)
