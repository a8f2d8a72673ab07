"""Registers judged for their content (issue 24), from real files: every register check fires on a register file
that shows the problem and stays silent on one that does not, once as CSV and once as XLSX, the file's own
headers mapped through ``columns:``, read and judged through the real pipeline (read_project, then assess).
test_register_rules.py judges hand-made rows; this file proves the reader hands the rules what they need."""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Optional

import openpyxl
import pytest

from isoready.assess import AT_RISK, NOT_READY, READY, assess
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project
from isoready.views import describe

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
AS_OF = date(2026, 11, 1)
REG = "registers/reg"
FORMATS = ("csv", "xlsx")
AUDITS = "audits:\n  stage1: 2026-12-01\n  stage2: 2027-04-01\n"


@dataclass(frozen=True)
class Case:
    """One check: the register type, the file's headers (``columns`` maps canonical names to them), the rows that
    make the check fire, the rows that do not, and what the clause shows when it fires."""

    name: str
    kind: str
    columns: dict[str, str]
    headers: list[str]
    fire: list[list[Any]]
    quiet: list[list[Any]]
    clauses: tuple[str, ...]  # the clauses judged (and marked implemented, so the register is all that weighs)
    state: str  # the state of each of ``clauses`` when the check fires
    reasons: list[tuple[str, str]]
    flags: dict[int, tuple[str, ...]]
    record_date: date = date(2026, 10, 1)
    extra: str = ""  # more YAML on the record
    states_quiet: Optional[str] = READY
    quiet_reasons: tuple[str, ...] = ()  # the register's reasons when the check is silent (a trend note)


CAL = {"id": "Gauge ID", "due": "Next calibration", "status": "Condition", "result": "Outcome"}
CAL_HEADERS = ["Gauge ID", "Next calibration", "Condition", "Outcome"]
PEOPLE = {"person": "Employee", "role": "Job title", "competence": "Skill", "status": "Training state",
          "expires": "Valid until"}
PEOPLE_HEADERS = ["Employee", "Job title", "Skill", "Training state", "Valid until"]
SUP = {"supplier": "Vendor", "approved": "Approval", "in_use": "Active", "next_evaluation": "Next review"}
SUP_HEADERS = ["Vendor", "Approval", "Active", "Next review"]
KPI = {"objective": "KPI", "target": "Goal", "actual": "Result", "period": "Month", "direction": "Better when"}
KPI_HEADERS = ["KPI", "Goal", "Result", "Month", "Better when"]
PROG = {"audit": "Audit name", "planned": "Scheduled", "done": "Completed", "covers": "Clauses"}
PROG_HEADERS = ["Audit name", "Scheduled", "Completed", "Clauses"]
LEGAL = {"requirement": "Obligation", "last_review": "Reviewed on", "compliant": "Compliance"}
LEGAL_HEADERS = ["Obligation", "Reviewed on", "Compliance"]
NCR = {"id": "NCR no", "raised": "Opened", "closed": "Closed on", "action": "Corrective action"}
NCR_HEADERS = ["NCR no", "Opened", "Closed on", "Corrective action"]

G_OK = ["G-01", date(2027, 3, 1), "In service", "pass"]
G_QUARANTINED = ["G-04", date(2026, 1, 1), "quarantined", "fail"]  # out of service: never judged
ANN_OK = ["Ann Example", "Machinist", "CNC milling", "competent", date(2027, 6, 30)]
ALU = ["Alu Bars Ltd", date(2025, 3, 1), "yes", date(2027, 6, 1)]
OLD = ["Old Castings", "no", "no", None]  # not approved, not in use: fine

CASES = [
    Case("calibration-overdue", "calibration", CAL, CAL_HEADERS,
         fire=[G_OK, ["G-02", date(2026, 10, 15), "in-service", "pass"], G_QUARANTINED],
         quiet=[G_OK, G_QUARANTINED], clauses=("7.1.5.2",), state=NOT_READY,
         reasons=[("register-calibration", "measuring equipment in service that cannot be relied on (past "
                                           "calibration due date: G-02): results it gave are in doubt")],
         flags={3: ("overdue",)}),
    Case("calibration-failed", "calibration", CAL, CAL_HEADERS,
         fire=[G_OK, ["G-03", date(2027, 5, 1), "in-service", "FAIL"]],
         quiet=[G_OK, ["G-03", date(2027, 5, 1), "in-service", "pass"]], clauses=("7.1.5.2",), state=NOT_READY,
         reasons=[("register-calibration", "measuring equipment in service that cannot be relied on (failed "
                                           "calibration: G-03): results it gave are in doubt")],
         flags={3: ("failed",)}),
    Case("competence-expired", "competence", PEOPLE, PEOPLE_HEADERS,
         fire=[ANN_OK, ["Bob Example", "Inspector", "CMM", "competent", date(2026, 9, 30)]],
         quiet=[ANN_OK, ["Bob Example", "Inspector", "CMM", "competent", None]], clauses=("7.2",), state=AT_RISK,
         reasons=[("register-competence", "competence not assured, per role: Inspector: 1 expired competence")],
         flags={3: ("expired",)}),
    Case("competence-in-training", "competence", PEOPLE, PEOPLE_HEADERS,
         fire=[ANN_OK, ["Bob Example", "Machinist", "CNC milling", "In training", None]],
         quiet=[ANN_OK, ["Bob Example", "Machinist", "CNC milling", "Competent", None]], clauses=("7.2",),
         state=AT_RISK,
         reasons=[("register-competence", "competence not assured, per role: Machinist: 1 person in training")],
         flags={3: ("in-training",)}),
    Case("supplier-unapproved", "suppliers", SUP, SUP_HEADERS,
         fire=[ALU, ["Quick Platers", "no", "yes", None], OLD],
         quiet=[ALU, ["Quick Platers", "yes", "yes", None], OLD], clauses=("8.4.1",), state=NOT_READY,
         reasons=[("register-supplier-unapproved", "in use but never approved: Quick Platers; approve external "
                                                   "providers against criteria before using them")],
         flags={3: ("unapproved",)}),
    Case("supplier-evaluation-overdue", "suppliers", SUP, SUP_HEADERS,
         fire=[ALU, ["Heat Treat Co", "yes", "yes", date(2026, 10, 1)]],
         quiet=[ALU, ["Heat Treat Co", "yes", "no", date(2026, 10, 1)]], clauses=("8.4.1",), state=AT_RISK,
         reasons=[("register-evaluation-overdue", "re-evaluation overdue for external providers in use: Heat "
                                                  "Treat Co (due 2026-10-01)")],
         flags={3: ("evaluation-overdue",)}),
    Case("objective-no-recent-result", "objectives", KPI, KPI_HEADERS,
         fire=[["On-time delivery", 95, 97, "2026-10", "higher"], ["Scrap rate", 2.0, 1.5, "2026-06", "lower"],
               ["Scrap rate", 2.0, 1.8, "2026-07", "lower"]],
         quiet=[["On-time delivery", 95, 97, "2026-10", "higher"], ["Scrap rate", 2.0, 1.5, "2026-08", "lower"],
                ["Scrap rate", 2.0, 1.8, "2026-09", "lower"]], clauses=("6.2.2",), state=AT_RISK,
         reasons=[("register-objective-no-result", "no result in the last 3 months for: Scrap rate (latest "
                                                   "result 2026-07-01): nobody shows the objective is monitored")],
         flags={3: ("no-recent-result",), 4: ("no-recent-result",)}),
    # behind target is a note for the management review: 9.1.3 is named, its state unchanged
    Case("objective-behind-target", "objectives", KPI, KPI_HEADERS,
         fire=[["On-time delivery", 95, 96, "2026-09", ""], ["On-time delivery", 95, 93, "2026-10", ""],
               ["Scrap rate", 2.0, 1.5, "2026-10", "lower"]],
         quiet=[["On-time delivery", 95, 93, "2026-09", ""], ["On-time delivery", 95, 96, "2026-10", ""],
                ["Scrap rate", 2.0, 1.5, "2026-10", "lower"]], clauses=("9.1.3",), state=READY,
         reasons=[("register-objective-behind", "behind target in the latest period, an input for management "
                                                "review: On-time delivery (2026-10: 93 against a target of 95)")],
         flags={3: ("behind-target",)}),
    Case("audit-overdue", "audit-programme", PROG, PROG_HEADERS,
         fire=[["IA-1 Operations", date(2026, 9, 20), date(2026, 9, 22), "8"],
               ["IA-2 Support", date(2026, 10, 10), None, "7"]],
         quiet=[["IA-1 Operations", date(2026, 9, 20), date(2026, 9, 22), "8"],
                ["IA-2 Support", date(2026, 10, 10), date(2026, 10, 12), "7"]], clauses=("9.2.1",), state=AT_RISK,
         reasons=[("register-audit-overdue", "planned internal audits past their date and not done: IA-2 Support "
                                             "(planned 2026-10-10)")],
         flags={3: ("audit-overdue",)}),
    Case("legal-not-compliant", "legal", LEGAL, LEGAL_HEADERS,
         fire=[["Waste regulations", date(2026, 6, 1), "yes"], ["Machinery safety", date(2026, 6, 1), "Partly"]],
         quiet=[["Waste regulations", date(2026, 6, 1), "yes"], ["Machinery safety", date(2026, 6, 1), "yes"]],
         clauses=("4.2", "8.2.2"), state=AT_RISK,
         reasons=[("register-legal-not-compliant", "legal and other requirements not complied with: Machinery "
                                                   "safety (partly compliant)")],
         flags={3: ("not-compliant",)}),
    Case("nc-open-too-long", "nonconformities", NCR, NCR_HEADERS,
         fire=[["NC-1", date(2026, 5, 4), date(2026, 6, 10), "retrained"], ["NC-2", date(2026, 6, 1), None, ""]],
         quiet=[["NC-1", date(2026, 5, 4), date(2026, 6, 10), "retrained"],
                ["NC-2", date(2026, 6, 1), None, "new fixture ordered"]], clauses=("10.2.1",), state=AT_RISK,
         reasons=[("register-nc-open-too-long", "nonconformities open more than 90 days with no action "
                                                "recorded: NC-2 (raised 2026-06-01)")],
         flags={3: ("open-too-long",)}, quiet_reasons=("register-nc-trend",)),
]


def _cell(value: Any) -> str:
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


def register_file(fmt: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """The register as a spreadsheet program would save it: CSV text, or an XLSX whose dates are date cells."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([[_cell(v) for v in row] for row in rows])
        return out.getvalue().encode("utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(headers)
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def make_project(tmp_path: Path, fmt: str, kind: str, columns: dict[str, str], headers: list[str],
                 rows: list[list[Any]], clauses: tuple[str, ...], *, record_date: date = date(2026, 10, 1),
                 extra: str = "", organisation: str = "") -> Path:
    """A copy of the minimal fixture with one register record (evidence/registers/reg.yaml and its file), the
    judged clauses implemented on it, and no findings (an open finding would weigh on the clauses too)."""
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    shutil.rmtree(root / "content" / "findings")
    mapped = "".join(f"  {k}: {v}\n" for k, v in columns.items())
    sheet = "sheet: Register\n" if fmt == "xlsx" else ""
    (root / "evidence" / "registers").mkdir()
    (root / "evidence" / "registers" / "reg.yaml").write_text(
        f"title: The register\nkind: record\nclauses: {list(clauses)}\nfile: reg.{fmt}\nregister: {kind}\n"
        f"date: {record_date.isoformat()}\n{sheet}columns:\n{mapped}{extra}", encoding="utf-8")
    (root / "evidence" / "registers" / f"reg.{fmt}").write_bytes(register_file(fmt, headers, rows))
    (root / "content" / "clauses" / "registers.yaml").write_text("".join(
        f'- clause: "{c}"\n  status: implemented\n  evidence: [{REG}]\n' for c in clauses), encoding="utf-8")
    # measurement traceability declared, so 7.1.5.2's state rests on the register alone
    org = root / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "applies:\n  measurement_traceability: true\n" + organisation,
                   encoding="utf-8")
    return root


def judged(root: Path):
    """The project read and judged as a build would: no problem reported, the register read in full."""
    project, diags = read_project(root, load_catalog(), AS_OF)
    assert [str(d) for d in diags] == []
    r = assess(project, AS_OF)
    (reg,) = [x for x in r.registers if x.evidence == REG]
    return project, r, reg


def register_reasons(clause) -> list[tuple[str, str]]:
    return [(x.code, describe(x, True)) for x in clause.reasons if x.code.startswith("register-")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_check_fires_on_a_register_file_that_shows_the_problem(tmp_path: Path, case: Case, fmt: str) -> None:
    root = make_project(tmp_path, fmt, case.kind, case.columns, case.headers, case.fire, case.clauses,
                        record_date=case.record_date, extra=case.extra)
    project, r, reg = judged(root)
    assert project.registers[REG].rows[0].cells[next(iter(case.columns))].endswith(
        "reg.csv:2:1" if fmt == "csv" else "reg.xlsx!Register!A2")
    for number in case.clauses:
        assert (number, r.clauses[number].state) == (number, case.state)
        assert register_reasons(r.clauses[number]) == case.reasons
    assert (reg.kind, reg.rows) == (case.kind, len(case.fire))
    assert dict(reg.flags) == case.flags


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_check_stays_silent_on_a_register_file_without_the_problem(tmp_path: Path, case: Case,
                                                                      fmt: str) -> None:
    root = make_project(tmp_path, fmt, case.kind, case.columns, case.headers, case.quiet, case.clauses,
                        record_date=case.record_date, extra=case.extra)
    _, r, reg = judged(root)
    for number in case.clauses:
        assert register_reasons(r.clauses[number]) == []
        assert (number, r.clauses[number].state) == (number, case.states_quiet)
    assert (reg.rows, dict(reg.flags)) == (len(case.quiet), {})
    assert tuple(x.code for x in reg.reasons) == case.quiet_reasons


# --------------------------------------------------------------------------- stage 1: legal-requirements


def gate_item(r):
    return next(i for i in r.gates["stage1"].items if i.check == "legal-requirements")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_legal_requirements_gate_passes_on_a_legal_register_reviewed_within_its_window(
        tmp_path: Path, fmt: str) -> None:
    # every row reviewed since the record's own date: the register was reviewed on the oldest row's review
    rows = [["Waste regulations", date(2026, 7, 1), "yes"], ["Machinery safety", date(2026, 6, 1), "yes"]]
    root = make_project(tmp_path, fmt, "legal", LEGAL, LEGAL_HEADERS, rows, ("4.2",), record_date=date(2025, 6, 1))
    _, r, _ = judged(root)
    item = gate_item(r)
    assert item.passed and item.evidence == (REG,)
    assert describe(item.reason, True) == f"register {REG} reviewed on 2026-06-01, within 12 months"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_legal_requirements_gate_fails_on_a_legal_register_not_reviewed_within_its_window(
        tmp_path: Path, fmt: str) -> None:
    rows = [["Waste regulations", date(2026, 7, 1), "yes"], ["Machinery safety", date(2025, 6, 1), "yes"]]
    root = make_project(tmp_path, fmt, "legal", LEGAL, LEGAL_HEADERS, rows, ("4.2",), record_date=date(2025, 5, 1))
    _, r, _ = judged(root)
    item = gate_item(r)
    assert not item.passed and item.clauses == ("4.2", "8.2.2")
    assert describe(item.reason, True) == (
        f"register {REG} not reviewed within 12 months (since 2025-11-01): last reviewed on 2025-06-01")


# --------------------------------------------------------------------------- lapses before the audits


LAPSES = [
    # (register, columns, headers, the row that lapses, the same row when it does not, kind, clause, item)
    ("calibration", CAL, CAL_HEADERS, ["G-05", date(2027, 3, 1), "in-service", "pass"],
     ["G-05", date(2027, 6, 1), "in-service", "pass"], "calibration-due", ("7.1.5.2",), "G-05"),
    ("competence", PEOPLE, PEOPLE_HEADERS, ["Di Example", "Inspector", "CMM", "competent", date(2027, 1, 15)],
     ["Di Example", "Inspector", "CMM", "competent", date(2027, 5, 15)], "competence-expires", ("7.2",), "CMM"),
    ("suppliers", SUP, SUP_HEADERS, ["Alu Bars Ltd", "yes", "yes", date(2027, 3, 1)],
     ["Alu Bars Ltd", "yes", "yes", date(2027, 9, 1)], "evaluation-due", ("8.4.1",), "Alu Bars Ltd"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lapse", LAPSES, ids=[x[5] for x in LAPSES])
def test_a_register_date_before_the_audits_is_a_lapse_and_one_after_is_not(tmp_path: Path, lapse: tuple,
                                                                           fmt: str) -> None:
    kind, columns, headers, due, later, code, clauses, item = lapse
    root = make_project(tmp_path / "due", fmt, kind, columns, headers, [due], clauses, organisation=AUDITS)
    _, r, reg = judged(root)
    assert [(x.date, x.kind, x.clauses, x.before, x.item, x.row) for x in r.lapses if x.evidence == REG] == [
        (next(v for v in due if isinstance(v, date)), code, clauses, "stage2", item, 2)]
    assert dict(reg.flags) == {}  # due later, not overdue today
    root = make_project(tmp_path / "later", fmt, kind, columns, headers, [later], clauses, organisation=AUDITS)
    _, r, _ = judged(root)
    assert [x for x in r.lapses if x.evidence == REG] == []
