"""The view-models of records and page parts: frozen data a template prints."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping, Optional

from isoready.core.text import Md


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ClauseLink:
    number: str
    name: str
    url: str
    official: bool
    provisional: bool = False  # an ISO 9001:2026 entry resting on the FDIS or secondary sources
    name_lang: str = ""  # "en" when its name fell back to English in another language (lang="en" on it)


@dataclass(frozen=True, slots=True)
class DocumentView:
    path: str  # inside the site
    url: str
    name: str
    size: int
    size_text: str
    sha256: str
    page_url: Optional[str]  # rendered page for Markdown documents
    source: str  # path under evidence/
    as_text: bool = False  # an HTML/SVG/script document, published with ".txt" added so it never runs


@dataclass(frozen=True, slots=True)
class EvidenceRowView:
    """A record as a list prints it (the register's pages, a clause's evidence table, the report's rows, the gap
    report's stale evidence, the exports' per-clause lists): the fields those rows show, no more. A page holding
    rows is then equal to the last one when only what no row shows (a description, a revision) changed, and
    serve does not render it again. ``EvidenceView``, the record's own page, holds these fields and more."""

    id: str
    url: str
    title: str
    kind: str
    kind_label: str
    clauses: tuple[ClauseLink, ...]
    owner: str
    date: str
    review_by: str
    stale: bool
    document: Optional[DocumentView]
    external_url: Optional[str]
    sort_clause: str
    add_url: str  # a new record for its first clause (the "Add evidence" link of a stale record)


@dataclass(frozen=True, slots=True)
class EvidenceView(EvidenceRowView):
    """A record as its own page shows it: its row's fields (``EvidenceRowView``) and the rest."""

    audience: str
    version: str
    description: Md
    source: str
    findings: tuple[Link, ...] = ()
    date_label: str = "Issued"  # documents are issued, records are recorded
    approved_by: str = ""
    approved: str = ""
    revisions: tuple["RevisionView", ...] = ()  # of the record's YAML file, newest first (git)
    document_revisions: tuple["RevisionView", ...] = ()  # of the document's file, newest first (git)
    revisions_note: str = ""  # why there is no revision history (no git), or ""
    revisions_caption: str = ""  # "Register entry: 3 commits, newest first"
    document_revisions_caption: str = ""
    changed_since_approval: str = ""  # the sentence, when the document changed after its approval
    edit_url: str = ""  # the register entry on its git host (repository:), when this build shows such links
    view_url: str = ""
    register_url: str = ""  # its file's register page (``register:``), when this build shows the register
    file_note: str = ""  # why its file is not published in this build (a register naming people), or ""


_ROW_FIELDS = tuple(f.name for f in fields(EvidenceRowView))


def evidence_row(e: EvidenceView) -> EvidenceRowView:
    """``e``'s row: its ``EvidenceRowView`` fields alone (made once for each record of a build)."""
    return EvidenceRowView(*[getattr(e, name) for name in _ROW_FIELDS])


@dataclass(frozen=True, slots=True)
class RevisionView:
    """One commit in a file's revision history; the author only in internal builds."""

    date: str
    commit: str  # short id
    subject: str
    author: str = ""


@dataclass(frozen=True, slots=True)
class MandatoryView:
    clause: ClauseLink
    kind_label: str
    what: str
    when: str
    state: str
    state_label: str
    reason: str
    is_gap: bool
    evidence: tuple[Link, ...]
    code: str = ""  # the reason's code
    add_url: str = ""  # "Add evidence": the host's new-file page with a record for this item, when it is a gap
    term_url: str = ""  # the state's glossary entry ("out of window", "undeclared"), if it has one
    what_lang: str = ""  # "en" when the catalog's words for it fell back to English in another language


@dataclass(frozen=True, slots=True)
class FindingView:
    id: str
    url: str
    grade: str
    grade_label: str
    status: str
    raised: str
    due: str
    closed: str
    overdue: bool
    description: Md
    action: Md
    clauses: tuple[ClauseLink, ...]
    evidence: tuple[Link, ...]
    owner: str
    audience: str
    source: str
    hidden_evidence: int = 0
    hidden_evidence_text: str = ""
    subject: str = ""  # what the finding is about: its description's first sentence, plain text
    is_open: bool = False
    status_label: str = ""  # "Open", "Closed 2026-03-10"
    due_flag: str = ""  # "overdue" | "due-today" | ""
    due_flag_label: str = ""  # "Overdue" | "Due today" | ""
    # the corrective-action lifecycle (issue 10)
    correction: Md = Md("")
    root_cause: Md = Md("")
    corrective_action: Md = Md("")
    verification: Md = Md("")  # one sentence: when, by whom, effective or not
    requirement: Md = Md("")
    origin: str = ""  # source: internal-audit | certification-body | ...
    origin_label: str = ""
    audit: Optional[Link] = None  # the audit record that raised it, when this audience may see it
    verification_date: str = ""
    verification_by: str = ""
    verification_effective: Optional[bool] = None
    verification_evidence: tuple[Link, ...] = ()
    unverified: bool = False  # closed nonconformity without a verification of effectiveness
    due_today: bool = False
    edit_url: str = ""  # the finding's file on its git host (repository:), when this build shows such links
    view_url: str = ""


@dataclass(frozen=True, slots=True)
class InputView:
    key: str
    label: str
    considered: bool


@dataclass(frozen=True, slots=True)
class ClauseView:
    number: str
    name: str
    official: bool
    url: str
    main: str
    depth: int
    is_leaf: bool
    parent: Optional[ClauseLink]
    ancestors: tuple[ClauseLink, ...]
    children: tuple["ClauseRowView", ...]
    status: str
    status_label: str
    assessed: bool
    status_from: Optional[ClauseLink]
    applicable: bool
    state: str
    state_label: str
    reasons: tuple[str, ...]
    readiness: str
    readiness_bar: int  # 0..100, ready or at risk
    owner: str
    target: str
    target_after_audit: str  # "" or a warning sentence
    notes: Md
    justification: str
    about: str
    evidence_asked: tuple[str, ...]
    exclusion: str
    mandatory: tuple[MandatoryView, ...]
    evidence: tuple[EvidenceRowView, ...]
    hidden_evidence: int
    findings: tuple[FindingView, ...]
    hidden_findings: int
    documented_information: tuple[tuple[str, str, str], ...]  # (kind label, what, when)
    #: the open findings that weigh on its state (assess: open on the as-of date, on it or an ancestor), as every
    #: export lists them; ``findings`` is every finding related to it, any status, as its page lists them
    open_findings: tuple[FindingView, ...] = ()
    hidden_evidence_text: str = ""
    hidden_findings_text: str = ""
    exclusion_text: str = ""
    exclusion_test: str = ""  # the catalog's test every exclusion must pass, on the scope clause's page
    reason_codes: tuple[str, ...] = ()  # beside reasons, one code each (docs/rules.md)
    title: str = ""  # the catalog's own title or label (name may add the parent's, for "General")
    verified_by: Optional[str] = None  # the audit record's id, when this audience may see it
    conditions: Mapping[str, Optional[bool]] = field(default_factory=dict)
    inputs: tuple["InputView", ...] = ()  # 9.3.2: the management review inputs checklist
    inputs_review: Optional[Link] = None
    verified_by_link: Optional[Link] = None
    readiness_value: Optional[float] = None
    # the edition's own facts (ISO 9001:2026): what changed from 2015, and whether it rests on provisional sources
    provisional: bool = False
    change: str = ""  # new | changed | split | moved | unchanged, or "" (the 2015 catalog says nothing)
    change_label: str = ""  # "Changed in ISO 9001:2026"
    sources: tuple[str, ...] = ()
    edit_url: str = ""  # the clause's assessment file on its git host (repository:), when it has one
    view_url: str = ""
    add_url: str = ""  # "Add evidence": a new record for this clause on the host's new-file page
    mandatory_caption: str = ""  # the caption of the clause's mandatory documented information table
    evidence_caption: str = ""  # the caption of its evidence table
    #: "en" where the catalog's words fell back to English in a build in another language (the element gets
    #: lang="en"), "" where they are in the build's language
    name_lang: str = ""
    about_lang: str = ""
    evidence_asked_lang: str = ""
    documented_information_lang: str = ""
    exclusion_test_lang: str = ""


@dataclass(frozen=True, slots=True)
class ClauseRowView:
    number: str
    name: str
    official: bool
    url: str
    depth: int
    status: str
    status_label: str
    state: str
    state_label: str
    readiness: str
    owner: str
    target: str
    evidence_count: int
    assessed: bool
    provisional: bool = False
    add_url: str = ""  # "Add evidence" for this clause (printed where the row is a gap)
    name_lang: str = ""  # "en" when its name fell back to English in another language


@dataclass(frozen=True, slots=True)
class MainView:
    number: str
    name: str
    url: str
    readiness: str  # "60% ready · 20% at risk · 20% not ready"
    value: Optional[float]  # ready or at risk (readiness.json's by_main_clause)
    state: str
    state_label: str
    shares: tuple[tuple[str, float], ...] = ()  # (state, share) for ready, at-risk, not-ready


@dataclass(frozen=True, slots=True)
class TargetView:
    clause: ClauseLink
    target: str
    owner: str
    status_label: str
    warning: str
    overdue: str = ""  # "Overdue" when the target date has passed with the work still open, as the gap report says


@dataclass(frozen=True, slots=True)
class AuditView:
    name: str
    date: str
    countdown: str


@dataclass(frozen=True, slots=True)
class GateItemView:
    name: str
    passed: bool
    reason: str
    evidence: tuple[Link, ...]
    check: str = ""  # the stable check id (docs/rules.md)
    code: str = ""  # the reason's code


@dataclass(frozen=True, slots=True)
class GateDateView:
    """A gate judged on its booked audit date, assuming nothing changes."""

    date: str
    passed: bool
    items: tuple[GateItemView, ...]
    summary: str


@dataclass(frozen=True, slots=True)
class GateView:
    key: str
    name: str
    passed: bool
    items: tuple[GateItemView, ...]
    summary: str
    on_date: Optional[GateDateView] = None
    verdict: str = ""  # "Stage 1 passes today; on 2027-01-19 it fails: ..."
    stage: str = ""  # "Stage 1"


@dataclass(frozen=True, slots=True)
class BlockerView:
    """One thing that fails a gate today, with who owns it and where to look."""

    stage: str
    check: str
    what: str  # the check's name
    clause: Optional[ClauseLink]
    owner: str
    reason: str
    url: str


@dataclass(frozen=True, slots=True)
class LapseView:
    date: str
    kind: str
    kind_label: str
    text: str
    url: str
    before: str  # "stage 1"
    before_key: str  # "stage1"
    clauses: tuple[ClauseLink, ...]
    evidence: Optional[str] = None
    finding: Optional[str] = None
    clause: Optional[str] = None


@dataclass(frozen=True, slots=True)
class CoverageRowView:
    clause: ClauseLink
    audits: tuple[bool, ...]  # one per audit column
    covered: bool
    sites: str = ""  # a multi-site organisation: the ids of the sites where the clause applies (the site filter)
    uncovered_at: str = ""  # ... and of those where no internal audit of that site covers it


@dataclass(frozen=True, slots=True)
class CoverageView:
    audits: tuple[Link, ...]  # one column per audit record within the window (text: date, note: auditor)
    rows: tuple[CoverageRowView, ...]
    uncovered: tuple[ClauseLink, ...]
    summary: str
    hidden_text: str
    timing: str = ""  # whether each leaf's audits could be checked against the date it was in place
    not_counted: tuple[tuple[ClauseLink, str], ...] = ()  # uncovered leaves whose audits did not count, and why
    empty_text: str = ""  # audit records within the window that list no covers: not contributing
    site_filter: Optional["SiteFilterView"] = None  # a multi-site organisation's filter of the rows and columns
    audit_sites: tuple[str, ...] = ()  # per audit column, the ids of the sites it audited (the site filter)


@dataclass(frozen=True, slots=True)
class CountView:
    key: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class ExclusionView:
    clause: ClauseLink
    covers: tuple[ClauseLink, ...]
    justification: str
    rule: str  # "possible" | "rare"
    rule_label: str
    test_applied: str = ""  # the exclusion test applied to this exclusion, in the report


@dataclass(frozen=True, slots=True)
class GapRowView:
    clause: ClauseRowView
    urgency: str
    urgency_label: str
    due: str
    reasons: tuple[str, ...]
    add_url: str = ""  # "Add evidence" for the row's clause
    sites: str = ""  # a multi-site organisation: the ids of the sites where the clause is not ready or at risk


@dataclass(frozen=True, slots=True)
class GapsView:
    not_ready: tuple[ClauseRowView, ...]
    not_implemented: tuple[ClauseRowView, ...]
    mandatory: tuple[MandatoryView, ...]
    stale: tuple[EvidenceRowView, ...]
    hidden_stale: int
    without_evidence: tuple[ClauseRowView, ...]
    open_findings: tuple[FindingView, ...]
    hidden_findings: int
    counts: dict = field(default_factory=dict)  # section -> number shown in the table of contents
    hidden_stale_text: str = ""
    hidden_findings_text: str = ""
    rows: tuple[GapRowView, ...] = ()  # one list, most urgent first
    show_findings: bool = True  # false: the findings section says only FINDINGS_NOT_PUBLISHED, with no count
    site_filter: Optional["SiteFilterView"] = None  # a multi-site organisation's filter of the rows
    #: a multi-site organisation: each open finding's sites (ids, space-separated: its row's data-sites)
    finding_sites: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SiteFilterView:
    """A multi-site organisation's site filter above a table (the coverage matrix, the gap report): a select
    that portal.js brings to life (hidden without the script, which then shows every row)."""

    label: str
    all_label: str
    options: tuple[tuple[str, str], ...]  # (site id, its name)
    note: str
    also: str = ""  # the ids of further tables on the page whose rows the same choice filters (space-separated)


@dataclass(frozen=True, slots=True)
class RegisterPageView:
    """One page of the evidence register (1,000 rows a page keeps each page small at any size)."""

    url: str
    number: int
    rows: tuple[EvidenceRowView, ...]
    summary: str  # "39 records in this build" or "records 1,001 to 2,000 of 10,039 in this build"
    hidden_text: str
    pager: tuple[Link, ...]  # every page; the current one has note "current"


@dataclass(frozen=True, slots=True)
class SectionView:
    """One main clause with all its clauses, for the printable report."""

    main: MainView
    rows: tuple["ReportRowView", ...] = ()


@dataclass(frozen=True, slots=True)
class ReportRowView:
    clause: ClauseView
    evidence: tuple[EvidenceRowView, ...]  # at most REPORT_EVIDENCE
    more: str  # "and 540 more on the clause page", or ""
    # the clause's reasons, with an exclusion's justification replaced by a pointer to the Exclusions
    # section, so each justification is printed once in the report
    reasons: tuple[tuple[Segment, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a sentence; ``whole``: an id or date the report keeps on one line ("IA-2026-02")."""

    text: str
    whole: bool = False


@dataclass(frozen=True, slots=True)
class ReportGateView:
    """A gate for the report: its items' reasons split so no id breaks across lines."""

    gate: GateView
    reasons: tuple[tuple[Segment, ...], ...]  # one per item, in order


@dataclass(frozen=True, slots=True)
class Phrase:
    """A piece of a sentence, linked to the glossary when ``url`` is set (the chrome's audience note)."""

    text: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class GlossaryTermView:
    anchor: str  # the entry's id: glossary.html#<anchor>
    term: str
    text: str


@dataclass(frozen=True, slots=True)
class GlossaryView:
    intro: str
    terms: tuple[GlossaryTermView, ...]


# --------------------------------------------------------------------------- registers (issue 24)


@dataclass(frozen=True, slots=True)
class RegisterColumnView:
    name: str  # the canonical column
    label: str  # its heading
    sort: str = "text"  # how the script sorts it: text | number


@dataclass(frozen=True, slots=True)
class FlagView:
    code: str  # among assess.REGISTER_FLAGS
    label: str


@dataclass(frozen=True, slots=True)
class RegisterRowView:
    """One row of a register as its page prints it: each column's text and sort key, its flags."""

    row: int  # the row's number in its file
    cells: tuple[tuple[str, str], ...]  # (text, sort key), in the register's column order
    flags: tuple[FlagView, ...] = ()
    flags_key: str = "1"  # the Flags column's sort key: flagged rows first ("0 Overdue"), then the others ("1")


@dataclass(frozen=True, slots=True)
class RegisterProblemView:
    code: str
    where: str  # file and cell: "evidence/support/gauges.csv:7:3"
    text: str
    severity: str = "warning"
    row: Optional[int] = None  # the row's number in its file; None for the whole file (a missing column)


@dataclass(frozen=True, slots=True)
class RegisterView:
    """One register for one audience: its rows (none where the audience sees counts only), flags, problems,
    reasons and, for objectives, a chart per objective. Made from validate.redact.registers_for's registers."""

    evidence: str
    url: str
    title: str
    kind: str
    kind_label: str
    evidence_url: str
    file: str
    columns: tuple[RegisterColumnView, ...]
    rows: tuple[RegisterRowView, ...]
    row_count: int
    flagged_count: int
    summary: str  # "12 rows, 3 flagged"
    problems: tuple[RegisterProblemView, ...] = ()
    problem_count: int = 0
    reasons: tuple[str, ...] = ()
    reason_codes: tuple[str, ...] = ()
    flag_counts: tuple[tuple[str, int], ...] = ()  # (flag label, rows carrying it)
    counts_only: bool = False  # a register naming people, in a build that shows its counts only
    people_note: str = ""  # why names (or rows) are not shown in this build
    charts: tuple[Any, ...] = ()  # charts.ObjectiveChart, one per objective
    sheet: str = ""
