"""The browser tests' own helpers still catch what they exist to catch."""

from __future__ import annotations

import pytest

from tests.browser import assert_no_axe_violations

FAULTY = """<!doctype html><html lang="en"><title>Faulty</title>
<main><h1>Faulty</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#ccc;background:#fff">Grey on white</p></main></html>"""


def test_axe_check_fails_on_a_missing_alt_and_low_contrast(browser):
    """With resultTypes limited to violations, violations are still found and reported."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(FAULTY)
        with pytest.raises(AssertionError) as failure:
            assert_no_axe_violations(page)
        report = str(failure.value)
        assert "image-alt" in report and "color-contrast" in report, report
    finally:
        context.close()
