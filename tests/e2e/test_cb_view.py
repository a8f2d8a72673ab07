"""The stages page's certification body's view of the multi-site example (issue 25) in Chromium at 390x844 (a
phone) and 1366x900 (a laptop), over http://127.0.0.1 and from file://: it is readable without scrolling sideways
(its sources are long addresses given as text, the plan sits in a scrolling table box), and axe-core finds no
WCAG 2.1 AA violation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from conftest import serve_folder
from e2e_support import SiteBase
from isoready.cli import main
from test_a11y import format_violations, run_axe

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("multi-site") / "site"
    assert main(["build", "--root", str(ROOT / "examples" / "multi-site"), "--as-of", "2026-12-06",
                 "--output", str(out), "--no-cache"]) == 0
    return out


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[SiteBase]:
    server, thread = serve_folder(built)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield SiteBase("http", built, origin + "/", origin)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_from_file_the_cb_view_fits_the_screen(built: Path, site_page, width: int, height: int) -> None:
    sp = site_page(SiteBase("file", built, built.as_uri() + "/", "file://"))
    page = sp.page
    page.set_viewport_size({"width": width, "height": height})
    sp.goto("stages.html")
    section = page.locator("#cb-view")
    assert section.locator("h2").inner_text() == "The certification body's view (indicative)"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for box in section.locator(".cb-sources li").all():
        assert box.bounding_box()["width"] <= width
    assert sp.external_requests == []


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_the_cb_view_fits_the_screen_and_axe_finds_nothing(served: SiteBase, site_page, axe_js: Path,
                                                           width: int, height: int) -> None:
    sp = site_page(served, bypass_csp=True)
    page = sp.page
    page.set_viewport_size({"width": width, "height": height})
    sp.goto("stages.html")
    section = page.locator("#cb-view")
    assert section.locator("h2").inner_text() == "The certification body's view (indicative)"
    assert section.locator("table.cb-plan tbody tr").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for box in section.locator(".cb-sources li").all():
        assert box.bounding_box()["width"] <= width
    violations = run_axe(page, axe_js)
    assert not violations, format_violations("stages.html (multi-site)", violations)
    assert sp.external_requests == []
