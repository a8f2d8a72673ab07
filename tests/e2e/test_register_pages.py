"""A register's page in Chromium (issue 24): its flags visible, the rows filter (words and "flagged rows only")
and the sort by a column heading, at phone (390x844) and desktop (1366x900) widths, from file://; the page reads
without JavaScript; axe-core and the Nu HTML checker find nothing, before and after the script has run.

The site is the minimal fixture with one hand-made register of each type (tests/unit/register_samples.py),
built in this process for the auditor audience: the register reader and rules are written elsewhere."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest

from e2e_support import SiteBase, playwright_sync_api
from test_a11y import format_violations, format_vnu, run_axe, run_vnu

from isoready.package.build import Options, build
from tests.unit import register_samples as samples

expect = playwright_sync_api().expect

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
PAGES = ["registers.html", "registers/REG-CAL.html", "registers/REG-COMP.html", "registers/REG-OBJ.html"]


@pytest.fixture(scope="module")
def register_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("register-site")
    root = tmp / "project"
    shutil.copytree(FIXTURE, root)
    samples.write_records(root)
    with pytest.MonkeyPatch.context() as mp:
        samples.patch_build(mp)
        build(Options(root=root, as_of=date(2026, 11, 24), audience="auditor", output=tmp / "site",
                      use_cache=False))
    return tmp / "site"


@pytest.fixture
def on_disk(register_site: Path) -> SiteBase:
    return SiteBase("file", register_site, register_site.as_uri() + "/", "file://")


@pytest.fixture(scope="module")
def over_http(register_site: Path) -> Iterator[SiteBase]:
    """The site on http://127.0.0.1:<port>/ (axe reads the stylesheets, which file:// forbids it)."""
    handler = functools.partial(_Quiet, directory=str(register_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield SiteBase("http", register_site, origin + "/", origin)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib's name)
        pass


def _visible_ids(page) -> list[str]:  # noqa: ANN001
    return [t.strip() for t in page.locator("#register-rows tbody tr:visible td:nth-child(2)").all_inner_texts()]


@pytest.mark.parametrize("size", WIDTHS, ids=list(WIDTHS))
def test_flags_filter_and_sort_on_a_register_page(size: str, on_disk: SiteBase, site_page, tmp_path: Path) -> None:
    sp = site_page(on_disk)
    page = sp.page
    page.set_viewport_size(WIDTHS[size])
    sp.goto("registers/REG-CAL.html")
    rows = page.locator("#register-rows tbody tr")
    expect(rows).to_have_count(4)
    for flag in ("Overdue", "Failed"):
        badge = page.locator("#register-rows .badge", has_text=flag)
        expect(badge).to_be_visible()
        box = badge.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[size]["width"], f"{flag} off screen"
    page.screenshot(path=str(tmp_path / f"register-{size}.png"), full_page=True)

    status = page.get_by_role("status")
    expect(status).to_have_text("Showing 4 of 4 rows.")
    page.get_by_label("Filter rows").fill("micrometer")
    expect(status).to_have_text("Showing 1 of 4 rows.")
    assert _visible_ids(page) == ["G-001"]
    page.get_by_label("Filter rows").fill("")
    page.get_by_label("Flagged rows only").check()
    expect(status).to_have_text("Showing 2 of 4 rows.")
    assert _visible_ids(page) == ["G-001", "G-002"]
    page.get_by_label("Filter rows").fill("fail")
    assert _visible_ids(page) == ["G-002"]
    page.get_by_label("Filter rows").fill("")
    page.get_by_label("Flagged rows only").uncheck()
    expect(status).to_have_text("Showing 4 of 4 rows.")

    due = page.locator("#register-rows thead th", has=page.get_by_role("button", name="Next calibration"))
    due.get_by_role("button").click()
    expect(due).to_have_attribute("aria-sort", "ascending")
    assert _visible_ids(page) == ["G-001", "G-004", "G-002", "G-003"]
    due.get_by_role("button").click()
    expect(due).to_have_attribute("aria-sort", "descending")
    assert _visible_ids(page) == ["G-003", "G-002", "G-004", "G-001"]


def test_the_register_page_reads_without_javascript(browser, register_site: Path) -> None:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=False, viewport=WIDTHS["phone"])
    try:
        page = context.new_page()
        page.goto((register_site / "registers" / "REG-CAL.html").as_uri())
        expect(page.locator("#register-rows tbody tr")).to_have_count(4)
        expect(page.locator("#register-rows .badge", has_text="Overdue")).to_be_visible()
        expect(page.get_by_label("Filter rows")).to_have_count(0)  # the controls come with the script
        page.goto((register_site / "registers" / "REG-OBJ.html").as_uri())
        expect(page.locator("figure.chart-objective svg")).to_have_count(2)
    finally:
        context.close()


@pytest.mark.parametrize("size", WIDTHS, ids=list(WIDTHS))
@pytest.mark.parametrize("rel", PAGES)
def test_axe_finds_nothing_on_register_pages(rel: str, size: str, over_http: SiteBase, site_page,
                                            axe_js: Path) -> None:
    sp = site_page(over_http, bypass_csp=True)  # axe is injected as an inline script
    sp.page.set_viewport_size(WIDTHS[size])
    sp.goto(rel)
    expect(sp.page.locator("main h1")).to_be_visible()
    if rel == "registers/REG-CAL.html":
        sp.page.get_by_label("Flagged rows only").check()
    violations = run_axe(sp.page, axe_js)
    assert not violations, format_violations(f"{rel} at {size}", violations)


def test_the_nu_checker_finds_nothing_in_register_pages(register_site: Path, vnu_cmd: list[str], on_disk: SiteBase,
                                                       site_page, tmp_path: Path) -> None:
    files = sorted(register_site.glob("registers/*.html")) + [register_site / "registers.html",
                                                                register_site / "evidence" / "REG-CAL.html"]
    sp = site_page(on_disk)
    sp.goto("registers/REG-CAL.html")
    sp.page.get_by_label("Filter rows").fill("gauge")
    scripted = tmp_path / "filtered.html"
    scripted.write_text(sp.page.content(), encoding="utf-8")
    report = run_vnu(vnu_cmd, [*files, scripted])
    bad = {p: m for p, m in report.items() if m}
    assert not bad, "\n".join(format_vnu(p.name if p else "?", m) for p, m in bad.items())
