"""A Japanese build's search finds a clause by a Japanese term from its guidance (issue 26), in Chromium.

Two sites:
- ``ja_index_site``: the demo site with its search index remade (outputs.export.search_script) from the Japanese
  catalog's titles and guidance (isoready/standards/iso9001/translations/ja/iso9001-2015.yaml), so the search is
  tested on Japanese text whether or not the build can speak Japanese yet;
- ``ja_build``: the demo built with ``--language ja`` (issue 26's whole path: the language option, the Japanese
  catalog text in the views, the index).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from e2e_support import AS_OF, AUDIENCE, ROOT, SiteBase, playwright_sync_api
from isoready.outputs.export import search_script
from isoready.views.labels import prose

pytestmark = pytest.mark.browser
expect = playwright_sync_api().expect

JA_2015 = ROOT / "isoready" / "standards" / "iso9001" / "translations" / "ja" / "iso9001-2015.yaml"
PREFIX = "window.PORTAL_SEARCH="


def _japanese_index(site: Path) -> None:
    """Rewrite the site's search index: each clause's title and text as the Japanese catalog gives them."""
    clauses = yaml.safe_load(JA_2015.read_text(encoding="utf-8"))["clauses"]
    index = site / "search-index.js"
    script = index.read_text(encoding="ascii")
    entries = json.loads(script[len(PREFIX):script.rindex(";")])
    for entry in entries:
        ja = clauses.get(entry["id"]) if entry["type"] == "Clause" else None
        if ja:
            entry["title"] = ja.get("title") or ja.get("label") or entry["title"]
            entry["text"] = prose(ja["about"])
    index.write_text(search_script(entries), encoding="ascii")


@pytest.fixture(scope="module")
def ja_index_site(demo_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("ja-index") / "site"
    shutil.copytree(demo_site, site)
    _japanese_index(site)
    return site


def _served(folder: Path, mode: str) -> Iterator[SiteBase]:
    if mode == "file":
        yield SiteBase("file", folder, folder.as_uri() + "/", "file://")
        return
    from conftest import serve_folder

    server, thread = serve_folder(folder)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield SiteBase("http", folder, origin + "/", origin)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(params=["http", "file"])
def ja_site(request: pytest.FixtureRequest, ja_index_site: Path) -> Iterator[SiteBase]:
    yield from _served(ja_index_site, request.param)


def _search_page_finds(site_page, site: SiteBase, query: str, number: str) -> None:  # noqa: ANN001
    """search.html?q=<query> lists clause <number> (highlighted where it matched), and its link opens the clause."""
    sp = site_page(site)
    page = sp.page
    sp.goto("clauses/4.1.html")  # a page in a sub-folder: the result links are made relative to it
    box = page.locator("#site-search")
    box.fill(query)
    box.press("Enter")
    expect(page.locator("#search-page-input")).to_have_value(query)
    results = page.locator("#search-results > li")
    hit = results.filter(has=page.locator(".result-id", has_text=re.compile(rf"^{re.escape(number)}$")))
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_be_visible()
    hit.locator("a").first.click()
    expect(page).to_have_url(site.url(f"clauses/{number}.html"))
    assert not sp.external_requests, sp.external_requests


def test_search_page_finds_a_clause_by_a_japanese_term_from_its_guidance(ja_site: SiteBase, site_page) -> None:
    _search_page_finds(site_page, ja_site, "気候変動", "4.1")


def test_a_japanese_query_with_a_particle_and_a_compound_finds_its_clause(ja_site: SiteBase, site_page) -> None:
    # 校正 and 間隔 stand apart in 7.1.5.2's guidance; の between them is a particle, left out
    _search_page_finds(site_page, ja_site, "校正の間隔", "7.1.5.2")
    # written nowhere as one word: 9.2.2 says 監査プログラムを計画し
    _search_page_finds(site_page, ja_site, "監査プログラム計画", "9.2.2")


def test_header_search_offers_the_clause_titled_in_japanese(ja_site: SiteBase, site_page) -> None:
    sp = site_page(ja_site)
    page = sp.page
    sp.goto("index.html")
    page.locator("#site-search").fill("ﾄﾚｰｻﾋﾞﾘﾃｨ")  # half-width katakana, as some keyboards type it
    popup = page.locator("#search-popup")
    expect(popup).to_be_visible()
    options = popup.get_by_role("option")
    expect(options.first.locator(".opt-title mark")).to_have_text("トレーサビリティ")  # a title match ranks first
    for title in ("測定のトレーサビリティ", "識別及びトレーサビリティ"):  # 7.1.5.2 and 8.5.2 (JIS Q 9001)
        expect(options.filter(has_text=title)).to_have_count(1)


def test_an_english_query_still_finds_english_records_in_the_japanese_index(ja_site: SiteBase, site_page) -> None:
    sp = site_page(ja_site)
    page = sp.page
    sp.goto("search.html?q=supplier")
    results = page.locator("#search-results > li")
    expect(results.first).to_be_visible()
    expect(page.locator("#search-status")).to_contain_text(re.compile(r"\d+ results? for .supplier."))


def test_japanese_results_fit_a_phone_screen(ja_site: SiteBase, site_page) -> None:
    """Japanese runs have no spaces to wrap at: the results and the popup still fit 390 px, no sideways scroll."""
    sp = site_page(ja_site)
    page = sp.page
    page.set_viewport_size({"width": 390, "height": 844})
    sp.goto("search.html?q=" + "マネジメントレビュー")
    expect(page.locator("#search-results > li").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('#search-results li, #search-results li *'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).map(e => e.outerHTML.slice(0, 80))""")
    assert not wide, wide
    page.locator("#site-search").fill("組織の知識")
    expect(page.locator("#search-popup").get_by_role("option").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# --------------------------------------------------------------------------- the whole path: --language ja


@pytest.fixture(scope="module")
def ja_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("ja-build") / "site"
    cmd = [sys.executable, "-m", "isoready", "build", "--root", str(ROOT), "--as-of", AS_OF, "--audience",
           AUDIENCE, "--language", "ja", "--output", str(output)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}"
    return output


@pytest.fixture(params=["http", "file"])
def ja_built_site(request: pytest.FixtureRequest, ja_build: Path) -> Iterator[SiteBase]:
    yield from _served(ja_build, request.param)


def test_a_japanese_build_finds_a_clause_by_a_japanese_term_from_its_guidance(ja_built_site: SiteBase,
                                                                              site_page) -> None:
    html = (ja_built_site.root / "clauses" / "4.1.html").read_text(encoding="utf-8")
    assert '<html lang="ja"' in html
    assert "組織及びその状況の理解" in html  # JIS Q 9001's title
    _search_page_finds(site_page, ja_built_site, "気候変動", "4.1")
    _search_page_finds(site_page, ja_built_site, "監査プログラム計画", "9.2.2")
