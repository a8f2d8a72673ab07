"""The audit checklist workbook (checklist.xlsx) an auditor works from, read back with openpyxl and, when
LibreOffice is installed, printed to PDF the way an auditor would print it.

The demo project is built once (auditor audience, as of 2026-11-24, a fixed commit) with the Python API.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from e2e_support import require
from isoready.catalog import load_catalog
from isoready.package import BuildResult, Options, build
from isoready.xlsx import CHECKLIST_HEADERS, CONFORMITY_CHOICES, STATE_FILLS, TITLE_ROWS, workbook_bytes

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 24)
COMMIT = "0123456789ab"
CATALOG = load_catalog()
HEADERS = [h for h, _ in CHECKLIST_HEADERS]
FIRST = TITLE_ROWS + 1  # the first clause row


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("workbook") / "site"
    result = build(Options(root=ROOT, as_of=AS_OF, audience="auditor", output=out, use_cache=False, commit=COMMIT))
    assert result.ok, "\n".join(str(d) for d in result.diagnostics)
    return result


@pytest.fixture(scope="module")
def site(built: BuildResult) -> Path:
    assert built.output is not None
    return built.output


@pytest.fixture(scope="module")
def wb(site: Path):  # noqa: ANN201
    return load_workbook(site / "checklist.xlsx")


@pytest.fixture(scope="module")
def readiness(site: Path) -> dict:
    return json.loads((site / "readiness.json").read_text(encoding="utf-8"))


def _rows(ws) -> dict[str, dict[str, object]]:  # noqa: ANN001
    out = {}
    for r in range(FIRST, ws.max_row + 1):
        values = {h: ws.cell(row=r, column=i).value for i, h in enumerate(HEADERS, start=1)}
        out[str(values["Clause"])] = values | {"_row": r}
    return out


def test_three_sheets_in_order(wb) -> None:  # noqa: ANN001
    assert wb.sheetnames == ["Checklist", "Findings", "Evidence"]


def test_title_rows_say_who_what_and_when(wb, readiness: dict) -> None:  # noqa: ANN001
    ws = wb["Checklist"]
    title = [str(ws.cell(row=r, column=1).value or "") for r in range(1, TITLE_ROWS)]
    text = "\n".join(title)
    assert title[0] == "ISO 9001 audit checklist: Kestrel Precision Components Ltd"
    assert ws.cell(row=1, column=1).font.bold
    assert "Standard: ISO 9001:2015 incl. ISO 9001:2015/Amd 1:2024" in text
    assert "As of 2026-11-24" in text
    assert "Audience: auditor" in text and f"commit {COMMIT}" in text
    assert "Stage 1 audit 2027-01-19" in text and "Stage 2 audit 2027-03-02" in text
    # the auditor build withholds internal evidence: the title says so, with the count only
    assert f"not shown in this build: {readiness['withheld']['evidence']} evidence records" in text


def test_headers_are_plain_words(wb) -> None:  # noqa: ANN001
    ws = wb["Checklist"]
    got = [ws.cell(row=TITLE_ROWS, column=i).value for i in range(1, len(HEADERS) + 1)]
    assert got == ["Clause", "Title", "Applicability", "Declared status", "State", "Reasons",
                   "What an auditor checks", "Mandatory documented information", "Evidence", "Open findings",
                   "Owner", "Target", "Records sampled", "Conformity", "Auditor notes"]
    assert ws.cell(row=TITLE_ROWS, column=len(HEADERS) + 1).value is None
    assert ws.cell(row=TITLE_ROWS, column=1).font.bold


def test_one_row_per_catalog_clause_in_order(wb) -> None:  # noqa: ANN001
    ws = wb["Checklist"]
    numbers = [str(ws.cell(row=r, column=1).value) for r in range(FIRST, ws.max_row + 1)]
    assert numbers == [c.number for c in CATALOG.clauses]


def test_general_subclauses_carry_their_parents_title(wb) -> None:  # noqa: ANN001
    rows = _rows(wb["Checklist"])
    assert rows["8.4.1"]["Title"] == "General (Control of externally provided processes, products and services)"
    assert rows["8.4"]["Title"] == "Control of externally provided processes, products and services"
    generals = [n for n, r in rows.items() if str(r["Title"]).startswith("General")]
    assert len(generals) >= 5 and all(str(rows[n]["Title"]).startswith("General (") for n in generals), generals


def test_row_8_4_1_holds_what_the_portal_knows(wb, readiness: dict) -> None:  # noqa: ANN001
    row = _rows(wb["Checklist"])["8.4.1"]
    clause = next(c for c in readiness["clauses"] if c["number"] == "8.4.1")
    assert row["Applicability"] == "applicable"
    assert row["Declared status"] == "In progress"
    assert row["State"] == "Not ready"
    assert row["Reasons"] == "\n".join(clause["reasons"])
    checks = str(row["What an auditor checks"])
    assert checks.startswith(CATALOG["8.4.1"].about)
    for asked in CATALOG["8.4.1"].evidence_asked:
        assert f"- {asked}" in checks
    assert row["Mandatory documented information"] == (
        "Record to retain: Supplier evaluation, selection, performance monitoring and re-evaluation, plus "
        "resulting actions: " + {"present": "Present", "stale": "Stale", "missing": "Missing",
                                 "out-of-window": "Out of window"}[clause["documented_information"][0]["state"]])
    assert "operation/approved-supplier-list: " in str(row["Evidence"])
    assert "IA-2026-02 (major, due 2026-12-01)" in str(row["Open findings"])
    assert row["Owner"] == "Purchasing Manager" and row["Target"] == "2026-12-01"  # inherited from 8.4


def test_excluded_clause_says_why(wb) -> None:  # noqa: ANN001
    row = _rows(wb["Checklist"])["8.3"]
    assert str(row["Applicability"]).startswith("not applicable: ")
    assert "no design responsibility" in str(row["Applicability"])
    assert row["State"] == "Not applicable"
    assert row["Reasons"] == "not applicable: excluded with 8.3"
    rows = _rows(wb["Checklist"])
    assert rows["8.3.1"]["Applicability"] == "not applicable (excluded with 8.3)"
    cells = [str(c.value) for line in wb["Checklist"].iter_rows() for c in line if c.value]
    assert sum("design authority" in v for v in cells) == 1, "the justification is printed more than once"


def test_state_has_a_fill_per_state_and_its_words(wb, readiness: dict) -> None:  # noqa: ANN001
    ws = wb["Checklist"]
    labels = {"ready": "Ready", "at-risk": "At risk", "not-ready": "Not ready", "not-applicable": "Not applicable"}
    seen = set()
    for r, clause in enumerate(readiness["clauses"], start=FIRST):
        cell = ws.cell(row=r, column=HEADERS.index("State") + 1)
        assert cell.value == labels[clause["state"]], clause["number"]  # words, never colour alone
        assert cell.fill.fill_type == "solid"
        assert cell.fill.fgColor.rgb == "00" + STATE_FILLS[clause["state"]], (clause["number"], cell.fill.fgColor.rgb)
        seen.add(clause["state"])
    assert seen == set(labels), f"the demo should show every state; saw {seen}"
    assert len(set(STATE_FILLS.values())) == 4


def test_auditor_columns_are_empty_with_a_conformity_drop_down(wb) -> None:  # noqa: ANN001
    ws = wb["Checklist"]
    for name in ("Records sampled", "Conformity", "Auditor notes"):
        col = HEADERS.index(name) + 1
        assert all(ws.cell(row=r, column=col).value is None for r in range(FIRST, ws.max_row + 1)), name
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    dv = validations[0]
    assert dv.type == "list"
    assert dv.formula1 == '"C,minor NC,major NC,OFI,N/A"'
    assert CONFORMITY_CHOICES == ("C", "minor NC", "major NC", "OFI", "N/A")
    col = chr(ord("A") + HEADERS.index("Conformity"))
    assert str(dv.sqref) == f"{col}{FIRST}:{col}{ws.max_row}"
    assert dv.allow_blank and dv.showErrorMessage


def test_freeze_filter_and_print_setup(wb) -> None:  # noqa: ANN001
    ws = wb["Checklist"]
    assert ws.freeze_panes == f"B{FIRST}"
    assert ws.auto_filter.ref == f"A{TITLE_ROWS}:O{ws.max_row}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${TITLE_ROWS}:${TITLE_ROWS}"
    assert ws.oddFooter.right.text == "Page &P of &N"
    assert "as of 2026-11-24" in ws.oddFooter.left.text
    for name in ("Findings", "Evidence"):
        other = wb[name]
        assert other.page_setup.orientation == "landscape" and other.print_title_rows == "$1:$1", name
        assert other.freeze_panes == "B2" and other.auto_filter.ref.startswith("A1:"), name
    # rows tall enough for their wrapped text: LibreOffice does not grow them when it prints
    heights = [ws.row_dimensions[r].height for r in range(FIRST, ws.max_row + 1)]
    assert all(h and h >= 15 for h in heights) and max(heights) > 100


def test_findings_sheet_holds_the_lifecycle_open_first(wb, readiness: dict) -> None:  # noqa: ANN001
    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    for name in ("Finding", "Grade", "Status", "Clauses", "Raised", "Due", "Overdue", "Closed", "Owner",
                 "Description", "Correction", "Root cause", "Corrective action", "Verification", "Evidence"):
        assert name in header, name
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2) if row[0].value]
    assert len(rows) == len(readiness["findings"])
    statuses = [r["Status"] for r in rows]
    assert statuses == sorted(statuses, key=lambda s: s != "open"), "open findings come first"
    by_id = {r["Finding"]: r for r in rows}
    assert by_id["IA-2026-03"]["Overdue"] == "Yes" and by_id["IA-2026-03"]["Due"] == "2026-11-15"
    assert by_id["IA-2026-02"]["Overdue"] == "No" and by_id["IA-2026-02"]["Grade"] == "Major nonconformity"
    source = next(f for f in readiness["findings"] if f["id"] == "IA-2026-02")
    first_words = " ".join(re.sub(r"[*_`]", "", source["description"]).split()[:6])
    assert first_words in " ".join(str(by_id["IA-2026-02"]["Description"]).split())
    if source["action"]:
        assert str(by_id["IA-2026-02"]["Corrective action"]).split()[:3] == source["action"].split()[:3]  # ids kept
    assert ws.cell(row=2, column=1).hyperlink.target == f"findings/{rows[0]['Finding']}.html"


def test_evidence_sheet_is_the_register_with_sha256(wb, site: Path, readiness: dict) -> None:  # noqa: ANN001
    ws = wb["Evidence"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Evidence", "Title"] and "SHA-256" in header and "Page" in header
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    note = f"{readiness['withheld']['evidence']} evidence records not shown in this build."
    assert readiness["withheld"]["evidence"] > 0 and rows.pop(note)  # a count, never the withheld records
    assert set(rows) == {e["id"] for e in readiness["evidence"]}
    manifest = {f["path"]: f["sha256"] for f in json.loads((site / "manifest.json").read_text())["files"]}
    with_docs = [e for e in readiness["evidence"] if e["document"]]
    assert with_docs
    for e in with_docs:
        assert rows[e["id"]]["SHA-256"] == e["sha256"] == manifest[e["document"]], e["id"]
        assert rows[e["id"]]["Page"] == f"evidence/{e['id']}.html"


def test_links_are_relative_without_a_site_url_and_absolute_with_one(built: BuildResult, wb) -> None:  # noqa: ANN001
    ws = wb["Checklist"]
    assert ws.cell(row=FIRST, column=1).hyperlink.target == "clauses/4.html"
    assert built.site is not None and built.site.export.site_url is None
    url = "https://kestrel.example/iso/"
    data = workbook_bytes(replace(built.site.export, site_url=url))
    other = load_workbook(io.BytesIO(data))
    assert other["Checklist"].cell(row=FIRST, column=1).hyperlink.target == url + "clauses/4.html"
    assert other["Evidence"].cell(row=2, column=1).hyperlink.target.startswith(url + "evidence/")
    assert str(other["Evidence"].cell(row=2, column=HEADERS_EVIDENCE_PAGE).value).startswith(url + "evidence/")
    title = "\n".join(str(other["Checklist"].cell(row=r, column=4).value or "") for r in range(1, TITLE_ROWS))
    assert f"Portal: {url}" in title


HEADERS_EVIDENCE_PAGE = 10  # the Evidence sheet's "Page" column


def test_no_cell_is_a_formula(wb) -> None:  # noqa: ANN001
    for ws in wb.worksheets:
        formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        assert not formulas, f"{ws.title}: formula cells {formulas}"


def test_the_workbook_is_linked_from_dashboard_report_and_readme(site: Path) -> None:
    assert 'href="./checklist.xlsx"' in (site / "index.html").read_text(encoding="utf-8")
    assert 'href="./checklist.xlsx"' in (site / "report.html").read_text(encoding="utf-8")
    readme = (site / "README.txt").read_text(encoding="utf-8")
    assert "checklist.xlsx is the audit checklist workbook" in readme


# --------------------------------------------------------------------------- printed with LibreOffice


@pytest.fixture(scope="module")
def printed(site: Path, tmp_path_factory: pytest.TempPathFactory) -> list:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require(soffice is not None, "LibreOffice not found (apt-get install libreoffice-calc-nogui)")
    from pypdf import PdfReader

    out = tmp_path_factory.mktemp("lo")
    profile = out / "profile"
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(out), str(site / "checklist.xlsx")],
                          capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(out)})
    pdf = out / "checklist.pdf"
    assert proc.returncode == 0 and pdf.is_file(), f"soffice failed: {proc.stdout}\n{proc.stderr}"
    return list(PdfReader(pdf).pages)


def test_libreoffice_prints_landscape_pages(printed: list) -> None:
    assert len(printed) >= 3
    for i, page in enumerate(printed, start=1):
        box = page.mediabox
        width, height = (box.height, box.width) if page.rotation in (90, 270) else (box.width, box.height)
        assert width > height, f"page {i} is portrait ({width} x {height})"


def test_libreoffice_first_page_shows_every_column(printed: list) -> None:
    text = printed[0].extract_text() or ""
    words = set(text.split())
    missing = [h for h in HEADERS if not set(h.split()) <= words]
    assert not missing, f"columns not on the first printed page: {missing}\n{text[:800]}"
    assert "ISO 9001 audit checklist: Kestrel Precision Components Ltd" in text
    assert "Page 1 of" in text and "as of 2026-11-24" in text  # the footer


# --------------------------------------------------------------------------- the Evidence sheet's rows, written as XML


def _reference_evidence_sheet(ws, site) -> None:  # noqa: ANN001
    """The Evidence sheet as openpyxl wrote it cell by cell (before the rows were written as XML)."""
    from openpyxl.styles import PatternFill

    from isoready import xlsx

    ws.title = "Evidence"
    xlsx._header(ws, 1, xlsx.EVIDENCE_HEADERS)
    row = 1
    for e in site.evidence:
        row += 1
        xlsx._body_row(ws, row, xlsx.evidence_values(site, e), xlsx.EVIDENCE_HEADERS)
        for col, target in xlsx.evidence_links(site, e):
            ws.cell(row=row, column=col).hyperlink = target
        if e.stale:
            ws.cell(row=row, column=8).fill = PatternFill("solid", fgColor=STATE_FILLS["not-ready"])
    if site.hidden_evidence:
        xlsx._text(ws.cell(row=row + 2, column=1), f"{site.hidden_evidence} evidence records not shown in this build.")
    xlsx._finish(ws, 1, xlsx.EVIDENCE_HEADERS, row, site.as_of, f"Evidence register: {site.organisation}")


def _evidence_cells(data: bytes) -> dict:
    ws = load_workbook(io.BytesIO(data))["Evidence"]
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and not c.has_style:
                continue
            cells[c.coordinate] = (c.value, c.fill.fgColor.rgb if c.fill.fill_type else None, c.alignment.wrap_text,
                                   c.alignment.vertical, c.border.left.style, c.font.b,
                                   c.hyperlink.target if c.hyperlink else None)
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
    return {"cells": cells, "heights": heights, "dimension": ws.dimensions, "filter": ws.auto_filter.ref,
            "freeze": ws.freeze_panes, "title_rows": ws.print_title_rows}


def test_the_evidence_rows_written_as_xml_equal_openpyxls_own(built: BuildResult, monkeypatch) -> None:
    """Every cell, style, hyperlink and row height of the Evidence sheet as openpyxl would write it, for the demo
    and for records whose text needs escaping, keeps its spaces, is stale, or links outside."""
    from isoready import xlsx

    export = built.site.export
    first = export.evidence[0]
    odd = replace(first, id="odd/<&>-1", title="  leading & <tags> \"quoted\"\nsecond line  ",
                  stale=True, external_url="https://example.com/a?b=1&c=\"2\"", owner="")
    tricky = replace(export, evidence=export.evidence + (odd,), hidden_evidence=export.hidden_evidence or 2)
    for site in (export, tricky):
        ours = xlsx.workbook_bytes(site)
        monkeypatch.setattr(xlsx, "evidence_sheet", _reference_evidence_sheet)
        theirs = xlsx.workbook_bytes(site)
        monkeypatch.undo()
        assert any(v[1] for v in _evidence_cells(ours)["cells"].values()), "a stale fill is compared"
        assert _evidence_cells(ours) == _evidence_cells(theirs)
        sheets = [zipfile.ZipFile(io.BytesIO(d)).read("xl/worksheets/sheet3.xml").decode() for d in (ours, theirs)]
        # Excel drops leading spaces unless told to keep them: the same cells say so
        assert [re.findall(r'<c r="(\w+)"[^>]*><is><t xml:space="preserve">', x) for x in sheets] == \
            [re.findall(r'<c r="(\w+)"[^>]*><is><t xml:space="preserve">', sheets[1])] * 2
        for other in ("Checklist", "Findings"):
            a, b = load_workbook(io.BytesIO(ours))[other], load_workbook(io.BytesIO(theirs))[other]
            assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()]
