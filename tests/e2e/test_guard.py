"""The page guard itself: proof that a page making outside requests, logging errors or breaking its CSP
would fail a browse test, so their passing means something. Uses tiny pages written to tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e_support import SiteBase

pytestmark = pytest.mark.browser

PAGES = {
    "outside.html": '<!DOCTYPE html><html lang="en"><title>t</title>'
                    '<img src="http://example.invalid/pixel.png" alt="">'
                    '<img src="//example.invalid/protocol-relative.png" alt=""></html>',
    "csp.html": '<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Security-Policy" '
                "content=\"default-src 'none'; script-src 'self'\"><title>t</title></head>"
                "<body><script>document.title = 'inline ran';</script></body></html>",
    "errors.html": '<!DOCTYPE html><html lang="en"><title>t</title><script src="errors.js"></script></html>',
    "errors.js": 'console.error("boom from the page"); throw new Error("uncaught from the page");',
}


@pytest.fixture
def scratch(tmp_path: Path) -> SiteBase:
    for name, text in PAGES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return SiteBase("file", tmp_path, tmp_path.as_uri() + "/", "file://")


def test_guard_blocks_and_reports_requests_outside_the_site(scratch: SiteBase, site_page) -> None:
    sp = site_page(scratch)
    sp.goto("outside.html")
    sp.page.wait_for_load_state("load")
    with pytest.raises(AssertionError, match="example.invalid/pixel.png"):
        sp.assert_clean()
    assert "http://example.invalid/pixel.png" in sp.guard.blocked
    # From file://, a protocol-relative URL becomes file://example.invalid/...: not a local file either.
    assert "file://example.invalid/protocol-relative.png" in sp.guard.blocked
    assert sp.external_requests, "the outside requests were not recorded"
    _forgive(sp)


def test_guard_reports_csp_violations(scratch: SiteBase, site_page) -> None:
    sp = site_page(scratch)
    sp.goto("csp.html")
    assert sp.page.title() == "t", "the inline script ran despite the CSP"
    with pytest.raises(AssertionError, match="CSP violation: script-src"):
        sp.assert_clean()
    _forgive(sp)


def test_guard_reports_console_errors_and_uncaught_exceptions(scratch: SiteBase, site_page) -> None:
    sp = site_page(scratch)
    sp.goto("errors.html")
    with pytest.raises(AssertionError) as caught:
        sp.assert_clean()
    assert "console error: boom from the page" in str(caught.value)
    assert "uncaught page error: " in str(caught.value) and "uncaught from the page" in str(caught.value)
    _forgive(sp)


def _forgive(sp) -> None:  # noqa: ANN001
    """These pages misbehave on purpose: clear the record so the test is judged by its asserts alone."""
    for record in (sp.guard.blocked, sp.guard.console_errors, sp.guard.page_errors, sp.guard.csp_violations):
        record.clear()
