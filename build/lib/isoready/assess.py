"""Stage 4, assess: readiness rules as pure functions of (Project, as_of).

Every readiness judgement is made here and nowhere else: clause states, staleness,
overdue findings, recurring windows, freshness bands, targets after an audit date,
the findings of a clause, mandatory documented information, gates and gaps. Each
conclusion carries its reasons as data (``Reason``: a code, parameters and the ids it
names); views word them for the build's audience. States and figures never depend
on the audience.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Iterable, Mapping, Optional

from .model import DI_KIND_FOR, DONE_STATUSES, OPEN_STATUSES, Assessment, Evidence, Finding, Project

READY, AT_RISK, NOT_READY, NOT_APPLICABLE = "ready", "at-risk", "not-ready", "not-applicable"
STATE_ORDER = (NOT_APPLICABLE, READY, AT_RISK, NOT_READY)  # worst last

PRESENT, STALE, MISSING, OUT_OF_WINDOW, CONDITIONAL, EXCLUDED = (
    "present", "stale", "missing", "out-of-window", "conditional", "not-applicable")


@dataclass(frozen=True)
class Reason:
    """One judgement, as data: a stable code (docs/rules.md), its parameters, and the records it names.

    Views turn it into a sentence for the build's audience (views.describe); nothing here is prose, so a
    withheld id is dropped where the sentence is made, never scrubbed from a finished one.
    """

    code: str
    params: tuple[tuple[str, Any], ...] = ()
    evidence: tuple[str, ...] = ()  # evidence ids the reason names
    findings: tuple[str, ...] = ()  # finding ids the reason names

    def __getitem__(self, key: str) -> Any:
        return dict(self.params)[key]

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)

    def with_params(self, **more: Any) -> "Reason":
        return Reason(self.code, (*self.params, *sorted(more.items())), self.evidence, self.findings)


def reason(code: str, evidence: Iterable[str] = (), findings: Iterable[str] = (), **params: Any) -> Reason:
    return Reason(code, tuple(sorted(params.items())), tuple(evidence), tuple(findings))


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
class LateTarget:
    """A target date that falls after a booked audit."""

    stage: str  # stage1 | stage2
    audit: date


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
    findings: tuple[str, ...]  # open findings on the clause or an ancestor: they weigh on its state
    leaves_applicable: int
    leaves_ready: int
    assessment: Optional[Assessment]  # its own
    applying: Optional[Assessment] = None  # the assessment whose status applies (own or inherited)
    related_findings: tuple[str, ...] = ()  # every finding, any status, on it, an ancestor or a descendant
    target_late: Optional[LateTarget] = None

    @property
    def readiness(self) -> Optional[float]:
        return self.leaves_ready / self.leaves_applicable if self.leaves_applicable else None


@dataclass(frozen=True)
class GateItem:
    check: str  # a stable id (docs/rules.md)
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
class Target:
    """An open target: an assessment not yet done, with the date it should be."""

    clause: str
    target: date
    owner: Optional[str]
    status: str
    late: Optional[LateTarget]


@dataclass(frozen=True)
class AuditDate:
    stage: str  # stage1 | stage2
    date: date
    days: int  # from the as-of date; negative when past


@dataclass(frozen=True)
class Gaps:
    """Everything that stands between the organisation and certification, as ids."""

    not_ready: tuple[str, ...]  # applicable leaves
    not_implemented: tuple[str, ...]  # leaves with an open status
    without_evidence: tuple[str, ...]  # applicable leaves with no evidence
    mandatory: tuple[MandatoryCheck, ...]
    stale: tuple[str, ...]  # evidence ids, sorted
    open_findings: tuple[str, ...]  # finding ids, in raised order


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
    freshness: Mapping[str, int] = field(default_factory=dict)  # every record by review band
    targets: tuple[Target, ...] = ()
    audits: tuple[AuditDate, ...] = ()
    gaps: Optional[Gaps] = None


#: a review falling due within this many days is "due soon" on the freshness chart
FRESHNESS_DUE_DAYS = 90
FRESHNESS_BANDS = ("current", "due-90", "stale", "no-review")


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
        right = [e for e in mapped if e.kind == want]
        current = [e for e in right if not e.is_stale(as_of)]
        stale = [e for e in right if e.is_stale(as_of)]
        window = _window(project, number) if item.kind == "retain" else None
        latest = max((e.date for e in current if e.date), default=None)
        about = {"clause": number, "what": item.what, "noun": want}
        if not applicable:
            state, why = EXCLUDED, reason("di-not-required", **about)
        elif current and window:
            since = months_before(as_of, window)
            in_window = [e for e in current if e.date and e.date >= since]
            if in_window:
                newest = max(in_window, key=lambda e: (e.date, e.id))
                state = PRESENT
                why = reason("di-in-window", (newest.id,), date=newest.date, window=window, **about)
            else:
                state = OUT_OF_WINDOW
                why = reason("di-out-of-window", window=window, latest=latest, **about)
        elif current:
            state = PRESENT
            why = reason("di-present", [e.id for e in current], **about)
        elif stale:
            state = STALE
            why = reason("di-stale", [e.id for e in stale], **about)
        elif item.when:
            state = CONDITIONAL
            why = reason("di-conditional", when=item.when, **about)
        else:
            state = MISSING
            why = reason("di-missing", **about)
        checks.append(MandatoryCheck(
            clause=number, kind=item.kind, what=item.what, when=item.when, state=state,
            evidence=tuple(e.id for e in current), stale=tuple(e.id for e in stale), reason=why,
            window_months=window, latest=latest))
    return checks


# --------------------------------------------------------------------------- the whole assessment


def _late(target: Optional[date], audits: Mapping[str, date]) -> Optional[LateTarget]:
    """The first booked audit a target falls after, if any."""
    if not target:
        return None
    late = [(d, stage) for stage, d in audits.items() if target > d]
    return LateTarget(min(late)[1], min(late)[0]) if late else None


def _not_applicable(own: Mapping[str, Assessment], src: str) -> Reason:
    just = own[src].justification if src in own else None
    return reason("not-applicable", declared_on=src, justification=just or "")


def assess(project: Project, as_of: date) -> Readiness:
    catalog = project.catalog
    statuses = resolve_statuses(project)
    own = {a.clause: a for a in project.assessments}
    by_id = {e.id: e for e in project.evidence}
    audits = project.organisation.audits
    stale_ids = {e.id for e in project.evidence if e.is_stale(as_of)}

    mapped: dict[str, list[Evidence]] = {}
    for e in project.evidence:
        for number in e.clauses:
            mapped.setdefault(number, []).append(e)

    findings = tuple(
        FindingResult(finding=f, overdue=bool(f.is_open and f.due and f.due < as_of),
                      leaves=tuple(dict.fromkeys(leaf for n in f.clauses for leaf in catalog.leaves_under(n))))
        for f in sorted(project.findings, key=lambda f: (f.raised, f.id))
    )
    open_on: dict[str, list[Finding]] = {}  # open findings on a clause or an ancestor
    related: dict[str, list[str]] = {}  # any finding on a clause, an ancestor or a descendant
    for fr in findings:
        f = fr.finding
        reach: dict[str, None] = {}
        for number in f.clauses:
            below = [number, *catalog.descendants(number)]
            if f.is_open:
                for n in below:
                    open_on.setdefault(n, []).append(f)
            reach.update(dict.fromkeys([*below, *catalog.ancestors(number)]))
        for n in reach:
            related.setdefault(n, []).append(f.id)

    def linked_evidence(number: str, assessment: Optional[Assessment]) -> list[Evidence]:
        extra = [by_id[i] for i in (assessment.evidence if assessment else ()) if i in by_id]
        return list(dict.fromkeys([*mapped.get(number, []), *extra]))

    def stale_reason(e: Evidence) -> Reason:
        return reason("evidence-stale", (e.id,), review_by=e.review_by)

    results: dict[str, ClauseResult] = {}
    all_mandatory: list[MandatoryCheck] = []
    # leaves first
    for clause in catalog.clauses:
        if not clause.is_leaf:
            continue
        number = clause.number
        status, assessed, status_from = statuses[number]
        applicable = status != "not-applicable"
        assessment = own.get(number)
        applying = assessment or (own.get(status_from) if status_from else None)
        linked = linked_evidence(number, assessment)
        stale = [e for e in linked if e.id in stale_ids]
        mandatory = check_mandatory(project, number, applicable, mapped.get(number, []), as_of)
        all_mandatory.extend(mandatory)
        reasons: list[Reason] = []
        state = NOT_APPLICABLE
        if applicable:
            blockers, risks = [], []
            if status not in DONE_STATUSES:
                target = own.get(status_from or number)
                blockers.append(reason("status-not-done", status=status, inherited_from=status_from,
                                       target=target.target if target else None))
            for check in mandatory:
                if check.is_gap:
                    declared = status if status in DONE_STATUSES else None
                    blockers.append(check.reason.with_params(declared=declared))
            for f in open_on.get(number, []):
                raised_on = None if number in f.clauses else f.clauses
                r = reason("finding-open", findings=(f.id,), grade=f.grade, raised_on=raised_on)
                if f.grade == "major":
                    blockers.append(r)
                elif f.grade == "minor":
                    risks.append(r)
            risks.extend(stale_reason(e) for e in stale)
            if blockers:
                state, reasons = NOT_READY, blockers + risks
            elif risks:
                state, reasons = AT_RISK, risks
            else:
                state, reasons = READY, [reason("ready", status=status)]
        else:
            reasons = [_not_applicable(own, status_from or number)]
        results[number] = ClauseResult(
            number=number, status=status, assessed=assessed, status_from=status_from, applicable=applicable,
            state=state, reasons=tuple(reasons), evidence=tuple(e.id for e in linked),
            stale_evidence=tuple(e.id for e in stale), mandatory=tuple(mandatory),
            findings=tuple(f.id for f in open_on.get(number, [])),
            leaves_applicable=int(applicable), leaves_ready=int(state in (READY, AT_RISK)),
            assessment=assessment, applying=applying, related_findings=tuple(related.get(number, ())),
            target_late=_late(applying.target if applying else None, audits))
    # then parents, deepest first
    for clause in sorted((c for c in catalog.clauses if not c.is_leaf), key=lambda c: -c.depth):
        number = clause.number
        status, assessed, status_from = statuses[number]
        leaves = [results[n] for n in catalog.leaves_under(number)]
        applicable_leaves = [r for r in leaves if r.applicable]
        assessment = own.get(number)
        applying = assessment or (own.get(status_from) if status_from else None)
        linked = linked_evidence(number, assessment)
        stale = [e for e in linked if e.id in stale_ids]
        if not applicable_leaves:
            state = NOT_APPLICABLE
            src = status_from or number
            reasons = [_not_applicable(own, src) if src in own else reason("no-applicable-subclause")]
        else:
            state = max((r.state for r in applicable_leaves), key=STATE_ORDER.index)
            bad = tuple(r.number for r in applicable_leaves if r.state == state)
            if state == READY:
                reasons = [reason("subclauses-ready", count=len(applicable_leaves))]
            else:
                reasons = [reason("subclauses-" + state, clauses=bad, total=len(applicable_leaves))]
            if stale and state == READY:
                state = AT_RISK
                reasons = []
            reasons.extend(stale_reason(e) for e in stale)
        results[number] = ClauseResult(
            number=number, status=status, assessed=assessed, status_from=status_from,
            applicable=bool(applicable_leaves), state=state, reasons=tuple(reasons),
            evidence=tuple(e.id for e in linked), stale_evidence=tuple(e.id for e in stale), mandatory=(),
            findings=tuple(f.id for f in open_on.get(number, [])),
            leaves_applicable=len(applicable_leaves),
            leaves_ready=sum(r.state in (READY, AT_RISK) for r in applicable_leaves), assessment=assessment,
            applying=applying, related_findings=tuple(related.get(number, ())),
            target_late=_late(applying.target if applying else None, audits))

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
    open_targets = sorted((a for a in project.assessments if a.target and a.status in OPEN_STATUSES),
                          key=lambda a: (a.target, _clause_key(a.clause)))
    stale_sorted = tuple(sorted(stale_ids))
    gaps = Gaps(
        not_ready=tuple(r.number for r in leaves if r.state == NOT_READY),
        not_implemented=tuple(r.number for r in leaves if r.status in OPEN_STATUSES),
        without_evidence=tuple(r.number for r in applicable if not r.evidence),
        mandatory=tuple(m for m in all_mandatory if m.is_gap),
        stale=stale_sorted,
        open_findings=tuple(fr.finding.id for fr in findings if fr.finding.is_open))
    readiness = Readiness(
        as_of=as_of,
        overall=ready / len(applicable) if applicable else None,
        leaves_applicable=len(applicable), leaves_ready=ready,
        by_main={c.number: ordered[c.number].readiness for c in catalog.mains},
        clauses=ordered,
        mandatory=tuple(all_mandatory),
        findings=findings,
        gates={},
        stale_evidence=tuple(e.id for e in project.evidence if e.id in stale_ids),
        status_counts=status_counts, state_counts=state_counts,
        freshness=freshness(project.evidence, as_of),
        targets=tuple(Target(a.clause, a.target, a.owner, a.status, _late(a.target, audits)) for a in open_targets),
        audits=tuple(AuditDate(stage, d, (d - as_of).days) for stage, d in sorted(audits.items(),
                                                                                  key=lambda kv: kv[1])),
        gaps=gaps,
    )
    return _with_gates(readiness, project, as_of, mapped)


def freshness(evidence: Iterable[Evidence], as_of: date) -> dict[str, int]:
    """Every record by review band (an aggregate, so it is the same for each audience)."""
    bands = dict.fromkeys(FRESHNESS_BANDS, 0)
    for e in evidence:
        if e.review_by is None:
            bands["no-review"] += 1
        elif e.review_by < as_of:
            bands["stale"] += 1
        elif (e.review_by - as_of).days <= FRESHNESS_DUE_DAYS:
            bands["due-90"] += 1
        else:
            bands["current"] += 1
    return bands


def _clause_key(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in number.split("."))


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

    def present(check: str, evidence: list[Evidence]) -> GateItem:
        if evidence:
            ids = tuple(e.id for e in evidence)
            return GateItem(check, True, reason("gate-present", ids), ids)
        return GateItem(check, False, reason("gate-missing", check=check))

    def mandatory_item(check: str, kind: str) -> GateItem:
        items = [m for m in r.mandatory if m.kind == kind]
        gaps = tuple((m.clause, m.state) for m in items if m.is_gap)
        if gaps:
            return GateItem(check, False, reason("gate-mandatory-gaps", kind=kind, gaps=gaps, total=len(items)))
        required = [m for m in items if m.state == PRESENT]
        return GateItem(check, True, reason("gate-mandatory-ok", kind=kind, count=len(required)))

    def recurring(check: str, number: str, what: str) -> tuple[GateItem, list[Evidence]]:
        window = _window(project, number) or 12
        since = months_before(as_of, window)
        done = [e for e in _current(mapped.get(number, []), as_of, "record") if e.date and e.date >= since]
        if done:
            newest = max(done, key=lambda e: (e.date, e.id))
            return GateItem(check, True, reason("gate-recurring-ok", (newest.id,), what=what, date=newest.date,
                                                window=window), (newest.id,)), done
        return GateItem(check, False, reason("gate-recurring-missing", what=what, clause=number, window=window,
                                             since=since)), done

    stage1 = Gate("stage1", (
        present("scope", under("4.3", "document")),
        present("policy", under("5.2", "document")),
        present("objectives", under("6.2", "document")),
        mandatory_item("mandatory-documents", "maintain"),
        present("internal-audit-performed", planned("9.2", "9.2.2")),
        present("management-review-performed", planned("9.3", "9.3.3")),
    ))

    not_ready = tuple(n for n, c in r.clauses.items() if catalog[n].is_leaf and c.state == NOT_READY)
    all_ready = GateItem("all-clauses-ready", not not_ready,
                         reason("gate-not-ready", clauses=not_ready) if not_ready
                         else reason("gate-all-ready", count=r.leaves_applicable))
    audit_item, audits = recurring("internal-audit-coverage", "9.2.2", "internal audit")
    if audit_item.passed:
        covered = {catalog[n].main for e in audits for n in e.covers}
        needed = [m for m, v in r.by_main.items() if v is not None]
        uncovered = tuple(m for m in needed if m not in covered)
        if uncovered:
            audit_item = GateItem(audit_item.check, False, reason("gate-coverage-gap", mains=uncovered))
        else:
            audit_item = GateItem(audit_item.check, True, audit_item.reason.with_params(covers_all=True),
                                  audit_item.evidence)
    review_item, _ = recurring("management-review", "9.3.3", "management review")
    majors = tuple(f.finding.id for f in r.findings if f.finding.is_open and f.finding.grade == "major")
    no_major = GateItem("no-open-major", not majors, reason("gate-major-open" if majors else "gate-no-major",
                                                             findings=majors))
    stage2 = Gate("stage2", (all_ready, audit_item, review_item, no_major,
                             mandatory_item("mandatory-records", "retain")))
    return replace(r, gates={"stage1": stage1, "stage2": stage2})
