"""Registers judged for their content (issue 24): calibration, competence, suppliers, objectives, the audit
programme, the legal register and the nonconformities log.

Each register's rows (read/ parsed them into typed values: ``Project.registers``) get their flags
(RegisterResult.flags, among REGISTER_FLAGS) and the register its reasons. Which clauses each check weighs on is
the standard's data (its ``registers:`` file, ``Standard.registers``); a check whose clauses the standard does not
have weighs on nothing, and a clause the project excluded is never judged (its leaf is not applicable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Optional

from isoready import standards
from isoready.model import Project, Register, RegisterRow
from isoready.assess.results import Lapse, Reason, RegisterResult, reason
from isoready.assess.clauses import ONE_DAY, months_before, window_of

#: an objective with no result in this many months before the date judged is not being monitored
OBJECTIVE_RECENT_MONTHS = 3
#: how much a register check weighs on the clauses its standard names: a blocker (not ready), a risk (at risk)
#: or a note (on the clause's page, its state unchanged)
BLOCKER, RISK, NOTE = "blocker", "risk", "note"


@dataclass(frozen=True)
class RegisterVerdict:
    """Every register judged on one date: each one's result, and the reasons each leaf clause gets from them."""

    results: tuple[RegisterResult, ...] = ()
    blockers: Mapping[str, tuple[Reason, ...]] = field(default_factory=dict)
    risks: Mapping[str, tuple[Reason, ...]] = field(default_factory=dict)
    notes: Mapping[str, tuple[Reason, ...]] = field(default_factory=dict)


def register_clauses(project: Project, check: str) -> tuple[str, ...]:
    """The clauses of the project's standard a register check weighs on (those its catalog has)."""
    found = standards.find(project.catalog.standard)
    named = found.registers.get(check, ()) if found else ()
    return tuple(n for n in named if n in project.catalog)


class _Judged:
    """One register's flags and reasons as they are found."""

    def __init__(self, register: Register):
        self.register = register
        self.flags: dict[int, list[str]] = {}
        self.reasons: list[tuple[str, str, Reason]] = []  # (check, weight, reason)
        self.series: dict[str, tuple[tuple[date, float, float], ...]] = {}
        self.monthly: tuple[tuple[str, int, int], ...] = ()

    def flag(self, row: RegisterRow, code: str) -> None:
        self.flags.setdefault(row.row, []).append(code)

    def add(self, check: str, weight: str, code: str, **params: Any) -> None:
        self.reasons.append((check, weight, reason(code, (self.register.evidence,), **params)))


def _on(day: Any, as_of: date) -> bool:
    """A date that has come by ``as_of`` (a cell that is not a date never has)."""
    return isinstance(day, date) and day <= as_of


def _past(day: Any, as_of: date) -> bool:
    return isinstance(day, date) and day < as_of


def _calibration(j: _Judged, project: Project, as_of: date) -> None:
    overdue, failed = [], []
    for row in j.register.rows:
        if row.get("status", "in-service") != "in-service" or row.get("id") is None:
            continue
        if _past(row.get("due"), as_of):
            j.flag(row, "overdue")
            overdue.append(str(row.get("id")))
        if row.get("result") == "fail":
            j.flag(row, "failed")
            failed.append(str(row.get("id")))
    if overdue or failed:
        j.add("calibration", BLOCKER, "register-calibration", overdue=tuple(overdue), failed=tuple(failed))


def _competence(j: _Judged, project: Project, as_of: date) -> None:
    per_role: dict[str, list[int]] = {}
    for row in j.register.rows:
        role = str(row.get("role") or "")
        if _past(row.get("expires"), as_of):
            j.flag(row, "expired")
            per_role.setdefault(role, [0, 0])[0] += 1
        if row.get("status") == "in-training":
            j.flag(row, "in-training")
            per_role.setdefault(role, [0, 0])[1] += 1
    if per_role:  # counted per role: a reason never names a person
        j.add("competence", RISK, "register-competence",
              roles=tuple((role, n[0], n[1]) for role, n in sorted(per_role.items())))


def _suppliers(j: _Judged, project: Project, as_of: date) -> None:
    unapproved, overdue = [], []
    for row in j.register.rows:
        if row.get("in_use", True) is not True or row.get("supplier") is None:
            continue
        approved = row.get("approved")
        if approved is False or (isinstance(approved, date) and approved > as_of):
            j.flag(row, "unapproved")
            unapproved.append(str(row.get("supplier")))
        if _past(row.get("next_evaluation"), as_of):
            j.flag(row, "evaluation-overdue")
            overdue.append((str(row.get("supplier")), row.get("next_evaluation")))
    if unapproved:
        j.add("supplier-approval", BLOCKER, "register-supplier-unapproved", suppliers=tuple(unapproved))
    if overdue:
        j.add("supplier-evaluation", RISK, "register-evaluation-overdue", suppliers=tuple(overdue))


def _behind(direction: Any, target: float, actual: float) -> bool:
    return actual > target if direction == "lower" else actual < target


def _objectives(j: _Judged, project: Project, as_of: date) -> None:
    points: dict[str, list[tuple[date, float, float, RegisterRow]]] = {}
    named: dict[str, None] = {}
    for row in j.register.rows:
        name = row.get("objective")
        if name is None:
            continue
        named.setdefault(str(name))
        values = (row.get("period"), row.get("target"), row.get("actual"))
        if _on(values[0], as_of) and all(isinstance(v, (int, float)) for v in values[1:]):
            points.setdefault(str(name), []).append((values[0], float(values[1]), float(values[2]), row))
    since = months_before(as_of, OBJECTIVE_RECENT_MONTHS).replace(day=1)  # a month's result counts for the month
    stale, behind = [], []
    for name in named:
        found = sorted(points.get(name, ()), key=lambda p: (p[0], p[3].row))
        j.series[name] = tuple((d, t, a) for d, t, a, _ in found)
        if not found or found[-1][0] < since:
            stale.append((name, found[-1][0] if found else None))
            for row in j.register.rows:
                if str(row.get("objective")) == name:
                    j.flag(row, "no-recent-result")
            continue
        day, target, actual, row = found[-1]
        if _behind(row.get("direction", "higher"), target, actual):
            j.flag(row, "behind-target")
            behind.append((name, day, target, actual, str(row.get("unit") or "")))
    if stale:
        j.add("objective-results", RISK, "register-objective-no-result", objectives=tuple(stale),
              months=OBJECTIVE_RECENT_MONTHS)
    if behind:
        j.add("objective-behind", NOTE, "register-objective-behind", objectives=tuple(behind))


def _audit_programme(j: _Judged, project: Project, as_of: date) -> None:
    late = []
    for row in j.register.rows:
        if _past(row.get("planned"), as_of) and not _on(row.get("done"), as_of) and row.get("audit") is not None:
            j.flag(row, "audit-overdue")
            late.append((str(row.get("audit")), row.get("planned")))
    if late:
        j.add("audit-programme", RISK, "register-audit-overdue", audits=tuple(late))


def _legal(j: _Judged, project: Project, as_of: date) -> None:
    items = []
    for row in j.register.rows:
        if row.get("compliant") in ("no", "partly") and row.get("requirement") is not None:
            j.flag(row, "not-compliant")
            items.append((str(row.get("requirement")), row.get("compliant")))
    if items:
        j.add("legal-compliance", RISK, "register-legal-not-compliant", requirements=tuple(items))


def _nonconformities(j: _Judged, project: Project, as_of: date) -> None:
    limit = project.organisation.nc_max_open_days
    late, months = [], {}
    for row in j.register.rows:
        raised, closed = row.get("raised"), row.get("closed")
        if not _on(raised, as_of):
            continue
        months.setdefault(raised.strftime("%Y-%m"), [0, 0])[0] += 1
        if _on(closed, as_of):
            months.setdefault(closed.strftime("%Y-%m"), [0, 0])[1] += 1
            continue
        if (as_of - raised).days > limit and not row.get("action") and row.get("id") is not None:
            j.flag(row, "open-too-long")
            late.append((str(row.get("id")), raised))
    j.monthly = tuple((m, n[0], n[1]) for m, n in sorted(months.items()))
    if late:
        j.add("nc-open", RISK, "register-nc-open-too-long", nonconformities=tuple(late), days=limit)
    if j.monthly:
        j.add("nc-trend", NOTE, "register-nc-trend", months=j.monthly[-12:])


#: register type -> its checks (each flags its rows and adds its reasons)
REGISTER_RULES: Mapping[str, Callable[[_Judged, Project, date], None]] = {
    "calibration": _calibration, "competence": _competence, "suppliers": _suppliers, "objectives": _objectives,
    "audit-programme": _audit_programme, "legal": _legal, "nonconformities": _nonconformities,
}


def judge_registers(project: Project, as_of: date, known: Iterable[str]) -> RegisterVerdict:
    """Each register whose record exists on the date (``known``: the evidence ids that do), judged on ``as_of``."""
    exists = set(known)
    results = []
    on: dict[str, dict[str, list[Reason]]] = {BLOCKER: {}, RISK: {}, NOTE: {}}
    for evidence in sorted(project.registers):
        register = project.registers[evidence]
        rule = REGISTER_RULES.get(register.kind)
        if rule is None or evidence not in exists:
            continue
        j = _Judged(register)
        rule(j, project, as_of)
        kept = []
        for check, weight, r in j.reasons:
            leaves = [leaf for n in register_clauses(project, check) for leaf in project.catalog.leaves_under(n)]
            for leaf in dict.fromkeys(leaves):
                on[weight].setdefault(leaf, []).append(r)
            if leaves:  # a check the standard puts on no clause weighs on nothing
                kept.append(r)
        results.append(RegisterResult(evidence, register.kind, len(register.rows),
                                      {row: tuple(flags) for row, flags in sorted(j.flags.items())},
                                      tuple(kept), j.series, j.monthly))
    return RegisterVerdict(tuple(results), *({k: tuple(v) for k, v in on[w].items()} for w in (BLOCKER, RISK, NOTE)))


# --------------------------------------------------------------------------- what lapses, what is planned

#: register type -> (the lapse kind, the check whose clauses it names, the date column, the row's name column)
REGISTER_LAPSES = {
    "calibration": ("calibration-due", "calibration", "due", "id"),
    "competence": ("competence-expires", "competence", "expires", "competence"),
    "suppliers": ("evaluation-due", "supplier-evaluation", "next_evaluation", "supplier"),
}


def register_lapses(project: Project, as_of: date, last: date, before: Callable[[date], str],
                    known: Iterable[str]) -> list[Lapse]:
    """Register dates that fall between ``as_of`` and the last booked audit: a gauge's calibration due, a
    competence expiring, a supplier's evaluation due (each lapses the day after; ``before``: the audit it comes
    before). Items out of service (a retired gauge, a supplier no longer used) never lapse."""
    exists = set(known)
    out = []
    for evidence in sorted(project.registers):
        register = project.registers[evidence]
        if register.kind not in REGISTER_LAPSES or evidence not in exists:
            continue
        kind, check, column, name = REGISTER_LAPSES[register.kind]
        clauses = register_clauses(project, check)
        for row in register.rows:
            day = row.get(column)
            if (register.kind == "calibration" and row.get("status", "in-service") != "in-service") or \
                    row.get("in_use", True) is not True:
                continue
            if isinstance(day, date) and as_of <= day < last:
                out.append(Lapse(day, kind, clauses, before(day + ONE_DAY), evidence=evidence,
                                 item=str(row.get(name) or ""), row=row.row))
    return out


def planned_audits(project: Project, known: date,
                   until: Optional[date]) -> dict[str, tuple[tuple[str, date, str], ...]]:
    """Leaf -> the audits an audit-programme register plans (not done) from ``known`` up to ``until`` (the stage 2
    date) whose ``covers`` reach it, each (audit, planned date, the register's evidence id): "covered if done as
    planned", never covered."""
    if until is None:
        return {}
    catalog = project.catalog
    out: dict[str, list[tuple[str, date, str]]] = {}
    for evidence in sorted(project.registers):
        register = project.registers[evidence]
        if register.kind != "audit-programme":
            continue
        for row in register.rows:
            day, done = row.get("planned"), row.get("done")
            if not (isinstance(day, date) and known <= day <= until) or _on(done, known) or row.get("audit") is None:
                continue
            for number in row.get("covers") or ():
                if number in catalog:
                    for leaf in catalog.leaves_under(number):
                        out.setdefault(leaf, []).append((str(row.get("audit")), day, evidence))
    return {leaf: tuple(dict.fromkeys(v)) for leaf, v in out.items()}


def register_review(project: Project, as_of: date, kind: str, check_clause: str,
                    known: Iterable[str]) -> tuple[Optional[str], Optional[date], int]:
    """A register's (``kind``: legal) latest review on ``as_of``: (its evidence id, the date it was reviewed, the window
    in months). Reviewed on the record's own ``date`` (a review of the whole register), or, when every row
    carries a ``last_review``, on the oldest of them (each requirement looked at since); dates after ``as_of``
    are not known yet. (None, None, window) when the project has no such register: no record declares it (a
    record that does is one even when its file could not be read: then only its date counts)."""
    window = window_of(project, check_clause) if check_clause in project.catalog else 12
    exists = set(known)
    declared = {e.id: e.date for e in project.evidence if e.id in exists and e.register == kind}
    declared.update({e.id: e.date for e in project.evidence if e.id in exists and e.id in project.registers
                     and project.registers[e.id].kind == kind})
    best: tuple[Optional[str], Optional[date]] = (None, None)
    for evidence in sorted(declared):
        own = declared[evidence] if _on(declared[evidence], as_of) else None
        register = project.registers.get(evidence)
        rows = [row.get("last_review") for row in (register.rows if register else ())]
        every = min(rows) if rows and all(_on(d, as_of) for d in rows) else None
        day = max((d for d in (own, every) if d is not None), default=None)
        if best[0] is None or (day is not None and (best[1] is None or day > best[1])):
            best = (evidence, day)
    return best[0], best[1], window
