"""A multi-site organisation's pages in Chromium (issue 25): the sites table and a site's page at phone (390x844)
and desktop (1366x900) widths with no horizontal overflow, the site filter of the coverage matrix and the gap
report (the pages read without JavaScript; with it a select keeps one site's rows), axe-core and the Nu HTML
checker finding nothing, before and after the filter has run.

The site is examples/multi-site built in this process for the auditor audience."""

from __future__ import annotations

import functools
import http.server
import threading
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest

from e2e_support import SiteBase, playwright_sync_api
from test_a11y import format_violations, format_vnu, run_axe, run_vnu

from isoready.package.build import Options, build

expect = playwright_sync_api().expect

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "multi-site"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
PAGES = ["sites.html", "sites/leeds.html", "sites/brno.html", "coverage.html", "gaps.html"]


@pytest.fixture(scope="module")
def multi_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("multi-site") / "site"
    build(Options(root=EXAMPLE, as_of=date(2026, 12, 6), audience="auditor", output=out, use_cache=False))
    return out


@pytest.fixture
def on_disk(multi_site: Path) -> SiteBase:
    return SiteBase("file", multi_site, multi_site.as_uri() + "/", "file://")


@pytest.fixture(scope="module")
def over_http(multi_site: Path) -> Iterator[SiteBase]:
    """The site on http://127.0.0.1:<port>/ (axe reads the stylesheets, which file:// forbids it)."""
    handler = functools.partial(_Quiet, directory=str(multi_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield SiteBase("http", multi_site, origin + "/", origin)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib's name)
        pass


def _opened(sp, size: str, rel: str):  # noqa: ANN001,ANN202 - the site's page at one of WIDTHS, opened at rel
    sp.page.set_viewport_size(WIDTHS[size])
    sp.goto(rel)
    return sp, sp.page


def _no_overflow(page, where: str) -> None:  # noqa: ANN001
    page_width, view = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert page_width <= view, f"{where}: the page is {page_width}px wide in a {view}px viewport"


@pytest.mark.parametrize("size", WIDTHS, ids=list(WIDTHS))
def test_the_sites_table_and_a_site_page_fit(size: str, on_disk: SiteBase, site_page, tmp_path: Path) -> None:
    sp, page = _opened(site_page(on_disk), size, "sites.html")
    expect(page.locator(".site-nav a[aria-current='page']")).to_have_text("Sites")
    rows = page.locator("table.sites-table tbody tr")
    expect(rows).to_have_count(6)
    leeds = page.locator("#site-leeds")
    expect(leeds).to_contain_text("no internal audit")
    expect(page.locator("#site-group-office")).to_contain_text("Central function")
    _no_overflow(page, f"sites.html at {size}")
    page.screenshot(path=str(tmp_path / f"sites-{size}.png"), full_page=True)

    leeds.get_by_role("link", name="Leeds plant (opened October 2026)").click()
    expect(page.locator("main h1")).to_contain_text("Leeds plant (opened October 2026)")
    expect(page.locator("main .alert").first).to_contain_text("No internal audit of this site")
    _no_overflow(page, f"sites/leeds.html at {size}")
    page.get_by_role("link", name="8.5.1 Control of production and service provision").first.click()
    expect(page.locator("main h1")).to_contain_text("8.5.1")

    sp.goto("sites/brno.html")
    expect(page.locator("main")).to_contain_text("BR-2026-01")
    _no_overflow(page, f"sites/brno.html at {size}")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Sites").click()
    expect(page.locator("main h1")).to_have_text("Sites")


@pytest.mark.parametrize("size", WIDTHS, ids=list(WIDTHS))
def test_the_site_filter_keeps_one_sites_rows(size: str, on_disk: SiteBase, site_page) -> None:
    sp, page = _opened(site_page(on_disk), size, "gaps.html")
    rows = page.locator("#gap-rows tbody tr")
    total = rows.count()
    select = page.get_by_label("Show the rows of one site")
    expect(select).to_be_visible()
    select.select_option("brno")
    shown = page.locator("#gap-rows tbody tr:visible")
    expect(shown.filter(has_text="8.6 ")).to_have_count(1)  # Brno's major
    select.select_option("tampere")
    expect(shown.filter(has_text="8.6 ")).to_have_count(0)
    assert 0 < shown.count() < total
    select.select_option("")
    expect(shown).to_have_count(total)
    _no_overflow(page, f"gaps.html at {size}")

    # the open findings below follow the same choice: a site's own findings and the organisation-wide ones
    findings = page.locator("#gap-findings tbody tr:visible")
    every = findings.count()
    expect(findings.filter(has_text="BR-2026-01")).to_have_count(1)
    select.select_option("tampere")
    expect(findings.filter(has_text="BR-2026-01")).to_have_count(0)  # Brno's major: not Tampere's
    expect(findings.filter(has_text="IA-2026-03")).to_have_count(0)  # Denholm's minor
    expect(findings.filter(has_text="GA-2026-01")).to_have_count(1)  # raised for every site
    assert 0 < findings.count() < every
    select.select_option("brno")
    expect(findings.filter(has_text="BR-2026-01")).to_have_count(1)
    expect(findings.filter(has_text="IA-2026-03")).to_have_count(0)
    _no_overflow(page, f"gaps.html filtered at {size}")
    select.select_option("")
    expect(findings).to_have_count(every)

    sp.goto("coverage.html")
    select = page.get_by_label("Show the rows of one site")
    audits = page.locator("#coverage-matrix thead th:visible")
    before = audits.count()
    select.select_option("carlow")
    # the clause column, the Carlow audit and the organisation's "Covered" column remain
    expect(audits).to_have_count(3)
    expect(page.locator("#coverage-matrix thead th:visible").nth(1)).to_contain_text("2026-10-07")
    covered = page.locator("#coverage-matrix tbody tr:visible td:last-child")
    expect(covered.filter(has_text="no")).to_have_count(0)  # every leaf is covered by Carlow's own audit
    select.select_option("leeds")  # no audit of Leeds: its column says so, not the organisation's
    expect(audits).to_have_count(2)
    expect(covered.filter(has_text="yes")).to_have_count(0)
    expect(page.locator("#coverage-matrix tbody tr.uncovered:visible")).to_have_count(covered.count())
    select.select_option("")
    expect(audits).to_have_count(before)
    # the organisation's column again: a clause is covered only where every site's own audit covers it, and
    # Leeds has none, so no clause is covered organisation-wide
    expect(covered.filter(has_text="yes")).to_have_count(0)
    _no_overflow(page, f"coverage.html at {size}")


@pytest.mark.parametrize("size", WIDTHS, ids=list(WIDTHS))
def test_searching_a_sites_name_finds_its_page(size: str, on_disk: SiteBase, site_page) -> None:
    sp, page = _opened(site_page(on_disk), size, "search.html")
    page.locator("#search-page-input").fill("Tampere")
    result = page.locator("#search-results > li", has=page.locator(".result-type", has_text="Site")).first
    expect(result.locator("a")).to_have_text("Tampere plant")
    expect(result.locator(".result-facts")).to_have_text("Country: Finland")
    _no_overflow(page, f"search.html at {size}")
    result.locator("a").click()
    expect(page.locator("main h1")).to_contain_text("Tampere plant")
    sp.goto("search.html")
    page.locator("#search-page-input").fill("Czechia")  # by its country
    expect(page.locator("#search-results > li", has_text="Brno plant").first).to_be_visible()


def test_the_pages_read_without_javascript(browser, multi_site: Path) -> None:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=False, viewport=WIDTHS["phone"])
    try:
        page = context.new_page()
        page.goto((multi_site / "gaps.html").as_uri())
        expect(page.get_by_label("Show the rows of one site")).to_be_hidden()  # the filter comes with the script
        expect(page.locator("#gap-rows tbody tr:visible").first).to_be_visible()
        page.goto((multi_site / "sites.html").as_uri())
        expect(page.locator("table.sites-table tbody tr")).to_have_count(6)
    finally:
        context.close()


@pytest.mark.parametrize("size", WIDTHS, ids=list(WIDTHS))
@pytest.mark.parametrize("rel", PAGES)
def test_axe_finds_nothing_on_the_multi_site_pages(rel: str, size: str, over_http: SiteBase, site_page,
                                                   axe_js: Path) -> None:
    sp = site_page(over_http, bypass_csp=True)  # axe is injected as an inline script
    sp.page.set_viewport_size(WIDTHS[size])
    sp.goto(rel)
    expect(sp.page.locator("main h1")).to_be_visible()
    if rel in ("coverage.html", "gaps.html"):
        sp.page.get_by_label("Show the rows of one site").select_option("leeds" if rel == "coverage.html" else "brno")
    violations = run_axe(sp.page, axe_js)
    assert not violations, format_violations(f"{rel} at {size}", violations)


def test_the_nu_checker_finds_nothing_in_the_multi_site_pages(multi_site: Path, vnu_cmd: list[str],
                                                              on_disk: SiteBase, site_page, tmp_path: Path) -> None:
    files = [multi_site / p for p in PAGES] + sorted((multi_site / "sites").glob("*.html"))
    sp = site_page(on_disk)
    sp.goto("coverage.html")
    sp.page.get_by_label("Show the rows of one site").select_option("brno")
    scripted = tmp_path / "filtered.html"
    scripted.write_text(sp.page.content(), encoding="utf-8")
    report = run_vnu(vnu_cmd, [*files, scripted])
    bad = {p: m for p, m in report.items() if m}
    assert not bad, "\n".join(format_vnu(p.name if p else "?", m) for p, m in bad.items())
