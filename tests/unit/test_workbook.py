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
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

import pytest
from openpyxl import load_workbook

from e2e_support import require
from isoready.read.catalog import load_catalog
from isoready.package.build import BuildResult, Options, build
from isoready.outputs.xlsx import (CHECKLIST_HEADERS, CONFORMITY_CHOICES, EVIDENCE_HEADERS, PRINTED_COLUMNS,
                                   STATE_FILLS, TITLE_ROWS, workbook_bytes)

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


def test_five_sheets_in_order_then_one_per_register_type(wb) -> None:  # noqa: ANN001
    # the demo declares a register of each type (issue 24): their summary sheets follow, in REGISTER_KINDS order
    assert wb.sheetnames == ["Checklist", "Findings", "Evidence", "Coverage", "Gates", "Calibration", "Competence",
                             "Suppliers", "Objectives", "Audit programme", "Legal", "Nonconformities"]


def test_title_rows_say_who_what_and_when(wb, readiness: dict) -> None:  # noqa: ANN001
    ws = wb["Checklist"]
    title = [str(ws.cell(row=r, column=1).value or "") for r in range(1, TITLE_ROWS)]
    text = "\n".join(title)
    assert title[0] == "ISO 9001 audit checklist: Kestrel Precision Components Ltd"
    assert ws.cell(row=1, column=1).font.bold
    assert "Standard: ISO 9001:2015 incl. ISO 9001:2015/Amd 1:2024" in text
    assert ws["A3"].value == "As of" and ws["B3"].value == datetime(2026, 11, 24)
    assert ws["B3"].is_date and ws["B3"].number_format == "yyyy-mm-dd"
    assert "Audience: auditor" in text and f"commit {COMMIT}" in text
    audits = [(c.value, c.is_date, c.number_format) for c in ws[5] if c.value is not None]
    assert audits == [("Audits", False, "General"), ("Stage 1 audit", False, "General"),
                      (datetime(2027, 1, 19), True, "yyyy-mm-dd"), ("Stage 2 audit", False, "General"),
                      (datetime(2027, 3, 2), True, "yyyy-mm-dd")]
    # the auditor build withholds internal evidence: the title says so, with the count only
    assert f"not shown in this build: {readiness['withheld']['evidence']} evidence records" in text


def test_headers_are_plain_words(wb) -> None:  # noqa: ANN001
    ws = wb["Checklist"]
    got = [ws.cell(row=TITLE_ROWS, column=i).value for i in range(1, len(HEADERS) + 1)]
    # what prints first (up to Auditor notes), then what shows on screen only
    assert got == ["Clause", "Title", "State", "Reasons", "Evidence", "Open findings",
                   "Records sampled", "Conformity", "Auditor notes",
                   "Applicability", "Declared status", "What an auditor checks", "Mandatory documented information",
                   "Owner", "Target"]
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
    assert row["Owner"] == "Purchasing Manager" and row["Target"] == datetime(2026, 12, 1)  # inherited from 8.4


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
    # a stage 1 report records areas of concern: the list offers it, beside the grades it had
    assert dv.formula1 == '"C,minor NC,major NC,OFI,area of concern,N/A"'
    assert CONFORMITY_CHOICES == ("C", "minor NC", "major NC", "OFI", "area of concern", "N/A")
    assert dv.prompt == "C, minor NC, major NC, OFI, area of concern or N/A"
    assert dv.error == "Choose C, minor NC, major NC, OFI, area of concern or N/A"
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
    # on paper: the columns up to Auditor notes (the guidance and the rest stay on screen), at a size that,
    # fitted to the width, prints at 9 pt or more (LibreOffice's print is checked below)
    assert PRINTED_COLUMNS == HEADERS.index("Auditor notes") + 1
    assert ws.print_area == f"'Checklist'!$A$1:${chr(64 + PRINTED_COLUMNS)}${ws.max_row}"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.oddFooter.left.size >= 9 and ws.oddFooter.right.size >= 9
    fonts = {ws.cell(row=r, column=c).font.sz for r in range(1, ws.max_row + 1) for c in range(1, PRINTED_COLUMNS + 1)
             if ws.cell(row=r, column=c).value is not None}
    assert fonts and min(fonts) >= 11, fonts
    widths = {h: ws.column_dimensions[chr(64 + i)].width for i, h in enumerate(HEADERS, start=1)}
    assert widths["Records sampled"] >= 16 and widths["Conformity"] >= 13 and widths["Auditor notes"] >= 18
    assert sum(widths[h] for h in HEADERS[:PRINTED_COLUMNS]) <= 130  # fits one page wide at 9 pt or more
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
    assert by_id["IA-2026-03"]["Overdue"] == "Yes" and by_id["IA-2026-03"]["Due"] == datetime(2026, 11, 15)
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


def test_an_evidence_row_reads_back_with_its_values_links_looks_and_height(wb, readiness: dict) -> None:  # noqa: ANN001
    """One Evidence row read back cell by cell (the sheet that grows with the register, written the fastest way
    openpyxl's write-only mode allows: outputs/xlsxsheet.py): a stale record with a document, and one with an
    external link."""
    ws = wb["Evidence"]
    header = [c.value for c in ws[1]]
    assert header == [h for h, _ in EVIDENCE_HEADERS] and ws.row_dimensions[1].height == 30
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value}
    record = next(e for e in readiness["evidence"] if e["id"] == "support/communication-matrix")
    row = rows["support/communication-matrix"]
    assert [c.value for c in row] == [
        "support/communication-matrix", "Internal and external communication matrix", "Document (maintained)",
        "7.4", "Operations Manager", datetime(2024, 9, 30), datetime(2026, 9, 30), "Yes", "auditor",
        "evidence/support/communication-matrix.html", "files/support/communication-matrix.md", record["sha256"],
        None]
    assert {c.column_letter: c.hyperlink.target for c in row if c.hyperlink} == {
        "A": "evidence/support/communication-matrix.html", "K": "files/support/communication-matrix.md"}
    for c in row:  # every cell of the table bordered, wrapped, top-aligned, in the workbook's font
        sides = (c.border.left, c.border.right, c.border.top, c.border.bottom)
        assert {(s.style, s.color.rgb) for s in sides} == {("thin", "00A6A6A6")}, c.coordinate
        assert (c.alignment.vertical, c.alignment.wrap_text, c.font.b) == ("top", True, False), c.coordinate
        assert c.number_format == ("yyyy-mm-dd" if c.column_letter in "FG" else "General"), c.coordinate
        fill = "00" + STATE_FILLS["not-ready"] if c.column_letter == "H" else "00000000"  # stale: its fill
        assert c.fill.fgColor.rgb == fill, c.coordinate
    assert ws.row_dimensions[row[0].row].height == 31  # the SHA-256 wraps to two lines
    linked = rows["operation/job-traceability"]
    assert linked[12].value == linked[12].hyperlink.target == \
        "https://erp.kestrel-precision.example.com/reports/traceability?period=2026"
    assert (linked[7].value, linked[7].fill.fgColor.rgb) == ("No", "00000000")
    assert ws.row_dimensions[linked[0].row].height == 45.5  # its external link wraps to three lines


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


def test_every_date_is_an_excel_date(wb) -> None:  # noqa: ANN001
    """A date shown on its own is a date cell (a number Excel sorts and filters as a date, shown as yyyy-mm-dd),
    never the text "2026-11-15" it was."""
    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    dates = {}
    for ws in wb.worksheets:
        text_dates = [c.coordinate for row in ws.iter_rows() for c in row
                      if isinstance(c.value, str) and iso.fullmatch(c.value)]
        assert not text_dates, f"{ws.title}: dates as text in {text_dates[:10]}"
        cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, (date, datetime))]
        assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in cells), ws.title
        dates[ws.title] = cells
    assert {name: bool(cells) for name, cells in dates.items()} == dict.fromkeys(wb.sheetnames, True)
    columns = {"Checklist": (TITLE_ROWS, ["Target"]), "Findings": (1, ["Raised", "Due", "Closed"]),
               "Evidence": (1, ["Issued or recorded", "Review by"])}
    for name, (header_row, wanted) in columns.items():
        ws = wb[name]
        header = [c.value for c in ws[header_row]]
        for column in wanted:
            col = header.index(column) + 1
            cells = [ws.cell(row=r, column=col) for r in range(header_row + 1, ws.max_row + 1)]
            filled = [c for c in cells if c.value is not None]
            assert filled and all(c.is_date for c in filled), (name, column)
    closed = [r for r in wb["Findings"].iter_rows(min_row=2, values_only=True) if r[2] == "closed"]
    assert closed and all(isinstance(r[7], datetime) for r in closed)


def test_coverage_sheet_is_the_coverage_page(wb, readiness: dict, built: BuildResult) -> None:  # noqa: ANN001
    """Applicable leaves down, the internal audits within the window across, as on coverage.html."""
    from isoready.outputs.xlsx import COVERAGE_TITLE_ROWS as H

    ws = wb["Coverage"]
    assert ws["A1"].value == "Internal audit coverage: Kestrel Precision Components Ltd"
    leaves = readiness["coverage"]["leaves"]
    audits = sorted({a for ids in leaves.values() for a in ids})
    header = [c.value for c in ws[H] if c.value is not None]
    assert header == ["Clause", "Title", *audits, "Covered"]
    assert audits == ["performance/internal-audit-report-2026-09", "performance/internal-audit-report-2026-11"]
    assert [c.value for c in ws[H + 1]][1:4] == ["Audit date", datetime(2026, 9, 22), datetime(2026, 11, 18)]
    assert ws.cell(row=H + 1, column=3).is_date
    assert ws.cell(row=H + 1, column=3).hyperlink.target == "evidence/performance/internal-audit-report-2026-09.html"
    assert ws.cell(row=H + 2, column=2).value == "Auditor" and "External consultant" in ws.cell(row=H + 2, column=3).value
    rows = {r[0]: r for r in ws.iter_rows(min_row=H + 3, values_only=True) if r[0]}
    assert list(rows) == list(leaves)
    for leaf, ids in leaves.items():
        row = rows[leaf]
        assert [bool(v) for v in row[2:2 + len(audits)]] == [a in ids for a in audits], leaf
        assert row[2 + len(audits)] == ("yes" if ids else "no"), leaf
    assert readiness["coverage"]["uncovered"] == ["6.3", "8.2.4"]
    assert rows["6.3"][-1] == "no" and rows["8.2.4"][-1] == "no" and rows["4.1"][2] == "✔"
    notes = " ".join(str(ws.cell(row=r, column=1).value or "") for r in range(2, H))
    assert "57 of 59 applicable clauses covered by 2 internal audits" in notes
    assert "Not covered: 6.3, 8.2.4." in notes and "was held before it was in place" in notes
    assert ws.cell(row=H + 3, column=1).hyperlink.target == "clauses/4.1.html"
    assert ws.print_title_rows == f"${H}:${H + 2}" and ws.page_setup.orientation == "landscape"
    assert ws.freeze_panes == f"C{H + 3}"


def test_gates_sheet_holds_each_stages_checks_passed_and_why(wb, readiness: dict) -> None:  # noqa: ANN001
    from isoready.outputs.xlsx import GATE_TITLE_ROWS as H

    ws = wb["Gates"]
    assert ws["A1"].value == "Audit stage gates: Kestrel Precision Components Ltd"
    assert ws["B2"].value == datetime(2026, 11, 24) and ws["B2"].is_date
    header = [c.value for c in ws[H]]
    assert header == ["Stage", "Check", "What is checked", "Today", "Reason", "Audit date", "On the audit date",
                      "Reason on the audit date"]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=H + 1, values_only=True) if r[0]]
    for key, stage, day in (("stage1", "Stage 1", datetime(2027, 1, 19)), ("stage2", "Stage 2", datetime(2027, 3, 2))):
        gate = readiness["gates"][key]
        mine = [r for r in rows if r["Stage"] == stage]
        head, checks = mine[0], mine[1:]
        assert head["Check"] == "all checks" and head["Today"] == ("Passes" if gate["passed"] else "Fails")
        assert head["Audit date"] == day
        assert [(r["Check"], r["What is checked"], r["Today"], r["Reason"]) for r in checks] == [
            (i["check"], i["name"], "Passes" if i["passed"] else "Fails", i["reason"]) for i in gate["items"]]
        assert all(r["Audit date"] == day and r["On the audit date"] in ("Passes", "Fails") for r in checks)
    # the demo's story: stage 1 passes today and fails on its date; stage 2 fails. Until the demo declares a
    # legal register (issue 24's demo part), stage 1's legal-requirements check fails today too
    first = next(r for r in rows if r["Stage"] == "Stage 1")
    legal = next(i for i in readiness["gates"]["stage1"]["items"] if i["check"] == "legal-requirements")
    assert first["Today"] == ("Passes" if legal["passed"] else "Fails") and first["On the audit date"] == "Fails"
    assert first["Reason"].startswith("Stage 1 passes today; on 2027-01-19 it fails: " if legal["passed"] else
                                      "Stage 1 does not pass today")
    second = next(r for r in rows if r["Stage"] == "Stage 2")
    assert second["Today"] == "Fails"
    major = next(r for r in rows if r["Check"] == "no-open-major")
    assert major["Today"] == "Fails" and "IA-2026-02" in major["Reason"]
    fill = ws.cell(row=H + 2, column=4).fill.fgColor.rgb
    assert fill == "00" + STATE_FILLS["ready"]


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


def _page_text_sizes(page) -> list[tuple[float, str]]:  # noqa: ANN001
    """(printed size in points, text) of each piece of text on a PDF page."""
    import math

    sizes: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size) -> None:  # noqa: ANN001
        if text.strip():
            sizes.append((size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]), text))

    page.extract_text(visitor_text=visit)
    return sizes


def test_libreoffice_first_page_shows_the_printed_columns_at_9_pt_or_more(printed: list) -> None:
    """Page 1, printed by LibreOffice, is readable at arm's length: the printed columns and the first clause, no
    type under 9 pt (it was about 5 pt with every column on the page); the guidance stays on screen only."""
    text = printed[0].extract_text() or ""
    words = set(text.split())
    on_paper = HEADERS[:PRINTED_COLUMNS]
    assert on_paper[-3:] == ["Records sampled", "Conformity", "Auditor notes"]
    missing = [h for h in on_paper if not set(h.split()) <= words]
    assert not missing, f"columns not on the first printed page: {missing}\n{text[:800]}"
    for screen_only in ("Declared status", "What an auditor checks", "Mandatory documented information"):
        assert screen_only not in " ".join(text.split()), screen_only
    assert "ISO 9001 audit checklist: Kestrel Precision Components Ltd" in text
    assert re.search(r"^4 Context of the\s+organization", text, re.M), text[:1200]  # the first clause
    assert "Page 1 of" in text and "as of 2026-11-24" in text  # the footer
    sizes = _page_text_sizes(printed[0])
    assert len(sizes) > 50
    small = [(round(size, 2), t) for size, t in sizes if size < 9]
    assert not small, small[:10]


def test_libreoffice_prints_the_coverage_and_gates_sheets_at_9_pt_or_more(printed: list) -> None:
    pages = {"Internal audit coverage: Kestrel": [], "Audit stage gates: Kestrel": []}
    for page in printed:
        text = page.extract_text() or ""
        for title, found in pages.items():
            if title in text:
                found.append(page)
    assert all(pages.values()), {k: len(v) for k, v in pages.items()}
    for title, found in pages.items():
        small = [(round(size, 2), t) for page in found for size, t in _page_text_sizes(page) if size < 9]
        assert not small, (title, small[:5])


# --------------------------------------------------------------------------- written with openpyxl's write-only mode

WORKBOOK_MODULES = ("xlsx.py", "xlsxsheet.py", "xlsxregisters.py")


def test_the_workbook_uses_no_private_name_of_openpyxl() -> None:
    """The workbook is written through openpyxl's public write-only API (issue 23): no private attribute
    (``cell._style``, ``ws._cells``, ``wb._cell_styles``) and no private openpyxl module, in any of its modules."""
    folder = Path(__file__).resolve().parents[2] / "isoready" / "outputs"
    for name in WORKBOOK_MODULES:
        source = (folder / name).read_text(encoding="utf-8")
        code = "\n".join(line.split("#")[0] for line in source.splitlines())
        private = re.findall(r"(?<!self)\._[a-z]\w*", code)  # its own objects' (self._...) are its own
        assert not private, (name, private)
        assert not re.findall(r"openpyxl(?:\.\w+)*\._", code), name


def test_the_workbook_is_written_in_write_only_mode(built: BuildResult, monkeypatch) -> None:  # noqa: ANN001
    """Every sheet streams through openpyxl's write-only worksheet: a workbook made any other way fails here."""
    import openpyxl

    from isoready.outputs import xlsxsheet

    made = []
    real = openpyxl.Workbook

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        wb = real(*args, **kwargs)
        made.append(wb)
        return wb

    monkeypatch.setattr(xlsxsheet, "Workbook", spy, raising=False)
    workbook_bytes(built.site.export)
    assert made and all(wb.write_only for wb in made)
    assert all(type(ws).__name__ == "WriteOnlyWorksheet" for wb in made for ws in wb.worksheets)


def test_text_that_needs_escaping_or_keeps_its_spaces_reads_back_the_same(built: BuildResult) -> None:
    """Every cell a record's text fills reads back as written: markup characters, quotes, lines, leading and
    trailing spaces (Excel drops them unless told to keep them), a link with a query, a value that looks like a
    formula, and a control character XML cannot hold (dropped, never a failed build)."""
    export = built.site.export
    odd = replace(export.evidence[0], id="odd/<&>-1", title="  leading & <tags> \"quoted\"\nsecond line  ",
                  stale=True, external_url="https://example.com/a?b=1&c=\"2\"", owner="=SUM(1,2)",
                  version="a\x07b")
    data = workbook_bytes(replace(export, evidence=export.evidence + (odd,), hidden_evidence=2))
    ws = load_workbook(io.BytesIO(data))["Evidence"]
    row = 2 + len(export.evidence)
    cells = {h: ws.cell(row=row, column=i) for i, (h, _) in enumerate(EVIDENCE_HEADERS, start=1)}
    assert cells["Evidence"].value == "odd/<&>-1"
    assert cells["Title"].value == "  leading & <tags> \"quoted\"\nsecond line  "
    assert (cells["Owner"].value, cells["Owner"].data_type) == ("=SUM(1,2)", "s")
    assert cells["External link"].hyperlink.target == "https://example.com/a?b=1&c=\"2\""
    assert cells["Stale"].value == "Yes" and cells["Stale"].fill.fgColor.rgb == "00" + STATE_FILLS["not-ready"]
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet3.xml").decode()
    assert f'<c r="B{row}" s="' in sheet and '<t xml:space="preserve">  leading &amp; &lt;tags&gt;' in sheet
    assert ws.cell(row=row + 2, column=1).value == "2 evidence records not shown in this build."


def test_the_workbook_is_the_same_bytes_twice(built: BuildResult) -> None:
    assert workbook_bytes(built.site.export) == workbook_bytes(built.site.export)
    assert (built.output / "checklist.xlsx").read_bytes() == workbook_bytes(built.site.export)


def test_a_look_is_written_as_openpyxls_own_cells_would_write_it() -> None:
    """A sheet's look is one cell whose index among the workbook's styles is worked out once (xlsxsheet.StyleCell);
    the bytes are those of openpyxl's own write-only cells, also where openpyxl changes a look while it writes (a
    date handed to a look without a date format gets one: the look's later cells carry it, as openpyxl's do)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Side

    from isoready.outputs.xlsxsheet import Sheet, save

    day = date(2026, 11, 24)
    rows = (("text", day, "more"), ("again", None, day), (day, "last", None))

    def ours() -> bytes:
        wb = Workbook(write_only=True)
        sheet = Sheet(wb, "Looks")
        body = sheet.style("body")
        for values in rows:
            sheet.row((value, body, None) for value in values)
        return save(wb)

    def openpyxls() -> bytes:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Looks")
        body = WriteOnlyCell(ws)
        thin = Side(style="thin", color="A6A6A6")
        body.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        body.alignment = Alignment(vertical="top", wrap_text=True)

        def cells(values: tuple) -> Iterator[object]:
            for value in values:
                body.value = value
                yield body

        for values in rows:
            ws.append(cells(values))
        return save(wb)

    mine, theirs = (zipfile.ZipFile(io.BytesIO(data)) for data in (ours(), openpyxls()))
    for part in ("xl/worksheets/sheet1.xml", "xl/styles.xml"):
        assert mine.read(part) == theirs.read(part), part
    ws = load_workbook(io.BytesIO(ours()))["Looks"]
    assert (ws["A1"].value, ws["B1"].is_date, ws["B1"].value) == ("text", True, datetime(2026, 11, 24))
    assert ws["A1"].border.left.style == ws["B1"].border.left.style == "thin"


def test_team_text_starting_like_a_formula_stays_text_on_every_sheet(minimal_project: Path, tmp_path: Path) -> None:
    """The Coverage and Gates sheets print the organisation's name, audit titles and auditors: a value that starts
    with "=" (or "+", "@") is a text cell there as on every other sheet, never a formula a spreadsheet would run."""
    org = minimal_project / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("name: Example Works Ltd",
                                                            "name: '=HYPERLINK(\"http://x.test\",\"Ltd\")'"),
                   encoding="utf-8")
    audit = minimal_project / "evidence" / "performance" / "internal-audit-2026.yaml"
    audit.write_text(audit.read_text(encoding="utf-8") + "auditor: '@SUM(1,2)'\n", encoding="utf-8")
    out = tmp_path / "site"
    result = build(Options(root=minimal_project, as_of=date(2026, 11, 1), audience="internal", output=out,
                           use_cache=False, commit=COMMIT))
    assert result.ok, "\n".join(str(d) for d in result.diagnostics)
    book = load_workbook(out / "checklist.xlsx")
    assert {"Coverage", "Gates"} <= set(book.sheetnames)
    for ws in book.worksheets:
        formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        assert not formulas, f"{ws.title}: formula cells {formulas}"
    assert book["Gates"]["A1"].value == 'Audit stage gates: =HYPERLINK("http://x.test","Ltd")'
    assert book["Coverage"]["A1"].value == 'Internal audit coverage: =HYPERLINK("http://x.test","Ltd")'
    auditors = [c.value for row in book["Coverage"].iter_rows() for c in row if c.value == "@SUM(1,2)"]
    assert auditors, "the auditor's name is on the Coverage sheet, as text"


def test_past_excels_hyperlink_limit_records_are_given_by_address_and_the_sheet_says_so(built: BuildResult) -> None:
    """Excel refuses a sheet with more than 65,530 hyperlinks (100,000 records would have twice that): whole
    records are linked while their links fit, the rest keep their page's address as text, and a note above the
    table says so, where an auditor reads it before the records (the limit lowered to 7 here)."""
    from isoready.outputs.xlsx import evidence_links

    site = built.site.export
    ws = load_workbook(io.BytesIO(workbook_bytes(site, limit=7)))["Evidence"]
    assert ws["A1"].value == (f"Only the first 3 of {len(site.evidence):,} records are linked: Excel allows 7 links "
                              "on a sheet. For the other records, the Page column gives the address of the "
                              "record's page.")
    assert ws["A1"].font.b and ws["A2"].value == "Evidence" and ws.freeze_panes == "B3"
    assert ws.auto_filter.ref.startswith("A2:") and ws.print_title_rows == "$2:$2"
    links = [(c.row, c.column) for row in ws.iter_rows() for c in row if c.hyperlink]
    per_record = {r: len(evidence_links(site, e)) for r, e in enumerate(site.evidence, start=3)}
    assert sorted({r for r, _ in links}) == [3, 4, 5]  # the first records, each with all its links
    assert len(links) == sum(per_record[r] for r in (3, 4, 5)) <= 7 < len(links) + per_record[6]
    for row in (6, 2 + len(site.evidence)):  # past the limit: the page's address, as text, and no link
        assert ws.cell(row=row, column=HEADERS_EVIDENCE_PAGE).value == site.evidence[row - 3].url
        assert not any(c.hyperlink for c in ws[row])
    # the demo is far below Excel's limit: no note, every record linked, the header on row 1
    ws = load_workbook(io.BytesIO(workbook_bytes(site)))["Evidence"]
    assert ws["A1"].value == "Evidence" and not any("Excel allows" in str(c.value) for c in ws["A"])
    assert {c.row for row in ws.iter_rows() for c in row if c.hyperlink} == set(range(2, 2 + len(site.evidence)))


def test_at_excels_hyperlink_limit_exactly_every_record_is_linked() -> None:
    """The real limit: 65,530 links fit on a sheet, one more does not (a synthetic count, no workbook)."""
    from isoready.outputs.xlsxsheet import HYPERLINK_LIMIT, LinkPlan

    assert HYPERLINK_LIMIT == 65_530
    exact = LinkPlan([2] * 32_765)
    assert (exact.complete, exact.links) == (True, 65_530)
    over = LinkPlan([2] * 32_765 + [1])
    assert (over.complete, over.linked, over.records, over.links) == (False, 32_765, 32_766, 65_530)
    whole = LinkPlan([3] * 21_843 + [3, 1])  # 65,529 links, then a record of 3 that does not fit: never half
    assert (whole.linked, whole.links) == (21_843, 65_529)
