"""The stage 1 and stage 2 gates, judged from the standard's gate checks (gates.yaml) by their kind
(GATE_KINDS, docs/standards.md); the gaps by urgency; what lapses before the audits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Optional

from isoready.model import OPEN_STATUSES, Evidence, Project
from isoready.assess.results import (AT_RISK, GapRow, Gate, GateItem, Lapse, NONCONFORMITIES, NOT_READY, PRESENT,
    Readiness, Reason, URGENCIES, reason)
from isoready.assess.clauses import ONE_DAY, clause_key, current_evidence, months_before, recent_records, window_of
from isoready.assess.findings import systemic_groups
from isoready.assess.audits import COVERAGE_NOTES
from isoready.assess.editions import edition_accepted
from isoready.assess.registers import register_lapses, register_review


def with_gates(r: Readiness, project: Project, as_of: date, mapped: dict[str, list[Evidence]]) -> Readiness:
    """Judge the standard's gate checks (its data names each check's id, stage, kind and clauses), in order."""
    judge = _GateJudge(r, project, as_of, mapped)
    for check in project.catalog.gates:
        item = GATE_KINDS[check.kind](judge, check)
        if item is not None:  # None: a check that does not apply to the project (every-site-audited, one site)
            judge.items[check.id] = replace(item, check=check.id)
    gates = {stage: Gate(stage, tuple(judge.items[c.id] for c in project.catalog.gates
                                      if c.stage == stage and c.id in judge.items))
             for stage in ("stage1", "stage2")}
    r = replace(r, gates=gates)
    return replace(r, gaps=replace(r.gaps, rows=_by_urgency(r, project)))


class _GateJudge:
    """What the kinds of gate check share: the readiness so far, the evidence by clause and the items judged."""

    def __init__(self, r: Readiness, project: Project, as_of: date, mapped: dict[str, list[Evidence]]):
        self.r, self.project, self.as_of, self.mapped = r, project, as_of, mapped
        self.catalog = project.catalog
        self.items: dict[str, GateItem] = {}
        self.done: dict[str, list[Evidence]] = {}  # performed checks: the records within the window

    def under(self, number: str, kind: Optional[str] = None) -> list[Evidence]:
        found = [e for n in [number, *self.catalog.descendants(number)] for e in self.mapped.get(n, [])]
        return current_evidence(list(dict.fromkeys(found)), self.as_of, kind)

    def recent(self, number: str) -> list[Evidence]:
        """Records of a recurring activity within its window (the internal audit, the management review)."""
        return recent_records(self.mapped.get(number, []), self.as_of, months_before(self.as_of,
                                                                             window_of(self.project, number)))

    def unexamined(self, audit: str) -> Optional[Reason]:
        """With no internal audit in the window, "no open major" and "no overdue action" rest on absent data."""
        if self.recent(audit):
            return None
        window = window_of(self.project, audit)
        return reason("gate-nothing-examined", clause=audit, window=window, since=months_before(self.as_of, window))

    def blocking(self) -> tuple[tuple[str, ...], tuple, tuple, tuple[str, ...]]:
        """Open majors, closed majors lacking their closure, systemic minors (a major for the gates), all ids."""
        r = self.r
        majors = tuple(f.finding.id for f in r.findings if f.finding.is_open and f.finding.grade == "major")
        # a closed major counts as closed only with its root cause, action and a dated verification that it worked
        incomplete = tuple((f.finding.id, f.incomplete) for f in r.findings if f.incomplete)
        # several open minors against one clause are a systemic failure: a major, for the gates
        systemic = tuple((n, ids) for n, ids in systemic_groups(self.project, r.findings).items())
        ids = tuple(dict.fromkeys([*majors, *(i for i, _ in incomplete), *(i for _, xs in systemic for i in xs)]))
        return majors, incomplete, systemic, ids


def _present(j: _GateJudge, check: Any) -> GateItem:
    """Current evidence on the clause or below (of ``record_kind`` when the check names one)."""
    number = check.clauses[0]
    evidence = j.under(number, check.option("record_kind"))
    if evidence:
        ids = tuple(e.id for e in evidence)
        return GateItem(check.id, True, reason("gate-present", ids, clause=number), ids)
    return GateItem(check.id, False, reason("gate-missing", check=check.id, clause=number), clauses=(number,))


def _every(j: _GateJudge, check: Any) -> GateItem:
    """Current evidence of any kind on each of the clauses; a climate change not yet determined fails it."""
    numbers = check.clauses
    missing = tuple(n for n in numbers if not j.under(n, None))
    if missing:
        return GateItem(check.id, False, reason("gate-missing", check=check.id, clause=missing[0], missing=missing),
                        clauses=missing)
    undetermined = [x for n in numbers if n in j.r.clauses for x in j.r.clauses[n].reasons
                    if x.code == "climate-undetermined"]
    if undetermined:  # the context is not understood until climate change has been decided on
        return GateItem(check.id, False, reason("gate-climate-undetermined", check=check.id,
                                                **dict(undetermined[0].params)), clauses=(undetermined[0]["clause"],))
    ids = tuple(dict.fromkeys(e.id for n in numbers for e in j.under(n, None)))
    return GateItem(check.id, True, reason("gate-present", ids, clause=", ".join(numbers)), ids)


def _mandatory(j: _GateJudge, check: Any) -> GateItem:
    """Every mandatory documented information of one kind (``documented``: maintain or retain) present."""
    kind = check.option("documented")
    items = [m for m in j.r.mandatory if m.kind == kind]
    bad = [m for m in items if m.is_gap or m.is_risk]
    if bad:
        return GateItem(check.id, False, reason("gate-mandatory-gaps", kind=kind,
                                                gaps=tuple((m.clause, m.state) for m in bad), total=len(items)),
                        clauses=tuple(dict.fromkeys(m.clause for m in bad)))
    required = [m for m in items if m.state == PRESENT]
    return GateItem(check.id, True, reason("gate-mandatory-ok", kind=kind, count=len(required)))


def _performed(j: _GateJudge, check: Any) -> GateItem:
    """A record of the activity within its window; a plan alone is 'planned, not yet performed'; with
    ``programme:``, a performed activity with no current programme document on that clause fails too."""
    number, plan, what = check.clauses[0], check.option("plan"), check.option("what")
    window = window_of(j.project, number)
    since = months_before(j.as_of, window)
    done = j.done[check.id] = j.recent(number)
    if done:
        newest = done[-1]
        item = GateItem(check.id, True, reason("gate-recurring-ok", (newest.id,), what=what, date=newest.date,
                                               window=window), (newest.id,))
        programme = check.option("programme")
        if programme and not j.under(programme, "document"):
            return GateItem(check.id, False, reason("gate-no-programme", clause=programme), clauses=(programme,))
        return item
    plans = j.under(plan, "document") if plan else []
    if plans:
        return GateItem(check.id, False, reason("gate-planned-only", [e.id for e in plans], what=what,
                                                clause=number, window=window, since=since), clauses=(number,))
    return GateItem(check.id, False, reason("gate-recurring-missing", what=what, clause=number, window=window,
                                            since=since), clauses=(number,))


def _all_clauses_ready(j: _GateJudge, check: Any) -> GateItem:
    not_ready = tuple(n for n, c in j.r.clauses.items() if j.catalog[n].is_leaf and c.state == NOT_READY)
    return GateItem(check.id, not not_ready, reason("gate-not-ready", clauses=not_ready) if not_ready
                    else reason("gate-all-ready", count=j.r.leaves_applicable), clauses=not_ready)


def _audit_coverage(j: _GateJudge, check: Any) -> GateItem:
    """Every applicable leaf covered by an internal audit within the window (``coverage``)."""
    cov, audit = j.r.coverage, check.clauses[0]
    if not cov.audits and not cov.empty:
        return GateItem(check.id, False, reason("gate-recurring-missing", what=check.option("what"), clause=audit,
                                                window=cov.window, since=cov.since), clauses=(audit,))
    if cov.uncovered:
        why = {k: v for k, v in (("before", tuple(n for n in cov.uncovered if n in cov.before)),
                                  ("own", tuple(n for n in cov.uncovered if n in cov.own)),
                                  ("empty", cov.empty)) if v}
        return GateItem(check.id, False, reason("gate-coverage-gap", (*cov.audits, *cov.empty),
                                                leaves=cov.uncovered, total=len(cov.leaves), **why),
                        clauses=cov.uncovered)
    return GateItem(check.id, True, reason("gate-coverage-ok", cov.audits, total=len(cov.leaves)), cov.audits)


def _review_after_audit(j: _GateJudge, check: Any) -> GateItem:
    """The management review performed (the ``review`` check), held after the latest internal audit (the
    ``audit`` check), and, when the standard names an ``inputs`` clause, its inputs listed."""
    number, inputs = check.clauses[0], check.option("inputs")
    review_done = j.items[check.option("review")]
    reviews, audits = j.done.get(check.option("review"), []), j.done.get(check.option("audit"), [])
    latest_audit = max((e.date for e in audits), default=None)
    ri = j.r.review_inputs
    if not review_done.passed:
        return GateItem(check.id, False, review_done.reason, clauses=(number,))
    if latest_audit and reviews[-1].date < latest_audit:
        return GateItem(check.id, False, reason("gate-review-before-audit", (reviews[-1].id, audits[-1].id),
                                                review=reviews[-1].date, audit=latest_audit), clauses=(number,))
    if inputs and ri.review and not ri.considered:
        return GateItem(check.id, False, reason("review-inputs-unknown", (ri.review,), date=ri.date),
                        clauses=(inputs,))
    return GateItem(check.id, True, review_done.reason, review_done.evidence)


def _no_open_major(j: _GateJudge, check: Any) -> GateItem:
    """No open major (nor a closed one lacking its closure, nor systemic minors), once something was audited."""
    r, audit = j.r, check.clauses[0]
    majors, incomplete, systemic, blocking = j.blocking()
    unexamined = j.unexamined(audit)
    if blocking:
        at = {"sites": _sites_of(j, blocking)} if j.r.sites else {}  # a multi-site organisation: where
        why = reason("gate-major-open", findings=blocking, open=majors, **at,
                     **({"incomplete": incomplete} if incomplete else {}),
                     **({"systemic": systemic, "threshold": j.project.organisation.systemic_minors}
                        if systemic else {}))
    else:
        why = unexamined or reason("gate-no-major", findings=())
    return GateItem(check.id, not blocking and not unexamined, why,
                    clauses=tuple(dict.fromkeys([*(n for f in r.findings if f.finding.id in blocking
                                                   and f.finding.grade == "major" for n in f.finding.clauses),
                                                 *(n for n, _ in systemic),
                                                 *((audit,) if unexamined and not blocking else ())])))


def _every_site_audited(j: _GateJudge, check: Any) -> Optional[GateItem]:
    """A multi-site organisation (issue 25): every site, the central function included, has internal audits of
    its own within the window that reach each of its applicable leaves. None (not shown) for one site."""
    if not j.r.sites:
        return None
    never = tuple(s.site for s in j.r.sites if not s.readiness.coverage.audits)
    partly = tuple((s.site, s.readiness.coverage.uncovered) for s in j.r.sites
                   if s.readiness.coverage.audits and s.readiness.coverage.uncovered)
    if never or partly:
        return GateItem(check.id, False, reason("gate-sites-unaudited", never=never, partly=partly,
                                                total=len(j.r.sites)),
                        clauses=tuple(dict.fromkeys([*((check.clauses[0],) if never else ()),
                                                     *(n for _, ns in partly for n in ns)])))
    audits = tuple(dict.fromkeys(a for s in j.r.sites for a in s.readiness.coverage.audits))
    return GateItem(check.id, True, reason("gate-sites-audited", audits, total=len(j.r.sites)), audits)


def _sites_of(j: _GateJudge, ids: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each finding of ``ids`` with the sites it was raised at (a finding naming no site: every site)."""
    every = tuple(s.site for s in j.r.sites)
    found = {f.finding.id: f.finding for f in j.r.findings}
    return tuple((i, tuple(found[i].sites) or every) for i in ids if i in found)


def _no_overdue_actions(j: _GateJudge, check: Any) -> GateItem:
    """No nonconformity's action late or unverified, once something was audited (``audit``) or raised."""
    r, audit = j.r, check.option("audit")
    unexamined = j.unexamined(audit)
    late = tuple(f.finding.id for f in r.findings if f.finding.grade in NONCONFORMITIES and f.overdue)
    unverified = tuple(f.finding.id for f in r.findings if f.unverified)
    nothing_to_judge = unexamined is not None and not any(f.finding.grade in NONCONFORMITIES for f in r.findings)
    return GateItem(check.id, not (late or unverified or nothing_to_judge),
                    reason("gate-actions-late", findings=late + unverified, overdue=late, unverified=unverified)
                    if late or unverified else unexamined if nothing_to_judge else reason("gate-actions-ok"),
                    clauses=check.clauses if late or unverified else (audit,) if nothing_to_judge else ())


def _concerns_resolved(j: _GateJudge, check: Any) -> GateItem:
    """No open area of concern from the certification body, after a stage 1 audit (held, or one it raised)."""
    r = j.r
    concerns = tuple(f.finding.id for f in r.findings if f.finding.is_open and f.finding.grade == "area-of-concern"
                     and f.finding.origin == "certification-body")
    stage1_on = j.project.organisation.audits.get("stage1")
    stage1_held = (stage1_on is not None and stage1_on <= j.as_of) or any(
        f.finding.origin == "certification-body" for f in r.findings)
    return GateItem(check.id, not concerns and stage1_held,
                    reason("gate-concerns-open", findings=concerns) if concerns
                    else reason("gate-concerns-resolved") if stage1_held
                    else reason("gate-stage1-not-held", date=stage1_on),
                    clauses=tuple(dict.fromkeys(n for f in r.findings if f.finding.id in concerns
                                                for n in f.finding.clauses)))


def _register_reviewed(j: _GateJudge, check: Any) -> GateItem:
    """A register of the kind the check names (``register:``, e.g. legal) exists and was reviewed within its
    window (the check's first clause's window: ``windows:`` may set it, 12 months by default). ISO/IEC 17021-1
    9.3.1.2.2 d) has stage 1 confirm that the applicable statutory and regulatory requirements are identified."""
    number = check.clauses[0]
    known = {e.id for records in j.mapped.values() for e in records}  # the records that exist by then
    evidence, reviewed, window = register_review(j.project, j.as_of, check.option("register"), number, known)
    since = months_before(j.as_of, window)
    if evidence is None:
        return GateItem(check.id, False, reason("gate-register-missing", register=check.option("register"),
                                                clause=number), clauses=check.clauses)
    if reviewed is None or reviewed < since:
        return GateItem(check.id, False, reason("gate-register-not-reviewed", (evidence,), reviewed=reviewed,
                                                window=window, since=since), clauses=check.clauses)
    return GateItem(check.id, True, reason("gate-register-reviewed", (evidence,), reviewed=reviewed, window=window),
                    (evidence,))


def _documents_still_current(j: _GateJudge, check: Any) -> GateItem:
    """The stage 1 checks named (``checks``) still pass on the date judged; the ``mandatory`` kind among them
    is the mandatory documents."""
    named = [c for c in j.catalog.gates if c.id in check.option("checks", ())]
    items = tuple(replace(GATE_KINDS[c.kind](j, c), check=c.id) for c in named if c.kind != "mandatory")
    mandatory = [replace(_mandatory(j, c), check=c.id) for c in named if c.kind == "mandatory"]
    return _documents_current(items, mandatory[0] if mandatory else GateItem(check.id, True, reason(
        "gate-mandatory-ok", kind="maintain", count=0)))


#: the reasons that leave a leaf without evidence behind it (stage 2: evidence-behind-every-clause)
UNEVIDENCED = ("no-evidence", "parent-document-only", "review-inputs-no-review", "review-inputs-unknown",
               "review-inputs-missing")


def _evidence_behind(r: Readiness, project: Project) -> GateItem:
    """Stage 2 samples evidence for every requirement: no applicable leaf may lack evidence of its own, rest on
    a document alone on a clause above it, or (9.3.2) lack the inputs its management review considered."""
    catalog = project.catalog
    bare = tuple((n, x.code) for n, c in r.clauses.items() if catalog[n].is_leaf and c.applicable
                 for x in c.reasons if x.code in UNEVIDENCED)
    if bare:
        leaves = tuple(dict.fromkeys(n for n, _ in bare))
        return GateItem("evidence-behind-every-clause", False,
                        reason("gate-evidence-missing", leaves=bare, total=r.leaves_applicable), clauses=leaves)
    return GateItem("evidence-behind-every-clause", True,
                    reason("gate-evidence-behind", count=r.leaves_applicable))


def _documents_current(items: tuple[GateItem, ...], mandatory: GateItem) -> GateItem:
    """Stage 2 remembers stage 1: the scope, policy, objectives and mandatory documents must still be current on
    the date judged (a document past its review date by then has lapsed)."""
    lapsed = tuple(i.check for i in items if not i.passed)
    if lapsed or not mandatory.passed:
        gaps = mandatory.reason["gaps"] if not mandatory.passed else ()
        return GateItem("documents-current", False,
                        reason("gate-documents-lapsed", documents=lapsed, gaps=gaps),
                        clauses=tuple(dict.fromkeys([*(n for i in items if not i.passed for n in i.clauses),
                                                     *mandatory.clauses])))
    ids = tuple(dict.fromkeys(e for i in items for e in i.evidence))
    return GateItem("documents-current", True, reason("gate-documents-current", ids), ids)


def _by_urgency(r: Readiness, project: Project) -> tuple[GapRow, ...]:
    """Clauses needing work, ordered: blockers of the next gate, then overdue, then due before the next
    audit, then the rest (within each: not ready before at risk, then by date and clause)."""
    catalog = project.catalog
    booked = sorted((d, stage) for stage, d in project.organisation.audits.items() if d >= r.as_of)
    next_stage = booked[0][1] if booked else next((k for k, g in r.gates.items() if not g.passed), None)
    next_date = booked[0][0] if booked else None
    blocking = {n for i in r.gates[next_stage].items if not i.passed for n in i.clauses} if next_stage else set()
    due_of = {fr.finding.id: fr.finding.due for fr in r.findings}
    review_of = {e.id: e.review_by for e in project.evidence}
    rows = []
    # a leaf whose internal audits do not count (held before it was in place, or by its owner) needs work too,
    # whatever its state: the stage 2 coverage check names it
    unaudited = {n for n in (r.coverage.uncovered if r.coverage else ())
                 if any(x.code in COVERAGE_NOTES for x in r.clauses[n].reasons)}
    for number, c in r.clauses.items():
        if not catalog[number].is_leaf or (c.state not in (NOT_READY, AT_RISK) and number not in unaudited):
            continue
        dates = [d for d in (c.applying.target if c.applying and c.status in OPEN_STATUSES else None,
                             *(due_of[f] for f in c.findings), *(review_of[e] for e in c.stale_evidence)) if d]
        due = min(dates, default=None)
        if blocking & {number, *catalog.ancestors(number)}:
            urgency, stage = "blocker", next_stage
        elif due and due < r.as_of:
            urgency, stage = "overdue", None
        elif due and next_date and due <= next_date:
            urgency, stage = "due-before-audit", next_stage
        else:
            urgency, stage = "later", None
        rows.append(GapRow(number, urgency, due, stage))
    return tuple(sorted(rows, key=lambda g: (URGENCIES.index(g.urgency), r.clauses[g.clause].state != NOT_READY,
                                             g.due or date.max, clause_key(g.clause))))


# --------------------------------------------------------------------------- what lapses before the audits


def lapses(project: Project, r: Readiness) -> tuple[Lapse, ...]:
    """What runs out between the as-of date and the last booked audit, each with the audit it comes before."""
    booked = sorted((d, stage) for stage, d in project.organisation.audits.items() if d >= r.as_of)
    if not booked:
        return ()
    last = booked[-1][0]

    def before(day: date) -> str:
        return next(stage for d, stage in booked if d >= day)

    out: list[Lapse] = []
    future = set(r.future_dated)
    dated = {e.id: e.date for e in project.evidence}
    for e in project.evidence:
        if e.id not in future and e.review_by and r.as_of <= e.review_by < last:
            out.append(Lapse(e.review_by, "review-due", e.clauses, before(e.review_by + ONE_DAY), evidence=e.id))
    for m in r.mandatory:
        if m.state == PRESENT and m.kind == "retain" and m.closes and m.evidence:
            newest = max(m.evidence, key=lambda i: (dated[i], i))
            closes = m.closes
            if r.as_of < closes <= last:
                out.append(Lapse(closes, "window-closes", (m.clause,), before(closes), evidence=newest))
    for fr in r.findings:
        f = fr.finding
        if f.is_open and f.due and r.as_of <= f.due < last and f.grade in NONCONFORMITIES:
            out.append(Lapse(f.due, "finding-due", f.clauses, before(f.due + ONE_DAY), finding=f.id))
    for t in r.targets:
        if r.as_of <= t.target < last:
            out.append(Lapse(t.target, "target", (t.clause,), before(t.target + ONE_DAY), clause=t.clause))
    out.extend(register_lapses(project, r.as_of, last, before, (e.id for e in project.evidence if e.id not in future)))
    return tuple(sorted(out, key=lambda x: (x.date, x.kind, x.evidence or x.finding or x.clause or "", x.row or 0)))


#: the kinds of gate check (a standard's gates file names one per check; docs/standards.md documents each)
GATE_KINDS = {
    "present": _present, "every": _every, "mandatory": _mandatory, "performed": _performed,
    "all-clauses-ready": _all_clauses_ready, "audit-coverage": _audit_coverage,
    "review-after-audit": _review_after_audit, "no-open-major": _no_open_major,
    "no-overdue-actions": _no_overdue_actions, "concerns-resolved": _concerns_resolved,
    "evidence-behind": lambda j, check: _evidence_behind(j.r, j.project),
    "documents-current": _documents_still_current,
    "edition-accepted": lambda j, check: edition_accepted(j.project, j.as_of),
    "register-reviewed": _register_reviewed, "every-site-audited": _every_site_audited,
}
