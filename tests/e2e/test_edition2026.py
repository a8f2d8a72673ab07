"""A project on ISO 9001:2026 (tests/fixtures/edition2026) built with the real CLI and read in Chromium: its
clause pages say which entries are provisional and what changed, and pass axe; the demo's dashboard links its
transition gaps to the transition page."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from conftest import serve_folder
from e2e_support import ROOT, SiteBase, playwright_sync_api
from test_a11y import format_violations, run_axe

expect = playwright_sync_api().expect

pytestmark = pytest.mark.browser

FIXTURE = ROOT / "tests" / "fixtures" / "edition2026"
PROVISIONAL = "provisional: from the FDIS and secondary sources"


@pytest.fixture(scope="module")
def site2026(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteBase]:
    work = tmp_path_factory.mktemp("edition2026")
    project = work / "project"  # a copy: the build writes its cache into the project folder
    shutil.copytree(FIXTURE, project)
    out = work / "site"
    cmd = [sys.executable, "-m", "isoready", "build", "--root", str(project), "--as-of", "2026-11-24",
           "--output", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no problems found" in proc.stdout
    server, thread = serve_folder(out)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield SiteBase("http", out, origin + "/", origin)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_readiness_json_names_the_edition_and_has_no_transition(site2026: SiteBase) -> None:
    data = json.loads((site2026.root / "readiness.json").read_text(encoding="utf-8"))
    assert (data["standard"], data["transition"]) == ("ISO 9001:2026", None)


def test_a_split_clause_page_shows_it_is_provisional_and_what_changed(site2026: SiteBase, site_page) -> None:
    sp = site_page(site2026)
    sp.goto("clauses/6.1.3.html")
    page = sp.page
    expect(page.locator("h1")).to_contain_text("6.1.3 Actions to address opportunities")
    expect(page.locator("h1 .provisional")).to_have_text(f"({PROVISIONAL})")
    expect(page.locator("h1 .provisional")).to_be_visible()
    expect(page.locator(".edition-change .badge")).to_have_text("Split in ISO 9001:2026")
    expect(page.locator(".sources li").first).to_be_visible()
    expect(page.locator("footer")).to_contain_text("ISO 9001:2026")
    # the breadcrumb leads to 6.1, whose sub-clause table marks all three provisional sub-clauses
    page.locator(".breadcrumb a", has_text="6.1").click()
    expect(page.locator("h1")).to_contain_text("6.1 Actions to address risks and opportunities")
    expect(page.locator("section[aria-labelledby=children-h] .provisional")).to_have_count(3)
    expect(page.locator(".edition-change .badge")).to_have_text("Changed in ISO 9001:2026")


def test_10_1_is_continual_improvement_and_10_3_is_gone(site2026: SiteBase, site_page) -> None:
    sp = site_page(site2026)
    sp.goto("clauses/10.html")
    rows = sp.page.locator("section[aria-labelledby=children-h] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("10.1 Continual improvement")
    expect(rows.nth(1)).to_contain_text("10.2")
    sp.goto("clauses.html")
    expect(sp.page.locator("h1")).to_have_text("Clauses of ISO 9001:2026")
    expect(sp.page.get_by_role("link", name="6.1.3 Actions to address opportunities", exact=False)).to_be_visible()


@pytest.mark.parametrize("rel", ["clauses/6.1.3.html", "clauses/6.1.html", "index.html"])
def test_axe_on_2026_pages(rel: str, site2026: SiteBase, site_page, axe_js: Path) -> None:
    sp = site_page(site2026, bypass_csp=True)
    sp.goto(rel)
    violations = run_axe(sp.page, axe_js)
    assert not violations, format_violations(rel, violations)


def test_demo_dashboard_gap_links_open_the_topic_on_the_transition_page(http_base: SiteBase, site_page) -> None:
    sp = site_page(http_base)
    sp.goto("index.html")
    panel = sp.page.locator(".transition-panel")
    expect(panel.locator("h2")).to_have_text("Ready for ISO 9001:2026?")
    expect(panel.locator(".transition-figures")).to_have_text("2 of 6 topics addressed")
    expect(panel).to_contain_text("Transition deadline")
    panel.get_by_role("link", name="Quality culture and ethical behaviour").click()
    expect(sp.page).to_have_url(http_base.url("transition.html#topic-quality-culture-ethics"))
    topic = sp.page.locator("#topic-quality-culture-ethics")
    expect(topic.locator("h3 .badge")).to_have_text("Gap")
    climate = sp.page.locator("#topic-climate-change")
    expect(climate.locator("h3 .badge")).to_have_text("Addressed")
    expect(climate.locator(".topic-evidence a")).to_have_text("Context review and interested-parties register")
    expect(sp.page.locator("#topic-organizational-knowledge h3 .provisional")).to_have_text(f"({PROVISIONAL})")
