"""Helpers shared by the browser tests: extra page contexts and the axe-core check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


def screenshot(page, name: str, **options) -> Path:
    """Capture `page` as test-artifacts/screenshots/<name>.png (`make screenshots`)."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, **options)
    return path


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF that Chromium wrote: its page objects (not the /Pages tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def new_page(browser, live_server, console_errors, **context_options):
    """A page in a context of our own (dark scheme, no JavaScript, small screen …)."""
    context = browser.new_context(base_url=live_server.url, **context_options)
    page = context.new_page()
    console_errors.attach(page)
    return context, page


@contextmanager
def opened(browser, live_server, console_errors, **context_options) -> Iterator:
    """`new_page` as a `with` block: the context closes after it, and then the console must
    have logged no error."""
    context, page = new_page(browser, live_server, console_errors, **context_options)
    try:
        yield page
    finally:
        context.close()
    assert list(console_errors) == [], f"console errors: {list(console_errors)}"


def settle(page) -> None:
    """After `goto` (which waits for the load event): wait until the web fonts are in, so
    layout is final. No page fetches anything once loaded until a visitor acts, so this does
    not wait out the half second of network silence that "networkidle" would."""
    page.evaluate("document.fonts.ready.then(() => document.readyState)")


def assert_no_axe_violations_at(
    browser, live_server, console_errors, url: str, *, width: int = 1280
) -> None:
    """axe-core on `url` at `width` px in both colour schemes, once it has settled."""
    with opened(
        browser, live_server, console_errors, viewport={"width": width, "height": 800}
    ) as page:
        page.goto(url)
        settle(page)
        assert_no_axe_violations_in_both_schemes(page)


def assert_no_axe_violations_in_both_schemes(page) -> None:
    """axe-core on the page as it is, in the light colour scheme (every rule), then switched to
    the dark one (the colour rules): one page load for both."""
    page.emulate_media(color_scheme="light")
    assert_no_axe_violations(page)
    page.emulate_media(color_scheme="dark")
    assert_no_axe_violations(page)


# The WCAG A and AA rules whose outcome depends on colours. Every page checked in the dark
# scheme is also checked, whole, in the light one (assert_no_axe_violations_in_both_schemes);
# the dark scheme changes only colours, so there only these run, a quarter of the whole set's
# time.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def assert_no_axe_violations(page) -> None:
    """axe-core, WCAG 2.2 A and AA rules, on the page as it is now (in the dark colour scheme:
    the rules about colour)."""
    from axe_playwright_python.sync_playwright import Axe

    # resultTypes: violations in full, and only the first node of each pass, incomplete and
    # inapplicable result, which nothing here reads: axe skips detailing (and the browser
    # skips sending) every element that passed, most of the time on a long page.
    if page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches"):
        run_only = {"type": "rule", "values": COLOUR_RULES}
    else:
        run_only = {"type": "tag", "values": WCAG_TAGS}
    options = {"runOnly": run_only, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()


# The classes htmx puts on elements while a request is out and until the swapped-in content has
# settled (htmx.config: requestClass, swappingClass, addedClass, settlingClass).
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-added, .htmx-settling"


def swapped_to(page, url) -> None:
    """Wait for an htmx swap that pushes `url` (a string or pattern) to finish settling.

    htmx pushes the address before it swaps, and connects the new content's triggers only as
    the swap settles (htmx-2.js: beforeSwapCallback, then makeAjaxLoadTask after settleDelay).
    A test that acts on swapped-in content as soon as the address changes can be faster than
    that, and its action goes unheard; a person never is. Call this before acting again."""
    expect(page).to_have_url(url)
    page.wait_for_function(f"() => !document.querySelector({HTMX_BUSY!r})")


def history_step(page, step: str) -> None:
    """The browser's back or forward button.

    Not page.go_back(): htmx answers a history step by reloading the page, and Playwright then
    reports the step's own navigation as aborted. The step is scheduled to run after evaluate()
    returns; if the previous step's reload is still replacing the page, evaluate() finds no
    page to run in, nothing was scheduled, and it is tried again once that page has loaded.
    Callers wait for the result with expect().
    """
    for _ in range(5):
        page.wait_for_load_state()
        try:
            page.evaluate(f"setTimeout(() => history.{step}())")
            return
        except PlaywrightError as error:
            if "Execution context was destroyed" not in str(error):
                raise
    raise AssertionError(f"history.{step}() never ran: the page kept reloading")


def back(page) -> None:
    history_step(page, "back")


def forward(page) -> None:
    history_step(page, "forward")
