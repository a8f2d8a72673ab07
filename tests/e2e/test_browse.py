"""Browse the demo site as an auditor would, over http://127.0.0.1 and from file://.

Every test runs twice (the ``site`` fixture is parametrised). Pages come from ``site_page``, which
fails the test on any request outside the site's origin, any console error and any CSP violation.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

from typing import TYPE_CHECKING

import pytest
import yaml

from e2e_support import ORGANISATION, ROOT, SiteBase, SitePage, playwright_sync_api

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

expect = playwright_sync_api().expect

pytestmark = pytest.mark.browser

SUPPLIER_LIST = ROOT / "evidence" / "operation" / "approved-supplier-list.csv"
SUPPLIER_PAGE = "evidence/operation/approved-supplier-list.html"
SUPPLIER_TITLE = "Approved supplier list with evaluation results"


def fact(page: Page, term: str) -> Locator:
    """The <dd> that follows the <dt> named ``term`` in a facts list."""
    return page.locator("dl dt", has_text=re.compile(rf"^\s*{re.escape(term)}\s*$")).locator("xpath=following-sibling::dd[1]")


def squash(text: str) -> str:
    return " ".join(text.split())


def resolves(site: SiteBase, url: str) -> bool:
    """True when a URL inside the site names a file that exists (HTTP 200, or a file on disk)."""
    url = url.split("#", 1)[0]
    if site.mode == "file":
        parts = urlsplit(url)
        return parts.scheme == "file" and Path(unquote(parts.path)).is_file()
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - our own 127.0.0.1 server
            return resp.status == 200
    except urllib.error.URLError:
        return False


def assert_no_external_requests(sp: SitePage) -> None:
    assert sp.guard.requests, "no request was recorded at all: the request recorder is broken"
    assert sp.external_requests == [], f"requests left the site: {sp.external_requests}"


def test_dashboard_to_clause_to_evidence_to_document(site: SiteBase, site_page) -> None:
    sp = site_page(site)
    page = sp.page
    sp.goto("index.html")

    # Dashboard: who, and how ready overall.
    expect(page.locator(".brand-name")).to_have_text(ORGANISATION)
    expect(page.locator("h1")).to_contain_text(ORGANISATION)
    readiness = json.loads((site.root / "readiness.json").read_text(encoding="utf-8"))
    ready = readiness["readiness"]["states"]["ready"]
    percent = f"{round(readiness['readiness']['ready_share'] * 100)}%"
    overall = page.get_by_role("heading", name="Readiness", exact=True).locator("xpath=..")
    expect(overall).to_contain_text(f"Ready: {ready} ({percent})")
    expect(overall).to_contain_text(re.compile(r"At risk: \d+ \(\d{1,3}%\)"))

    # Main clause 8 from the per-clause table.
    page.locator("main table").get_by_role("link", name="8 Operation", exact=True).click()
    expect(page).to_have_url(site.url("clauses/8.html"))
    expect(page.locator("h1")).to_have_text(re.compile(r"^\s*8\s+Operation\s*$"))

    # Down through 8.4 to the sub-clause 8.4.1.
    page.get_by_role("region", name="Sub-clauses").get_by_role("link", name=re.compile(r"^8\.4 ")).click()
    expect(page).to_have_url(site.url("clauses/8.4.html"))
    page.get_by_role("region", name="Sub-clauses").get_by_role("link", name=re.compile(r"^8\.4\.1 ")).click()
    expect(page).to_have_url(site.url("clauses/8.4.1.html"))
    expect(page.locator("h1")).to_have_text(re.compile(
        r"^\s*8\.4\.1\s+General \(Control of externally provided processes, products and services\)\s*$"))
    expect(fact(page, "Computed state")).to_have_text(re.compile(r"^\s*Not ready\s*$"))
    expect(page.locator("ul.reasons li", has_text="open major finding IA-2026-02")).to_have_count(1)

    # Its evidence: the approved supplier list.
    page.get_by_role("region", name="Evidence").get_by_role("link", name=SUPPLIER_TITLE).click()
    expect(page).to_have_url(site.url(SUPPLIER_PAGE))
    expect(page.locator("h1")).to_have_text(SUPPLIER_TITLE)
    original = SUPPLIER_LIST.read_bytes()
    expect(fact(page, "SHA-256")).to_have_text(re.compile(rf"^\s*{hashlib.sha256(original).hexdigest()}\s*$"))

    # The document itself, byte for byte (Chromium downloads text/csv rather than showing it).
    link = fact(page, "Document").get_by_role("link", name="approved-supplier-list.csv")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.url == site.url("files/operation/approved-supplier-list.csv")
    assert Path(download.path()).read_bytes() == original, "the published document differs from evidence/"
    assert_no_external_requests(sp)


def test_markdown_document_renders_as_page(site: SiteBase, site_page) -> None:
    sp = site_page(site)
    page = sp.page
    sp.goto("evidence/leadership/quality-policy.html")
    fact(page, "Document").get_by_role("link", name="read as page").click()
    expect(page).to_have_url(site.url("files/leadership/quality-policy.md.html"))

    source = (ROOT / "evidence" / "leadership" / "quality-policy.md").read_text(encoding="utf-8")
    heading = next(line[2:].strip() for line in source.splitlines() if line.startswith("# "))
    body = page.locator("article.document-body")
    expect(body.locator("h1")).to_have_text(heading)
    # Markdown is rendered, not shown as source.
    expect(body.locator("strong", has_text=ORGANISATION).first).to_be_visible()
    expect(body).not_to_contain_text("**")
    digest = hashlib.sha256((ROOT / "evidence" / "leadership" / "quality-policy.md").read_bytes()).hexdigest()
    expect(page.locator(".doc-meta code.hash")).to_have_text(digest)
    assert_no_external_requests(sp)


def test_not_applicable_clause_shows_justification(site: SiteBase, site_page) -> None:
    entries = yaml.safe_load((ROOT / "content" / "clauses" / "8-operation.yaml").read_text(encoding="utf-8"))
    entries = entries if isinstance(entries, list) else next(v for v in entries.values() if isinstance(v, list))
    justification = next(e["justification"] for e in entries if str(e.get("clause")) == "8.3")

    sp = site_page(site)
    page = sp.page
    sp.goto("clauses/8.3.html")
    expect(fact(page, "Declared status")).to_contain_text("Not applicable")
    expect(fact(page, "Computed state")).to_have_text(re.compile(r"^\s*Not applicable\s*$"))
    shown = squash(page.locator(".justification").inner_text())
    assert shown == squash(justification)
    assert_no_external_requests(sp)


def _column(page: Page, index: int) -> list[str]:
    return [squash(t) for t in page.locator(f"table.register tbody tr > td:nth-child({index})").all_inner_texts()]


def _header(page: Page, name: str) -> Locator:
    return page.locator("table.register thead th").filter(has=page.get_by_role("button", name=name, exact=True))


def test_register_sorts_when_a_header_button_is_activated(site: SiteBase, site_page) -> None:
    sp = site_page(site)
    page = sp.page
    sp.goto("evidence.html")
    headers = [squash(t) for t in page.locator("table.register thead th").all_inner_texts()]
    date_col = headers.index("Date") + 1
    ids_before = _column(page, 1)
    assert len(ids_before) > 5

    date_th, evidence_th = _header(page, "Date"), _header(page, "Evidence")
    expect(evidence_th).to_have_attribute("aria-sort", "ascending")  # the order the build wrote
    button = date_th.get_by_role("button")
    button.click()
    expect(date_th).to_have_attribute("aria-sort", re.compile(r"^(ascending|descending)$"))
    first = date_th.get_attribute("aria-sort")
    assert evidence_th.get_attribute("aria-sort") in (None, "none"), "the previous sort column still claims aria-sort"
    dates = _column(page, date_col)
    assert dates == sorted(dates, reverse=first == "descending"), f"not sorted {first} by date: {dates}"
    assert _column(page, 1) != ids_before, "the first column's order did not change"

    # Again, from the keyboard: the direction flips.
    button.focus()
    page.keyboard.press("Enter")
    second = "descending" if first == "ascending" else "ascending"
    expect(date_th).to_have_attribute("aria-sort", second)
    dates = _column(page, date_col)
    assert dates == sorted(dates, reverse=second == "descending"), f"not sorted {second} by date: {dates}"
    assert_no_external_requests(sp)


def test_header_search_shows_options_and_an_option_opens_its_page(site: SiteBase, site_page) -> None:
    sp = site_page(site)
    page = sp.page
    sp.goto("clauses/8.4.1.html")  # a page in a sub-folder, so result URLs must be made relative to it
    box = page.locator("#site-search")
    box.fill("supplier")
    popup = page.locator("#search-popup")
    expect(popup).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = popup.get_by_role("option")
    expect(options.first).to_be_visible()
    # the record and its register page share the title: one option each, told apart by their type
    titled = options.filter(has_text=SUPPLIER_TITLE)
    expect(titled).to_have_count(2)
    register = titled.filter(has=page.locator(".result-type", has_text="Register"))
    expect(register).to_have_attribute("data-href", re.compile(r"registers/operation/approved-supplier-list\.html$"))
    option = titled.filter(has=page.locator(".result-type", has_text="Evidence"))
    expect(option).to_have_count(1)
    option.click()
    expect(page).to_have_url(site.url(SUPPLIER_PAGE))
    expect(page.locator("h1")).to_have_text(SUPPLIER_TITLE)
    assert_no_external_requests(sp)


def test_search_page_lists_results_that_resolve(site: SiteBase, site_page) -> None:
    sp = site_page(site)
    page = sp.page
    sp.goto("evidence/leadership/quality-policy.html")  # two folders deep
    box = page.locator("#site-search")
    box.fill("supplier")
    box.press("Enter")
    expect(page).to_have_url(site.url("search.html?q=supplier"))
    expect(page.locator("#search-page-input")).to_have_value("supplier")

    results = page.locator("#search-results > li a")
    expect(results.first).to_be_visible()
    hrefs = results.evaluate_all("links => links.map(a => a.href)")
    assert hrefs, "no results for 'supplier'"
    outside = [h for h in hrefs if not h.startswith(site.base)]
    assert not outside, f"result links leave the site: {outside}"
    broken = [h for h in hrefs if not resolves(site, h)]
    assert not broken, f"result links that do not resolve: {broken}"

    results.filter(has_text=SUPPLIER_TITLE).first.click()
    expect(page).to_have_url(site.url(SUPPLIER_PAGE))
    expect(page.locator("h1")).to_have_text(SUPPLIER_TITLE)
    assert_no_external_requests(sp)


TOP_LEVEL = ["index.html", "clauses.html", "evidence.html", "gaps.html", "findings.html", "findings/IA-2026-02.html",
             "applicability.html", "stages.html", "report.html", "search.html", "search.html?q=calibration",
             "glossary.html"]


def test_main_pages_load_without_errors_or_external_requests(site: SiteBase, site_page) -> None:
    sp = site_page(site)
    for rel in TOP_LEVEL:
        response = sp.goto(rel)
        if site.mode == "http":
            assert response is not None and response.status == 200, f"{rel}: {response and response.status}"
        expect(sp.page.locator("main h1")).to_be_visible()
        sp.assert_clean()  # name the page that misbehaved, not just the test
    assert_no_external_requests(sp)


def test_the_header_terms_lead_to_their_glossary_entries(site: SiteBase, site_page) -> None:
    """Over http and file://, a page one folder down: the build line's terms open the glossary at the entry."""
    sp = site_page(site)
    page = sp.page
    for link, anchor, term in (("As of", "as-of-date", "As-of date"), ("withheld", "withheld", "Withheld")):
        sp.goto("clauses/8.4.html")
        page.locator(".build-banner").get_by_role("link", name=link, exact=True).click()
        expect(page).to_have_url(site.url(f"glossary.html#{anchor}"))
        expect(page.locator(f"dt#{anchor}")).to_have_text(term)
        expect(page.locator(f"dt#{anchor}")).to_be_in_viewport()
    sp.assert_clean()
    assert_no_external_requests(sp)
