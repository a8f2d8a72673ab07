"""Registers read for their content (issue 24), the reading part: ``register:`` and its keys on an evidence record,
a CSV or XLSX file read into typed rows that remember their cell, and every problem printed by ``isoready
validate`` at its cell (``evidence/support/gauges.csv:7:3``, ``evidence/support/gauges.xlsx!Gauges!C7``)."""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from textwrap import dedent

import openpyxl
import pytest

from isoready.cli import main
from isoready.core.diagnostics import report
from isoready.model import Evidence
from isoready.read import registers
from isoready.read.catalog import load_catalog
from isoready.read.reader import ParseCache
from isoready.validate.project import read_project

AS_OF = "2026-11-01"

GAUGES = """\
title: Gauge calibration register
kind: record
clauses: ["7.1.5.1", "7.1.5.2"]
file: {file}
register: calibration
{extra}"""

MAPPED = "columns:\n  id: Gauge ID\n  due: Next calibration\n"


def write(root: Path, rel: str, content: "str | bytes") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(dedent(content), encoding="utf-8")
    return path


def gauges(root: Path, file: str, data: "str | bytes | None" = None, extra: str = MAPPED) -> None:
    write(root, "evidence/support/gauges.yaml", GAUGES.format(file=file, extra=extra))
    if data is not None:
        write(root, f"evidence/support/{file}", data)


def run(capsys, root: Path) -> tuple[int, list[str]]:
    code = main(["validate", "--root", str(root), "--as-of", AS_OF])
    return code, capsys.readouterr().out.splitlines()


def project(root: Path, **limits: int):
    return read_project(root, load_catalog(), date.fromisoformat(AS_OF), **limits)


def xlsx(sheets: dict[str, list[list]], patch: "dict[str, str] | None" = None) -> bytes:
    """A workbook made here (openpyxl), with ``patch`` replacing text in its first sheet's XML: openpyxl writes a
    formula without its calculated value, and a spreadsheet program stores both."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    if not patch:
        return buf.getvalue()
    src, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                # an empty value: <v /> from et_xmlfile, <v></v> from lxml (openpyxl's writer when lxml is installed)
                text = re.sub(r"<v\s*/>|<v></v>", "<v />", data.decode("utf-8"))
                for old, new in patch.items():
                    assert old in text
                    text = text.replace(old, new)
                data = text.encode("utf-8")
            z.writestr(info, data)
    return out.getvalue()


#: the canonical columns a file did not have: as an empty cell, their default (None when they have none)
CAL = {"last": None, "traceable_to": None}

HEADERS = ["Gauge ID", "Description", "Next calibration", "Status", "Result"]


# --------------------------------------------------------------------------- CSV: reading


def test_csv_register_is_read_into_typed_rows_that_remember_their_cell(minimal_project: Path, capsys) -> None:
    gauges(minimal_project, "gauges.csv", "Gauge ID;Description;Next calibration;Status;Result\n"
           "G-1;Caliper 150 mm;2026-03-01;In service;pass\n"
           "G-2;Micrometer;2027-01-15 00:00:00;QUARANTINED;\n"
           ";;;;\n"
           "G-3;Height gauge;2027-02-01;;FAIL\n")
    assert run(capsys, minimal_project) == (0, ["no problems found"])
    reg = project(minimal_project)[0].registers["support/gauges"]
    assert (reg.kind, reg.file, reg.sheet, reg.problems) == ("calibration", "support/gauges.csv", None, ())
    assert reg.columns == ("id", "description", "due", "status", "result")
    assert [(r.row, dict(r.values)) for r in reg.rows] == [
        (2, {"id": "G-1", "description": "Caliper 150 mm", "due": date(2026, 3, 1), "status": "in-service",
             "result": "pass", **CAL}),
        (3, {"id": "G-2", "description": "Micrometer", "due": date(2027, 1, 15), "status": "quarantined",
             "result": None, **CAL}),
        (5, {"id": "G-3", "description": "Height gauge", "due": date(2027, 2, 1), "status": "in-service",
             "result": "fail", **CAL})]
    assert reg.rows[2].cells["due"] == "evidence/support/gauges.csv:5:3"


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("cp1252", "\t"), ("utf-8", "|")])
def test_csv_encodings_and_delimiters(minimal_project: Path, capsys, encoding: str, delimiter: str) -> None:
    rows = [["person", "Role", "competence", "status", "expires"],
            ["Zoë Müller", "Inspector", "CMM programming", "in training", "2027-03-31"],
            ["Ana Peña", "Welder", "EN ISO 9606-1 €", "", ""]]
    data = "\r\n".join(delimiter.join(r) for r in rows).encode(encoding)
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    write(minimal_project, "evidence/support/training.csv", data)
    write(minimal_project, "evidence/support/matrix.yaml", """\
        title: Training matrix
        kind: record
        clauses: ["7.2"]
        file: training.csv
        register: competence
        """)
    assert run(capsys, minimal_project) == (0, ["no problems found"])
    reg = project(minimal_project)[0].registers["support/matrix"]
    assert [dict(r.values) for r in reg.rows] == [
        {"person": "Zoë Müller", "role": "Inspector", "competence": "CMM programming", "status": "in-training",
         "expires": date(2027, 3, 31)},
        {"person": "Ana Peña", "role": "Welder", "competence": "EN ISO 9606-1 €", "status": "competent",
         "expires": None}]


def test_csv_header_row_and_values_of_every_kind(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/performance/kpis.csv",
          "Quality objectives 2026\n\nObjective,Target,Actual,Period,Direction\n"
          'On-time delivery,95 %,"1,234.5",2026-10,lower\n'
          'Scrap rate,"2,5",0.8,2026-10-31,\n')
    write(minimal_project, "evidence/performance/kpis.yaml", """\
        title: KPI tracker
        kind: record
        clauses: ["6.2.2"]
        file: kpis.csv
        register: objectives
        header_row: 3
        """)
    write(minimal_project, "evidence/operation/asl.csv", "Supplier,Approved,In use,Next evaluation\n"
          "Denholm Metals,yes,Y,2027-01-01\nStourvale,2025-06-30,0,\nAcme,No,,\n")
    write(minimal_project, "evidence/operation/asl.yaml", """\
        title: Approved supplier list
        kind: record
        clauses: ["8.4.1"]
        file: asl.csv
        register: suppliers
        """)
    write(minimal_project, "evidence/performance/programme.csv", "audit,planned,covers\n"
          "IA-1,2026-03-01,\"7.1.5, 7.2; 8.4\"\n")
    write(minimal_project, "evidence/performance/programme.yaml", """\
        title: Audit programme
        kind: record
        clauses: ["9.2.2"]
        file: programme.csv
        register: audit-programme
        """)
    assert run(capsys, minimal_project) == (0, ["no problems found"])
    regs = project(minimal_project)[0].registers
    NO_EV = {"last_evaluation": None, "rating": None}
    assert [(r.row, dict(r.values)) for r in regs["performance/kpis"].rows] == [
        (4, {"objective": "On-time delivery", "target": 95.0, "actual": 1234.5, "period": date(2026, 10, 1),
             "direction": "lower", "unit": None}),
        (5, {"objective": "Scrap rate", "target": 2.5, "actual": 0.8, "period": date(2026, 10, 31),
             "direction": "higher", "unit": None})]
    assert [dict(r.values) for r in regs["operation/asl"].rows] == [
        {"supplier": "Denholm Metals", "approved": True, "in_use": True, "next_evaluation": date(2027, 1, 1), **NO_EV},
        {"supplier": "Stourvale", "approved": date(2025, 6, 30), "in_use": False, "next_evaluation": None, **NO_EV},
        {"supplier": "Acme", "approved": False, "in_use": True, "next_evaluation": None, **NO_EV}]
    assert regs["performance/programme"].rows[0].values["covers"] == ("7.1.5", "7.2", "8.4")


# --------------------------------------------------------------------------- CSV: every diagnostic at its cell


def test_bad_cells_are_warnings_at_their_cell_and_the_other_rows_count(minimal_project: Path, capsys) -> None:
    gauges(minimal_project, "gauges.csv", "Gauge ID,Description,Next calibration,Status,Result\n"
           "G-1,Caliper,01/04/2026,in-service,pass\n"
           "G-2,Micrometer,2026-02-30,broken,ok\n"
           "G-3,Height gauge,2027-02-01,retired,fail\n")
    assert run(capsys, minimal_project) == (0, [
        "evidence/support/gauges.csv:2:3: W350 unreadable date '01/04/2026' in column 'due' (write the date as "
        "YYYY-MM-DD: day-first and month-first dates are both in use, so a date with slashes is never guessed)",
        "evidence/support/gauges.csv:3:3: W350 impossible date '2026-02-30' in column 'due' (write the date as "
        "YYYY-MM-DD)",
        "evidence/support/gauges.csv:3:4: W352 unknown status 'broken' in column 'status' (use one of: "
        "in-service, quarantined, retired)",
        "evidence/support/gauges.csv:3:5: W352 unknown result 'ok' in column 'result' (use one of: pass, fail)",
        "0 errors, 4 warnings"])
    reg = project(minimal_project)[0].registers["support/gauges"]
    assert [dict(r.values) for r in reg.rows] == [
        {"id": "G-1", "description": "Caliper", "status": "in-service", "result": "pass", **CAL},
        {"id": "G-2", "description": "Micrometer", **CAL},
        {"id": "G-3", "description": "Height gauge", "due": date(2027, 2, 1), "status": "retired", "result": "fail",
         **CAL}]
    assert reg.problems[2] == registers.RegisterProblem(
        "W352", 3, "evidence/support/gauges.csv:3:4", "unknown status 'broken' in column 'status'", "warning")


def test_unreadable_numbers_and_yes_no(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/performance/kpis.csv", "Objective;Target;Actual;Period\n"
          "On-time delivery;about 95;n/a;2026-13\n")
    write(minimal_project, "evidence/performance/kpis.yaml", """\
        title: KPI tracker
        kind: record
        clauses: ["6.2.2"]
        file: kpis.csv
        register: objectives
        """)
    write(minimal_project, "evidence/operation/asl.csv", "Supplier,Approved,In use\nAcme,maybe,sometimes\n")
    write(minimal_project, "evidence/operation/asl.yaml", """\
        title: Approved supplier list
        kind: record
        clauses: ["8.4.1"]
        file: asl.csv
        register: suppliers
        """)
    assert run(capsys, minimal_project) == (0, [
        "evidence/operation/asl.csv:2:2: W352 'maybe' is not yes, no or a date in column 'approved' (write yes, no "
        "or the date (YYYY-MM-DD))",
        "evidence/operation/asl.csv:2:3: W352 'sometimes' is not yes or no in column 'in_use' (write yes or no)",
        "evidence/performance/kpis.csv:2:2: W351 unreadable number 'about 95' in column 'target' (write a number, "
        "e.g. 95, 95 % or 1,234.5)",
        "evidence/performance/kpis.csv:2:3: W351 unreadable number 'n/a' in column 'actual' (write a number, "
        "e.g. 95, 95 % or 1,234.5)",
        "evidence/performance/kpis.csv:2:4: W350 unreadable date '2026-13' in column 'period' (write the date as "
        "YYYY-MM-DD, or the month as YYYY-MM)",
        "0 errors, 5 warnings"])


def test_E354_missing_required_column_names_the_header_lists_the_found_and_suggests(minimal_project: Path,
                                                                                      capsys) -> None:
    gauges(minimal_project, "gauges.csv", "Gauge ID,Description,Next calibration date,Status\nG-1,Caliper,"
           "2027-01-01,in-service\n")
    assert run(capsys, minimal_project) == (1, [
        "evidence/support/gauges.csv:1:1: E354 calibration register has no column 'Next calibration' (required); "
        "the headers are 'Gauge ID', 'Description', 'Next calibration date', 'Status' (did you mean 'Next "
        "calibration date'? map it under 'columns:' as 'due: Next calibration date')",
        "1 error, 0 warnings"])
    reg = project(minimal_project)[0].registers["support/gauges"]
    assert (reg.rows, [(p.code, p.row, p.severity) for p in reg.problems]) == ((), [("E354", None, "error")])


def test_E354_unmapped_canonical_name_and_W355_mapped_optional_column(minimal_project: Path, capsys) -> None:
    gauges(minimal_project, "gauges.csv", "Gauge,Descr,Due\nG-1,Caliper,2027-01-01\n",
           extra="columns:\n  description: Description\n")
    assert run(capsys, minimal_project) == (1, [
        "evidence/support/gauges.csv:1:1: E354 calibration register has no column 'id' (required); the headers "
        "are 'Gauge', 'Descr', 'Due' (add the column, or map it under 'columns:' as 'id: <its header>')",
        "evidence/support/gauges.csv:1:1: W355 calibration register has no column 'Description' (mapped for "
        "'description'); the headers are 'Gauge', 'Descr', 'Due' (did you mean 'Descr'? map it under 'columns:' "
        "as 'description: Descr')",
        "1 error, 1 warning"])


def test_W353_empty_register(minimal_project: Path, capsys) -> None:
    gauges(minimal_project, "gauges.csv", "Gauge ID,Next calibration\n\n,\n")
    assert run(capsys, minimal_project) == (0, [
        "evidence/support/gauges.csv:1:1: W353 calibration register has no rows below its headers (row 1) (add "
        "the register's rows, or check header_row:)",
        "0 errors, 1 warning"])


def test_E353_more_rows_than_the_limit_and_E352_a_file_over_the_size_limit(minimal_project: Path) -> None:
    gauges(minimal_project, "gauges.csv", "Gauge ID,Next calibration\n" + "".join(
        f"G-{i},2027-01-01\n" for i in range(5)))
    project_, diags = project(minimal_project, max_register_rows=3)
    assert report(diags).splitlines() == [
        "evidence/support/gauges.csv:5:1: E353 calibration register has more than 3 rows (split it (one file per "
        "year or per site), or archive the rows that no longer count)", "1 error, 0 warnings"]
    assert project_.registers["support/gauges"].rows == ()
    assert project(minimal_project, max_register_rows=5)[1] == []
    assert report(project(minimal_project, max_register_bytes=40)[1]).splitlines() == [
        "evidence/support/gauges.csv:1:1: E352 register file is over the 40-byte limit (split the register (one "
        "file per year or per site))", "1 error, 0 warnings"]


def test_E351_text_neither_utf8_nor_cp1252(minimal_project: Path, capsys) -> None:
    gauges(minimal_project, "gauges.csv", b"Gauge ID,Next calibration\nG-\x81,2027-01-01\n")
    assert run(capsys, minimal_project) == (1, [
        "evidence/support/gauges.csv:1:1: E351 cannot be read as text: neither UTF-8 nor cp1252 (save it again "
        "as CSV (UTF-8))", "1 error, 0 warnings"])


def test_a_fifo_is_never_opened(minimal_project: Path, capsys) -> None:
    gauges(minimal_project, "gauges.csv")
    os.mkfifo(minimal_project / "evidence/support/gauges.csv")
    assert run(capsys, minimal_project) == (1, [
        "evidence/support/gauges.csv:1:1: E108 a FIFO (named pipe), not a regular file; it is never opened (remove "
        "it, or put an ordinary file in its place)",
        "evidence/support/gauges.yaml:4:7: E301 file 'gauges.csv' is not a regular file (point 'file' at a "
        "document)",
        "2 errors, 0 warnings"])
    # the reader itself, handed the FIFO (swapped in after the record was checked), refuses it without a hang
    ev = Evidence(id="g", title="G", kind="record", clauses=("7.1.5.2",), source="evidence/support/g.yaml",
                  file="support/gauges.csv",
                  register="calibration")
    reg, diags = registers.read_register(minimal_project, ev)
    assert [d.format() for d in diags] == [
        "evidence/support/gauges.csv:1:1: E108 a FIFO (named pipe), not a regular file; it is never opened (remove "
        "it, or put an ordinary file in its place)"]
    assert reg.rows == () and reg.problems[0].code == "E108"


# --------------------------------------------------------------------------- the keys on the record


def test_register_keys_on_the_record(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/support/a.yaml", """\
        title: A
        kind: record
        clauses: ["7.2"]
        register: competance
        """)
    write(minimal_project, "evidence/support/b.yaml", """\
        title: B
        kind: record
        clauses: ["7.2"]
        url: https://example.org/matrix
        register: competence
        """)
    write(minimal_project, "evidence/support/c.pdf", b"%PDF-1.4\n")
    write(minimal_project, "evidence/support/c.yaml", """\
        title: C
        kind: record
        clauses: ["7.2"]
        file: c.pdf
        register: competence
        """)
    write(minimal_project, "evidence/support/d.csv", "person,role,competence\n")
    write(minimal_project, "evidence/support/d.yaml", """\
        title: D
        kind: record
        clauses: ["7.2"]
        file: d.csv
        register: competence
        sheet: Matrix
        columns:
          persn: Name
          role: [Role]
        """)
    write(minimal_project, "evidence/support/e.yaml", """\
        title: E
        kind: record
        clauses: ["7.2"]
        file: d.csv
        header_row: 2
        """)
    assert run(capsys, minimal_project) == (1, [
        "evidence/support/a.yaml:4:11: E204 unknown register 'competance' (did you mean 'competence'?)",
        "evidence/support/b.yaml:5:11: E350 competence register has no 'file:' (name the register's file (.csv or "
        ".xlsx) in 'file:')",
        "evidence/support/c.yaml:5:11: E350 competence register's file 'c.pdf' is not a .csv or .xlsx file (save "
        "the register as .xlsx or CSV and point 'file:' at it)",
        "evidence/support/d.yaml:6:8: E350 'sheet' names a sheet of a workbook, and 'd.csv' is a CSV file (remove "
        "'sheet:', or point 'file:' at the .xlsx workbook)",
        "evidence/support/d.yaml:8:3: E203 unknown column 'persn' in columns of a competence register (did you "
        "mean 'person'?)",
        "evidence/support/d.yaml:9:9: E106 the header of column 'role' must be text (write 'role: <the header in "
        "the file>')",
        "evidence/support/e.yaml:5:1: E350 'header_row' is for registers, and this record declares none (add "
        "'register:' with the register's type, or remove the key)",
        "7 errors, 0 warnings"])
    assert project(minimal_project)[0].registers == {}


def test_the_record_carries_its_register_keys(minimal_project: Path) -> None:
    gauges(minimal_project, "gauges.xlsx", xlsx({"Notes": [["x"]], "Gauges": [["t"], HEADERS]}),
           extra=MAPPED + "sheet: Gauges\nheader_row: 2\nshow_people: true\n")
    ev = next(e for e in project(minimal_project)[0].evidence if e.id == "support/gauges")
    assert (ev.register, ev.register_sheet, ev.header_row, ev.register_columns, ev.show_people, ev.register_loc[1:]) \
        == ("calibration", "Gauges", 2, (("id", "Gauge ID"), ("due", "Next calibration")), True, (5, 11))


# --------------------------------------------------------------------------- XLSX


def test_xlsx_register_reads_the_named_sheet_and_typed_cells(minimal_project: Path, capsys) -> None:
    data = xlsx({"Read me": [["not this sheet"]],
                 "Gauges": [HEADERS, ["G-1", "Caliper", datetime(2026, 3, 1), "In service", "pass"],
                            [1002, "Micrometer", date(2027, 1, 15), "quarantined", None],
                            [None, None, None, None, None],
                            ["G-3", "Height gauge", "2027-02-01", None, "FAIL"]]})
    gauges(minimal_project, "gauges.xlsx", data, extra=MAPPED + "sheet: Gauges\n")
    assert run(capsys, minimal_project) == (0, ["no problems found"])
    reg = project(minimal_project)[0].registers["support/gauges"]
    assert (reg.sheet, reg.columns) == ("Gauges", ("id", "description", "due", "status", "result"))
    assert [(r.row, dict(r.values)) for r in reg.rows] == [
        (2, {"id": "G-1", "description": "Caliper", "due": date(2026, 3, 1), "status": "in-service",
             "result": "pass", **CAL}),
        (3, {"id": "1002", "description": "Micrometer", "due": date(2027, 1, 15), "status": "quarantined",
             "result": None, **CAL}),
        (5, {"id": "G-3", "description": "Height gauge", "due": date(2027, 2, 1), "status": "in-service",
             "result": "fail", **CAL})]
    assert reg.rows[1].cells["due"] == "evidence/support/gauges.xlsx!Gauges!C3"


def test_xlsx_diagnostics_name_the_sheet_and_cell(minimal_project: Path, capsys) -> None:
    data = xlsx({"Gauges": [["Register of gauges"], HEADERS, ["G-1", "Caliper", "01/04/2026", "broken", "pass"],
                            ["G-2", "Micrometer", datetime(2027, 1, 1), "retired", "fail"]]})
    gauges(minimal_project, "gauges.xlsx", data, extra=MAPPED + "header_row: 2\n")
    assert run(capsys, minimal_project) == (0, [
        "evidence/support/gauges.xlsx!Gauges!C3: W350 unreadable date '01/04/2026' in column 'due' (write the date "
        "as YYYY-MM-DD: day-first and month-first dates are both in use, so a date with slashes is never guessed)",
        "evidence/support/gauges.xlsx!Gauges!D3: W352 unknown status 'broken' in column 'status' (use one of: "
        "in-service, quarantined, retired)",
        "0 errors, 2 warnings"])
    reg = project(minimal_project)[0].registers["support/gauges"]
    assert [p.where for p in reg.problems] == ["evidence/support/gauges.xlsx!Gauges!C3",
                                               "evidence/support/gauges.xlsx!Gauges!D3"]
    assert len(reg.rows) == 2


def test_xlsx_E354_missing_column_and_W353_empty(minimal_project: Path, capsys) -> None:
    gauges(minimal_project, "gauges.xlsx", xlsx({"Gauges": [["Gauge ID", "Due date"], ["G-1", "2027-01-01"]]}))
    assert run(capsys, minimal_project) == (1, [
        "evidence/support/gauges.xlsx!Gauges!A1: E354 calibration register has no column 'Next calibration' "
        "(required); the headers are 'Gauge ID', 'Due date' (add the column, or map it under 'columns:' as 'due: "
        "<its header>')", "1 error, 0 warnings"])
    gauges(minimal_project, "gauges.xlsx", xlsx({"Gauges": [HEADERS]}))
    assert run(capsys, minimal_project) == (0, [
        "evidence/support/gauges.xlsx!Gauges!A1: W353 calibration register has no rows below its headers (row 1) "
        "(add the register's rows, or check header_row:)", "0 errors, 1 warning"])


def test_xlsx_formula_gives_its_cached_value_and_W354_without_one(minimal_project: Path, capsys) -> None:
    rows = [["Objective", "Target", "Actual", "Period"],
            ["On-time delivery", "=90+5", "=B2-2", "2026-10"],
            ["Scrap rate", 2, 3, "2026-10"]]
    data = xlsx({"KPIs": rows}, patch={"<f>90+5</f><v />": "<f>90+5</f><v>95</v>"})
    write(minimal_project, "evidence/performance/kpis.xlsx", data)
    write(minimal_project, "evidence/performance/kpis.yaml", """\
        title: KPI tracker
        kind: record
        clauses: ["6.2.2"]
        file: kpis.xlsx
        register: objectives
        """)
    assert run(capsys, minimal_project) == (0, [
        "evidence/performance/kpis.xlsx!KPIs!C2: W354 formula =B2-2 in column 'actual' has no calculated value "
        "(open the workbook in a spreadsheet and save it, so the value is stored with the formula)",
        "0 errors, 1 warning"])
    reg = project(minimal_project)[0].registers["performance/kpis"]
    assert [dict(r.values) for r in reg.rows] == [
        {"objective": "On-time delivery", "target": 95.0, "period": date(2026, 10, 1), "direction": "higher",
         "unit": None},
        {"objective": "Scrap rate", "target": 2.0, "actual": 3.0, "period": date(2026, 10, 1),
         "direction": "higher", "unit": None}]


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("data,line", [
    (b"Gauge ID,Next calibration\n", "evidence/support/gauges.xlsx:1:1: E351 is not an .xlsx workbook (not a zip "
     "file, or a damaged one) (save it again as an .xlsx workbook, or as CSV)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "evidence/support/gauges.xlsx:1:1: E351 is encrypted "
     "(password-protected) or an old .xls workbook, not an .xlsx (save it as an .xlsx workbook without a password)"),
    (_zip({"hello.txt": b"not a workbook"}), "evidence/support/gauges.xlsx:1:1: E351 is a damaged workbook: a part of "
     "it is missing or cannot be read (open it in the spreadsheet and save it again as .xlsx)"),
], ids=["not-a-zip", "encrypted", "zip-not-workbook"])
def test_xlsx_that_is_no_workbook_is_a_diagnostic_never_a_traceback(minimal_project: Path, capsys, data: bytes,
                                                                     line: str) -> None:
    gauges(minimal_project, "gauges.xlsx", data)
    assert run(capsys, minimal_project) == (1, [line, "1 error, 0 warnings"])


def test_xlsx_unknown_sheet(minimal_project: Path, capsys) -> None:
    gauges(minimal_project, "gauges.xlsx", xlsx({"Gauges": [HEADERS], "Notes": [["x"]]}),
           extra=MAPPED + "sheet: Gauge\n")
    assert run(capsys, minimal_project) == (1, [
        "evidence/support/gauges.xlsx:1:1: E351 workbook has no sheet 'Gauge'; its sheets are 'Gauges', 'Notes' "
        "(did you mean 'Gauges'?)", "1 error, 0 warnings"])


def test_xlsx_zip_bomb_and_too_many_rows_are_refused(minimal_project: Path) -> None:
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"<" * (4 * 1024 * 1024)})
    gauges(minimal_project, "gauges.xlsx", bomb)
    assert len(bomb) < 100_000
    assert report(project(minimal_project, max_register_bytes=100_000)[1]).splitlines() == [
        "evidence/support/gauges.xlsx:1:1: E352 workbook unpacks to 4,194,312 bytes in 2 parts, over the limit of "
        "400,000 bytes (a zip bomb, or a register too large) (split the register, or save it as CSV)",
        "1 error, 0 warnings"]
    gauges(minimal_project, "gauges.xlsx", xlsx({"Gauges": [HEADERS] + [[f"G-{i}", "", "2027-01-01"]
                                                                         for i in range(4)]}))
    assert report(project(minimal_project, max_register_rows=3)[1]).splitlines() == [
        "evidence/support/gauges.xlsx!Gauges!A5: E353 calibration register has more than 3 rows (split it (one "
        "file per year or per site), or archive the rows that no longer count)", "1 error, 0 warnings"]


def test_github_annotation_of_a_cell(minimal_project: Path, capsys) -> None:
    gauges(minimal_project, "gauges.xlsx", xlsx({"Gauges": [HEADERS, ["G-1", "", "soon"]]}))
    assert main(["validate", "--root", str(minimal_project), "--as-of", AS_OF, "--format", "github"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "::warning file=evidence/support/gauges.xlsx,line=2,col=3,title=W350::Gauges!C2: unreadable date 'soon' in "
        "column 'due' (write the date as YYYY-MM-DD)")


# --------------------------------------------------------------------------- wiring: serve's cache, the build


def test_serve_cache_reads_an_unchanged_register_once(minimal_project: Path, monkeypatch) -> None:
    gauges(minimal_project, "gauges.csv", "Gauge ID,Next calibration\nG-1,2027-01-01\n")
    calls: list[str] = []
    real = registers.read_register
    monkeypatch.setattr(registers, "read_register", lambda root, ev, *a: calls.append(ev.id) or real(root, ev, *a))
    known = ParseCache()
    first = project(minimal_project, known=known)[0].registers
    second = project(minimal_project, known=known)[0].registers
    assert calls == ["support/gauges"] and first == second
    path = minimal_project / "evidence/support/gauges.csv"
    path.write_text("Gauge ID,Next calibration\nG-1,2027-01-01\nG-2,2027-02-01\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))
    assert len(project(minimal_project, known=known)[0].registers["support/gauges"].rows) == 2
    assert calls == ["support/gauges", "support/gauges"]


def test_a_project_with_registers_builds(minimal_project: Path, tmp_path: Path) -> None:
    gauges(minimal_project, "gauges.xlsx", xlsx({"Gauges": [HEADERS, ["G-1", "Caliper", date(2027, 1, 1)]]}))
    write(minimal_project, "evidence/support/training.csv", "person,role,competence\nA. Smith,Inspector,CMM\n")
    write(minimal_project, "evidence/support/matrix.yaml", """\
        title: Training matrix
        kind: record
        clauses: ["7.2"]
        file: training.csv
        register: competence
        audience: internal
        """)
    out = tmp_path / "site"
    assert main(["build", "--root", str(minimal_project), "--as-of", AS_OF, "--output", str(out)]) == 0
    assert (out / "index.html").exists()
    whole = project(minimal_project)[0]
    assert sorted(whole.registers) == ["support/gauges", "support/matrix"]


def _excel_like(date1904: bool = False) -> bytes:
    """A workbook as Excel writes one (openpyxl and LibreOffice write inline strings, Excel a shared string
    table): shared strings (one of them rich text with a phonetic guide), a custom date format, a built-in one,
    a TRUE/FALSE cell, a number formatted as a number, a cell of an error value; cells without a reference (the
    next column)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pr = f'<workbookPr date1904="{"1" if date1904 else "0"}"/>'
    serial = 46082 - (1462 if date1904 else 0)  # 2026-03-01
    return _zip({
        "xl/workbook.xml": (f'<workbook xmlns="{main}" xmlns:r="{rel}">{pr}<sheets><sheet name="Intro" sheetId="1" '
                            f'r:id="rId2"/><sheet name="ASL" sheetId="2" r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/worksheet" Target="/xl/worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId4" Type="{rel}/styles" Target="styles.xml"/></Relationships>').encode(),
        "xl/sharedStrings.xml": (f'<sst xmlns="{main}"><si><t>Supplier</t></si><si><t>Approved</t></si>'
                                 '<si><t>In use</t></si><si><t>Next evaluation</t></si><si><t>Rating</t></si>'
                                 '<si><r><t>Denholm </t></r><r><t>Metals</t></r><rPh><t>x</t></rPh></si>'
                                 '<si><t>Stourvale</t></si></sst>').encode(),
        "xl/styles.xml": (f'<styleSheet xmlns="{main}"><numFmts><numFmt numFmtId="165" formatCode="dd\\-mmm\\-yyyy"/>'
                          '</numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs><xf numFmtId="0"/>'
                          '<xf numFmtId="165"/><xf numFmtId="14"/><xf numFmtId="2"/></cellXfs></styleSheet>').encode(),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData/></worksheet>'.encode(),
        "xl/worksheets/sheet2.xml": (
            f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v>'
            '</c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
            f'<row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2" s="1"><v>{serial}</v></c><c r="C2" t="b"><v>1</v>'
            f'</c><c r="D2" s="2"><v>{serial + 365}</v></c><c r="E2" s="3"><v>4.5</v></c></row>'
            '<row r="4"><c r="A4" t="s"><v>6</v></c><c t="b"><v>0</v></c><c r="C4" t="b"><v>0</v></c>'
            '<c t="e"><v>#REF!</v></c></row></sheetData></worksheet>').encode()})


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_xlsx_as_excel_writes_it(minimal_project: Path, capsys, date1904: bool) -> None:
    write(minimal_project, "evidence/operation/asl.xlsx", _excel_like(date1904))
    write(minimal_project, "evidence/operation/asl.yaml", """\
        title: Approved supplier list
        kind: record
        clauses: ["8.4.1"]
        file: asl.xlsx
        register: suppliers
        sheet: ASL
        """)
    assert run(capsys, minimal_project) == (0, [
        "evidence/operation/asl.xlsx!ASL!D4: W350 unreadable date '#REF!' in column 'next_evaluation' (write the "
        "date as YYYY-MM-DD)", "0 errors, 1 warning"])
    reg = project(minimal_project)[0].registers["operation/asl"]
    assert [(r.row, dict(r.values)) for r in reg.rows] == [
        (2, {"supplier": "Denholm Metals", "approved": date(2026, 3, 1), "in_use": True,
             "next_evaluation": date(2027, 3, 1), "rating": "4.5", "last_evaluation": None}),
        (4, {"supplier": "Stourvale", "approved": False, "in_use": False, "rating": None, "last_evaluation": None})]
