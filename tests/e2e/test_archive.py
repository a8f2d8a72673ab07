"""The auditor's offline archive: built once, unzipped, browsed from file:// and checked without a browser.

``python3 -m isoready archive`` writes one zip holding one folder with the whole site and its documents.
An auditor unzips it and opens ``index.html`` from disk; nothing may be fetched from anywhere else (the
``site_page`` guard aborts and fails any request outside ``file://``, any console error and any CSP
violation). The browser-free tests check that every internal link of the unzipped copy resolves, that
the archive verifies against its manifest, and that one flipped byte is caught both by
``isoready verify`` and by the documented one-liner ``sha256sum -c SHA256SUMS``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator
from urllib.parse import unquote, urlsplit

import pytest

from e2e_support import (
    AS_OF,
    AUDIENCE,
    ORGANISATION,
    ROOT,
    TIMEOUT_MS,
    PageGuard,
    SiteBase,
    flush,
    playwright_sync_api,
)
from isoready.package.archive import verify

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ARCHIVE_NAME = f"kestrel-precision-components-ltd-iso9001-readiness-{AS_OF}-{AUDIENCE}"
SUPPLIER_SOURCE = ROOT / "evidence" / "operation" / "approved-supplier-list.csv"
SUPPLIER_DOC = "files/operation/approved-supplier-list.csv"
SUPPLIER_PAGE = "evidence/operation/approved-supplier-list.html"
CALIBRATION_PAGE = "evidence/support/calibration-register.html"
# What the brief promises the archive holds (folders end in "/").
EXPECTED_TOP = ["index.html", "clauses/", "evidence/", "files/", "search-index.js", "readiness.json",
                "checklist.csv", "checklist.xlsx", "manifest.json", "SHA256SUMS", "README.txt"]


def _expect():  # noqa: ANN202 - playwright's expect, imported only by the browser tests
    return playwright_sync_api().expect


def _title_of(path: Path) -> str:
    import yaml

    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["title"])


SUPPLIER_TITLE = _title_of(ROOT / "evidence" / "operation" / "approved-supplier-list.yaml")
CALIBRATION_TITLE = _title_of(ROOT / "evidence" / "support" / "calibration-register.yaml")


# --------------------------------------------------------------------------- the archive, once


@dataclass(frozen=True)
class Archive:
    zip: Path
    folder: Path  # the unzipped site folder (<dist>/unzipped/<ARCHIVE_NAME>)

    @property
    def site(self) -> SiteBase:
        return SiteBase("file", self.folder, self.folder.as_uri() + "/", "file://")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """``isoready archive`` run once for the module with the real CLI, then unzipped next to the zip."""
    dist = tmp_path_factory.mktemp("archive-dist")
    cmd = [sys.executable, "-m", "isoready", "archive", "--root", str(ROOT), "--as-of", AS_OF, "--dist", str(dist)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    if proc.returncode != 0:
        pytest.fail(f"the archive command failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                    f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}", pytrace=False)
    target = dist / f"{ARCHIVE_NAME}.zip"
    zips = sorted(p.name for p in dist.glob("*.zip"))
    assert zips == [target.name], f"expected exactly {target.name} in --dist, found {zips}"
    assert str(target) in proc.stdout, f"the command did not say where it wrote the archive:\n{proc.stdout}"

    unzipped = dist / "unzipped"
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        bad = [n for n in names if n.startswith("/") or ".." in n.split("/")]
        assert not bad, f"unsafe entry names in the archive: {bad}"
        zf.extractall(unzipped)
    tops = sorted({n.split("/", 1)[0] for n in names})
    assert tops == [ARCHIVE_NAME], f"the archive must hold exactly one folder {ARCHIVE_NAME}/, found {tops}"
    folder = unzipped / ARCHIVE_NAME
    assert (folder / "index.html").is_file()
    return Archive(zip=target, folder=folder)


# --------------------------------------------------------------------------- no browser


def test_archive_holds_the_whole_site_in_one_folder(archive: Archive) -> None:
    with zipfile.ZipFile(archive.zip) as zf:
        names = {n[len(ARCHIVE_NAME) + 1:] for n in zf.namelist() if not n.endswith("/")}
    missing = [want for want in EXPECTED_TOP
               if not (any(n.startswith(want) for n in names) if want.endswith("/") else want in names)]
    assert not missing, f"the archive lacks {missing}"
    # Every evidence document is in files/, byte for byte.
    manifest = json.loads((archive.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["organisation"] == ORGANISATION
    assert manifest["as_of"] == AS_OF and manifest["audience"] == AUDIENCE
    readiness = json.loads((archive.folder / "readiness.json").read_text(encoding="utf-8"))
    documents = [e["document"] for e in readiness["evidence"] if e["document"]]
    assert len(documents) > 10, f"suspiciously few documents: {documents}"
    for doc in documents:
        assert doc in names, f"{doc} (named in readiness.json) is not in the archive"
        entry = next(e for e in readiness["evidence"] if e["document"] == doc)
        assert hashlib.sha256((archive.folder / doc).read_bytes()).hexdigest() == entry["sha256"], doc
    assert (archive.folder / SUPPLIER_DOC).read_bytes() == SUPPLIER_SOURCE.read_bytes()
    readme = (archive.folder / "README.txt").read_text(encoding="utf-8")
    assert "sha256sum -c SHA256SUMS" in readme, "README.txt must document the one-line integrity check"


# Links: reuse tests/unit/test_site_links.py's parser when it can be imported; else a small one here.
try:
    from tests.unit.test_site_links import _Collector as LinkCollector  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - fallback when the unit tests are not importable as a package
    from html.parser import HTMLParser

    class LinkCollector(HTMLParser):  # type: ignore[no-redef]
        _ATTRS = {"a": ("href",), "area": ("href",), "link": ("href",), "script": ("src",), "img": ("src",),
                  "source": ("src",), "iframe": ("src",), "embed": ("src",), "object": ("data",),
                  "audio": ("src",), "video": ("src", "poster"), "track": ("src",), "input": ("src",),
                  "image": ("href", "xlink:href"), "use": ("href", "xlink:href"), "form": ("action",)}

        @dataclass(frozen=True)
        class _Ref:
            page: str
            line: int
            tag: str
            attr: str
            url: str

            def where(self) -> str:
                return f"{self.page}:{self.line}: <{self.tag} {self.attr}={self.url!r}>"

        def __init__(self, page: str) -> None:
            super().__init__(convert_charrefs=True)
            self.page = page
            self.refs: list = []
            self.ids: set[str] = set()

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = {k: (v or "") for k, v in attrs}
            if values.get("id"):
                self.ids.add(values["id"])
            for attr in self._ATTRS.get(tag, ()):
                if attr in values:
                    self.refs.append(self._Ref(self.page, self.getpos()[0], tag, attr, values[attr].strip()))

        handle_startendtag = handle_starttag


def _parse_pages(folder: Path) -> dict[str, object]:
    pages = {}
    for path in sorted(folder.rglob("*.html")):
        rel = path.relative_to(folder).as_posix()
        collector = LinkCollector(rel)
        collector.feed(path.read_text(encoding="utf-8"))
        collector.close()
        pages[rel] = collector
    return pages


def test_every_internal_link_of_the_unzipped_archive_resolves(archive: Archive) -> None:
    import posixpath

    pages = _parse_pages(archive.folder)
    assert "index.html" in pages and len(pages) > 50, f"suspiciously small archive: {len(pages)} HTML files"
    problems: list[str] = []
    checked = 0
    for page in pages.values():
        for ref in page.refs:
            url = ref.url
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                # Only mailto:, external <a> links and data: images are allowed; nothing else leaves the folder.
                scheme = parts.scheme.lower()
                if (scheme in ("http", "https") and ref.tag == "a") or (scheme == "mailto" and ref.tag == "a") \
                        or (scheme == "data" and ref.tag in ("img", "image")):
                    continue
                problems.append(f"{ref.where()}: not a file inside the archive")
                continue
            if url.startswith("/"):
                problems.append(f"{ref.where()}: absolute path (breaks from file://)")
                continue
            if not parts.path:
                target, fragment = ref.page, unquote(parts.fragment)
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(ref.page), unquote(parts.path)))
                fragment = unquote(parts.fragment)
            checked += 1
            if target == ".." or target.startswith("../"):
                problems.append(f"{ref.where()}: leaves the archive's folder (-> {target})")
            elif not (archive.folder / target).is_file():
                problems.append(f"{ref.where()}: no such file {target} in the archive")
            elif fragment and target in pages and fragment not in pages[target].ids:
                problems.append(f"{ref.where()}: no id={fragment!r} in {target}")
    assert checked > 1000, f"only {checked} internal URLs checked: is the parser seeing the pages?"
    shown = "\n  ".join(problems[:60])
    assert not problems, f"{len(problems)} broken URLs in the unzipped archive:\n  {shown}"


def test_archive_verifies_against_its_manifest(archive: Archive) -> None:
    assert verify(archive.zip) == [], "the zip as written does not match its own manifest.json"
    assert verify(archive.folder) == [], "the unzipped folder does not match its manifest.json"
    proc = subprocess.run([sys.executable, "-m", "isoready", "verify", str(archive.zip)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "every file matches manifest.json" in proc.stdout


@pytest.fixture
def tampered(archive: Archive, tmp_path: Path) -> tuple[Path, str]:
    """A copy of the unzipped archive with one byte of one evidence document flipped."""
    folder = tmp_path / ARCHIVE_NAME
    shutil.copytree(archive.folder, folder)
    doc = folder / SUPPLIER_DOC
    data = bytearray(doc.read_bytes())
    data[len(data) // 2] ^= 0x01
    doc.write_bytes(bytes(data))
    return folder, SUPPLIER_DOC


def test_isoready_verify_names_the_changed_document(tampered: tuple[Path, str]) -> None:
    folder, rel = tampered
    proc = subprocess.run([sys.executable, "-m", "isoready", "verify", str(folder)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, f"exit {proc.returncode}, expected 1:\n{proc.stdout}{proc.stderr}"
    lines = proc.stdout.splitlines()
    assert any(line.startswith(f"{rel}:") for line in lines), f"{rel} is not named:\n{proc.stdout}"
    others = [line for line in lines if ":" in line and not line.startswith(rel) and "problem" not in line]
    assert not others, f"files other than {rel} reported:\n{proc.stdout}"
    assert [p.path for p in verify(folder)] == [rel]


def test_sha256sum_one_liner_fails_on_the_changed_document(tampered: tuple[Path, str]) -> None:
    folder, rel = tampered
    sha256sum = shutil.which("sha256sum")
    if sha256sum is None:
        pytest.skip("sha256sum (coreutils) is not installed")
    # The untouched copy passes (test below), so this failure is the flipped byte.
    ok = subprocess.run([sha256sum, "-c", "--quiet", "SHA256SUMS"], cwd=folder, capture_output=True, text=True,
                        timeout=60, env={**os.environ, "LC_ALL": "C"})
    assert ok.returncode == 1, f"sha256sum -c passed on a tampered copy:\n{ok.stdout}{ok.stderr}"
    assert re.search(rf"^{re.escape(rel)}: FAILED$", ok.stdout, re.M), ok.stdout + ok.stderr
    failed = [line for line in ok.stdout.splitlines() if line.endswith("FAILED")]
    assert failed == [f"{rel}: FAILED"], f"unexpected failures:\n{ok.stdout}"


def test_sha256sum_one_liner_passes_on_the_untouched_archive(archive: Archive) -> None:
    sha256sum = shutil.which("sha256sum")
    if sha256sum is None:
        pytest.skip("sha256sum (coreutils) is not installed")
    proc = subprocess.run([sha256sum, "-c", "SHA256SUMS"], cwd=archive.folder, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "LC_ALL": "C"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = len((archive.folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    assert proc.stdout.count(": OK") == listed > 50


# --------------------------------------------------------------------------- in Chromium, from file://


def fact(page: Page, term: str) -> Locator:
    """The <dd> that follows the <dt> named ``term`` in a facts list."""
    return page.locator("dl dt", has_text=re.compile(rf"^\s*{re.escape(term)}\s*$")).locator(
        "xpath=following-sibling::dd[1]")


def _assert_stayed_on_disk(sp) -> None:  # noqa: ANN001
    assert sp.guard.requests, "no request was recorded at all: the request recorder is broken"
    assert sp.external_requests == [], f"requests left file://: {sp.external_requests}"


@pytest.mark.browser
def test_dashboard_to_clause_to_evidence_to_document(archive: Archive, site_page) -> None:
    expect = _expect()
    site = archive.site
    sp = site_page(site)
    page = sp.page
    sp.goto("index.html")
    expect(page.locator("h1")).to_contain_text(ORGANISATION)
    expect(page.locator("meta[name='isoready:audience']")).to_have_attribute("content", AUDIENCE)

    page.locator("main table").get_by_role("link", name="8 Operation", exact=True).click()
    expect(page).to_have_url(site.url("clauses/8.html"))
    expect(page.locator("h1")).to_have_text(re.compile(r"^\s*8\s+Operation\s*$"))

    subs = page.get_by_role("region", name="Sub-clauses")
    subs.get_by_role("link", name=re.compile(r"^8\.4 ")).click()
    expect(page).to_have_url(site.url("clauses/8.4.html"))
    page.get_by_role("region", name="Sub-clauses").get_by_role("link", name=re.compile(r"^8\.4\.1 ")).click()
    expect(page).to_have_url(site.url("clauses/8.4.1.html"))
    expect(page.locator("h1")).to_have_text(re.compile(
        r"^\s*8\.4\.1\s+General \(Control of externally provided processes, products and services\)\s*$"))
    expect(fact(page, "Computed state")).to_have_text(re.compile(r"^\s*Not ready\s*$"))

    page.get_by_role("region", name="Evidence").get_by_role("link", name=SUPPLIER_TITLE).click()
    expect(page).to_have_url(site.url(SUPPLIER_PAGE))
    expect(page.locator("h1")).to_have_text(SUPPLIER_TITLE)
    original = SUPPLIER_SOURCE.read_bytes()
    expect(fact(page, "SHA-256")).to_have_text(re.compile(rf"^\s*{hashlib.sha256(original).hexdigest()}\s*$"))

    # Chromium downloads text/csv rather than showing it: the download is the document, byte for byte.
    with page.expect_download() as info:
        fact(page, "Document").get_by_role("link", name=SUPPLIER_SOURCE.name).click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.url == site.url(SUPPLIER_DOC)
    assert Path(download.path()).read_bytes() == original, "the archived document differs from evidence/"
    _assert_stayed_on_disk(sp)


@pytest.mark.browser
def test_header_search_offers_options_from_disk(archive: Archive, site_page) -> None:
    expect = _expect()
    site = archive.site
    sp = site_page(site)
    page = sp.page
    sp.goto("index.html")
    box = page.locator("#site-search")
    box.click()
    box.press_sequentially("supplier", delay=20)
    popup = page.locator("#search-popup")
    expect(popup).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = popup.get_by_role("option")
    expect(options.first).to_be_visible()
    assert options.count() >= 1
    # the record and its register page share the title: the record's option is the one typed Evidence
    option = options.filter(has_text=SUPPLIER_TITLE).filter(has=page.locator(".result-type", has_text="Evidence"))
    expect(option).to_have_count(1)
    option.click()
    expect(page).to_have_url(site.url(SUPPLIER_PAGE))
    expect(page.locator("h1")).to_have_text(SUPPLIER_TITLE)
    _assert_stayed_on_disk(sp)


@pytest.mark.browser
def test_search_page_finds_calibration_and_a_result_opens_its_page(archive: Archive, site_page) -> None:
    expect = _expect()
    site = archive.site
    sp = site_page(site)
    page = sp.page
    page.goto(site.url("search.html?q=calibration"))
    expect(page.locator("#search-page-input")).to_have_value("calibration")
    results = page.locator("#search-results > li")
    expect(results.first).to_be_visible()
    expect(page.locator("#search-status")).to_contain_text(re.compile(r"\d+ results? for .calibration."))
    # Every result links to a page that exists in the unzipped folder.
    hrefs = [page.evaluate("(a) => a.href", a) for a in page.locator("#search-results a").element_handles()]
    assert hrefs, "no result links"
    for href in hrefs:
        assert href.startswith(site.base), f"result {href} is outside the archive folder"
        assert (site.root / site.rel(href)).is_file(), f"result {href} names no file"

    # the record and its register page share the title: the record's result is the one typed Evidence
    result = results.filter(has=page.get_by_role("link", name=CALIBRATION_TITLE, exact=True)).filter(
        has=page.locator(".result-type", has_text="Evidence"))
    expect(result).to_have_count(1)
    result.get_by_role("link", name=CALIBRATION_TITLE, exact=True).click()
    expect(page).to_have_url(site.url(CALIBRATION_PAGE))
    expect(page.locator("h1")).to_have_text(CALIBRATION_TITLE)
    _assert_stayed_on_disk(sp)


@pytest.mark.browser
def test_dashboard_charts_are_inline_svg_with_text_alternatives(archive: Archive, site_page) -> None:
    site = archive.site
    sp = site_page(site)
    page = sp.page
    sp.goto("index.html")
    charts = page.locator("figure.chart")
    assert charts.count() >= 3, f"only {charts.count()} charts on the dashboard"
    assert page.locator("figure.chart img, figure.chart object, figure.chart embed, figure.chart iframe").count() == 0
    for i in range(charts.count()):
        figure = charts.nth(i)
        svg = figure.locator(":scope > svg")
        assert svg.count() == 1, f"chart {i} is not an inline <svg> child of its figure"
        assert svg.get_attribute("role") == "img"
        title = svg.locator(":scope > title")
        assert title.count() == 1, f"chart {i} has no <title>"
        text = title.text_content().strip()
        assert re.search(r"\d", text), f"chart {i}'s <title> carries no figures: {text!r}"
        labelledby = svg.get_attribute("aria-labelledby")
        if labelledby:
            assert title.get_attribute("id") in labelledby.split(), f"chart {i}: aria-labelledby misses its title"
        box = svg.bounding_box()
        if _hidden_trend_drawing(figure, box):
            continue
        assert box and box["width"] > 20 and box["height"] > 10, f"chart {i} does not render: {box}"
    _assert_one_trend_drawing_shows(page)
    _assert_stayed_on_disk(sp)


def _hidden_trend_drawing(figure, box) -> bool:  # noqa: ANN001
    """The trend is drawn twice (wide for desktops, narrow for phones) and the stylesheet shows one: the other
    renders nothing on purpose."""
    classes = (figure.get_attribute("class") or "").split()
    return box is None and bool({"trend-wide", "trend-narrow"} & set(classes))


def _assert_one_trend_drawing_shows(page) -> None:  # noqa: ANN001
    drawings = page.locator("figure.chart-trend")
    if drawings.count():
        shown = [drawings.nth(i).get_attribute("class") for i in range(drawings.count())
                 if drawings.nth(i).locator("svg").bounding_box()]
        assert len(shown) == 1, f"the trend should show exactly one drawing at this width, shows {shown}"


@pytest.fixture
def no_js_page(browser, archive: Archive) -> Iterator[tuple[object, PageGuard]]:  # noqa: ANN001
    """A page in a fresh context with JavaScript disabled, guarded like ``site_page`` (file:// only)."""
    guard = PageGuard(origin="file://")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)

    def route(route) -> None:  # noqa: ANN001
        url = route.request.url
        if guard.allowed(url):
            route.continue_()
        else:
            guard.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    context.on("request", lambda req: guard.requests.append(req.url))
    context.on("console", lambda msg: guard.console_errors.append(msg.text) if msg.type == "error" else None)
    page = context.new_page()
    try:
        yield page, guard
    finally:
        context.close()


@pytest.mark.browser
def test_charts_render_without_javascript(archive: Archive, no_js_page) -> None:
    expect = _expect()
    page, guard = no_js_page
    page.goto(archive.site.url("index.html"))
    # portal.js marks <html class="js"> when it runs: it must not have.
    assert "js" not in (page.locator("html").get_attribute("class") or "").split(), "JavaScript ran"

    readiness = json.loads((archive.folder / "readiness.json").read_text(encoding="utf-8"))
    states = readiness["readiness"]["states"]
    stack = page.locator(".card-overall figure.chart-stack")
    expect(stack.locator("svg > title")).to_contain_text(
        f"Ready {states['ready']}; At risk {states['at-risk']}; Not ready {states['not-ready']}")
    expect(stack.locator("svg")).to_be_visible()

    bars = page.locator("figure.chart-bars")
    bars_title = bars.locator("svg > title").text_content()
    for main, share in readiness["readiness"]["by_main_clause"].items():
        if share is None:
            continue
        assert re.search(rf"\b{main} [^;%]+ \d+% ready", bars_title), \
            f"main clause {main} missing from the bar chart's <title>: {bars_title!r}"
    expect(bars.locator("figcaption")).to_have_text(re.compile(r"\S"))
    expect(bars.locator("svg")).to_be_visible()

    legends = page.locator("figure.chart ul.legend")
    assert legends.count() >= 1, "no chart legend"
    items = [" ".join(t.split()) for t in page.locator("figure.chart ul.legend li").all_inner_texts()]
    assert items and all(re.fullmatch(r".+: \d+ \(\d+%\)", t) for t in items), f"legend items: {items}"
    statuses = readiness["readiness"]["statuses"]
    status_items = [" ".join(t.split()) for t in
                    page.locator("section[aria-labelledby=status-h] figure.chart-stack").locator("ul.legend li").all_inner_texts()]
    legend_total = sum(int(re.search(r": (\d+) \(", t).group(1)) for t in status_items)
    assert legend_total == sum(statuses.values()), f"status legend adds to {legend_total}, expected {statuses}"
    for i in range(page.locator("figure.chart").count()):
        figure = page.locator("figure.chart").nth(i)
        svg = figure.locator(":scope > svg")
        assert svg.locator(":scope > title").count() == 1
        box = svg.bounding_box()
        if _hidden_trend_drawing(figure, box):
            continue
        assert box and box["width"] > 20 and box["height"] > 10, f"chart {i} does not render without JS: {box}"
    _assert_one_trend_drawing_shows(page)

    flush(page)
    assert guard.requests, "no request was recorded at all"
    assert guard.problems() == [], "the page misbehaved without JavaScript:\n  " + "\n  ".join(guard.problems())
