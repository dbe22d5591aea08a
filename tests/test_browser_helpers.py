"""The browser tests' own helpers still catch what they exist to catch."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import (
    assert_no_axe_violations,
    assert_no_axe_violations_in_both_schemes,
    swapped_to,
)
from tests.factories import make_page_catalog

FAULTY = """<!doctype html><html lang="en"><title>Faulty</title>
<main><h1>Faulty</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#ccc;background:#fff">Grey on white</p></main></html>"""


@pytest.mark.parametrize(
    ("scheme", "found", "not_found"),
    [
        # With resultTypes limited to violations, violations are still found and reported.
        ("light", {"image-alt", "color-contrast"}, set()),
        # The dark scheme is checked for colour only: its structure is checked in the light.
        ("dark", {"color-contrast"}, {"image-alt"}),
    ],
)
def test_axe_check_fails_on_a_missing_alt_and_low_contrast(browser, scheme, found, not_found):
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.set_content(FAULTY)
        with pytest.raises(AssertionError) as failure:
            assert_no_axe_violations(page)
        report = str(failure.value)
        assert all(rule in report for rule in found), report
        assert not any(rule in report for rule in not_found), report
    finally:
        context.close()


DARK_ONLY_FAULT = """<!doctype html><html lang="en"><title>Dark fault</title>
<style>p { color: #000; background: #fff }
@media (prefers-color-scheme: dark) { p { color: #333; background: #000 } }</style>
<main><h1>Dark fault</h1><p>Readable in the light scheme only</p></main></html>"""


def test_both_schemes_check_finds_a_fault_of_the_dark_scheme_alone(browser):
    """One page load, checked in the light scheme, then switched to the dark one and checked."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(DARK_ONLY_FAULT)
        assert_no_axe_violations(page)  # the light scheme passes
        with pytest.raises(AssertionError) as failure:
            assert_no_axe_violations_in_both_schemes(page)
        assert "color-contrast" in str(failure.value)
    finally:
        context.close()


def test_swapped_to_waits_until_the_swapped_in_form_listens(transactional_db, page):
    """htmx pushes the address before it swaps and wires the new form up only as the swap
    settles. With the settle slowed to 400 ms, the address alone comes too early; swapped_to
    waits for the form htmx has processed."""
    make_page_catalog()
    page.goto("/roles/project-manager/")
    page.evaluate("htmx.config.defaultSettleDelay = 400")
    listening = (
        "() => Boolean(document.querySelector('#function-filter').form"
        "['htmx-internal-data']?.initHash)"
    )
    page.select_option("#function-filter", "planning")
    expect(page).to_have_url(re.compile(r"\?function=planning$"))
    assert page.evaluate(listening) is False
    swapped_to(page, re.compile(r"\?function=planning$"))
    assert page.evaluate(listening) is True
