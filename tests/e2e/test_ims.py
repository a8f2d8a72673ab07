"""An integrated system's portals in a browser (issue 23): examples/ims (ISO 9001:2015 + ISO 14001:2015).

The standard switcher is visible and works with the keyboard at 390x844 (a phone) and 1366x900 (a laptop),
over HTTP under a Pages-like sub-path and from file://; the page never scrolls sideways at 390 px; axe-core
and the Nu HTML checker find nothing on the dashboards and on an ISO 14001 clause page.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest

from conftest import serve_folder
from e2e_support import ROOT, SiteBase, playwright_sync_api
from test_a11y import format_violations, format_vnu, run_axe, run_vnu

expect = playwright_sync_api().expect

EXAMPLE = ROOT / "examples" / "ims"
AS_OF = date(2026, 12, 6)
FOLDER = "iso-14001-2015"
Q, E = "ISO 9001:2015", "ISO 14001:2015"
SIZES = [(390, 844), (1366, 900)]
#: the pages judged by axe-core and the Nu HTML checker
JUDGED = ["index.html", f"{FOLDER}/index.html", f"{FOLDER}/clauses/6.1.2.html"]


def build_ims(base: Path) -> Path:
    from isoready.package.build import Options, build

    root = base / "ims"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".cache", "output"))
    site = base / "site"
    result = build(Options(root=root, as_of=AS_OF, output=site, commit="ims", use_cache=False))
    assert result.ok, [str(d) for d in result.diagnostics]
    return site


@pytest.fixture(scope="module")
def ims_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_ims(tmp_path_factory.mktemp("ims"))


@pytest.fixture(scope="module")
def ims_http(ims_site: Path) -> Iterator[SiteBase]:
    """The IMS site under a sub-path, as GitHub Pages serves a project site: http://127.0.0.1:PORT/site/."""
    server, thread = serve_folder(ims_site.parent)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield SiteBase("http", ims_site, f"{origin}/{ims_site.name}/", origin)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(params=["subpath", "file"])
def ims(request: pytest.FixtureRequest, ims_site: Path) -> SiteBase:
    if request.param == "subpath":
        return request.getfixturevalue("ims_http")
    return SiteBase("file", ims_site, ims_site.as_uri() + "/", "file://")


def switcher(page):  # noqa: ANN001, ANN201
    return page.get_by_role("navigation", name="Standards")


def no_sideways_scroll(page) -> None:  # noqa: ANN001
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} px of content in {width[1]} px"


def tab_to(page, name: str, limit: int = 12) -> None:  # noqa: ANN001
    """Press Tab from the top of the page until the switcher's link ``name`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.closest("
                                "'nav[aria-label=Standards]') ? document.activeElement.textContent.trim() : ''")
        if focused == name:
            return
    pytest.fail(f"{name} in the standard switcher was not reached in {limit} Tab presses")


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_switcher_is_visible_and_works_from_the_keyboard(width: int, height: int, ims: SiteBase,
                                                              site_page) -> None:
    sp = site_page(ims)
    page = sp.page
    page.set_viewport_size({"width": width, "height": height})
    sp.goto("index.html")
    nav = switcher(page)
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name=Q)).to_have_attribute("aria-current", "true")
    expect(nav.get_by_role("link", name=E)).to_be_visible()
    expect(nav.get_by_role("link", name=E)).not_to_have_attribute("aria-current", "true")
    no_sideways_scroll(page)

    tab_to(page, E)
    page.keyboard.press("Enter")
    page.wait_for_url("**/" + FOLDER + "/index.html")
    assert sp.site.rel(page.url) == f"{FOLDER}/index.html"
    expect(switcher(page).get_by_role("link", name=E)).to_have_attribute("aria-current", "true")
    no_sideways_scroll(page)

    sp.goto(f"{FOLDER}/clauses/6.1.2.html")
    expect(page.get_by_role("heading", level=1)).to_contain_text("6.1.2")
    no_sideways_scroll(page)
    tab_to(page, Q)
    page.keyboard.press("Enter")
    page.wait_for_url("**/index.html")
    assert sp.site.rel(page.url) == "index.html"
    expect(switcher(page).get_by_role("link", name=Q)).to_have_attribute("aria-current", "true")


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("rel", JUDGED)
def test_axe_finds_no_violations_on_the_ims_portals(rel: str, width: int, height: int, ims_http: SiteBase,
                                                   site_page, axe_js: Path) -> None:
    sp = site_page(ims_http, bypass_csp=True)  # axe-core goes in as an inline script
    sp.page.set_viewport_size({"width": width, "height": height})
    sp.goto(rel)
    violations = run_axe(sp.page, axe_js)
    assert not violations, format_violations(f"{rel} at {width}x{height}", violations)


def test_vnu_finds_no_errors_in_the_ims_portals(ims_site: Path, vnu_cmd: list[str]) -> None:
    """Every page of both portals (one JVM), the judged pages named first."""
    files = sorted(ims_site.rglob("*.html"))
    report = run_vnu(vnu_cmd, files)
    bad = {path: msgs for path, msgs in report.items() if msgs}
    for rel in JUDGED:
        assert (ims_site / rel).resolve() in report, rel
    assert not bad, "\n".join(format_vnu(str(p), m) for p, m in sorted(bad.items(), key=lambda kv: str(kv[0])))
