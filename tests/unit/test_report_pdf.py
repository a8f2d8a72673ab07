"""The PDF report an auditor holds: ``isoready report`` prints report.html with headless Chromium into the
site (report.pdf, listed in the manifest) and into dist/; pypdf reads it back.

Built once for the module from the demo project (auditor audience, as of 2026-11-24, a fixed commit).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pytest

from e2e_support import CHROMIUM, require
from isoready.read.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 24)
COMMIT = "0123456789ab"
CATALOG = load_catalog()
FOOTER = re.compile(r"(?m)^.*(Page \d+ of \d+|ISO 9001 readiness report, as of).*$")

pytestmark = pytest.mark.browser


class Report:
    def __init__(self, folder: Path):
        from pypdf import PdfReader

        self.folder = folder
        self.site = folder / "site"
        self.dist = folder / "dist-report.pdf"
        self.reader = PdfReader(self.site / "report.pdf")
        # NFKC: Chromium prints "fi" as a ligature glyph, which reads back as one character
        self.pages = [unicodedata.normalize("NFKC", page.extract_text() or "") for page in self.reader.pages]
        self.readiness = json.loads((self.site / "readiness.json").read_text(encoding="utf-8"))

    def body(self, i: int) -> str:
        """A page's text without its margin boxes, whitespace collapsed."""
        return " ".join(FOOTER.sub("", self.pages[i]).split())

    @property
    def text(self) -> str:
        return " ".join(self.body(i) for i in range(len(self.pages)))

    def first_page_of(self, heading: str, prefix: bool = False) -> int:
        for i in range(len(self.pages)):
            lines = [ln.strip() for ln in FOOTER.sub("", self.pages[i]).splitlines() if ln.strip()]
            if lines and (lines[0].startswith(heading) if prefix else lines[0] == heading):
                return i
        raise AssertionError(f"no page starts with {heading!r}")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    require(os.access(CHROMIUM, os.X_OK), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("report-pdf")
    cmd = [sys.executable, "-m", "isoready", "report", "--root", str(ROOT), "--as-of", AS_OF.isoformat(),
           "--output", str(folder / "site"), "--pdf", str(folder / "dist-report.pdf")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240,
                          env={**os.environ, "ISOREADY_COMMIT": COMMIT})
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert f"wrote {folder / 'dist-report.pdf'} and {folder / 'site'}/report.pdf" in proc.stdout
    return Report(folder)


def test_the_pdf_is_in_the_site_in_its_manifest_and_in_dist(report: Report) -> None:
    from isoready.package.archive import verify

    pdf = (report.site / "report.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and report.dist.read_bytes() == pdf
    manifest = {f["path"] for f in json.loads((report.site / "manifest.json").read_text())["files"]}
    assert "report.pdf" in manifest
    assert re.search(r"(?m)^[0-9a-f]{64}  report\.pdf$", (report.site / "SHA256SUMS").read_text())
    assert verify(report.site) == []
    html = (report.site / "report.html").read_text(encoding="utf-8")
    assert '<a class="screen-only" href="./report.pdf">This report as PDF (report.pdf)</a>' in html
    # the print time is replaced with the as-of date, so the same inputs give the same bytes
    assert b"/CreationDate (D:20261124000000" in pdf and b"/ModDate (D:20261124000000" in pdf


def test_no_link_leaves_the_document(report: Report) -> None:
    uris, internal = [], 0
    for page in report.reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if action is not None and action.get("/URI") is not None:
                uris.append(str(action["/URI"]))
            elif annot.get("/Subtype") == "/Link":
                internal += 1
    assert not [u for u in uris if u.startswith("file:")], f"file: links in the PDF: {uris[:5]}"
    assert uris == [], f"no site_url is configured, so no link should leave the PDF: {uris[:5]}"
    assert internal >= 20, f"only {internal} internal links (clause, finding and gate anchors)"


def test_page_one_says_who_what_when_and_the_verdicts(report: Report) -> None:
    first = report.body(0)
    r = report.readiness
    assert first.startswith("ISO 9001 certification readiness report Kestrel Precision Components Ltd")
    assert "Standard ISO 9001:2015 incl. ISO 9001:2015/Amd 1:2024" in first
    assert "As of 2026-11-24" in first
    assert "Audience Auditor build: shows public and auditor evidence" in first
    assert f"Commit {COMMIT}" in first
    word = {True: "passes", False: "fails"}
    for key, day in (("stage1", "2027-01-19"), ("stage2", "2027-03-02")):
        gate = r["gates"][key]
        on = gate["on_audit_date"]
        assert on is not None and on["date"] == day
        stage = key.replace("stage", "Stage ")
        assert f"{stage} readiness {day} {word[gate['passed']]} {word[on['passed']]}" in first, (key, first[:900])
    assert r["gates"]["stage1"]["passed"] is True and r["gates"]["stage2"]["passed"] is False
    states = r["readiness"]["states"]
    assert (f"Of {r['readiness']['applicable_clauses']} applicable clauses: Ready {states['ready']} · At risk "
            f"{states['at-risk']} · Not ready {states['not-ready']}") in " ".join(first.split())
    assert "% overall" not in first  # never one figure that counts "at risk" as ready
    # the top blockers: the first few of what fails a gate today, clause by clause, with reason and owner
    model = _report_model()
    assert model.blockers and len(model.blockers) <= 5
    blockers = first.split("Top blockers", 1)[1]
    for n, b in enumerate(model.blockers, start=1):
        where = f", {b.clause.number} {b.clause.name}" if b.clause else ""
        line = f"{n}. {b.stage}: {b.what}{where}: {' '.join(b.reason.split())}"
        assert line in blockers, line
    if model.blockers_more:
        assert model.blockers_more in blockers
    for g in model.gates:  # the verdict today and on the audit date, in the lead's words
        assert " ".join(g.verdict.split()) in first


def _report_model():  # noqa: ANN202
    from isoready.package.build import Options, prepare

    site, _, _ = prepare(Options(root=ROOT, as_of=AS_OF, audience="auditor", commit=COMMIT, use_cache=False))
    assert site is not None
    return next(p.model for p in site.pages if p.template == "report")


def test_sections_come_in_order(report: Report) -> None:
    starts = [report.first_page_of(h) for h in ("Summary",)]
    for main in CATALOG.mains:
        starts.append(report.first_page_of(f"Clause {main.number} {main.title} — ", prefix=True))
    starts += [report.first_page_of(h) for h in ("Findings", "Mandatory documented information",
                                                 # issue 21: the CB pack's sections, each from a new page
                                                 "Internal audit coverage", "Management review inputs",
                                                 "What lapses before the audits", "Transition to ISO 9001:2026")]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), starts
    assert starts[0] == 1, "the summary follows page 1"
    text = report.text
    mandatory = re.search(r"Mandatory documented information \d+ of", text)
    assert mandatory and mandatory.start() < text.index("Exclusions The test every exclusion must pass") \
        < text.index("8.3 Design and development of products and services (Commonly excluded)")
    assert len(report.pages) == len(report.reader.pages) >= 20


def test_findings_carry_their_text_and_lifecycle(report: Report) -> None:
    findings = re.split(r"Mandatory documented information \d+ of", report.text)[0].split(" Findings GA-2026-01 ", 1)
    assert len(findings) == 2, "no Findings section starting with GA-2026-01"
    section = "GA-2026-01 " + findings[1]
    for f in report.readiness["findings"]:
        assert f"{f['id']} " in section, f["id"]
        words = re.sub(r"[*_`]", "", f["description"]).split()[:8]
        assert " ".join(words) in section, f"{f['id']}: its description is not printed"
    assert section.count("Correction") == section.count("Root cause") == section.count("Verification") \
        == len(report.readiness["findings"])
    major = next(f for f in report.readiness["findings"] if f["id"] == "IA-2026-02")
    assert major["action"] and " ".join(major["action"].split()[1:6]) in section  # "- Evaluate S-005, ..."
    assert "IA-2026-03 Minor nonconformity open Overdue" in section


def test_each_exclusion_justification_is_printed_once(report: Report) -> None:
    text = report.text
    assert text.count("holds no design responsibility or design authority") == 1
    assert text.count("not applicable: excluded with 8.3 (see Exclusions)") == 7  # 8.3 and its six sub-clauses


def test_no_id_breaks_across_lines(report: Report) -> None:
    ids = [f["id"] for f in report.readiness["findings"]]
    broken = []
    for i, page in enumerate(report.pages, start=1):
        for fid in ids:
            for cut in range(1, len(fid)):
                head, tail = fid[:cut], fid[cut:]
                if re.search(rf"{re.escape(head)}\n{re.escape(tail)}\b", page):
                    broken.append(f"page {i}: {head}|{tail}")
        broken += [f"page {i}: {m}" for m in re.findall(r"\b\d{4}-\n\d{2}-\d{2}\b|\b\d{4}-\d{2}-\n\d{2}\b", page)]
    assert not broken, broken


def test_the_archive_carries_the_same_pdf(report: Report, tmp_path: Path) -> None:
    from isoready.package.archive import make_archive, verify
    from isoready.package.build import Options

    result, archive = make_archive(Options(root=ROOT, as_of=AS_OF, audience="auditor", commit=COMMIT),
                                   tmp_path / "dist")
    assert result.ok and archive is not None
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        pdf = next(n for n in names if n.endswith("/report.pdf"))
        assert zf.read(pdf) == (report.site / "report.pdf").read_bytes(), "the PDF differs between two builds"
        readme = zf.read(next(n for n in names if n.endswith("/README.txt"))).decode()
    assert "report.pdf, when present, is the printable readiness report" in readme
    assert verify(archive) == []


def test_with_a_site_url_links_go_to_the_published_site(tmp_path: Path) -> None:
    """organisation.yaml's site_url (ExportView/ReportView.site_url): the PDF's links to pages that are
    not in it go to the published site, never to a file. The report is rendered with the view-model's
    site_url set, written over the built report.html and printed as ``isoready report`` prints it."""
    from dataclasses import replace

    from isoready.package.build import Options, build
    from isoready.package.pdf import print_pdf
    from isoready.package.pelican_plugin import REPO_THEME
    from isoready.render.pages import Page, render_page, template_getter, environment
    from pypdf import PdfReader

    url = "https://kestrel.example/iso/"
    result = build(Options(root=ROOT, as_of=AS_OF, audience="auditor", output=tmp_path / "site", use_cache=False,
                           commit=COMMIT))
    assert result.ok and result.site is not None
    page = next(p for p in result.site.pages if p.template == "report")
    model = replace(page.model, site_url=url, pdf_url="report.pdf")
    html = render_page(Page(page.path, "report", {"nav": page.nav, "page_title": page.title, "page": model}),
                       template_getter(environment(REPO_THEME)), result.site).decode()
    article = html.split('<article class="report">', 1)[1].split("</article>", 1)[0]
    hrefs = re.findall(r'href="([^"]*)"', article)
    assert hrefs and all(h.startswith(("#", url)) for h in hrefs), sorted({h for h in hrefs if h[:1] != "#"})[:5]
    assert f'href="{url}clauses/8.4.1.html"' in article and f'href="{url}checklist.xlsx"' in article
    (tmp_path / "site" / "report.html").write_text(html, encoding="utf-8")
    print_pdf(tmp_path / "site" / "report.html", tmp_path / "report.pdf")
    uris = [str(a.get_object()["/A"]["/URI"]) for p in PdfReader(tmp_path / "report.pdf").pages
            for a in p.get("/Annots") or [] if a.get_object().get("/A") is not None
            and a.get_object()["/A"].get("/URI") is not None]
    assert uris, "no link to the published site in the PDF"
    assert all(u.startswith(url) for u in uris), [u for u in uris if not u.startswith(url)][:5]
    assert url + "clauses/8.4.1.html" in uris


# --------------------------------------------------------------------------- issue 21: the CB pack


def _outline_titles(reader) -> list[str]:  # noqa: ANN001
    out: list[str] = []

    def walk(items) -> None:  # noqa: ANN001
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(str(item.title))
    walk(reader.outline)
    return out


def _headings(html: str) -> set[str]:
    """The report's h1-h3 texts, tags dropped and whitespace collapsed, as a reader sees them."""
    import html as htmlmod

    found = re.findall(r"<h([123])[^>]*>(.*?)</h\1>", html, flags=re.S)
    return {" ".join(htmlmod.unescape(re.sub(r"<[^>]+>", "", text)).split()) for _, text in found}


def test_bookmarks_keep_their_spaces(report: Report) -> None:
    """Chromium drops a collapsed space where a heading wraps or a badge starts ("29% notready",
    "GA-2026-01Minor"): every bookmark is a heading's text as printed, spaces and all."""
    titles = _outline_titles(report.reader)
    assert len(titles) >= 30
    headings = _headings((report.site / "report.html").read_text(encoding="utf-8"))
    model = _report_model()
    for s in model.sections:
        title = f"Clause {s.main.number} {s.main.name} — {s.main.readiness}"
        assert title in titles, (title, [t for t in titles if t.startswith(f"Clause {s.main.number} ")])
    for f in report.readiness["findings"]:
        assert any(t.startswith(f"{f['id']} ") for t in titles), f["id"]
    assert "Stage 2 readiness: FAILS (" in " ".join(titles)  # upper-cased badge, then the summary, spaced
    headings = {h.casefold() for h in headings}  # the gate verdict badge is upper-cased by CSS
    missing = [t for t in titles if " ".join(t.split()).casefold() not in headings]
    assert not missing, f"bookmarks that are no heading's text: {missing}"
    assert not [t for t in titles if re.search(r"not(ready)|at(risk)|\d{4}-\d{2}[A-Z]", t)], titles
    for section in ("Internal audit coverage", "Management review inputs", "What lapses before the audits",
                    f"Transition to {report.readiness['transition']['to']}", "Exclusions"):
        assert section in titles, section


def _section(report: Report, heading: str, until: str) -> str:
    """The pages from the one ``heading`` starts to the one ``until`` starts (each section starts a page)."""
    start, end = report.first_page_of(heading), report.first_page_of(until, prefix=True)
    assert start < end, (heading, until)
    text = " ".join(report.body(i) for i in range(start, end))
    assert text.startswith(heading), text[:80]
    return text


def test_the_coverage_matrix_leaves_by_audits(report: Report) -> None:
    cov = report.readiness["coverage"]
    section = _section(report, "Internal audit coverage", "Management review inputs")
    covered = sum(bool(ids) for ids in cov["leaves"].values())
    assert f"{covered} of {len(cov['leaves'])} applicable clauses covered by 2 internal audits dated within the " \
           "last 12 months (since 2025-11-24)" in section
    assert "Not covered: " + ", ".join(cov["uncovered"]) + "." in section
    assert "Clause 2026-09-22 2026-11-18 Covered" in section  # one column per audit within the window
    audits = sorted({i for ids in cov["leaves"].values() for i in ids})
    from isoready.views import display_name

    for number, ids in cov["leaves"].items():
        cells = " ".join("✔" if a in ids else "–" for a in audits)
        row = f"{number} {display_name(CATALOG, number)} {cells} {'yes' if ids else 'no'}"
        assert row in section, row
    assert "6.3 Planning of changes – – no" in section and "8.4.1 General (Control of externally provided " \
        "processes, products and services) ✔ ✔ yes" in section


def test_the_management_review_inputs_checklist(report: Report) -> None:
    from isoready.model import REVIEW_INPUTS
    from isoready.views import default_words

    ri = report.readiness["review_inputs"]
    section = _section(report, "Management review inputs", "What lapses before the audits")
    assert f"({ri['date']}), lists as considered. {len(ri['considered'])} of {len(REVIEW_INPUTS)} inputs shown " \
           "as considered." in section
    for key in REVIEW_INPUTS:
        line = default_words().input(key) + (" not shown" if key in ri["missing"] else "")
        assert line in section, line
    assert ri["missing"] == ["external-providers"]
    assert "performance of external providers (c7) not shown" in section


def test_the_lapse_list(report: Report) -> None:
    lapses = report.readiness["lapses"]
    section = _section(report, "What lapses before the audits", "Transition to ")
    assert lapses, "the demo has lapses before its audits"
    for x in lapses:
        row = f"{x['date']} {' '.join(x['text'].split())} {x['before'].replace('stage', 'stage ')}"
        assert row in section, row


def test_the_transition_status(report: Report) -> None:
    t = report.readiness["transition"]
    section = report.text.split(f" Transition to {t['to']} ", 1)[1].split(" Exclusions The test every", 1)[0]
    section = f"Transition to {t['to']} " + section
    assert f"{t['addressed']} of {t['total']} topics addressed. The register is assessed against ISO 9001:2015 " \
           f"until the organisation moves it to {t['to']}." in section
    assert f"Transition deadline {t['deadline']} (in " in section and f"Transition audit {t['audit']} (in " in section
    assert "Quality culture and ethical behaviour 5.1.1, 7.3 Gap: no current record mapped to its clauses " \
           "addresses it" in section
    # it speaks to an auditor: no file names, YAML keys to add or docs paths
    for word in ("organisation.yaml", "docs/", "topics: [", "isoready migrate", ".yaml"):
        assert word not in section, word


def test_the_exclusion_test_applied_to_each_exclusion(report: Report) -> None:
    text = report.text.split("Exclusions The test every exclusion must pass (our words): ", 1)
    assert len(text) == 2, "no exclusion test above the exclusions"
    assert " ".join(CATALOG.exclusion_test.split()) in text[1]
    assert ("The test applied: 8.3 is commonly excluded where the test holds. The justification must show that 8.3 "
            "is outside the organisation's control or influence within its scope, and that leaving it out does not "
            "affect conforming products and services or customer satisfaction; the auditor judges whether it does, "
            "against the scope the organisation maintains.") in text[1]
