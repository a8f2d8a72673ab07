"""Stage 4, assess: readiness rules as pure functions of (Project, as_of).

Every conclusion carries its reasons as sentences that name the rule, finding
or evidence behind them. Each reason also has a redacted form that names no
record, for builds whose audience may not see that record; the states and
figures themselves never depend on the audience.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping, Optional

from .model import DI_KIND_FOR, DONE_STATUSES, Assessment, Evidence, Finding, Project

READY, AT_RISK, NOT_READY, NOT_APPLICABLE = "ready", "at-risk", "not-ready", "not-applicable"
STATE_ORDER = (NOT_APPLICABLE, READY, AT_RISK, NOT_READY)  # worst last

PRESENT, STALE, MISSING, OUT_OF_WINDOW, CONDITIONAL, EXCLUDED = (
    "present", "stale", "missing", "out-of-window", "conditional", "not-applicable")


@dataclass(frozen=True)
class Reason:
    text: str  # names the records behind it
    evidence: tuple[str, ...] = ()  # evidence ids the text names
    findings: tuple[str, ...] = ()  # finding ids the text names
    redacted: str = ""  # the same fact naming no record

    def for_audience(self, visible_evidence: set[str], visible_findings: set[str]) -> str:
        hidden = any(e not in visible_evidence for e in self.evidence) or any(
            f not in visible_findings for f in self.findings)
        return (self.redacted or self.text) if hidden else self.text


@dataclass(frozen=True)
class MandatoryCheck:
    """One item of documented information the catalog asks for, and whether it is there."""

    clause: str
    kind: str  # maintain | retain
    what: str
    when: Optional[str]
    state: str  # present | stale | missing | out-of-window | conditional | not-applicable
    evidence: tuple[str, ...]  # current records of the right kind
    stale: tuple[str, ...]  # stale records of the right kind
    reason: Reason
    window_months: Optional[int] = None
    latest: Optional[date] = None

    @property
    def is_gap(self) -> bool:
        return self.state in (STALE, MISSING, OUT_OF_WINDOW)


@dataclass(frozen=True)
class ClauseResult:
    number: str
    status: str  # own, inherited or derived declared status
    assessed: bool  # the clause has an assessment of its own
    status_from: Optional[str]  # the clause whose assessment applies, when inherited
    applicable: bool
    state: str
    reasons: tuple[Reason, ...]
    evidence: tuple[str, ...]  # ids: mapped to the clause, then extra links of its own assessment
    stale_evidence: tuple[str, ...]
    mandatory: tuple[MandatoryCheck, ...]
    findings: tuple[str, ...]  # open findings on the clause or an ancestor
    leaves_applicable: int
    leaves_ready: int
    assessment: Optional[Assessment]

    @property
    def readiness(self) -> Optional[float]:
        return self.leaves_ready / self.leaves_applicable if self.leaves_applicable else None


@dataclass(frozen=True)
class GateItem:
    name: str
    passed: bool
    reason: Reason
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gate:
    name: str
    items: tuple[GateItem, ...]

    @property
    def passed(self) -> bool:
        return all(i.passed for i in self.items)


@dataclass(frozen=True)
class FindingResult:
    finding: Finding
    overdue: bool
    leaves: tuple[str, ...]  # leaf clauses it applies to


@dataclass(frozen=True)
class Readiness:
    as_of: date
    overall: Optional[float]
    leaves_applicable: int
    leaves_ready: int
    by_main: Mapping[str, Optional[float]]
    clauses: Mapping[str, ClauseResult]
    mandatory: tuple[MandatoryCheck, ...]
    findings: tuple[FindingResult, ...]
    gates: Mapping[str, Gate]
    stale_evidence: tuple[str, ...]
    status_counts: Mapping[str, int]  # over applicable and excluded leaves
    state_counts: Mapping[str, int]


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _ids(items: Iterable[str]) -> str:
    return ", ".join(items)


# --------------------------------------------------------------------------- statuses


def resolve_statuses(project: Project) -> dict[str, tuple[str, bool, Optional[str]]]:
    """number -> (status, assessed, status_from) following the inheritance rules."""
    catalog = project.catalog
    own = {a.clause: a for a in project.assessments}
    result: dict[str, tuple[str, bool, Optional[str]]] = {}
    for clause in catalog.clauses:  # parents come before children in the catalog
        if clause.number in own:
            result[clause.number] = (own[clause.number].status, True, None)
            continue
        inherited = next((n for n in catalog.ancestors(clause.number) if n in own), None)
        if inherited:
            result[clause.number] = (own[inherited].status, False, inherited)
        elif clause.is_leaf:
            result[clause.number] = ("not-started", False, None)
    for clause in reversed(catalog.clauses):  # derive parents from their leaves
        if clause.number in result:
            continue
        leaves = [result[n][0] for n in catalog.leaves_under(clause.number)]
        applicable = [s for s in leaves if s != "not-applicable"]
        if not applicable:
            status = "not-applicable"
        elif len(set(applicable)) == 1:
            status = applicable[0]
        elif all(s in DONE_STATUSES for s in applicable):
            status = "implemented"
        else:
            status = "in-progress"
        result[clause.number] = (status, False, None)
    return result


# --------------------------------------------------------------------------- documented information


def _window(project: Project, number: str) -> Optional[int]:
    return project.organisation.windows.get(number, project.catalog[number].window_months)


def check_mandatory(project: Project, number: str, applicable: bool, mapped: list[Evidence],
                    as_of: date) -> list[MandatoryCheck]:
    clause = project.catalog[number]
    checks = []
    for item in clause.documented_information:
        want = DI_KIND_FOR[item.kind]
        noun = "document" if want == "document" else "record"
        right = [e for e in mapped if e.kind == want]
        current = [e for e in right if not e.is_stale(as_of)]
        stale = [e for e in right if e.is_stale(as_of)]
        window = _window(project, number) if item.kind == "retain" else None
        latest = max((e.date for e in current if e.date), default=None)
        label = f"{number} {item.what}"
        if not applicable:
            state, reason = EXCLUDED, Reason(f"{label}: not required, the clause is not applicable")
        elif current and window:
            since = months_before(as_of, window)
            in_window = [e for e in current if e.date and e.date >= since]
            if in_window:
                newest = max(in_window, key=lambda e: (e.date, e.id))
                state = PRESENT
                reason = Reason(f"{label}: latest record {newest.id} dated {newest.date}, within {window} months",
                                evidence=(newest.id,),
                                redacted=f"{label}: latest record dated {newest.date}, within {window} months")
            else:
                state = OUT_OF_WINDOW
                when = f"the latest is dated {latest}" if latest else "no record carries a date"
                reason = Reason(f"{label}: no record within the last {window} months ({when})")
        elif current:
            state = PRESENT
            reason = Reason(f"{label}: {noun} {_ids(e.id for e in current)} present",
                            evidence=tuple(e.id for e in current),
                            redacted=f"{label}: {_plural(len(current), noun)} present")
        elif stale:
            state = STALE
            reason = Reason(f"{label}: only stale {noun} {_ids(e.id for e in stale)} (review overdue)",
                            evidence=tuple(e.id for e in stale),
                            redacted=f"{label}: only stale {_plural(len(stale), noun)} (review overdue)")
        elif item.when:
            state = CONDITIONAL
            reason = Reason(f"{label}: no {noun} mapped; needed only {item.when}")
        else:
            state = MISSING
            reason = Reason(f"{label}: no current {noun} mapped to {number}")
        checks.append(MandatoryCheck(
            clause=number, kind=item.kind, what=item.what, when=item.when, state=state,
            evidence=tuple(e.id for e in current), stale=tuple(e.id for e in stale), reason=reason,
            window_months=window, latest=latest))
    return checks


# --------------------------------------------------------------------------- the whole assessment


def assess(project: Project, as_of: date) -> Readiness:
    catalog = project.catalog
    statuses = resolve_statuses(project)
    own = {a.clause: a for a in project.assessments}
    by_id = {e.id: e for e in project.evidence}

    mapped: dict[str, list[Evidence]] = {}
    for e in project.evidence:
        for number in e.clauses:
            mapped.setdefault(number, []).append(e)

    findings = tuple(
        FindingResult(finding=f, overdue=bool(f.is_open and f.due and f.due < as_of),
                      leaves=tuple(dict.fromkeys(leaf for n in f.clauses for leaf in catalog.leaves_under(n))))
        for f in sorted(project.findings, key=lambda f: (f.raised, f.id))
    )
    open_on: dict[str, list[Finding]] = {}
    for fr in findings:
        if fr.finding.is_open:
            for number in fr.finding.clauses:
                for n in [number, *catalog.descendants(number)]:
                    open_on.setdefault(n, []).append(fr.finding)

    results: dict[str, ClauseResult] = {}
    all_mandatory: list[MandatoryCheck] = []
    # leaves first
    for clause in catalog.clauses:
        if not clause.is_leaf:
            continue
        number = clause.number
        status, assessed, status_from = statuses[number]
        applicable = status != "not-applicable"
        direct = mapped.get(number, [])
        assessment = own.get(number)
        extra = [by_id[i] for i in (assessment.evidence if assessment else ()) if i in by_id]
        linked = list(dict.fromkeys([*direct, *extra]))
        stale = [e for e in linked if e.is_stale(as_of)]
        mandatory = check_mandatory(project, number, applicable, direct, as_of)
        all_mandatory.extend(mandatory)
        reasons: list[Reason] = []
        state = NOT_APPLICABLE
        if applicable:
            blockers, risks = [], []
            if status not in DONE_STATUSES:
                target = own.get(status_from or number)
                due = f", target {target.target}" if target and target.target else ""
                src = f" (from {status_from})" if status_from else ""
                blockers.append(Reason(f"status is {status}{src}{due}; ready needs implemented or verified"))
            for check in mandatory:
                if check.is_gap:
                    lead = f"declared {status}, but " if status in DONE_STATUSES else ""
                    blockers.append(Reason(lead + check.reason.text, check.reason.evidence,
                                           redacted=lead + (check.reason.redacted or check.reason.text)))
            for f in open_on.get(number, []):
                where = "" if number in f.clauses else f" (raised on {', '.join(f.clauses)})"
                r = Reason(f"open {f.grade} finding {f.id}{where}", findings=(f.id,),
                           redacted=f"open {f.grade} finding{where}")
                if f.grade == "major":
                    blockers.append(r)
                elif f.grade == "minor":
                    risks.append(r)
            for e in stale:
                risks.append(Reason(f"stale evidence {e.id} (review was due {e.review_by})", evidence=(e.id,),
                                    redacted=f"stale evidence (review was due {e.review_by})"))
            if blockers:
                state, reasons = NOT_READY, blockers + risks
            elif risks:
                state, reasons = AT_RISK, risks
            else:
                state = READY
                reasons = [Reason(f"declared {status}; no gap, stale evidence or open nonconformity")]
        else:
            src = f"{status_from}" if status_from else number
            just = own[src].justification if src in own else ""
            reasons = [Reason(f"not applicable (declared on {src}): {just}".rstrip(": "))]
        results[number] = ClauseResult(
            number=number, status=status, assessed=assessed, status_from=status_from, applicable=applicable,
            state=state, reasons=tuple(reasons), evidence=tuple(e.id for e in linked),
            stale_evidence=tuple(e.id for e in stale), mandatory=tuple(mandatory),
            findings=tuple(f.id for f in open_on.get(number, [])),
            leaves_applicable=int(applicable), leaves_ready=int(state in (READY, AT_RISK)),
            assessment=assessment)
    # then parents, deepest first
    for clause in sorted((c for c in catalog.clauses if not c.is_leaf), key=lambda c: -c.depth):
        number = clause.number
        status, assessed, status_from = statuses[number]
        leaves = [results[n] for n in catalog.leaves_under(number)]
        applicable_leaves = [r for r in leaves if r.applicable]
        assessment = own.get(number)
        direct = mapped.get(number, [])
        extra = [by_id[i] for i in (assessment.evidence if assessment else ()) if i in by_id]
        linked = list(dict.fromkeys([*direct, *extra]))
        stale = [e for e in linked if e.is_stale(as_of)]
        if not applicable_leaves:
            state = NOT_APPLICABLE
            src = status_from or number
            just = own[src].justification if src in own else ""
            reasons = [Reason(f"not applicable (declared on {src}): {just}".rstrip(": ")
                              if src in own else "none of its sub-clauses is applicable")]
        else:
            state = max((r.state for r in applicable_leaves), key=STATE_ORDER.index)
            bad = [r.number for r in applicable_leaves if r.state == state]
            if state == READY:
                reasons = [Reason(f"all {_plural(len(applicable_leaves), 'applicable sub-clause')} ready")]
            else:
                word = "not ready" if state == NOT_READY else "at risk"
                reasons = [Reason(f"{len(bad)} of {len(applicable_leaves)} applicable sub-clauses {word}: {_ids(bad)}")]
            if stale and state == READY:
                state = AT_RISK
                reasons = []
            for e in stale:
                reasons.append(Reason(f"stale evidence {e.id} (review was due {e.review_by})", evidence=(e.id,),
                                      redacted=f"stale evidence (review was due {e.review_by})"))
        results[number] = ClauseResult(
            number=number, status=status, assessed=assessed, status_from=status_from,
            applicable=bool(applicable_leaves), state=state, reasons=tuple(reasons),
            evidence=tuple(e.id for e in linked), stale_evidence=tuple(e.id for e in stale), mandatory=(),
            findings=tuple(f.id for f in open_on.get(number, [])),
            leaves_applicable=len(applicable_leaves),
            leaves_ready=sum(r.state in (READY, AT_RISK) for r in applicable_leaves), assessment=assessment)

    ordered = {c.number: results[c.number] for c in catalog.clauses}
    leaves = [r for r in ordered.values() if catalog[r.number].is_leaf]
    applicable = [r for r in leaves if r.applicable]
    ready = sum(r.state in (READY, AT_RISK) for r in applicable)
    status_counts = {s: 0 for s in ("not-started", "planned", "in-progress", "implemented", "verified",
                                    "not-applicable")}
    state_counts = {s: 0 for s in (READY, AT_RISK, NOT_READY, NOT_APPLICABLE)}
    for r in leaves:
        status_counts[r.status] = status_counts.get(r.status, 0) + 1
        state_counts[r.state] += 1
    readiness = Readiness(
        as_of=as_of,
        overall=ready / len(applicable) if applicable else None,
        leaves_applicable=len(applicable), leaves_ready=ready,
        by_main={c.number: ordered[c.number].readiness for c in catalog.mains},
        clauses=ordered,
        mandatory=tuple(all_mandatory),
        findings=findings,
        gates={},
        stale_evidence=tuple(e.id for e in project.evidence if e.is_stale(as_of)),
        status_counts=status_counts, state_counts=state_counts,
    )
    return _with_gates(readiness, project, as_of, mapped)


# --------------------------------------------------------------------------- stage gates


def _current(evidence: list[Evidence], as_of: date, kind: Optional[str] = None) -> list[Evidence]:
    return [e for e in evidence if not e.is_stale(as_of) and (kind is None or e.kind == kind)]


def _with_gates(r: Readiness, project: Project, as_of: date, mapped: dict[str, list[Evidence]]) -> Readiness:
    catalog = project.catalog

    def under(number: str, kind: Optional[str] = None) -> list[Evidence]:
        found = [e for n in [number, *catalog.descendants(number)] for e in mapped.get(n, [])]
        return _current(list(dict.fromkeys(found)), as_of, kind)

    def planned(number: str, recurring: str) -> list[Evidence]:
        """A plan: a current document (programme, schedule) under the clause, or a record within the window."""
        window = _window(project, recurring) or 12
        since = months_before(as_of, window)
        recent = [e for e in under(number, "record") if e.date and e.date >= since]
        return under(number, "document") + recent

    def present(name: str, evidence: list[Evidence], missing: str) -> GateItem:
        if evidence:
            ids = tuple(e.id for e in evidence)
            return GateItem(name, True, Reason(f"present: {_ids(ids)}", evidence=ids,
                                               redacted=f"present: {_plural(len(ids), 'record')}"), ids)
        return GateItem(name, False, Reason(missing))

    def mandatory_item(name: str, kind: str) -> GateItem:
        items = [m for m in r.mandatory if m.kind == kind]
        gaps = [m for m in items if m.is_gap]
        noun = "document" if kind == "maintain" else "record"
        if gaps:
            return GateItem(name, False, Reason(
                f"{len(gaps)} of {_plural(len(items), 'mandatory ' + noun)} missing, stale or out of window: "
                + _ids(f"{m.clause} ({m.state})" for m in gaps)))
        required = [m for m in items if m.state == PRESENT]
        return GateItem(name, True, Reason(f"all {_plural(len(required), 'required ' + noun)} present"))

    def recurring(name: str, number: str, what: str) -> tuple[GateItem, list[Evidence]]:
        window = _window(project, number) or 12
        since = months_before(as_of, window)
        done = [e for e in _current(mapped.get(number, []), as_of, "record") if e.date and e.date >= since]
        if done:
            newest = max(done, key=lambda e: (e.date, e.id))
            return GateItem(name, True, Reason(
                f"{what} {newest.id} dated {newest.date}, within {window} months", evidence=(newest.id,),
                redacted=f"{what} dated {newest.date}, within {window} months"), (newest.id,)), done
        return GateItem(name, False, Reason(
            f"no {what} record mapped to {number} dated within the last {window} months (since {since})")), done

    stage1 = Gate("stage1", (
        present("Scope of the QMS documented (4.3)", under("4.3", "document"),
                "no current document mapped to 4.3 states the scope"),
        present("Quality policy documented (5.2)", under("5.2", "document"),
                "no current document mapped to 5.2 holds the quality policy"),
        present("Quality objectives documented (6.2)", under("6.2", "document"),
                "no current document mapped to 6.2 sets quality objectives"),
        mandatory_item("Mandatory documents maintained", "maintain"),
        present("Internal audit programme planned (9.2)", planned("9.2", "9.2.2"),
                "no current document mapped to 9.2 sets out an internal audit programme, and no internal "
                "audit record is within its window"),
        present("Management review planned (9.3)", planned("9.3", "9.3.3"),
                "no current document mapped to 9.3 schedules a management review, and no management review "
                "record is within its window"),
    ))

    not_ready = [n for n, c in r.clauses.items() if catalog[n].is_leaf and c.state == NOT_READY]
    all_ready = GateItem("Every applicable clause ready", not not_ready, Reason(
        f"{len(not_ready)} applicable clauses not ready: {_ids(not_ready)}" if not_ready
        else f"all {r.leaves_applicable} applicable clauses ready or at risk"))
    audit_item, audits = recurring("Internal audit within the window", "9.2.2", "internal audit")
    if audit_item.passed:
        covered = {catalog[n].main for e in audits for n in e.covers}
        needed = [m for m, v in r.by_main.items() if v is not None]
        uncovered = [m for m in needed if m not in covered]
        if uncovered:
            audit_item = GateItem(audit_item.name, False, Reason(
                f"internal audits within the window do not cover main clause(s) {_ids(uncovered)} "
                "(list audited clauses under 'covers' on the audit record)"))
        else:
            audit_item = GateItem(audit_item.name, True, Reason(
                audit_item.reason.text + "; together the audits cover every applicable main clause",
                audit_item.reason.evidence, redacted=audit_item.reason.redacted
                + "; together the audits cover every applicable main clause"), audit_item.evidence)
    review_item, _ = recurring("Management review within the window", "9.3.3", "management review")
    majors = [f.finding.id for f in r.findings if f.finding.is_open and f.finding.grade == "major"]
    no_major = GateItem("No open major nonconformity", not majors, Reason(
        f"open major finding(s): {_ids(majors)}" if majors else "no open major finding",
        findings=tuple(majors), redacted=f"{_plural(len(majors), 'open major finding')}"))
    stage2 = Gate("stage2", (all_ready, audit_item, review_item, no_major,
                             mandatory_item("Every mandatory record retained", "retain")))
    return Readiness(**{**r.__dict__, "gates": {"stage1": stage1, "stage2": stage2}})
