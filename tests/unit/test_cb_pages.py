"""Issue 21, "The CB pack" pages: the finding page's Source row is the finding's ``source:``; the transition page is
in the navigation and speaks to an auditor; the stages page says what its checks are without calling them "a
prediction ... not a prediction"; the report's coverage matrix is compressed to main clauses when the audits are
too many for a page's width. Built from the demo (auditor build) or a copy of the minimal fixture.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from isoready.package.assemble import _Unhashed
from isoready.assess import assess
from isoready.read.catalog import load_catalog
from isoready.package.build import Options, build
from isoready.validate.project import read_project
from isoready.views import REPORT_COVERAGE_AUDITS, build_site

REPO = Path(__file__).resolve().parents[2]
DEMO_AS_OF = date(2026, 12, 6)
AS_OF = date(2026, 11, 1)  # the minimal fixture
FIXTURE_2026 = REPO / "tests" / "fixtures" / "edition2026"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cb-pages") / "site"
    result = build(Options(root=REPO, as_of=DEMO_AS_OF, audience="auditor", output=out, commit="test",
                           use_cache=False))
    assert result.ok
    return out


def main_of(html: str) -> str:
    return html.split('<main', 1)[1].split("</main>", 1)[0]


def test_the_finding_page_source_row_is_the_findings_source(demo_site: Path) -> None:
    html = (demo_site / "findings" / "IA-2026-02.html").read_text(encoding="utf-8")
    row = re.search(r"<div><dt>Source</dt><dd>(.*?)</dd></div>", html)
    assert row is not None
    assert row.group(1) == ('Internal audit: <a href="../evidence/performance/internal-audit-report-2026-09.html">'
                            'Internal audit report IA-2026 (full-system audit, September 2026)</a>')
    assert "content/findings" not in main_of(html) and "Raised by" not in html  # said once, as Source
    gap = (demo_site / "findings" / "GA-2026-01.html").read_text(encoding="utf-8")
    assert "<div><dt>Source</dt><dd>Gap assessment</dd></div>" in gap


def test_a_finding_without_source_says_so(minimal_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(Options(root=minimal_project, as_of=AS_OF, output=out, use_cache=False)).ok
    html = (out / "findings" / "IA-2026-02.html").read_text(encoding="utf-8")
    assert '<div><dt>Source</dt><dd><span class="muted">not recorded</span></dd></div>' in html
    assert "content/findings/" not in main_of(html)


def test_the_transition_page_is_in_the_navigation(demo_site: Path) -> None:
    link = '<li><a href="./transition.html">Transition</a></li>'
    assert link in (demo_site / "index.html").read_text(encoding="utf-8")
    assert '<li><a href="../transition.html">Transition</a></li>' in \
        (demo_site / "clauses" / "4.1.html").read_text(encoding="utf-8")
    page = (demo_site / "transition.html").read_text(encoding="utf-8")
    assert '<li><a href="./transition.html" aria-current="page">Transition</a></li>' in page


def test_a_project_on_the_new_edition_has_no_transition_link(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(Options(root=FIXTURE_2026, as_of=AS_OF, output=out, commit="test", use_cache=False)).ok
    assert not (out / "transition.html").exists()
    assert "transition.html" not in (out / "index.html").read_text(encoding="utf-8").split("</nav>", 1)[0]


def test_the_transition_page_speaks_to_an_auditor(demo_site: Path) -> None:
    text = main_of((demo_site / "transition.html").read_text(encoding="utf-8"))
    for word in ("organisation.yaml", ".yaml", "docs/", "isoready migrate", "topics: [", "<code>"):
        assert word not in text, word
    assert ("The register is assessed against ISO 9001:2015 until the organisation moves it to ISO 9001:2026."
            in text)
    assert "A record addresses a topic when it is tagged with the topic, is mapped to one of the topic's " \
           "clauses, and is current" in text
    assert "Gap: no current record mapped to its clauses addresses it" in text
    assert ("The deadline and the transition audit are the organisation&#39;s, as agreed with its certification body."
            in text) and "The certification body confirms these dates." in text


def test_without_a_deadline_the_transition_page_names_no_file(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    for folder in ("content", "evidence"):
        shutil.copytree(REPO / folder, demo / folder)
    org = demo / "content" / "organisation.yaml"
    text = org.read_text(encoding="utf-8")
    assert re.search(r"(?m)^  deadline: 2029-09-16.*\n", text)
    org.write_text(re.sub(r"(?m)^  deadline: 2029-09-16.*\n", "", text), encoding="utf-8")
    project, diags = read_project(demo, load_catalog(), DEMO_AS_OF)
    site = build_site(project, assess(project, DEMO_AS_OF), "auditor", hashes=_Unhashed())
    page = site.models("transition")[0]
    assert page.deadline_text == ("not set by the organisation: reported about three years after publication, "
                                  "around September 2029 (2029-09-16), to be confirmed with the certification body")
    # the dashboard's panel still tells the team where to record it
    panel = site.models("index")[0].transition
    assert "record it under transition: in organisation.yaml" in panel.countdowns[0].note


def test_the_stages_page_says_what_its_checks_are_once(demo_site: Path) -> None:
    text = " ".join(main_of((demo_site / "stages.html").read_text(encoding="utf-8")).split())
    assert ("The checks below are <strong>indicative pre-checks</strong>: what a certification body looks at in "
            "each stage, judged from this register. They do not predict the audit's outcome, which only the "
            "audit decides.") in text
    assert "prediction" not in text


def _audits(root: Path, n: int) -> None:
    """``n`` more internal audit records within the window, each covering a few clauses."""
    for i in range(n):
        (root / "evidence" / "performance" / f"ia-extra-{i}.yaml").write_text(
            f"title: Extra internal audit {i}\nkind: record\nclauses: [\"9.2.2\"]\nowner: QM\n"
            f"date: 2026-10-{10 + i:02d}\nauditor: External consultant\ncovers: [\"7.{1 + i % 5}\"]\n",
            encoding="utf-8")


def test_the_report_compresses_the_coverage_matrix_to_main_clauses_when_wide(minimal_project: Path) -> None:
    _audits(minimal_project, REPORT_COVERAGE_AUDITS + 1)
    project, _ = read_project(minimal_project, load_catalog(), AS_OF)
    r = assess(project, AS_OF)
    report = build_site(project, r, "auditor", hashes=_Unhashed()).models("report")[0]
    cov = report.coverage
    assert cov.compressed and len(r.coverage.audits) > REPORT_COVERAGE_AUDITS
    assert cov.columns == tuple(m.number for m in load_catalog().mains) and cov.corner == "Audit"
    assert cov.note == (f"With {len(r.coverage.audits)} audits the full matrix is too wide for a page, so each "
                        "audit is shown against the main clauses: how many of the applicable clauses under each one "
                        "it reached. The site's coverage page has every clause against every audit.")
    first = next(row for row in cov.rows if row.label == "2026-10-10")
    sevens = len([n for n in r.coverage.leaves if n.startswith("7.")])  # 7.1 covers 7.1.x
    under_71 = len([n for n in r.coverage.leaves if n.startswith("7.1")])
    assert first.cells[cov.columns.index("7")] == f"{under_71}/{sevens}"
    assert first.cells[cov.columns.index("4")].startswith("0/") and first.last == "External consultant"
    total = cov.rows[-1]
    assert total.label == "All audits together" and len(cov.rows) == len(r.coverage.audits) + 1


def test_the_report_prints_each_leaf_against_each_audit_when_few(minimal_project: Path) -> None:
    _audits(minimal_project, 1)
    project, _ = read_project(minimal_project, load_catalog(), AS_OF)
    r = assess(project, AS_OF)
    cov = build_site(project, r, "auditor", hashes=_Unhashed()).models("report")[0].coverage
    assert not cov.compressed and cov.corner == "Clause" and len(cov.rows) == len(r.coverage.leaves)
    row = next(x for x in cov.rows if x.anchor == "7.1.3")
    assert row.label == "7.1.3 Infrastructure" and "✔" in row.cells and row.last == "yes"
