"""Shared fixtures: the seed catalog, a synthetic large catalog, and a real Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction

REQUIRE_BROWSER = os.environ.get("ROLES_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def seed_rows(django_db_setup, django_db_blocker) -> list[list[models.Model]]:
    """Every row `load_catalog` writes, read once per session and then rolled back.

    Loading validates each record and takes about half a second; inserting the same rows again
    takes a few milliseconds, so tests that only read the seed get it at that price.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        every_model = apps.get_models(include_auto_created=True)
        before = {model: model._base_manager.count() for model in every_model}
        call_command("load_catalog", verbosity=0)
        rows = [
            list(model._base_manager.order_by("pk"))
            for model in every_model
            if model._base_manager.count() != before[model]
        ]
        transaction.set_rollback(True)
    return rows


@pytest.fixture(autouse=True)
def fresh_catalog_version() -> None:
    """Each test has its own database: the catalog version a process keeps in memory must not
    carry over from the last test's (catalog.conditional)."""
    from catalog.conditional import clock

    clock.forget()


@pytest.fixture
def seed_catalog(db, seed_rows) -> None:
    """The committed content from fixtures/, exactly as `load_catalog` leaves it."""
    for table in seed_rows:
        model = type(table[0])
        # raw, as loaddata saves: no field's pre_save, so `updated` keeps the fixtures' times.
        model._base_manager._insert(table, fields=model._meta.concrete_fields, raw=True)
    tables = [type(table[0]) for table in seed_rows]
    with connection.cursor() as cursor:  # PostgreSQL: move the id sequences past the rows
        for statement in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(statement)


# --- browser ---------------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's Chromium when installed, else Playwright's own browser; skip if neither runs."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependencies missing
        pytest.skip("playwright is not installed")
    with sync_playwright() as playwright:
        executable = shutil.which("chromium") or shutil.which("chromium-browser")
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
        except Exception as error:  # any launch failure means no browser here
            pytest.skip(f"no Chromium could be launched: {error}")
        yield browser
        browser.close()


class ConsoleErrors(list):
    def attach(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.append(message.text))
        page.on("pageerror", lambda error: self.append(str(error)))


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def page(browser, live_server, console_errors) -> Iterator:
    """A fresh page in a fresh context; fails the test if the console logged an error."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    console_errors.attach(page)
    yield page
    context.close()
    assert list(console_errors) == [], f"console errors: {list(console_errors)}"


# --- CI guard: browser tests must run in CI --------------------------------------------------


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "page" in getattr(item, "fixturenames", ()) or "browser" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.browser)


def pytest_sessionfinish(session, exitstatus) -> None:
    if not REQUIRE_BROWSER:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = [
        report
        for report in reporter.stats.get("skipped", [])
        if "browser" in getattr(report, "keywords", {})
    ]
    ran = [
        report
        for report in reporter.stats.get("passed", []) + reporter.stats.get("failed", [])
        if "browser" in getattr(report, "keywords", {}) and report.when == "call"
    ]
    if skipped or not ran:
        reporter.write_line(
            f"ROLES_REQUIRE_BROWSER=1 but {len(skipped)} browser test(s) were skipped "
            f"and {len(ran)} ran: failing the run.",
            red=True,
        )
        session.exitstatus = 1
