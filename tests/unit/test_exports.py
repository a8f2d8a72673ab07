"""The machine-readable exports of the demo build: checklist.csv, checklist.xlsx, readiness.json, and the PDF report.

The demo project (the repository root) is built once for the module, as of 2026-11-24 for the auditor
audience, with the Python API and no cache. The XLSX is rebuilt once more to prove its bytes do not
depend on when it was written. Only the PDF step uses a browser: ``isoready report`` prints report.html
with Debian's headless Chromium, and pypdf reads the result back.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from e2e_support import CHROMIUM, require
from isoready.read.catalog import load_catalog
from isoready.outputs.export import CHECKLIST_COLUMNS, SCHEMA
from isoready.package.build import BuildResult, Options, build

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 24)
SUPPLIER_TITLE = str(yaml.safe_load(
    (ROOT / "evidence" / "operation" / "approved-supplier-list.yaml").read_text(encoding="utf-8"))["title"])
STATES = {"ready", "at-risk", "not-ready", "not-applicable"}
RULES_DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
CATALOG = load_catalog()
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _build(output: Path) -> Path:
    result: BuildResult = build(Options(root=ROOT, as_of=AS_OF, audience="auditor", output=output, use_cache=False))
    problems = "\n".join(str(d) for d in result.diagnostics)
    assert result.ok, f"the demo build failed:\n{problems}"
    assert (output / "index.html").is_file()
    return output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("exports") / "site")


@pytest.fixture(scope="module")
def csv_rows(site: Path) -> list[list[str]]:
    with open(site / "checklist.csv", newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def by_clause(csv_rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header, *rows = csv_rows
    return {row[0]: dict(zip(header, row)) for row in rows}


@pytest.fixture(scope="module")
def readiness(site: Path) -> dict:
    return json.loads((site / "readiness.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- checklist.csv


def test_csv_has_the_documented_header_and_one_row_per_catalog_clause(csv_rows: list[list[str]]) -> None:
    header, *rows = csv_rows
    assert tuple(header) == CHECKLIST_COLUMNS
    assert len(CATALOG.clauses) == 91
    assert len(rows) == 91, f"{len(rows)} rows, expected one per catalog clause (91)"
    assert [r[0] for r in rows] == [c.number for c in CATALOG.clauses], "rows are not the catalog's clauses in order"
    widths = {len(r) for r in rows}
    assert widths == {len(CHECKLIST_COLUMNS)}, f"ragged rows: widths {widths}"


def test_csv_row_for_the_excluded_clause_8_3(by_clause: dict[str, dict[str, str]]) -> None:
    row = by_clause["8.3"]
    assert row["title"] == "Design and development of products and services"
    assert row["applicability"].startswith("not applicable"), row["applicability"]
    assert "no design responsibility" in row["applicability"], "the justification is not carried"
    assert row["state"] == "not-applicable"
    assert row["status"] == "not-applicable"


def test_csv_row_for_8_4_1(by_clause: dict[str, dict[str, str]], readiness: dict) -> None:
    row = by_clause["8.4.1"]
    assert row["title"] == "General (Control of externally provided processes, products and services)"
    assert row["applicability"] == "applicable"
    assert row["status"] == "in-progress"  # inherited from 8.4
    assert row["state"] == "not-ready"
    # The owner column is the clause's own assessment's owner, as in readiness.json (8.4.1 has none of its
    # own; its parent 8.4 is owned by the Purchasing Manager).
    clause = next(c for c in readiness["clauses"] if c["number"] == "8.4.1")
    assert row["owner"] == (clause["owner"] or "")
    assert by_clause["8.4"]["owner"] == "Purchasing Manager"
    assert SUPPLIER_TITLE in row["evidence"].split("; "), row["evidence"]
    assert "evidence/operation/approved-supplier-list.html" in row["evidence_links"].split()
    assert "IA-2026-02 (major)" in row["open_findings"].split("; "), row["open_findings"]
    assert "open major finding IA-2026-02" in row["reasons"]


def test_csv_agrees_with_readiness_json(by_clause: dict[str, dict[str, str]], readiness: dict) -> None:
    for clause in readiness["clauses"]:
        row = by_clause[clause["number"]]
        assert row["state"] == clause["state"], clause["number"]
        assert row["status"] == clause["status"], clause["number"]
        assert row["reasons"] == " | ".join(clause["reasons"]), clause["number"]
        open_ids = [part.split(" (")[0] for part in row["open_findings"].split("; ") if part]
        assert open_ids == clause["findings"], clause["number"]


def test_csv_neutralises_formulas(csv_rows: list[list[str]]) -> None:
    for row in csv_rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"a cell starts like a formula: {cell!r}"


# --------------------------------------------------------------------------- checklist.xlsx


def _xlsx_rows(path: Path) -> tuple[object, list[list[str]]]:
    """The Checklist sheet and its clause rows (below the title rows and the header row)."""
    from openpyxl import load_workbook

    from isoready.outputs.xlsx import TITLE_ROWS

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(min_row=TITLE_ROWS + 1,
                                                                              values_only=True)]
    return ws, rows


def test_xlsx_holds_the_same_clauses_as_the_csv(site: Path, csv_rows: list[list[str]]) -> None:
    # The workbook is now a checklist for people (issue 12): title rows, plain-word headers and labels
    # ("Not ready", "In progress"), reasons one per line. It must still say what the CSV says, clause by clause.
    from isoready.outputs.xlsx import CHECKLIST_HEADERS

    ws, rows = _xlsx_rows(site / "checklist.xlsx")
    assert ws.title == "Checklist"
    assert len(rows) == len(csv_rows) - 1 == 91
    names = [h for h, _ in CHECKLIST_HEADERS]
    header, *csv_body = csv_rows
    problems = []
    for x_row, c_row in zip(rows, csv_body):
        x, c = dict(zip(names, x_row)), dict(zip(header, c_row))
        for xs, cs in (("Clause", "clause"), ("Owner", "owner")):
            if x[xs] != c[cs]:
                problems.append(f"{c['clause']} {xs}: xlsx {x[xs]!r} != csv {c[cs]!r}")
        # an exclusion's justification is printed once, on the excluded clause's row (Applicability)
        excluded_with = re.match(r"not applicable \(declared on ([0-9.]+)\)", c["reasons"])
        if excluded_with:
            declared = excluded_with.group(1)
            want = (c["applicability"] if declared == c["clause"] else f"not applicable (excluded with {declared})",
                    f"not applicable: excluded with {declared}")
            if (x["Applicability"], x["Reasons"]) != want:
                problems.append(f"{c['clause']}: {x['Applicability']!r} / {x['Reasons']!r}, expected {want}")
        elif (x["Applicability"], x["Reasons"].split("\n")) != (c["applicability"], c["reasons"].split(" | ")):
            problems.append(f"{c['clause']} reasons differ: {x['Reasons']!r} / {c['reasons']!r}")
        if x["State"].lower().replace(" ", "-") != c["state"]:
            problems.append(f"{c['clause']} state: xlsx {x['State']!r}, csv {c['state']!r}")
        open_ids = [part.split(" (")[0] for part in c["open_findings"].split("; ") if part]
        if [line.split(" (")[0] for line in x["Open findings"].split("\n") if line] != open_ids:
            problems.append(f"{c['clause']} open findings: xlsx {x['Open findings']!r}, csv {c['open_findings']!r}")
    assert not problems, "\n".join(problems[:20])
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not formulas, f"formula cells in the workbook: {formulas}"


def test_xlsx_first_column_links_to_clause_pages(site: Path) -> None:
    from isoready.outputs.xlsx import TITLE_ROWS

    ws, rows = _xlsx_rows(site / "checklist.xlsx")
    problems = []
    for r in range(TITLE_ROWS + 1, ws.max_row + 1):
        cell = ws.cell(row=r, column=1)
        want = f"clauses/{cell.value}.html"
        target = cell.hyperlink.target if cell.hyperlink is not None else None
        if target != want:
            problems.append(f"{cell.coordinate} ({cell.value}): hyperlink {target!r}, expected {want!r}")
        elif not (site / target).is_file():
            problems.append(f"{cell.coordinate}: {target} does not exist in the site")
    assert ws.max_row == TITLE_ROWS + 91
    assert not problems, "\n".join(problems[:20])


def test_xlsx_bytes_are_identical_across_builds(site: Path, tmp_path: Path) -> None:
    again = _build(tmp_path / "again")
    first, second = (site / "checklist.xlsx").read_bytes(), (again / "checklist.xlsx").read_bytes()
    assert first[:2] == b"PK"
    assert first == second, "checklist.xlsx differs between two builds of the same inputs"
    for name in ("checklist.csv", "readiness.json"):
        assert (site / name).read_bytes() == (again / name).read_bytes(), f"{name} differs between two builds"


# --------------------------------------------------------------------------- readiness.json


def test_readiness_json_schema_and_per_clause_state(readiness: dict) -> None:
    assert readiness["schema"] == SCHEMA == 3
    assert readiness["as_of"] == "2026-11-24" and readiness["audience"] == "auditor"
    clauses = readiness["clauses"]
    assert [c["number"] for c in clauses] == [c.number for c in CATALOG.clauses]
    for c in clauses:
        assert c["state"] in STATES, c
        assert isinstance(c["reasons"], list) and c["reasons"], f"{c['number']} has no reasons"
        assert all(isinstance(r, str) and r for r in c["reasons"]), c["reasons"]
        # schema 3: a stable code beside every reason sentence, each one documented in docs/rules.md
        assert len(c["reason_codes"]) == len(c["reasons"]), c
        assert all(f"`{code}`" in RULES_DOC for code in c["reason_codes"]), c["reason_codes"]
        for m in c["documented_information"]:
            assert m["code"].startswith("di-") and m["reason"], m
    states = {c["number"]: c["state"] for c in clauses}
    assert states["8.3"] == "not-applicable"
    assert states["8.4.1"] == "not-ready"
    # The counts agree with the leaf clauses.
    leaves = [c for c in clauses if not any(o["parent"] == c["number"] for o in clauses)]
    counts = {s: sum(1 for c in leaves if c["state"] == s) for s in STATES}
    assert counts == {k: v for k, v in readiness["readiness"]["states"].items() if k in STATES}


def test_readiness_json_findings_carry_overdue(readiness: dict) -> None:
    findings = {f["id"]: f for f in readiness["findings"]}
    assert all(isinstance(f["overdue"], bool) for f in findings.values())
    assert findings["IA-2026-03"]["overdue"] is True  # due 2026-11-15, still open on 2026-11-24
    assert findings["IA-2026-03"]["due"] == "2026-11-15" and findings["IA-2026-03"]["status"] == "open"
    assert findings["IA-2026-02"]["overdue"] is False  # due 2026-12-01
    assert findings["IA-2026-02"]["grade"] == "major"
    for f in findings.values():
        if f["status"] == "closed" or f["due"] is None:
            assert f["overdue"] is False, f
        else:
            assert f["overdue"] is (f["due"] < "2026-11-24"), f


def test_readiness_json_gates(readiness: dict) -> None:
    gates = readiness["gates"]
    assert set(gates) >= {"stage1", "stage2"}
    for key in ("stage1", "stage2"):
        gate = gates[key]
        assert isinstance(gate["passed"], bool)
        assert gate["items"], f"{key} has no items"
        for item in gate["items"]:
            assert set(item) == {"name", "check", "passed", "reason", "code"}, item
            assert f"`{item['check']}`" in RULES_DOC and f"`{item['code']}`" in RULES_DOC, item
            assert isinstance(item["name"], str) and item["name"]
            assert isinstance(item["passed"], bool)
            assert isinstance(item["reason"], str) and item["reason"]
        assert gate["passed"] == all(i["passed"] for i in gate["items"]), key
    # stage 1 passes but for legal-requirements until the demo declares a legal register (issue 24's demo part)
    assert [i["check"] for i in gates["stage1"]["items"] if not i["passed"]] in ([], ["legal-requirements"])
    assert gates["stage2"]["passed"] is False
    major = next(i for i in gates["stage2"]["items"] if "major" in i["name"].lower())
    assert major["passed"] is False and "IA-2026-02" in major["reason"]


# --------------------------------------------------------------------------- the PDF report


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    import os

    require(os.access(CHROMIUM, os.X_OK), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from pypdf import PdfReader

    target = tmp_path_factory.mktemp("report") / "report.pdf"
    # isoready report now builds a site with report.pdf in it (issue 12): into a temporary folder here
    cmd = [sys.executable, "-m", "isoready", "report", "--root", str(ROOT), "--as-of", AS_OF.isoformat(),
           "--pdf", str(target), "--output", str(target.parent / "site")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, f"exit {proc.returncode}: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}"
    assert target.is_file() and target.read_bytes()[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    return [page.extract_text() or "" for page in reader.pages]


FOOTER = re.compile(r"Page (\d+) of (\d+)")


@pytest.mark.browser
def test_pdf_has_several_pages_with_numbered_dated_footers(report_pdf: list[str]) -> None:
    n = len(report_pdf)
    assert n >= 8, f"only {n} pages"
    assert "Page 1 of" in report_pdf[0]
    problems = []
    for i, text in enumerate(report_pdf, start=1):
        if f"Page {i} of {n}" not in text:
            problems.append(f"page {i}: no 'Page {i} of {n}' (found {FOOTER.findall(text)})")
        if "as of 2026-11-24" not in text:
            problems.append(f"page {i}: no 'as of 2026-11-24'")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_pdf_has_one_section_per_main_clause_each_on_its_own_page(report_pdf: list[str], readiness: dict) -> None:
    where: dict[str, int] = {}
    for main in CATALOG.mains:
        clause = next(c for c in readiness["clauses"] if c["number"] == main.number)
        ready = round(clause["readiness"] * 100) if clause["state"] == "ready" else None
        heading = re.compile(rf"^\s*Clause {main.number} {re.escape(main.title)} — \d+% ready", re.M)
        pages = [i for i, text in enumerate(report_pdf) if heading.search(text)]
        assert pages, f"no section heading 'Clause {main.number} {main.title} — N% ready' in the PDF"
        if ready is not None:
            assert f"{ready}% ready" in report_pdf[pages[0]]
        assert len(pages) == 1, f"'Clause {main.number}' heading on several pages: {pages}"
        where[main.number] = pages[0]
        # The section starts its page: the heading is the first line below the page's margin boxes.
        body = [line for line in report_pdf[pages[0]].splitlines() if line.strip() and not FOOTER.search(line)]
        assert body and heading.match(body[0]), \
            f"'Clause {main.number}' does not start page {pages[0] + 1}; the page begins with {body[:2]}"
    order = [where[m.number] for m in CATALOG.mains]
    assert order == sorted(order) and len(set(order)) == len(order), f"section pages (0-based): {where}"
    assert order[0] > 0, "clause 4 starts on the first page: the summary should come before it"
