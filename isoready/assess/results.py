"""The records assess returns: reasons (code, parameters, ids), clause results, gates, findings, coverage,
the readiness of one date, the transition and the certificate. Data only; the rules are in the other modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping, Optional

from isoready.model import Assessment, Finding


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
    #: uncovered leaf -> the audits an audit-programme register plans (not done) by the stage 2 date that would
    #: reach it, each (audit, planned date, the register's evidence id): "covered if done as planned"; never
    #: counted as covered
    planned: Mapping[str, tuple[tuple[str, date, str], ...]] = field(default_factory=dict)
    #: a multi-site organisation (issue 25): uncovered leaf -> the sites where it applies and no audit of that
    #: site covers it (an audit of one site never covers another; an audit naming no site counts at every site)
    unaudited_at: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Lapse:
    """Something that runs out between the as-of date and the last booked audit, assuming nothing changes."""

    date: date
    kind: str  # review-due | window-closes | finding-due | target | calibration-due | competence-expires | evaluation-due
    clauses: tuple[str, ...]
    before: str  # the first booked audit on or after the date: stage1 | stage2
    evidence: Optional[str] = None
    finding: Optional[str] = None
    clause: Optional[str] = None
    #: a register's lapse: the item (a gauge's id, a supplier, a competence: never a person) and its row
    item: Optional[str] = None
    row: Optional[int] = None


@dataclass(frozen=True, slots=True)
class RegisterResult:
    """What assess found in one register's content (issue 24): the flags per row and the reasons.

    ``flags``: row number -> flag codes, among REGISTER_FLAGS. ``reasons``: the register's judgements (each also
    sits on the clauses it affects, in their ClauseResult). ``series``: objectives only: objective -> its
    (period, target, actual) points, oldest first, for the chart. ``monthly``: nonconformities only:
    (YYYY-MM, raised, closed) per month, oldest first.
    """

    evidence: str
    kind: str
    rows: int
    flags: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()
    series: Mapping[str, tuple[tuple[date, float, float], ...]] = field(default_factory=dict)
    monthly: tuple[tuple[str, int, int], ...] = ()


#: the flags a register row may carry (RegisterResult.flags), in the order pages show them
REGISTER_FLAGS = ("overdue", "failed", "unapproved", "evaluation-overdue", "expired", "in-training",
                  "behind-target", "no-recent-result", "audit-overdue", "not-compliant", "open-too-long")


@dataclass(frozen=True, slots=True)
class ReviewInputs:
    """The inputs (9.3.2) the latest management review within its window considered."""

    review: Optional[str]  # the record's id; None when no review is within the window
    date: Optional[date]
    considered: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SiteResult:
    """One site judged on its own (issue 25): the site's records only (those without ``sites:`` count at every
    site), its own assessments and findings, and coverage only by the audits of that site."""

    site: str  # the site's id
    readiness: "Readiness"

    @property
    def audited(self) -> bool:
        """Internal audits of this site within the window reach every applicable leaf of it."""
        cov = self.readiness.coverage
        return bool(cov and cov.audits and not cov.uncovered)


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
    #: each register's content judged (records declaring ``register:``), in evidence-id order
    registers: tuple[RegisterResult, ...] = ()
    #: a multi-site organisation (``sites:``, issue 25): each site judged on its own, in declared order; empty
    #: for a project of one site
    sites: tuple["SiteResult", ...] = ()

    def share(self, state: str) -> Optional[float]:
        counts = {READY: self.state_counts[READY], AT_RISK: self.state_counts[AT_RISK],
                  NOT_READY: self.state_counts[NOT_READY]}
        return counts[state] / self.leaves_applicable if self.leaves_applicable else None


#: a review falling due within this many days is "due soon" on the freshness chart
FRESHNESS_DUE_DAYS = 90
FRESHNESS_BANDS = ("current", "due-90", "stale", "no-review")


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
