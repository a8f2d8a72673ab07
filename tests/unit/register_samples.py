"""Hand-made registers (issue 24) for tests of the pages, the audience filter and the exports, built against
the interface (model.Register, assess.RegisterResult) while the reader and the rules are written elsewhere.

``write_records(root)`` adds one evidence record per register type to a copy of a fixture project (a CSV file
each, written as the team would); ``inject(project)`` gives the project those records declaring ``register:``
and their registers read by hand; ``results(project)`` the RegisterResults, with flagged rows. ``patch_build``
makes a real build (``isoready.package.build.build``) see both.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Mapping, Optional

from isoready.assess import Reason, RegisterResult, reason
from isoready.model import REGISTER_COLUMNS, Project, Register, RegisterProblem, RegisterRow

#: the names in the competence register: no public build, and no auditor build without show_people, may hold them
PEOPLE = ("Marguerite Okonkwo-Lindqvist", "Tobias Ferncastle", "Ysolde Brannagh")
ROLES = ("CMM operator", "Setter", "Quality inspector")

FOLDER = "registers"

#: evidence id -> (register type, clauses, file, header, rows as written in the file)
SAMPLES: dict[str, tuple[str, tuple[str, ...], str, tuple[str, ...], tuple[tuple[Any, ...], ...]]] = {
    "REG-CAL": ("calibration", ("7.1.5.1",), "gauges.csv", ("id", "description", "due", "status", "result"), (
        ("G-001", "Micrometer 0-25 mm", date(2026, 9, 30), "in-service", "pass"),
        ("G-002", "Height gauge 300 mm", date(2027, 6, 1), "in-service", "fail"),
        ("G-003", "Bore gauge set", date(2027, 8, 15), "quarantined", None),
        ("G-004", "Vernier caliper 150 mm", date(2027, 3, 1), "in-service", "pass"))),
    "REG-COMP": ("competence", ("7.2",), "training-matrix.csv", ("person", "role", "competence", "status",
                                                               "expires"), (
        (PEOPLE[0], ROLES[0], "CMM programming", "competent", date(2026, 10, 1)),
        (PEOPLE[1], ROLES[1], "5-axis setting", "in-training", None),
        (PEOPLE[2], ROLES[2], "First article inspection", "competent", date(2028, 1, 1)))),
    "REG-SUP": ("suppliers", ("8.4.1",), "approved-suppliers.csv", ("supplier", "approved", "in_use",
                                                                   "next_evaluation"), (
        ("Denholm Metals Ltd", date(2025, 3, 2), True, date(2027, 3, 1)),
        ("Stourvale Passivation Ltd", False, True, None))),
    "REG-OBJ": ("objectives", ("6.2.1",), "kpis.csv", ("objective", "target", "actual", "period", "unit"), tuple(
        (name, target, actual, date(2026, m, 1), unit)
        for name, target, unit, actuals in (("On-time delivery", 95.0, "%", (96, 94, 93, 92)),
                                            ("Scrap rate", 2.0, "%", (2.4, 2.1, 1.9, 1.7)))
        for m, actual in zip((7, 8, 9, 10), actuals))),
    "REG-AUD": ("audit-programme", ("9.2.1",), "audit-programme.csv", ("audit", "planned", "done", "covers"), (
        ("Purchasing", date(2026, 6, 1), date(2026, 6, 3), ("8.4.1",)),
        ("Production control", date(2026, 10, 1), None, ("8.5.1",)))),
    "REG-LEG": ("legal", ("6.1.2",), "legal.csv", ("requirement", "source", "last_review", "compliant"), (
        ("PUWER 1998 inspection of machinery", "UK SI 1998/2306", date(2026, 5, 1), "yes"),
        ("Waste carrier registration", "EPA 1990 s.34", date(2025, 1, 10), "partly"))),
    "REG-NC": ("nonconformities", ("10.2.1",), "nc-log.csv", ("id", "raised", "clause", "closed", "action"), (
        ("NC-101", date(2026, 4, 2), "8.7", None, None),
        ("NC-102", date(2026, 9, 20), "8.5.1", date(2026, 10, 2), "Fixture re-made"))),
}

#: register -> row number (the CSV line: the header is line 1) -> its flags
FLAGS: dict[str, dict[int, tuple[str, ...]]] = {
    "REG-CAL": {2: ("overdue",), 3: ("failed",)},
    "REG-COMP": {2: ("expired",), 3: ("in-training",)},
    "REG-SUP": {3: ("unapproved",)},
    "REG-OBJ": {5: ("behind-target",)},
    "REG-AUD": {3: ("audit-overdue",)},
    "REG-LEG": {3: ("not-compliant",)},
    "REG-NC": {2: ("open-too-long",)},
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return '"' + ",".join(value) + '"'
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def write_records(root: Path, audience: Optional[Mapping[str, str]] = None) -> None:
    """One record and its CSV file per register type under ``root``/evidence/registers/ (audience public unless
    ``audience`` says otherwise)."""
    folder = root / "evidence" / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for ev, (kind, clauses, file, header, rows) in SAMPLES.items():
        (folder / file).write_text("\n".join([",".join(header), *(",".join(_cell(v) for v in r) for r in rows)])
                                   + "\n", encoding="utf-8")
        shown = (audience or {}).get(ev, "public")
        (folder / f"{ev.lower()}.yaml").write_text(
            f"id: {ev}\ntitle: {kind.capitalize()} register\nkind: record\nclauses: {list(clauses)}\n"
            f"file: {file}\ndate: 2026-11-01\naudience: {shown}\n".replace("'", '"'), encoding="utf-8")


def register_of(ev: str) -> Register:
    kind, _, file, header, rows = SAMPLES[ev]
    path = f"evidence/{FOLDER}/{file}"
    made = []
    for line, values in enumerate(rows, 2):
        made.append(RegisterRow(line, dict(zip(header, values)),
                                {c: f"{path}:{line}:{i}" for i, c in enumerate(header, 1)}))
    problems: tuple[RegisterProblem, ...] = ()
    if kind == "competence":  # a problem met in a name's cell: its text quotes the name
        problems = (RegisterProblem("W301", 3, f"{path}:3:1", f"unknown status for {PEOPLE[1]}"),)
    if kind == "calibration":
        problems = (RegisterProblem("W302", 5, f"{path}:5:3", "unreadable date 'next spring'"),)
    columns = tuple(c.name for c in REGISTER_COLUMNS[kind] if c.name in header)
    return Register(ev, kind, f"{FOLDER}/{file}", tuple(made), problems, columns)


def inject(project: Project, show_people: bool = False, only: Optional[tuple[str, ...]] = None) -> Project:
    """``project`` with the sample records declaring their register, and their registers read (the records
    must exist: ``write_records``)."""
    wanted = tuple(only or SAMPLES)
    evidence = tuple(replace(e, register=SAMPLES[e.id][0], show_people=show_people and e.id == "REG-COMP")
                     if e.id in wanted else e for e in project.evidence)
    present = {e.id for e in evidence}
    return replace(project, evidence=evidence,
                   registers={ev: register_of(ev) for ev in wanted if ev in present})


def results(project: Project) -> tuple[RegisterResult, ...]:
    """What the rules would find: flags per row, reasons (the calibration register's in the rules' words), and
    the objectives' series."""
    out = []
    for ev in sorted(project.registers):
        reg = project.registers[ev]
        why: tuple[Reason, ...] = ()
        if reg.kind == "calibration":
            why += (reason("register-calibration", (ev,), overdue=("G-001",), failed=("G-002",)),
                    reason("status-not-done", status="planned", inherited_from="", target=""))
        series: dict[str, tuple[tuple[date, float, float], ...]] = {}
        if reg.kind == "objectives":
            for r in reg.rows:
                series.setdefault(r.get("objective"), ())
                series[r.get("objective")] += ((r.get("period"), r.get("target"), r.get("actual")),)
        out.append(RegisterResult(ev, reg.kind, len(reg.rows), FLAGS[ev], why, series))
    return tuple(out)


def patch_build(monkeypatch: Any, show_people: bool = False) -> None:
    """Make ``isoready.package.build.build`` (in this process) read the sample registers and judge them."""
    from isoready.package import assemble

    check, assess_with_git = assemble.check, assemble.assess_with_git

    def checked(*args: Any, **kwargs: Any) -> Any:
        project, diags = check(*args, **kwargs)
        return (inject(project, show_people) if project is not None else None), diags

    def assessed(opts: Any, project: Project, judged: Any = None) -> Any:
        readiness, git = assess_with_git(opts, project, judged)
        return replace(readiness, registers=results(project)), git

    monkeypatch.setattr(assemble, "check", checked)
    monkeypatch.setattr(assemble, "assess_with_git", assessed)
