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
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Iterable, Mapping, Optional, Sequence

from .catalog import load_catalog, load_topics
from .model import (DEFAULT_STANDARD, DI_KIND_FOR, DONE_STATUSES, OPEN_STATUSES, REVIEW_INPUTS, Assessment, Clause, Evidence, Finding,
                    Project)

READY, AT_RISK, NOT_READY, NOT_APPLICABLE = "ready", "at-risk", "not-ready", "not-applicable"
STATE_ORDER = (NOT_APPLICABLE, READY, AT_RISK, NOT_READY)  # worst last

PRESENT, REVIEW_OVERDUE, MISSING, OUT_OF_WINDOW, CONDITIONAL, UNDECLARED, EXCLUDED = (
    "present", "review-overdue", "missing", "out-of-window", "conditional", "undeclared", "not-applicable")
#: a mandatory record counts only when dated within this many months, unless the catalog or windows: says
DEFAULT_RECORD_WINDOW = 12
#: findings whose open state, due date and verification weigh on readiness (an OFI or area of concern does not)
NONCONFORMITIES = ("major", "minor")


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class MandatoryCheck:
    """One item of documented information the catalog asks for, and whether it is there."""

    clause: str
    kind: str  # maintain | retain
    what: str
    when: Optional[str]
    state: str  # present | review-overdue | missing | out-of-window | conditional | not-applicable
    evidence: tuple[str, ...]  # records of the right kind that count (current; within the window for records)
    stale: tuple[str, ...]  # of the right kind, past their review date
    reason: Reason
    window_months: Optional[int] = None
    latest: Optional[date] = None
    #: the first day a present record no longer counts (its window closes, or its review date passes)
    closes: Optional[date] = None

    @property
    def is_gap(self) -> bool:
        """Missing or out of its window: a nonconformity waiting to be written (the clause is not ready)."""
        return self.state in (MISSING, OUT_OF_WINDOW)

    @property
    def is_risk(self) -> bool:
        """Present but its review is overdue, or a condition the organisation has not declared: at risk."""
        return self.state in (REVIEW_OVERDUE, UNDECLARED)


@dataclass(frozen=True, slots=True)
class LateTarget:
    """A target date that falls after a booked audit."""

    stage: str  # stage1 | stage2
    audit: date


@dataclass(frozen=True, slots=True)
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
    leaves_at_risk: int = 0
    leaves_not_ready: int = 0
    verified_by: Optional[str] = None  # the audit record named, when the status that applies is verified
    conditions: Mapping[str, Optional[bool]] = field(default_factory=dict)  # applies: keys the clause depends on

    @property
    def readiness(self) -> Optional[float]:
        return self.leaves_ready / self.leaves_applicable if self.leaves_applicable else None

    def share(self, state: str) -> Optional[float]:
        """The share of its applicable leaves in one state (ready, at-risk or not-ready)."""
        if not self.leaves_applicable:
            return None
        count = {READY: self.leaves_ready - self.leaves_at_risk, AT_RISK: self.leaves_at_risk,
                 NOT_READY: self.leaves_not_ready}[state]
        return count / self.leaves_applicable


@dataclass(frozen=True, slots=True)
class GateItem:
    check: str  # a stable id (docs/rules.md)
    passed: bool
    reason: Reason
    evidence: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()  # the clauses a failing check is about (blockers link to them)


@dataclass(frozen=True, slots=True)
class Gate:
    name: str
    items: tuple[GateItem, ...]

    @property
    def passed(self) -> bool:
        return all(i.passed for i in self.items)


@dataclass(frozen=True, slots=True)
class FindingResult:
    finding: Finding  # as it stands on the date judged: closed only from its closed date (finding_on)
    overdue: bool
    leaves: tuple[str, ...]  # leaf clauses it applies to
    due_today: bool = False
    unverified: bool = False  # a closed nonconformity with no verification of effectiveness that counts
    closes: Optional[date] = None  # declared closed on this date, after the date judged: open until then
    #: a closed major that does not yet count as closed for the gates: what it lacks (MAJOR_CLOSURE words)
    incomplete: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Target:
    """An open target: an assessment not yet done, with the date it should be."""

    clause: str
    target: date
    owner: Optional[str]
    status: str
    late: Optional[LateTarget]
    overdue: bool = False  # the target date is before the date judged and the work is still open


@dataclass(frozen=True, slots=True)
class AuditDate:
    stage: str  # stage1 | stage2
    date: date
    days: int  # from the as-of date; negative when past


#: how urgent a gap is, most urgent first
URGENCIES = ("blocker", "overdue", "due-before-audit", "later")


@dataclass(frozen=True, slots=True)
class GapRow:
    """An applicable leaf that is not ready or at risk, and how urgent it is."""

    clause: str
    urgency: str  # one of URGENCIES
    due: Optional[date]  # the earliest date behind it: target, finding due date or review date
    stage: Optional[str]  # the next gate it blocks, or the audit it falls due before


@dataclass(frozen=True, slots=True)
class Gaps:
    """Everything that stands between the organisation and certification, as ids."""

    not_ready: tuple[str, ...]  # applicable leaves
    not_implemented: tuple[str, ...]  # leaves with an open status
    without_evidence: tuple[str, ...]  # applicable leaves with no evidence
    mandatory: tuple[MandatoryCheck, ...]
    stale: tuple[str, ...]  # evidence ids, sorted
    open_findings: tuple[str, ...]  # finding ids, in raised order
    rows: tuple[GapRow, ...] = ()  # one per clause needing work, most urgent first


@dataclass(frozen=True, slots=True)
class Coverage:
    """Internal audit coverage: which audits within the window reached each applicable leaf."""

    audits: tuple[str, ...]  # audit record ids within the window, oldest first
    leaves: Mapping[str, tuple[str, ...]]  # applicable leaf -> audit ids covering it
    uncovered: tuple[str, ...]
    window: int
    since: date
    #: leaf -> audits that reached it but were held before it was in place (``audited-before-in-place``)
    before: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: leaf -> audits that reached it but were audited by the leaf's own owner (``auditor-own-work``)
    own: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: leaf -> the date it has been in place since, and where that date comes from ("since" or "git")
    in_place: Mapping[str, tuple[date, str]] = field(default_factory=dict)
    untimed: tuple[str, ...] = ()  # applicable leaves with no date in place: no timing check was made
    empty: tuple[str, ...] = ()  # audit records within the window with no ``covers``: they cover nothing


@dataclass(frozen=True, slots=True)
class Lapse:
    """Something that runs out between the as-of date and the last booked audit, assuming nothing changes."""

    date: date
    kind: str  # review-due | window-closes | finding-due | target
    clauses: tuple[str, ...]
    before: str  # the first booked audit on or after the date: stage1 | stage2
    evidence: Optional[str] = None
    finding: Optional[str] = None
    clause: Optional[str] = None


@dataclass(frozen=True, slots=True)
class ReviewInputs:
    """The inputs (9.3.2) the latest management review within its window considered."""

    review: Optional[str]  # the record's id; None when no review is within the window
    date: Optional[date]
    considered: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
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
    coverage: Optional[Coverage] = None
    future_dated: tuple[str, ...] = ()  # evidence dated after the as-of date: it counts for nothing yet
    on_audit_date: Mapping[str, Optional[Gate]] = field(default_factory=dict)  # stage -> its gate on its date
    lapses: tuple[Lapse, ...] = ()
    review_inputs: Optional[ReviewInputs] = None
    #: evidence id -> why its document changed after its approval (git facts; empty without them)
    changed_since_approval: Mapping[str, Reason] = field(default_factory=dict)
    #: what the new edition adds or changes and whether the evidence addresses it (projects on the old edition
    #: only; None for a project already on the new one)
    transition: Optional["TransitionResult"] = None
    #: whether the recorded certificate is valid on the as-of date, and whether it outlives its edition
    certificate: Optional["CertificateResult"] = None

    def share(self, state: str) -> Optional[float]:
        counts = {READY: self.state_counts[READY], AT_RISK: self.state_counts[AT_RISK],
                  NOT_READY: self.state_counts[NOT_READY]}
        return counts[state] / self.leaves_applicable if self.leaves_applicable else None


#: a review falling due within this many days is "due soon" on the freshness chart
FRESHNESS_DUE_DAYS = 90
FRESHNESS_BANDS = ("current", "due-90", "stale", "no-review")


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


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


def window_of(project: Project, number: str) -> int:
    """The recency window, in months, of a clause's records: windows: in organisation.yaml, the catalog, or 12;
    never above the clause's ceiling (12 months for the internal audit and the management review, 36 for any
    other: ``windows:`` may shorten a window, never stretch it past what a certification body accepts)."""
    configured = project.organisation.windows.get(number, project.catalog[number].window_months
                                                  or DEFAULT_RECORD_WINDOW)
    return min(configured, project.catalog.window_ceiling(number))


def _record_counts(e: Evidence, window: int, clause: Clause, as_of: date) -> bool:
    """A record counts when dated within the window; where the clause's records count until their review date
    (7.2 competence: the competence a training record shows lasts until it expires), until its ``review_by``."""
    if e.date is None:
        return False
    if clause.records_until_review and e.review_by is not None:
        return e.review_by >= as_of
    return e.date >= months_before(as_of, window)


def _record_closes(e: Evidence, window: int, clause: Clause) -> date:
    """The first day a counted record no longer counts (for the lapse list)."""
    assert e.date is not None
    if clause.records_until_review and e.review_by is not None:
        return e.review_by + _DAY
    return months_after(e.date, window) + _DAY


def check_mandatory(project: Project, number: str, applicable: bool, mapped: list[Evidence],
                    as_of: date) -> list[MandatoryCheck]:
    """``mapped``: the evidence mapped to the clause that exists on ``as_of`` (nothing dated later)."""
    clause = project.catalog[number]
    applies = project.organisation.applies
    checks = []
    for item in clause.documented_information:
        want = DI_KIND_FOR[item.kind]
        right = [e for e in mapped if e.kind == want]
        current = [e for e in right if not e.is_stale(as_of)]
        stale = [e for e in right if e.is_stale(as_of)]
        about = {"clause": number, "what": item.what, "noun": want}
        window = window_of(project, number) if item.kind == "retain" else None

        latest = max((e.date for e in right if e.date), default=None)
        counted: list[Evidence] = current
        closes: Optional[date] = None
        declared = getattr(applies, item.condition) if item.condition else None
        # a declared condition decides the item: false = not required; true = required (or, where ISO makes
        # it depend on something the data cannot show, current evidence on the clause is required instead)
        required_by_declaration = item.condition is not None and declared is True and item.if_true == "record"
        conditional = item.when is not None and not required_by_declaration
        if not applicable:
            state, why = EXCLUDED, reason("di-not-required", **about)
        elif item.condition and declared is False:
            state, why = EXCLUDED, reason("di-condition-false", condition=item.condition, **about)
        elif item.condition and declared is None:
            state = UNDECLARED
            why = reason("di-condition-undeclared", condition=item.condition, when=item.when, **about)
        elif item.condition and item.if_true == "evidence":  # declared true
            # a current document, or a record within the clause's window (a calibration certificate counts for
            # its calibration interval: the window, 12 months unless windows: shortens it); older records do not
            since = months_before(as_of, window_of(project, number))
            controlled = [e for e in mapped if not e.is_stale(as_of)
                          and (e.kind != "record" or (e.date is not None and e.date >= since))]
            if controlled:
                state = CONDITIONAL
                why = reason("di-condition-evidence", [e.id for e in controlled], condition=item.condition,
                             when=item.when, **about)
            else:
                state = MISSING
                why = reason("di-condition-no-evidence", condition=item.condition, **about)
        elif item.kind == "retain" and window and (counted := [e for e in right
                                                              if _record_counts(e, window, clause, as_of)]):
            newest = max(counted, key=lambda e: (e.date, e.id))
            closes = max(_record_closes(e, window, clause) for e in counted)
            state = PRESENT
            if clause.records_until_review and newest.review_by:
                why = reason("di-until-review", (newest.id,), date=newest.date, review_by=newest.review_by,
                             **about)
            else:
                why = reason("di-in-window", (newest.id,), date=newest.date, window=window, **about)
        elif item.kind == "retain" and right and not conditional:
            # a record is a fact of the past: it counts while it is recent, whatever its review date says
            state = OUT_OF_WINDOW
            newest_old = max(right, key=lambda e: (e.date or date.min, e.id))
            if clause.records_until_review and newest_old.review_by:  # valid until then, and then no longer
                why = reason("di-review-passed", (newest_old.id,), review_by=newest_old.review_by, **about)
            else:
                why = reason("di-out-of-window", (newest_old.id,), window=window, latest=latest, **about)
        elif item.kind == "maintain" and current:
            state = PRESENT
            why = reason("di-present", [e.id for e in current], **about)
        elif item.kind == "maintain" and stale:
            state = REVIEW_OVERDUE  # the document is there; its review is late: at risk, not missing
            why = reason("di-review-overdue", [e.id for e in stale],
                         review_by=min(e.review_by for e in stale if e.review_by), **about)
        elif conditional:
            state, why = CONDITIONAL, reason("di-conditional", when=item.when, **about)
        else:
            state, why = MISSING, reason("di-missing", declared_true=required_by_declaration or None, **about)
        if state not in (PRESENT,):
            counted = current if item.kind == "maintain" else []
        checks.append(MandatoryCheck(
            clause=number, kind=item.kind, what=item.what, when=item.when, state=state,
            evidence=tuple(e.id for e in counted), stale=tuple(e.id for e in stale), reason=why,
            window_months=window, latest=latest, closes=closes if state == PRESENT else None))
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


def assess(project: Project, as_of: date, revisions: Optional[Mapping[str, Sequence[Any]]] = None,
           status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]] = None) -> Readiness:
    """Readiness on ``as_of``, and each booked audit's gate judged on its own date, assuming nothing changes.

    ``revisions`` (git facts gathered before this stage; None without git): file path relative to the project
    root -> the commits that changed it, newest first, each with ``sha``, ``date`` and ``subject``.
    ``status_log`` (git facts too): clause -> (commit date, the status its assessment had then, "" when none),
    oldest first: when each clause became implemented (internal audit coverage, ``in_place_since``).
    """
    changed = changed_since_approval(project, revisions, as_of)
    today = _assess_on(project, as_of, as_of, changed, status_log)
    projected: dict[str, Optional[Gate]] = {}
    for stage, day in sorted(project.organisation.audits.items()):
        projected[stage] = (_assess_on(project, day, as_of, changed, status_log).gates[stage] if day >= as_of
                            else None)
    return replace(today, on_audit_date=projected, lapses=lapses(project, today), changed_since_approval=changed,
                   transition=transition(project, as_of) if _transition_applies(project) else None,
                   certificate=certificate_on(project, as_of))


def assess_today(project: Project, as_of: date, revisions: Optional[Mapping[str, Sequence[Any]]] = None,
                 status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]] = None) -> Readiness:
    """``assess`` without the projections to the booked audit dates and the lapses: the figures, states,
    gates and findings of ``as_of`` only (what a readiness history keeps of each commit)."""
    changed = changed_since_approval(project, revisions, as_of)
    return replace(_assess_on(project, as_of, as_of, changed, status_log), changed_since_approval=changed)


def changed_since_approval(project: Project, revisions: Optional[Mapping[str, Sequence[Any]]],
                           as_of: date) -> dict[str, Reason]:
    """Documents whose file changed in a commit dated after the record's ``approved`` date (at risk).

    The approved version is the file as of the last commit on or before the approval date; when the file
    first came into the repository after that date, the commit that brought it counts as the approved one.
    Commits dated after the as-of date are not yet known on it.
    """
    out: dict[str, Reason] = {}
    if not revisions:
        return out
    for e in project.evidence:
        if not (e.file and e.approved):
            continue
        revs = [r for r in revisions.get(f"evidence/{e.file}", ()) if r.date <= as_of]
        later = [r for r in revs if r.date > e.approved]
        if later and len(later) == len(revs):
            later = later[:-1]  # the commit that added the file brought the approved version
        if later:
            newest = later[0]
            out[e.id] = reason("document-changed-since-approval", (e.id,), commit=newest.sha[:10], date=newest.date,
                               subject=newest.subject, approved=e.approved, count=len(later))
    return out


def _assess_on(project: Project, as_of: date, known: date,
               changed: Optional[Mapping[str, Reason]] = None,
               status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]] = None) -> Readiness:
    """Readiness on ``as_of`` from the evidence that exists on ``known`` (a projection when as_of > known)."""
    s = _scene(project, as_of, known, changed or {})
    results: dict[str, ClauseResult] = {}
    for clause in s.catalog.clauses:  # leaves first
        if clause.is_leaf:
            results[clause.number] = _leaf_result(s, clause)
    for clause in sorted((c for c in s.catalog.clauses if not c.is_leaf), key=lambda c: -c.depth):
        results[clause.number] = _parent_result(s, clause, results)  # then parents, deepest first
    ordered = {c.number: results[c.number] for c in s.catalog.clauses}
    cov = coverage(project, s.mapped, ordered, as_of, status_log, known)
    for leaf in cov.uncovered:  # why the audits that reached an uncovered leaf do not count: notes on its page
        res = ordered[leaf]
        notes = coverage_reasons(cov, leaf, s.by_id, res.applying.owner if res.applying else None)
        if notes:
            ordered[leaf] = replace(res, reasons=(*res.reasons, *notes))
    return _with_gates(_readiness(s, ordered, cov), project, as_of, s.mapped)


@dataclass
class _Scene:
    """What every clause of one judgement shares: the evidence known by then, by clause; the findings and
    where they weigh; the review inputs; the reasons that attach to one clause of the standard only."""

    project: Project
    as_of: date
    changed: Mapping[str, Reason]
    statuses: dict[str, tuple[str, bool, Optional[str]]]
    own: dict[str, Assessment]
    existing: list[Evidence]
    future: tuple[str, ...]
    by_id: dict[str, Evidence]
    stale_ids: set[str]
    mapped: dict[str, list[Evidence]]
    findings: tuple[FindingResult, ...]
    systemic_on: dict[str, tuple[str, tuple[str, ...]]]  # leaf -> (the clause, the minors against it)
    open_on: dict[str, list[FindingResult]]  # open findings on a clause or an ancestor
    unverified_on: dict[str, list[FindingResult]]  # closed nonconformities never shown effective
    related: dict[str, list[str]]  # any finding on a clause, an ancestor or a descendant
    action_risks: list[Reason]
    inputs: ReviewInputs
    input_risks: list[Reason]
    input_blockers: list[Reason]
    audited: set[str]
    climate: Optional[Reason]
    new_unevidenced: Mapping[str, Reason]
    all_mandatory: list[MandatoryCheck] = field(default_factory=list)

    @property
    def catalog(self) -> Any:
        return self.project.catalog


def _scene(project: Project, as_of: date, known: date, changed: Mapping[str, Reason]) -> _Scene:
    catalog = project.catalog
    existing = [e for e in project.evidence if not (e.date and e.date > known)]
    mapped: dict[str, list[Evidence]] = {}
    for e in existing:
        for number in e.clauses:
            mapped.setdefault(number, []).append(e)
    findings = tuple(
        FindingResult(finding=f, overdue=bool(f.is_open and f.due and f.due < as_of),
                      leaves=tuple(dict.fromkeys(leaf for n in f.clauses for leaf in catalog.leaves_under(n))),
                      due_today=bool(f.is_open and f.due == as_of),
                      unverified=_unverified(f, as_of), closes=closes, incomplete=_major_lacks(f, as_of))
        for f, closes in (finding_on(f, as_of) for f in sorted(project.findings, key=lambda f: (f.raised, f.id)))
    )
    systemic_on: dict[str, tuple[str, tuple[str, ...]]] = {}
    for number, ids in systemic_groups(project, findings).items():
        for leaf in catalog.leaves_under(number):
            systemic_on.setdefault(leaf, (number, ids))
    open_on: dict[str, list[FindingResult]] = {}
    unverified_on: dict[str, list[FindingResult]] = {}
    related: dict[str, list[str]] = {}
    for fr in findings:
        f = fr.finding
        reach: dict[str, None] = {}
        for number in f.clauses:
            below = [number, *catalog.descendants(number)]
            if f.is_open or fr.unverified:
                for n in below:
                    (open_on if f.is_open else unverified_on).setdefault(n, []).append(fr)
            reach.update(dict.fromkeys([*below, *catalog.ancestors(number)]))
        for n in reach:
            related.setdefault(n, []).append(f.id)
    # the corrective-action process itself is at risk while actions are late or unverified
    action_risks = [reason("finding-overdue" if fr.overdue else "finding-unverified", findings=(fr.finding.id,),
                           grade=fr.finding.grade, due=fr.finding.due, not_effective=_not_effective(fr.finding))
                    for fr in findings if fr.finding.grade in NONCONFORMITIES and (fr.overdue or fr.unverified)]
    inputs = review_inputs(project, mapped, as_of)
    input_risks = [] if catalog.role("review_inputs") is None else \
        [reason("review-inputs-no-review", window=window_of(project, catalog.role("review")))] \
        if inputs.review is None else [reason("review-inputs-missing", (inputs.review,), date=inputs.date,
                                              missing=inputs.missing)] if inputs.missing and inputs.considered \
        else []
    # minutes that list no inputs show nothing of what the review considered: the inputs clause is not ready
    input_blockers = [reason("review-inputs-unknown", (inputs.review,), date=inputs.date)] \
        if inputs.review is not None and not inputs.considered else []
    return _Scene(
        project=project, as_of=as_of, changed=changed, statuses=resolve_statuses(project),
        own={a.clause: a for a in project.assessments}, existing=existing,
        future=tuple(e.id for e in project.evidence if e.date and e.date > known),
        by_id={e.id: e for e in existing}, stale_ids={e.id for e in existing if e.is_stale(as_of)}, mapped=mapped,
        findings=findings, systemic_on=systemic_on, open_on=open_on, unverified_on=unverified_on, related=related,
        action_risks=action_risks, inputs=inputs, input_risks=input_risks, input_blockers=input_blockers,
        audited={f.audit for f in project.findings if f.audit},
        climate=climate_undetermined(project, mapped, as_of, known),
        new_unevidenced=unevidenced_new_requirements(project, mapped, as_of))


def _unverified_because(s: _Scene, applying: Optional[Assessment], number: str) -> Optional[Reason]:
    """Why a 'verified' declaration does not stand (then it counts as implemented), or None."""
    audit_id = applying.verified_by if applying else None
    if not audit_id:
        return reason("not-verified", problem="no-verified-by")
    audit = s.by_id.get(audit_id)
    if audit is None:
        return reason("not-verified", (audit_id,), problem="not-yet")
    if {number, *s.catalog.ancestors(number)} & set(audit.covers) or audit_id not in s.audited:
        return None  # an audit that covered the clause, or one that raised no finding
    return reason("not-verified", (audit_id,), problem="not-covered")


def _linked_evidence(s: _Scene, number: str, assessment: Optional[Assessment]) -> list[Evidence]:
    extra = [s.by_id[i] for i in (assessment.evidence if assessment else ()) if i in s.by_id]
    return list(dict.fromkeys([*s.mapped.get(number, []), *extra]))


def _stale_reason(e: Evidence) -> Reason:
    return reason("evidence-stale", (e.id,), review_by=e.review_by)


def _unsupported_because(s: _Scene, number: str, linked: list[Evidence], status: str) -> Optional[Reason]:
    """Why a done leaf has no evidence behind it, or None: current evidence mapped to the leaf itself (its
    own assessment's links count), or a current record mapped to an ancestor, shows it in operation; a
    document alone on an ancestor (a manual, a policy) is 'documented, not shown in operation'."""
    catalog = s.catalog
    if any(e.id not in s.stale_ids for e in linked):
        return None
    above = [e for n in catalog.ancestors(number) for e in s.mapped.get(n, []) if e.id not in s.stale_ids]
    if any(e.kind == "record" for e in above):
        return None
    if above:
        return reason("parent-document-only", tuple(dict.fromkeys(e.id for e in above)), status=status,
                      on=tuple(dict.fromkeys(n for n in catalog.ancestors(number)
                                             if any(e in above for e in s.mapped.get(n, [])))))
    return reason("no-evidence", status=status)


def _finding_reasons(s: _Scene, number: str) -> tuple[list[Reason], list[Reason]]:
    """The blockers and risks the findings put on a leaf: open ones, unverified ones, systemic minors."""
    blockers: list[Reason] = []
    risks: list[Reason] = []
    for fr in s.open_on.get(number, []):
        f = fr.finding
        raised_on = None if number in f.clauses else f.clauses
        code = "finding-open-overdue" if fr.overdue else "finding-open"
        later = {"closes": fr.closes} if fr.closes else {}
        r = reason(code, findings=(f.id,), grade=f.grade, raised_on=raised_on, due=f.due, **later)
        if f.grade == "major":
            blockers.append(r)
        elif f.grade == "minor":
            risks.append(r)
    risks.extend(reason("finding-unverified", findings=(fr.finding.id,), grade=fr.finding.grade,
                        due=fr.finding.due, not_effective=_not_effective(fr.finding))
                 for fr in s.unverified_on.get(number, []))
    if number in s.systemic_on:
        on, ids = s.systemic_on[number]
        blockers.append(reason("systemic", findings=ids, clause=on, count=len(ids),
                               threshold=s.project.organisation.systemic_minors))
    return blockers, risks


def _applicable_leaf(s: _Scene, number: str, status: str, status_from: Optional[str], linked: list[Evidence],
                     stale: list[Evidence], mandatory: list[MandatoryCheck],
                     unverified: Optional[Reason]) -> tuple[str, list[Reason]]:
    """An applicable leaf's state and reasons: blockers make it not ready, risks at risk, else ready."""
    catalog = s.catalog
    blockers, risks = [], []
    declared = status if status in DONE_STATUSES else None
    if status not in DONE_STATUSES:
        target = s.own.get(status_from or number)
        blockers.append(reason("status-not-done", status=status, inherited_from=status_from,
                               target=target.target if target else None))
    elif (unsupported := _unsupported_because(s, number, linked, status)) is not None:
        risks.append(unsupported)
    for check in mandatory:
        if check.is_gap:
            blockers.append(check.reason.with_params(declared=declared))
        elif check.is_risk:
            risks.append(check.reason)
    more_blockers, more_risks = _finding_reasons(s, number)
    blockers.extend(more_blockers)
    risks.extend(more_risks)
    if catalog.role("corrective_action") in (number, *catalog.ancestors(number)):
        risks.extend(r for r in s.action_risks if r not in risks)
    if number == catalog.role("review_inputs"):
        blockers.extend(s.input_blockers)
        risks.extend(s.input_risks)
    if s.climate and number == s.climate["clause"]:
        risks.append(s.climate)
    if number in s.new_unevidenced:
        risks.append(s.new_unevidenced[number])
    risks.extend(_stale_reason(e) for e in stale)
    risks.extend(s.changed[e.id] for e in linked if e.id in s.changed)
    notes = [unverified] if unverified else []  # verified without a valid verified_by: implemented
    if blockers:
        return NOT_READY, blockers + risks + notes
    if risks:
        return AT_RISK, risks + notes
    return READY, [reason("ready", status="implemented" if unverified else status), *notes]


def _leaf_result(s: _Scene, clause: Clause) -> ClauseResult:
    project, number = s.project, clause.number
    status, assessed, status_from = s.statuses[number]
    applicable = status != "not-applicable"
    assessment = s.own.get(number)
    applying = assessment or (s.own.get(status_from) if status_from else None)
    linked = _linked_evidence(s, number, assessment)
    stale = [e for e in linked if e.id in s.stale_ids]
    mandatory = check_mandatory(project, number, applicable, s.mapped.get(number, []), s.as_of)
    s.all_mandatory.extend(mandatory)
    unverified = _unverified_because(s, applying, number) if applicable and status == "verified" else None
    if applicable:
        state, reasons = _applicable_leaf(s, number, status, status_from, linked, stale, mandatory, unverified)
    else:
        state, reasons = NOT_APPLICABLE, [_not_applicable(s.own, status_from or number)]
    return ClauseResult(
        number=number, status=status, assessed=assessed, status_from=status_from, applicable=applicable,
        state=state, reasons=tuple(reasons), evidence=tuple(e.id for e in linked),
        stale_evidence=tuple(e.id for e in stale), mandatory=tuple(mandatory),
        findings=tuple(fr.finding.id for fr in s.open_on.get(number, [])),
        leaves_applicable=int(applicable), leaves_ready=int(state in (READY, AT_RISK)),
        assessment=assessment, applying=applying, related_findings=tuple(s.related.get(number, ())),
        target_late=_late(applying.target if applying else None, project.organisation.audits),
        leaves_at_risk=int(state == AT_RISK), leaves_not_ready=int(state == NOT_READY),
        verified_by=applying.verified_by if applying and status == "verified" else None,
        conditions={d.condition: getattr(project.organisation.applies, d.condition)
                    for d in clause.documented_information if d.condition})


def _parent_result(s: _Scene, clause: Clause, results: Mapping[str, ClauseResult]) -> ClauseResult:
    """A clause above others: the worst state of its applicable leaves, and its own evidence's staleness."""
    number = clause.number
    status, assessed, status_from = s.statuses[number]
    applicable_leaves = [r for r in (results[n] for n in s.catalog.leaves_under(number)) if r.applicable]
    assessment = s.own.get(number)
    applying = assessment or (s.own.get(status_from) if status_from else None)
    linked = _linked_evidence(s, number, assessment)
    stale = [e for e in linked if e.id in s.stale_ids]
    if not applicable_leaves:
        state = NOT_APPLICABLE
        src = status_from or number
        reasons = [_not_applicable(s.own, src) if src in s.own else reason("no-applicable-subclause")]
    else:
        state = max((r.state for r in applicable_leaves), key=STATE_ORDER.index)
        bad = tuple(r.number for r in applicable_leaves if r.state == state)
        if state == READY:
            reasons = [reason("subclauses-ready", count=len(applicable_leaves))]
        else:
            reasons = [reason("subclauses-" + state, clauses=bad, total=len(applicable_leaves))]
        unapproved = [s.changed[e.id] for e in linked if e.id in s.changed]
        if (stale or unapproved) and state == READY:
            state = AT_RISK
            reasons = []
        reasons.extend(_stale_reason(e) for e in stale)
        reasons.extend(unapproved)
    return ClauseResult(
        number=number, status=status, assessed=assessed, status_from=status_from,
        applicable=bool(applicable_leaves), state=state, reasons=tuple(reasons),
        evidence=tuple(e.id for e in linked), stale_evidence=tuple(e.id for e in stale), mandatory=(),
        findings=tuple(fr.finding.id for fr in s.open_on.get(number, [])),
        leaves_applicable=len(applicable_leaves),
        leaves_ready=sum(r.state in (READY, AT_RISK) for r in applicable_leaves), assessment=assessment,
        applying=applying, related_findings=tuple(s.related.get(number, ())),
        target_late=_late(applying.target if applying else None, s.project.organisation.audits),
        leaves_at_risk=sum(r.state == AT_RISK for r in applicable_leaves),
        leaves_not_ready=sum(r.state == NOT_READY for r in applicable_leaves))


def _readiness(s: _Scene, ordered: dict[str, ClauseResult], cov: Coverage) -> Readiness:
    """The figures, counts, gaps and dates of one judgement (before its gates)."""
    catalog, as_of, audits = s.catalog, s.as_of, s.project.organisation.audits
    leaves = [r for r in ordered.values() if catalog[r.number].is_leaf]
    applicable = [r for r in leaves if r.applicable]
    ready = sum(r.state in (READY, AT_RISK) for r in applicable)
    status_counts = {x: 0 for x in ("not-started", "planned", "in-progress", "implemented", "verified",
                                    "not-applicable")}
    state_counts = {x: 0 for x in (READY, AT_RISK, NOT_READY, NOT_APPLICABLE)}
    for r in leaves:
        status_counts[r.status] = status_counts.get(r.status, 0) + 1
        state_counts[r.state] += 1
    open_targets = sorted((a for a in s.project.assessments if a.target and a.status in OPEN_STATUSES),
                          key=lambda a: (a.target, _clause_key(a.clause)))
    gaps = Gaps(
        not_ready=tuple(r.number for r in leaves if r.state == NOT_READY),
        not_implemented=tuple(r.number for r in leaves if r.status in OPEN_STATUSES),
        without_evidence=tuple(r.number for r in applicable if not r.evidence),
        mandatory=tuple(m for m in s.all_mandatory if m.is_gap or m.is_risk),
        stale=tuple(sorted(s.stale_ids)),
        open_findings=tuple(fr.finding.id for fr in s.findings if fr.finding.is_open))
    return Readiness(
        as_of=as_of,
        overall=ready / len(applicable) if applicable else None,
        leaves_applicable=len(applicable), leaves_ready=ready,
        by_main={c.number: ordered[c.number].readiness for c in catalog.mains},
        clauses=ordered,
        mandatory=tuple(s.all_mandatory),
        findings=s.findings,
        gates={},
        stale_evidence=tuple(e.id for e in s.existing if e.id in s.stale_ids),
        status_counts=status_counts, state_counts=state_counts,
        freshness=freshness(s.existing, as_of),
        targets=tuple(Target(a.clause, a.target, a.owner, a.status, _late(a.target, audits), a.target < as_of)
                      for a in open_targets),
        audits=tuple(AuditDate(stage, d, (d - as_of).days) for stage, d in sorted(audits.items(),
                                                                                  key=lambda kv: kv[1])),
        gaps=gaps,
        coverage=cov,
        future_dated=s.future,
        review_inputs=s.inputs,
    )


def finding_on(f: Finding, day: date) -> tuple[Finding, Optional[date]]:
    """The finding as it stands on ``day``, and the closed date it is still waiting for: a finding declared
    closed after ``day`` is open until then (so the projection to an audit date counts it closed from its date)."""
    if f.status == "closed" and f.closed and f.closed > day:
        return replace(f, status="open", closed=None), f.closed
    return f, None


def verification_counts(f: Finding, day: date) -> bool:
    """An effective verification that counts on ``day``: not dated before the finding was raised or closed, nor
    after ``day`` (an undated one is taken as given, except for a major's closure: _major_lacks)."""
    v = f.verification
    if not (v and v.effective is True):
        return False
    if v.date is None:
        return True
    return f.raised <= v.date <= day and not (f.closed and v.date < f.closed)


#: what a closed major needs to count as closed for the gates, in the order the reason names them
MAJOR_CLOSURE = ("root-cause", "corrective-action", "verification")


def _major_lacks(f: Finding, day: date) -> tuple[str, ...]:
    """For a major closed on or before ``day``: what it lacks of MAJOR_CLOSURE (empty: it counts as closed).
    The verification must be effective, dated, on or before ``day`` and not before ``closed``."""
    if f.grade != "major" or f.status != "closed" or not f.closed or f.closed > day:
        return ()
    lacks = []
    if not (f.root_cause or "").strip():
        lacks.append("root-cause")
    if not (f.corrective_action or "").strip():
        lacks.append("corrective-action")
    if not (verification_counts(f, day) and f.verification and f.verification.date):
        lacks.append("verification")
    return tuple(lacks)


def systemic_groups(project: Project, findings: Iterable[FindingResult]) -> dict[str, tuple[str, ...]]:
    """Clauses (below the main clauses) with ``systemic_minors`` or more open minor findings against them or
    their sub-clauses: clause -> the minors, in raised order. Only the most specific such clauses are named
    (when 8.4.1 qualifies, 8.4 is not named again for the same failure)."""
    catalog = project.catalog
    threshold = project.organisation.systemic_minors
    minors = [fr.finding for fr in findings if fr.finding.is_open and fr.finding.grade == "minor"]
    against: dict[str, list[str]] = {}
    for f in minors:
        reach: set[str] = set()
        for number in f.clauses:
            if number in catalog:
                reach |= {number, *catalog.ancestors(number)}
        for number in reach:
            if catalog[number].parent is not None:  # a main clause (8 Operation) is not one requirement
                against.setdefault(number, []).append(f.id)
    qualifying = {n for n, ids in against.items() if len(ids) >= threshold}
    chosen = {n for n in qualifying if not any(d in qualifying for d in catalog.descendants(n))}
    return {n: tuple(against[n]) for n in sorted(chosen, key=_clause_key)}


def _unverified(f: Finding, day: date) -> bool:
    """A closed nonconformity whose corrective action was never shown to be effective (by a verification that
    counts on ``day``)."""
    if f.is_open or f.grade not in NONCONFORMITIES:
        return False
    return not verification_counts(f, day)


def _not_effective(f: Finding) -> bool:
    """The verification was done and found the action not effective."""
    return bool(f.verification and f.verification.effective is False)


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


# --------------------------------------------------------------------------- internal audit coverage

#: the management review inputs clause of the default standard, for callers that have no catalog at hand
#: (views): a clause's role comes from its standard's data (``Catalog.role``)
REVIEW_INPUTS_CLAUSE = load_catalog(DEFAULT_STANDARD).role("review_inputs")


def _recent(evidence: list[Evidence], as_of: date, since: date) -> list[Evidence]:
    """Records dated within [since, as_of], oldest first."""
    return sorted((e for e in evidence if e.kind == "record" and e.date and since <= e.date <= as_of),
                  key=lambda e: (e.date, e.id))


def auditor_names(text: Optional[str]) -> tuple[str, ...]:
    """The people an audit record's ``auditor:`` names: separated by ';' or ',', a note in brackets dropped
    ("External consultant (lead)"), compared without case or repeated spaces."""
    out = []
    for part in re.split(r"[;,]", re.sub(r"\([^)]*\)", " ", text or "")):
        name = " ".join(part.split()).casefold()
        if name:
            out.append(name)
    return tuple(dict.fromkeys(out))


def in_place_since(assessment: Assessment, status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]],
                   known: date) -> Optional[tuple[date, str]]:
    """Since when a done assessment has been in place, and where the date comes from: its ``since:``
    ("since"); else, from git ("git"), the commit (dated on or before ``known``) that changed its status from a
    status short of done to implemented or verified, the last such change. An assessment done from its first
    commit gives no date: a register's first commit says when it was written down, not when the process began."""
    if assessment.status not in DONE_STATUSES:
        return None
    if assessment.since:
        return assessment.since, "since"
    start: Optional[date] = None
    previous = ""
    for day, status in (status_log or {}).get(assessment.clause, ()):
        if day > known:
            break
        if status in DONE_STATUSES:
            if previous and previous not in DONE_STATUSES:
                start = day
        elif status:
            start = None
        previous = status or previous
    return (start, "git") if start and previous in DONE_STATUSES else None


def coverage(project: Project, mapped: Mapping[str, list[Evidence]], results: Mapping[str, ClauseResult],
             as_of: date, status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]] = None,
             known: Optional[date] = None) -> Coverage:
    """Each applicable leaf and the internal audits within the window whose ``covers`` reach it (a listed
    clause covers its sub-clauses); several audits may combine. An audit covers a leaf only when held on or
    after the date the leaf has been in place (``in_place_since``) and when none of its auditors owns the leaf's
    assessment (objectivity and impartiality of the audit process); an audit with no ``covers`` covers nothing."""
    catalog = project.catalog
    audit = catalog.role("audit")
    window = window_of(project, audit) if audit else DEFAULT_RECORD_WINDOW
    since = months_before(as_of, window)
    recent = _recent(mapped.get(audit, []), as_of, since) if audit else []
    audits = [e for e in recent if e.covers]
    leaves_of = {n: r for n, r in results.items() if r.applicable and catalog[n].is_leaf}
    in_place: dict[str, tuple[date, str]] = {}
    for n, r in leaves_of.items():
        day = in_place_since(r.applying, status_log, known or as_of) if r.applying else None
        if day:
            in_place[n] = day
    reached: dict[str, list[str]] = {}
    before: dict[str, list[str]] = {}
    own: dict[str, list[str]] = {}
    for e in audits:
        names = auditor_names(e.auditor)
        for number in e.covers:
            if number not in catalog:
                continue
            for leaf in catalog.leaves_under(number):
                r = leaves_of.get(leaf)
                if r is None:
                    continue
                owner = " ".join((r.applying.owner or "").split()).casefold() if r.applying else ""
                if leaf in in_place and e.date < in_place[leaf][0]:
                    before.setdefault(leaf, []).append(e.id)
                elif owner and owner in names:
                    own.setdefault(leaf, []).append(e.id)
                else:
                    reached.setdefault(leaf, []).append(e.id)
    leaves = {n: tuple(dict.fromkeys(reached.get(n, ()))) for n in leaves_of}
    return Coverage(tuple(e.id for e in audits), leaves, tuple(n for n, ids in leaves.items() if not ids),
                    window, since, before={n: tuple(dict.fromkeys(v)) for n, v in before.items()},
                    own={n: tuple(dict.fromkeys(v)) for n, v in own.items()}, in_place=in_place,
                    untimed=tuple(n for n in leaves_of if n not in in_place),
                    empty=tuple(e.id for e in recent if not e.covers))


#: the reasons an internal audit that reached a leaf does not cover it (notes on the leaf; gap report rows)
COVERAGE_NOTES = ("audited-before-in-place", "auditor-own-work")


def coverage_reasons(cov: Coverage, leaf: str, audits: Mapping[str, Evidence],
                     owner: Optional[str]) -> list[Reason]:
    """Why an uncovered leaf's audits did not count (notes: they do not change its state, the stage 2
    ``internal-audit-coverage`` check names the leaf)."""
    if leaf not in cov.uncovered:
        return []
    out = []
    if cov.before.get(leaf):
        ids = cov.before[leaf]
        day, source = cov.in_place[leaf]
        out.append(reason("audited-before-in-place", ids, in_place=day, source=source,
                          audited=tuple(audits[i].date for i in ids)))
    if cov.own.get(leaf):
        out.append(reason("auditor-own-work", cov.own[leaf], owner=owner or ""))
    return out


def review_inputs(project: Project, mapped: Mapping[str, list[Evidence]], as_of: date) -> ReviewInputs:
    """The latest management review record within the 9.3.3 window, and the 9.3.2 inputs it lists as considered
    (the vocabulary follows 9.3.2 a) to f), with c) in its seven parts).

    The review is a record (``kind: record``) mapped to 9.3 or one of its sub-clauses, dated within the window;
    when some are mapped to 9.3 itself or to 9.3.3 (the record of the review's results), the latest of those.
    Inputs are read from that one record only: another record (a tick list, an agenda) adds nothing."""
    catalog = project.catalog
    clause, parent, inputs = catalog.role("review"), catalog.role("review_parent"), catalog.role("review_inputs")
    if clause is None:
        return ReviewInputs(None, None, (), REVIEW_INPUTS)
    since = months_before(as_of, window_of(project, clause))
    family = [parent, *catalog.descendants(parent)] if parent in catalog \
        else [n for n in (clause, inputs) if n]
    records = _recent(list(dict.fromkeys(e for n in family for e in mapped.get(n, []))), as_of, since)
    minutes = [e for e in records if {parent, clause} & set(e.clauses)]
    reviews = minutes or records
    if not reviews:
        return ReviewInputs(None, None, (), REVIEW_INPUTS)
    latest = reviews[-1]
    considered = tuple(i for i in REVIEW_INPUTS if i in latest.inputs)
    return ReviewInputs(latest.id, latest.date, considered, tuple(i for i in REVIEW_INPUTS if i not in considered))


# --------------------------------------------------------------------------- stage gates


CLIMATE_TOPIC = "climate-change"  # transition-topics.yaml: the topic whose first clause holds the determination


def climate_undetermined(project: Project, mapped: Mapping[str, list[Evidence]], as_of: date,
                         known: Optional[date] = None) -> Optional[Reason]:
    """Why the climate-change determination (Amendment 1:2024, the climate topic's clauses) is missing, or None.

    It is made by current evidence carrying ``topics: [climate-change]`` mapped to the topic's first clause (or
    a sub-clause of it), or by ``climate_change: {relevant, decided}`` in organisation.yaml decided on or
    before the date the facts are known. Otherwise that clause is at risk (``climate-undetermined``).
    """
    topic = next((t for t in load_topics().topics if t.key == CLIMATE_TOPIC), None)
    if topic is None or not topic.clauses or topic.clauses[0] not in project.catalog:
        return None
    clause = topic.clauses[0]
    known = known or as_of
    decision = project.organisation.climate_change
    if decision and decision.relevant is not None and decision.decided and decision.decided <= known:
        return None
    reach = [clause, *project.catalog.descendants(clause)]
    if any(CLIMATE_TOPIC in e.topics and not e.is_stale(as_of) for n in reach for e in mapped.get(n, [])):
        return None
    later = decision.decided if decision and decision.decided and decision.decided > known else None
    return reason("climate-undetermined", clause=clause, clauses=topic.clauses, topic=CLIMATE_TOPIC,
                  **({"decided": later} if later else {}))


NEW_REQUIREMENT_CHANGES = ("new", "changed")  # catalog ``change:`` values that add to what a clause asks


def unevidenced_new_requirements(project: Project, mapped: Mapping[str, list[Evidence]],
                                 as_of: date) -> dict[str, Reason]:
    """Leaves of the new edition whose requirement is new or changed and that no evidence for it supports yet.

    Only in a project on the new edition (after ``migrate``). Evidence counts for such a leaf when it is current,
    mapped to the leaf, and either carries a transition topic whose clauses reach the leaf, or is dated (or
    approved) after the move (organisation.yaml ``migrated:``, never before the edition's publication in the
    transition data). Without ``migrated:`` only the topic counts. Otherwise the leaf is at most at risk
    (``new-requirement-unevidenced``).
    """
    topics = load_topics()
    catalog = project.catalog
    if catalog.standard != topics.standard:
        return {}
    published = topics.dates.publication
    moved = project.organisation.migrated  # None: the day of the move is unknown, so no date can count
    since = max(moved, published) if moved and published else moved
    out: dict[str, Reason] = {}
    for clause in catalog.clauses:
        if not clause.is_leaf or clause.change not in NEW_REQUIREMENT_CHANGES:
            continue
        keys = tuple(t.key for t in topics.topics if clause.number in topic_reach(project, t.clauses))
        current = [e for e in mapped.get(clause.number, []) if not e.is_stale(as_of)]
        shown = [e for e in current if set(keys) & set(e.topics) or (since and any(
            d and since < d <= as_of for d in (e.date, e.approved)))]
        if not shown:
            out[clause.number] = reason("new-requirement-unevidenced", [e.id for e in current],
                                        change=clause.change, edition=catalog.standard, since=since,
                                        topics=keys)
    return out


def _current(evidence: list[Evidence], as_of: date, kind: Optional[str] = None) -> list[Evidence]:
    return [e for e in evidence if not e.is_stale(as_of) and (kind is None or e.kind == kind)]


def _with_gates(r: Readiness, project: Project, as_of: date, mapped: dict[str, list[Evidence]]) -> Readiness:
    """Judge the standard's gate checks (its data names each check's id, stage, kind and clauses), in order."""
    judge = _GateJudge(r, project, as_of, mapped)
    for check in project.catalog.gates:
        judge.items[check.id] = replace(GATE_KINDS[check.kind](judge, check), check=check.id)
    gates = {stage: Gate(stage, tuple(judge.items[c.id] for c in project.catalog.gates if c.stage == stage))
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
        return _current(list(dict.fromkeys(found)), self.as_of, kind)

    def recent(self, number: str) -> list[Evidence]:
        """Records of a recurring activity within its window (the internal audit, the management review)."""
        return _recent(self.mapped.get(number, []), self.as_of, months_before(self.as_of,
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
        why = reason("gate-major-open", findings=blocking, open=majors,
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
                                             g.due or date.max, _clause_key(g.clause))))


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
            out.append(Lapse(e.review_by, "review-due", e.clauses, before(e.review_by + _DAY), evidence=e.id))
    for m in r.mandatory:
        if m.state == PRESENT and m.kind == "retain" and m.closes and m.evidence:
            newest = max(m.evidence, key=lambda i: (dated[i], i))
            closes = m.closes
            if r.as_of < closes <= last:
                out.append(Lapse(closes, "window-closes", (m.clause,), before(closes), evidence=newest))
    for fr in r.findings:
        f = fr.finding
        if f.is_open and f.due and r.as_of <= f.due < last and f.grade in NONCONFORMITIES:
            out.append(Lapse(f.due, "finding-due", f.clauses, before(f.due + _DAY), finding=f.id))
    for t in r.targets:
        if r.as_of <= t.target < last:
            out.append(Lapse(t.target, "target", (t.clause,), before(t.target + _DAY), clause=t.clause))
    return tuple(sorted(out, key=lambda x: (x.date, x.kind, x.evidence or x.finding or x.clause or "")))


_DAY = timedelta(days=1)


# --------------------------------------------------------------------------- the transition to ISO 9001:2026

ADDRESSED, GAP = "addressed", "gap"


@dataclass(frozen=True, slots=True)
class TopicResult:
    """One transition topic (transition-topics.yaml) and whether current evidence addresses it."""

    key: str
    clauses: tuple[str, ...]  # clauses of the new edition
    state: str  # addressed | gap
    evidence: tuple[str, ...]  # current records that address it: they name the topic, or sit on its clauses
    reason: Reason
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class TransitionResult:
    """The project's readiness for the new edition, topic by topic, and the dates to move by."""

    to: str  # "ISO 9001:2026"
    deadline: Optional[date]  # organisation.yaml transition.deadline (from the CB); None when not given
    audit: Optional[date]  # the planned transition audit
    deadline_days: Optional[int]  # from the as-of date; negative when past
    audit_days: Optional[int]
    topics: tuple[TopicResult, ...]

    @property
    def addressed(self) -> int:
        return sum(t.state == ADDRESSED for t in self.topics)

    @property
    def gaps(self) -> tuple[TopicResult, ...]:
        return tuple(t for t in self.topics if t.state == GAP)


def _transition_applies(project: Project) -> bool:
    return project.catalog.standard == load_topics().from_standard


def topic_reach(project: Project, clauses: Iterable[str]) -> set[str]:
    """A topic's clauses that the project's catalog has, with their sub-clauses."""
    reach: set[str] = set()
    for number in clauses:
        if number in project.catalog:
            reach |= {number, *project.catalog.descendants(number)}
    return reach


def transition(project: Project, as_of: date) -> TransitionResult:
    """Each topic the new edition adds or changes, addressed or a gap on ``as_of``.

    A topic is addressed only by current evidence (existing on ``as_of`` and not past its review date) mapped to
    one of the topic's clauses or a sub-clause of one; in an old-edition project the record must also name the
    topic in ``topics:`` (the same number holds the old requirement there). A record naming the topic but mapped
    elsewhere addresses nothing (``topic-unmapped``, named).
    """
    data = load_topics()
    on_new = project.catalog.standard == data.standard
    existing = [e for e in project.evidence if not (e.date and e.date > as_of)]
    results = []
    for topic in data.topics:
        reach = topic_reach(project, topic.clauses)
        # a keyword is no evidence: the record must sit on one of the topic's clauses (in an old-edition project
        # it must also name the topic, since the same number holds the old requirement there)
        naming = [e for e in existing if reach & set(e.clauses) and (on_new or topic.key in e.topics)]
        elsewhere = tuple(e.id for e in existing if topic.key in e.topics and not reach & set(e.clauses)
                          and not e.is_stale(as_of))
        current = tuple(e.id for e in naming if not e.is_stale(as_of))
        if current:
            state, why = ADDRESSED, reason("topic-addressed", current, topic=topic.key, clauses=topic.clauses)
        elif naming:
            state, why = GAP, reason("topic-stale", [e.id for e in naming], topic=topic.key, clauses=topic.clauses,
                                     review_by=min(e.review_by for e in naming if e.review_by))
        elif elsewhere:
            state, why = GAP, reason("topic-unmapped", elsewhere, topic=topic.key, clauses=topic.clauses)
        else:
            state, why = GAP, reason("topic-gap", topic=topic.key, clauses=topic.clauses)
        results.append(TopicResult(topic.key, topic.clauses, state, current, why, topic.provisional))
    t = project.organisation.transition
    deadline, audit = (t.deadline, t.audit) if t else (None, None)
    return TransitionResult(
        to=data.standard, deadline=deadline, audit=audit,
        deadline_days=(deadline - as_of).days if deadline else None,
        audit_days=(audit - as_of).days if audit else None, topics=tuple(results))


# --------------------------------------------------------------------------- the certificate and its edition

VALID, NOT_YET, EXPIRED = "valid", "not-yet-valid", "expired"


@dataclass(frozen=True, slots=True)
class CertificateResult:
    """The certificate organisation.yaml records, judged on the as-of date: a claim only while it is valid."""

    state: str  # valid | not-yet-valid | expired
    reason: Reason  # certificate-valid | certificate-not-yet-valid | certificate-expired
    #: a certificate to the old edition that expires after the transition deadline (certificate-past-transition)
    transition: Optional[Reason] = None

    @property
    def valid(self) -> bool:
        return self.state == VALID


def transition_deadline(project: Project) -> tuple[Optional[date], str, str]:
    """The date certificates to the old edition end: organisation.yaml's transition.deadline (from the CB), else
    the edition data's reported default; with where it comes from and its confidence."""
    t = project.organisation.transition
    if t and t.deadline:
        return t.deadline, "organisation", "confirmed"
    dates = load_topics().dates
    return dates.deadline, "edition-data", dates.deadline_confidence or "low"


def certificate_on(project: Project, as_of: date) -> Optional[CertificateResult]:
    """Whether the recorded certificate may be claimed on ``as_of``: never before it is issued nor after it
    expires; and, for one to the old edition, whether it outlives the transition deadline."""
    cert = project.organisation.certificate
    if not (cert and cert.number):
        return None
    if cert.issued and cert.issued > as_of:
        state, why = NOT_YET, reason("certificate-not-yet-valid", issued=cert.issued)
    elif cert.expires and cert.expires < as_of:
        state, why = EXPIRED, reason("certificate-expired", expires=cert.expires)
    else:
        state, why = VALID, reason("certificate-valid", issued=cert.issued, expires=cert.expires)
    past = None
    if _transition_applies(project) and cert.expires:
        deadline, source, confidence = transition_deadline(project)
        if deadline and cert.expires > deadline:
            past = reason("certificate-past-transition", expires=cert.expires, deadline=deadline, source=source,
                          confidence=confidence, to=load_topics().standard, edition=project.catalog.standard)
    return CertificateResult(state, why, past)


def edition_accepted(project: Project, as_of: date) -> GateItem:
    """Stage 2 check ``edition-accepted``: a stage 2 (the booked one, else one on ``as_of``) to the old edition on
    or after the date from which new certifications must use the new one is refused. While that date is
    provisional (edition data short of high confidence) the check warns and passes."""
    booked = project.organisation.audits.get("stage2")
    day = booked or as_of
    dates = load_topics().dates
    edition = project.catalog.standard
    if not _transition_applies(project) or not dates.new_certificates_date or day < dates.new_certificates_date:
        return GateItem("edition-accepted", True, reason(
            "gate-edition-ok", edition=edition, stage2=booked, new_from=dates.new_certificates_date,
            to=dates.to, applies=_transition_applies(project)))
    params = dict(edition=edition, stage2=day, new_from=dates.new_certificates_date,
                  reported=dates.new_certificates_from, to=dates.to,
                  confidence=dates.new_certificates_confidence, sources=dates.new_certificates_sources)
    if dates.new_certificates_provisional:
        return GateItem("edition-accepted", True, reason("gate-edition-provisional", **params))
    return GateItem("edition-accepted", False, reason("gate-edition-refused", **params), clauses=())


#: the kinds of gate check (a standard's gates file names one per check; docs/standards.md documents each)
GATE_KINDS = {
    "present": _present, "every": _every, "mandatory": _mandatory, "performed": _performed,
    "all-clauses-ready": _all_clauses_ready, "audit-coverage": _audit_coverage,
    "review-after-audit": _review_after_audit, "no-open-major": _no_open_major,
    "no-overdue-actions": _no_overdue_actions, "concerns-resolved": _concerns_resolved,
    "evidence-behind": lambda j, check: _evidence_behind(j.r, j.project),
    "documents-current": _documents_still_current,
    "edition-accepted": lambda j, check: edition_accepted(j.project, j.as_of),
}
