"""Helpers shared by the browser tests: extra page contexts and the axe-core check."""

from __future__ import annotations

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def new_page(browser, live_server, console_errors, **context_options):
    """A page in a context of our own (dark scheme, no JavaScript, small screen …)."""
    context = browser.new_context(base_url=live_server.url, **context_options)
    page = context.new_page()
    console_errors.attach(page)
    return context, page


def assert_no_axe_violations(page) -> None:
    """axe-core, WCAG 2.2 A and AA rules, on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()
