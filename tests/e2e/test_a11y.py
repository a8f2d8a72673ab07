"""Accessibility and markup, judged by axe-core (in Chromium) and the Nu HTML checker (vnu.jar).

Both come from ``tests/e2e/node_modules`` (``npm ci --prefix tests/e2e``, pinned by package-lock.json).
Missing judges skip locally and fail under CI=true (see ``require`` in e2e_support).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from e2e_support import SiteBase, playwright_sync_api

expect = playwright_sync_api().expect

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# (id, page, what to wait for before judging)
AXE_PAGES = [
    ("dashboard", "index.html", None),
    ("clause-8.4.1", "clauses/8.4.1.html", None),
    ("clause-8", "clauses/8.html", None),
    ("evidence-page", "evidence/operation/approved-supplier-list.html", None),
    ("register", "evidence.html", None),
    ("gaps", "gaps.html", None),
    ("search-results", "search.html?q=supplier", "#search-results > li a"),
    ("transition", "transition.html", None),
    ("team-page", "pages/audit-logistics.html", None),
    ("glossary", "glossary.html", None),
    ("stages", "stages.html", None),
]

VNU_PAGES = [
    "index.html",
    "clauses/8.4.1.html",
    "clauses/8.html",
    "evidence/operation/approved-supplier-list.html",
    "evidence.html",
    "gaps.html",
    "search.html",
    "transition.html",
    "pages/audit-logistics.html",
    "glossary.html",
]


# --------------------------------------------------------------------------- axe-core


def run_axe(page, axe_js: Path) -> list[dict]:  # noqa: ANN001
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
              nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))}));
        }""",
        AXE_TAGS,
    )
    return result


def format_violations(where: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe-core violation(s) on {where} (tags {', '.join(AXE_TAGS)}):"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} node(s)]  {v['helpUrl']}")
        for n in v["nodes"][:8]:
            summary = " ".join((n["summary"] or "").split())
            lines.append(f"    at {n['target']}: {summary}")
            lines.append(f"       {n['html'][:160]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def _open(site_page, site: SiteBase, rel: str, ready: str | None):  # noqa: ANN001, ANN202
    # bypass_csp: axe-core is injected as an inline script, which the site's CSP (rightly) forbids.
    sp = site_page(site, bypass_csp=True)
    sp.goto(rel)
    if ready:
        expect(sp.page.locator(ready).first).to_be_visible()
    return sp


@pytest.mark.browser
@pytest.mark.parametrize(("name", "rel", "ready"), AXE_PAGES, ids=[p[0] for p in AXE_PAGES])
def test_axe_finds_no_wcag21aa_violations(name: str, rel: str, ready: str | None, http_base: SiteBase,
                                          site_page, axe_js: Path) -> None:
    sp = _open(site_page, http_base, rel, ready)
    violations = run_axe(sp.page, axe_js)
    assert not violations, format_violations(rel, violations)


@pytest.mark.browser
def test_axe_finds_no_violations_on_a_public_dashboard_that_publishes_nothing(tmp_path: Path, site_page,
                                                                              axe_js: Path) -> None:
    """The public banner (its glossary links) and the 'No record is published yet' section (issue 22)."""
    import shutil
    from datetime import date

    from conftest import serve_folder
    from e2e_support import ROOT
    from isoready.package.build import Options, build

    root = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", root)
    scope = root / "evidence" / "context" / "scope.yaml"
    scope.write_text(scope.read_text(encoding="utf-8").replace("audience: public\n", ""), encoding="utf-8")
    assert build(Options(root=root, as_of=date(2026, 11, 1), audience="public", use_cache=False)).ok
    server, thread = serve_folder(root / "output")
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        sp = _open(site_page, SiteBase("http", root / "output", origin + "/", origin), "index.html",
                   "section.publish-hint")
        violations = run_axe(sp.page, axe_js)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert not violations, format_violations("public index.html with nothing published", violations)


@pytest.mark.browser
def test_axe_finds_no_violations_with_the_search_popup_open(http_base: SiteBase, site_page, axe_js: Path) -> None:
    sp = _open(site_page, http_base, "index.html", None)
    sp.page.locator("#site-search").fill("supplier")
    expect(sp.page.locator("#search-popup").get_by_role("option").first).to_be_visible()
    violations = run_axe(sp.page, axe_js)
    assert not violations, format_violations("index.html with the search popup open", violations)


@pytest.mark.browser
def test_axe_judge_reports_a_known_violation(tmp_path: Path, site_page, axe_js: Path) -> None:
    """The judge works: under the site's own CSP, an unlabelled image and a field are caught."""
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'\">"
        '<title>bad</title></head><body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<input type="text"></main></body></html>', encoding="utf-8")
    sp = _open(site_page, SiteBase("file", tmp_path, tmp_path.as_uri() + "/", "file://"), "bad.html", None)
    ids = {v["id"] for v in run_axe(sp.page, axe_js)}
    assert {"image-alt", "label"} <= ids, ids


# --------------------------------------------------------------------------- Nu HTML checker


def run_vnu(cmd: list[str], files: list[Path]) -> dict[Path, list[dict]]:
    """Run vnu.jar once over ``files``; messages grouped by file (errors only)."""
    proc = subprocess.run([*cmd, *map(str, files)], capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(proc.stderr or proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"vnu.jar gave no JSON report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}",
                    pytrace=False)
    grouped: dict[Path, list[dict]] = {f.resolve(): [] for f in files}
    for msg in report.get("messages", []):
        url = msg.get("url", "")
        path = Path(unquote(urlsplit(url).path)).resolve() if url else None
        grouped.setdefault(path, []).append(msg)
    if proc.returncode not in (0, 1):
        pytest.fail(f"vnu.jar failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}", pytrace=False)
    return grouped


def format_vnu(where: str, messages: list[dict]) -> str:
    lines = [f"{len(messages)} Nu HTML checker error(s) in {where}:"]
    for m in messages:
        extract = " ".join((m.get("extract") or "").split())
        lines.append(f"- line {m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))} "
                     f"[{m.get('type')}] {m.get('message')}")
        if extract:
            lines.append(f"    {extract[:160]}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def vnu_report(demo_site: Path, vnu_cmd: list[str]) -> dict[Path, list[dict]]:
    """One JVM over every HTML file of the demo site (a few seconds, not one JVM per page)."""
    return run_vnu(vnu_cmd, sorted(demo_site.rglob("*.html")))


@pytest.mark.parametrize("rel", VNU_PAGES)
def test_vnu_finds_no_errors(rel: str, demo_site: Path, vnu_report: dict[Path, list[dict]]) -> None:
    messages = vnu_report[(demo_site / rel).resolve()]
    assert not messages, format_vnu(rel, messages)


def test_vnu_finds_no_errors_in_any_other_page(demo_site: Path, vnu_report: dict[Path, list[dict]]) -> None:
    named = {(demo_site / rel).resolve() for rel in VNU_PAGES}
    bad = {path: msgs for path, msgs in vnu_report.items() if path not in named and msgs}
    report = []
    for path, msgs in sorted(bad.items(), key=lambda kv: str(kv[0])):
        where = path.relative_to(demo_site.resolve()) if path and path.is_relative_to(demo_site.resolve()) else path
        report.append(format_vnu(str(where), msgs))
    assert not bad, f"{len(bad)} more page(s) with markup errors:\n" + "\n".join(report)


@pytest.mark.browser
def test_vnu_finds_no_errors_in_markup_made_by_script(http_base: SiteBase, site_page, vnu_cmd: list[str],
                                                      tmp_path: Path) -> None:
    """The DOM after portal.js has rendered search results, the search popup, and a sorted register."""
    sp = site_page(http_base)
    page = sp.page
    snapshots = {}

    sp.goto("search.html?q=supplier")
    expect(page.locator("#search-results > li a").first).to_be_visible()
    snapshots["search-results.html"] = page.content()

    sp.goto("index.html")
    page.locator("#site-search").fill("supplier")
    expect(page.locator("#search-popup").get_by_role("option").first).to_be_visible()
    snapshots["search-popup.html"] = page.content()

    sp.goto("evidence.html")
    owner = page.locator("table.register thead th").filter(has=page.get_by_role("button", name="Owner", exact=True))
    owner.get_by_role("button").click()
    expect(owner).to_have_attribute("aria-sort", re.compile(r"^(ascending|descending)$"))
    snapshots["register-sorted.html"] = page.content()

    files = []
    for name, html in snapshots.items():
        (tmp_path / name).write_text(html if html.lstrip().lower().startswith("<!doctype")
                                     else "<!DOCTYPE html>\n" + html, encoding="utf-8")
        files.append(tmp_path / name)
    report = run_vnu(vnu_cmd, files)
    bad = {p: m for p, m in report.items() if m}
    assert not bad, "\n".join(format_vnu(p.name if p else "?", m) for p, m in bad.items())
