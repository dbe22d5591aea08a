"""The admin in a real Chromium under the site's strict CSP: an editor edits a role's inlines.

Any CSP violation (an inline script or style the admin needed) shows up as a console error,
which the `page` fixture turns into a failure.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from catalog.models import Responsibility, Role
from tests.test_admin import (
    PASSWORD,
    build_catalog,
    fast_password_hashing,  # noqa: F401  (an autouse fixture)
    make_editor,
)

# serialized_rollback: the flush after a live-server test would otherwise also wipe the
# Editors group that migration 0002 created, for every test that runs after this one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = "/tmp"


def log_in(page, username: str) -> None:
    page.goto(reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def test_editor_edits_role_inlines_in_chromium_without_console_errors(page):
    catalog = build_catalog()
    role, duty = catalog[Role], catalog[Responsibility]
    make_editor("edna")
    log_in(page, "edna")

    page.goto(reverse("admin:catalog_role_change", args=[role.pk]))
    page.screenshot(path=f"{SCREENSHOTS}/admin-role-change.png", full_page=True)
    page.fill("#id_responsibilities-0-title", "Creates and maintains the roadmap")

    # A new inline row: the admin's inline, prepopulate and autocomplete scripts must all run.
    page.click("#responsibilities-group .add-row a")
    page.fill("#id_responsibilities-1-title", "Sets the product vision")
    page.press("#id_responsibilities-1-title", "Tab")
    assert page.input_value("#id_responsibilities-1-slug") == "sets-the-product-vision"
    page.click("#responsibilities-1 .field-function .select2-selection")
    search = ".select2-dropdown .select2-search__field"  # key functions has its own search box
    page.fill(search, "Strat")
    page.wait_for_selector(".select2-results__option--highlighted >> text=Strategy")
    page.press(search, "Enter")

    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    duty.refresh_from_db()
    assert duty.title == "Creates and maintains the roadmap"
    added = role.responsibilities.get(slug="sets-the-product-vision")
    assert added.function.slug == "strategy"
    assert added.history.get().history_user.username == "edna"

    page.goto(reverse("admin:catalog_responsibility_history", args=[duty.pk]))
    page.screenshot(path=f"{SCREENSHOTS}/admin-history.png", full_page=True)
    changes = page.locator("#change-history .history-changes").first.inner_text()
    assert "Title: Keeps the roadmap → Creates and maintains the roadmap" in changes
    assert "edna" in page.locator("#change-history").inner_text()

    page.click("#change-history a >> text=Keeps the roadmap")  # the version before the edit
    page.click("input[name=_save][value=Revert]")
    page.wait_for_selector(".messagelist .success")
    duty.refresh_from_db()
    assert duty.title == "Keeps the roadmap"
