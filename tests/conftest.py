"""Shared fixtures: the seed catalog, a synthetic large catalog, and a real Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from catalog.fixture_files import fixture_labels

REQUIRE_BROWSER = os.environ.get("ROLES_REQUIRE_BROWSER") == "1"


@pytest.fixture(autouse=True)
def fresh_catalog_version() -> None:
    """Each test has its own database: the catalog version a process keeps in memory must not
    carry over from the last test's (catalog.conditional)."""
    from catalog.conditional import clock

    clock.forget()


@pytest.fixture
def seed_catalog(db) -> None:
    """The committed content from fixtures/."""
    call_command("loaddata", *fixture_labels(), verbosity=0)


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
