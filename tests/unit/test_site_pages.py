"""A multi-site organisation's pages (issue 25): sites.html, one page per site with its blockers, the Sites link in
the chrome, the site filter of the coverage matrix and the gap report, reasons naming sites by their names, and
the audience filter on all of them. A project of one site has none of it (the golden files prove its bytes)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from isoready.assess import assess
from isoready.cli import main
from isoready.package.assemble import hash_documents
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project
from isoready.views import build_site

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "multi-site"
AS_OF = date(2026, 12, 6)


def _site(root: Path, audience: str = "auditor"):
    project, diagnostics = read_project(root, load_catalog("ISO 9001:2015"), AS_OF)
    assert [d for d in diagnostics if d.severity == "error"] == []
    return build_site(project, assess(project, AS_OF), audience, hashes=hash_documents(project))


def _pages(site) -> dict:
    return {p.path: p for p in site.pages}


@pytest.fixture(scope="module")
def auditor():
    return _site(EXAMPLE)


def _text(path: Path) -> str:
    """A page's main content as a reader sees it: tags dropped, entities decoded, spaces folded."""
    html = path.read_text(encoding="utf-8")
    main_ = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main_)))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("multi") / "out"
    assert main(["build", "--root", str(EXAMPLE), "--as-of", "2026-12-06", "--output", str(out), "--no-cache"]) == 0
    return out


def test_the_sites_table_lists_every_site_with_verdicts_shares_findings_and_last_audit(auditor) -> None:
    pages = _pages(auditor)
    assert [p for p in pages if p.startswith("sites")] == [
        "sites.html", "sites/group-office.html", "sites/denholm.html", "sites/carlow.html", "sites/brno.html",
        "sites/tampere.html", "sites/leeds.html"]
    rows = {r.id: r for r in pages["sites.html"].model.rows}
    assert rows["group-office"].central and not rows["brno"].central
    assert rows["brno"].name == "Brno plant" and rows["brno"].url == "sites/brno.html"
    # Leeds has had no internal audit: it fails stage 1 (internal audit performed) as well as stage 2
    assert rows["leeds"].last_audit is None and rows["leeds"].last_audit_text == "no internal audit"
    assert rows["leeds"].verdicts == (("Stage 1", False, "Fails"), ("Stage 2", False, "Fails"))
    assert rows["carlow"].last_audit == date(2026, 10, 7) and rows["carlow"].last_audit_text == "2026-10-07"
    assert rows["carlow"].verdicts[0] == ("Stage 1", True, "Passes")
    assert [(state, label, value) for state, _share, label, value in rows["brno"].shares] == [
        ("ready", "Ready", "66%"), ("at-risk", "At risk", "14%"), ("not-ready", "Not ready", "20%")]
    assert (rows["brno"].open_findings, rows["brno"].open_findings_text) == (5, "5")


def test_leeds_page_says_it_has_no_internal_audit(auditor) -> None:
    leeds = _pages(auditor)["sites/leeds.html"].model
    assert leeds.no_audit.startswith("No internal audit of this site within the window")
    assert leeds.audits == ()
    assert leeds.row.last_audit_text == "no internal audit"
    # its blockers are the leaves not ready there, each with its reasons and a link to the clause
    blockers = {b.clause.number: b for b in leeds.blockers}
    assert "8.5.1" in blockers and blockers["8.5.1"].clause.url == "clauses/8.5.1.html"
    assert blockers["8.5.1"].reasons and "8.6" not in blockers  # 8.6 is Brno's major, not Leeds's
    assert leeds.blockers_heading == "13 clauses not ready at this site"


def test_brno_page_shows_its_major_and_fails_no_open_major_naming_the_site(auditor) -> None:
    brno = _pages(auditor)["sites/brno.html"].model
    assert "BR-2026-01" in [f.id for f in brno.findings]
    assert next(f for f in brno.findings if f.id == "BR-2026-01").grade == "major"
    stage2 = next(g for g in brno.gates if g.key == "stage2")
    major = next(i for i in stage2.items if i.check == "no-open-major")
    assert not major.passed and "BR-2026-01" in major.reason
    assert "8.6" in {b.clause.number for b in brno.blockers}
    # the site's last internal audit and its link
    assert [a.url for a in brno.audits] == ["evidence/performance/internal-audit-brno-2026-10.html"]


def test_reasons_name_sites_by_their_names(auditor) -> None:
    clause = next(c for c in auditor.export.clauses if c.number == "8.5.1")
    assert clause.reasons[0] == ("not ready at 1 site (Leeds plant (opened October 2026) (leeds)) of the 6 where it "
                                 "applies: the organisation is as ready as its least ready site")
    gate = next(g for g in auditor.export.gates if g.key == "stage2")
    major = next(i for i in gate.items if i.check == "no-open-major")
    assert major.reason.startswith("open major finding(s): IA-2026-02 (at Group office, Denholm (group-office)), "
                                   "BR-2026-01 (at Brno plant (brno))")
    audited = next(i for i in gate.items if i.check == "every-site-audited")
    assert audited.reason.startswith("no internal audit within the window at Leeds plant (opened October 2026) "
                                     "(leeds); at Group office, Denholm (group-office), not covered: 6.3, 8.2.4")


def test_the_chrome_links_sites_only_for_a_multi_site_project(auditor, minimal_project: Path) -> None:
    assert auditor.chrome.sites is True
    single = _site(minimal_project)
    assert single.chrome.sites is False
    assert not [p.path for p in single.pages if p.path.startswith("sites")]
    cov = _pages(single)["coverage.html"].model
    gaps = _pages(single)["gaps.html"].model
    assert cov.site_filter is None and gaps.site_filter is None and cov.audit_sites == ()
    assert all(r.sites == "" for r in cov.rows) and all(r.sites == "" for r in gaps.rows)


def test_the_coverage_matrix_and_the_gap_report_carry_the_site_filter(auditor) -> None:
    pages = _pages(auditor)
    cov = pages["coverage.html"].model
    assert cov.site_filter.options[0] == ("group-office", "Group office, Denholm")
    assert len(cov.site_filter.options) == 6
    # each audit column names the sites it audited; the Carlow audit reaches Carlow only
    sites = dict(zip((a.url for a in cov.audits), cov.audit_sites))
    assert sites["evidence/performance/internal-audit-carlow-2026-10.html"] == "carlow"
    rows = {r.clause.number: r for r in cov.rows}
    assert rows["6.3"].uncovered_at == "group-office denholm leeds" and rows["8.6"].uncovered_at == "leeds"
    gaps = {r.clause.number: r for r in pages["gaps.html"].model.rows}
    assert gaps["8.6"].sites == "brno"  # the major: not ready at Brno only
    assert "leeds" in gaps["8.5.1"].sites.split() and "carlow" not in gaps["8.5.1"].sites.split()


def test_the_built_pages(built: Path) -> None:
    sites = built / "sites.html"
    html = sites.read_text(encoding="utf-8")
    assert '<a href="./sites.html" aria-current="page">Sites</a>' in html or \
        re.search(r'<a href="[^"]*sites\.html" aria-current="page">Sites</a>', html)
    text = _text(sites)
    assert "Leeds plant (opened October 2026) leeds" in text and "no internal audit" in text
    assert "Group office, Denholm group-office Central function" in text
    leeds = (built / "sites" / "leeds.html").read_text(encoding="utf-8")
    assert 'href="../sites.html"' in leeds and 'href="../clauses/8.5.1.html"' in leeds
    assert "No internal audit of this site within the window" in _text(built / "sites" / "leeds.html")
    brno = _text(built / "sites" / "brno.html")
    assert "BR-2026-01" in brno and "Major nonconformity" in brno
    # the other pages link to the sites page from the chrome
    assert re.search(r'<a href="[^"]*sites\.html">Sites</a>', (built / "index.html").read_text(encoding="utf-8"))
    # the site filter: in the page, hidden until the script shows it; every row is there without the script
    cov = (built / "coverage.html").read_text(encoding="utf-8")
    assert '<div class="site-filter" data-target="coverage-matrix" hidden>' in cov
    assert '<option value="leeds">Leeds plant (opened October 2026)</option>' in cov
    assert cov.count("<tr") - 1 == cov.count('data-sites="') - cov.count('<th scope="col" data-sites=')
    gaps = (built / "gaps.html").read_text(encoding="utf-8")
    assert '<div class="site-filter" data-target="gap-rows" data-also="gap-findings" hidden>' in gaps
    assert 'id="gap-rows"' in gaps and 'id="gap-findings"' in gaps


def _copy(tmp: Path) -> Path:
    root = tmp / "multi"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("output", ".cache"))
    return root


def test_a_withheld_finding_never_shows_on_the_site_pages(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    findings = root / "content" / "findings" / "brno-2026.yaml"
    findings.write_text(findings.read_text(encoding="utf-8").replace("  sites: [brno]\n",
                                                                     "  sites: [brno]\n  audience: internal\n", 1),
                        encoding="utf-8")
    site = _site(root, "auditor")
    pages = _pages(site)
    brno = pages["sites/brno.html"].model
    assert "BR-2026-01" not in [f.id for f in brno.findings]
    assert brno.findings_note == "1 open finding not shown in this build."
    assert pages["sites.html"].model.rows[3].open_findings_text == "4"
    for path in ("sites.html", "sites/brno.html"):
        assert "BR-2026-01" not in repr(pages[path].model)
    assert "BR-2026-01" in repr(_pages(_site(root, "internal"))["sites/brno.html"].model)


def test_a_public_build_shows_milestones_and_no_finding(tmp_path: Path) -> None:
    site = _site(EXAMPLE, "public")
    pages = _pages(site)
    brno = pages["sites/brno.html"].model
    assert brno.findings == () and brno.findings_note == "Audit findings are not published in this build."
    assert all(g.items == () for g in brno.gates)  # a failing check could name a finding
    assert pages["sites.html"].model.rows[3].open_findings is None
    assert pages["sites.html"].model.rows[3].open_findings_text == "not published"
    for path in pages:
        if path.startswith("sites"):
            assert "BR-2026-01" not in repr(pages[path].model) and "IA-2026-02" not in repr(pages[path].model)
