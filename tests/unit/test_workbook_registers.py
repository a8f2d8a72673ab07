"""The checklist workbook's summary sheet per register type (issue 24), built from hand-made Register and
RegisterResult values (the reader and the rules fill them in real builds): one row per register record the
audience may see, its rows, flagged rows per flag, problems and worded reasons; no person's name outside an
internal build; register text never a formula; no register sheet when the build has none."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from isoready.assess import Reason, RegisterResult, assess
from isoready.model import Register, RegisterProblem, RegisterRow
from isoready.outputs.xlsx import workbook_bytes
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project
from isoready.views import build_site

AS_OF = date(2026, 11, 1)  # the minimal fixture's
BASE_SHEETS = ["Checklist", "Findings", "Evidence", "Coverage", "Gates"]


class _Unhashed(dict):
    """Every document's (size, SHA-256), unread: only their paths matter here."""

    def __missing__(self, key: str) -> tuple[int, str]:
        return (0, "0" * 64)

    def __bool__(self) -> bool:
        return True


def _ids(project) -> dict[str, str]:  # noqa: ANN001
    return {e.title: e.id for e in project.evidence}


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from tests.conftest import MINIMAL
    project, diags = read_project(MINIMAL, load_catalog(), AS_OF)
    assert not [d for d in diags if d.severity == "error"]
    return project, assess(project, AS_OF)


def _with_registers(project, r, training_audience: str = "auditor"):  # noqa: ANN001, ANN202
    ids = _ids(project)
    training, suppliers = ids["Training records (HR system)"], ids["Approved supplier list"]
    people = Register(training, "competence", "support/matrix.csv", rows=(
        RegisterRow(2, {"person": "Ada Lovelace", "role": "Inspector", "competence": "CMM", "status": "in-training"}),
        RegisterRow(3, {"person": "=Bob Tables", "role": "Inspector", "competence": "CMM", "status": "competent"}),
        RegisterRow(4, {"person": "Cy Young", "role": "Welder", "competence": "TIG", "expires": date(2026, 1, 1)}),
    ), problems=(RegisterProblem("W301", 5, "support/matrix.csv:5:5", "unreadable date"),))
    listed = Register(suppliers, "suppliers", "operation/suppliers.csv", rows=(
        RegisterRow(2, {"supplier": "=cmd|' /C calc'!A0", "approved": False, "in_use": True}),
        RegisterRow(3, {"supplier": "Acme Castings", "approved": True, "in_use": True}),
    ))
    named = Reason("gate-recurring-ok", (("what", "competence check of Ada Lovelace and =Bob Tables"),
                                         ("window", 12), ("date", "2026-10-01")), (training,))
    results = (
        RegisterResult(suppliers, "suppliers", 2, {2: ("unapproved",)},
                       (Reason("gate-recurring-ok", (("what", "=supplier evaluation"), ("window", 12),
                                                     ("date", "2026-10-01")), (suppliers,)),)),
        RegisterResult(training, "competence", 3, {2: ("in-training",), 4: ("expired", "in-training")}, (named,)),
    )
    evidence = tuple(replace(e, audience=training_audience) if e.id == training else e for e in project.evidence)
    project = replace(project, evidence=evidence, registers={training: people, suppliers: listed})
    return project, replace(r, registers=results)


def _book(project, r, audience: str):  # noqa: ANN001, ANN202
    site = build_site(project, r, audience, hashes=_Unhashed())
    return load_workbook(io.BytesIO(workbook_bytes(site.export))), workbook_bytes(site.export)


def _cells(ws) -> list[list[object]]:  # noqa: ANN001
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_a_sheet_per_register_type_with_counts_flags_problems_and_reasons(judged) -> None:  # noqa: ANN001
    project, r = _with_registers(*judged)
    book, _ = _book(project, r, "internal")
    assert book.sheetnames == BASE_SHEETS + ["Competence", "Suppliers"]  # register type order
    ws = book["Competence"]
    header = [c.value for c in ws[4]]
    assert header == ["Evidence", "Title", "File", "Rows", "Rows expired", "Rows in training", "Problems", "Reasons"]
    ids = _ids(project)
    row = [c.value for c in ws[5]]
    assert row[:7] == [ids["Training records (HR system)"], "Training records (HR system)", "support/matrix.csv",
                       3, 1, 2, 1]
    assert row[7] == "competence check of Ada Lovelace and =Bob Tables " \
                     f"{ids['Training records (HR system)']} dated 2026-10-01, within 12 months"
    assert ws["A5"].hyperlink.target.startswith("evidence/")
    assert ws.freeze_panes == "B5" and ws.auto_filter.ref == "A4:H5"
    assert ws["A1"].value.startswith("Competence registers: ")
    sup = [c.value for c in book["Suppliers"][5]]
    assert sup[3:7] == [2, 1, 0, 0] and [c.value for c in book["Suppliers"][4]][4:6] == [
        "Rows unapproved", "Rows evaluation overdue"]


def test_no_persons_name_outside_an_internal_build(judged) -> None:  # noqa: ANN001
    for audience in ("auditor", "public"):  # the record shown to that audience, its register with it
        project, r = _with_registers(*judged, training_audience=audience)
        book, _ = _book(project, r, audience)
        text = "\n".join(str(v) for ws in book.worksheets for row in _cells(ws) for v in row if v is not None)
        assert "Competence" in book.sheetnames
        for name in ("Ada Lovelace", "Bob Tables", "Cy Young"):
            assert name not in text
        assert "competence check of (name withheld) and =(name withheld)" not in text  # "=Bob Tables" is the name
        assert "competence check of (name withheld) and (name withheld)" in text
    book, _ = _book(*_with_registers(*judged), "internal")
    assert "Ada Lovelace" in str(book["Competence"]["H5"].value)


def test_a_register_follows_its_records_audience(judged) -> None:  # noqa: ANN001
    project, r = _with_registers(*judged, training_audience="internal")
    assert "Competence" not in _book(project, r, "auditor")[0].sheetnames
    assert "Competence" in _book(project, r, "internal")[0].sheetnames


def test_register_text_is_never_a_formula(judged) -> None:  # noqa: ANN001
    project, r = _with_registers(*judged)
    book, data = _book(project, r, "internal")
    for name in ("Competence", "Suppliers"):
        formulas = [c.coordinate for row in book[name].iter_rows() for c in row if c.data_type == "f"]
        assert not formulas, (name, formulas)
    assert book["Suppliers"]["H5"].value.startswith("=supplier evaluation")
    assert book["Suppliers"]["H5"].data_type == "s"
    assert data == _book(project, r, "internal")[1]  # byte-identical twice


def test_no_register_sheet_without_a_register(judged) -> None:  # noqa: ANN001
    book, _ = _book(*judged, "internal")
    assert book.sheetnames == BASE_SHEETS
