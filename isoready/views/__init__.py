"""View-models: everything a template prints, computed before rendering.

Templates receive these frozen objects only: each page its own view-model, plus
the small chrome model (``ChromeView``, as ``site``) that every page shares. No
rule, date arithmetic or counting happens here or in Jinja: every judgement comes
from assess; this module turns it into words. This is also where the build's
audience is applied, once: a record the audience may not see is left out here, so
nothing downstream (templates, exports, search index, PDF, archive) can reach it;
only aggregate counts of withheld records remain.

URLs in view-models are relative to the site root ("clauses/4.1.html");
templates prefix ``{{ SITEURL }}/``, which Pelican sets per page to a relative path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import quote, unquote
from typing import Any, Callable, Mapping, Optional, Sequence

from markupsafe import Markup

from .. import charts, repolinks
from ..catalog import load_catalog, load_topics
from ..assess import (AT_RISK, NOT_APPLICABLE, NOT_READY, READY, ClauseResult, LateTarget, MandatoryCheck,
                     Readiness, Reason)
from ..assess import MISSING, OUT_OF_WINDOW, REVIEW_INPUTS_CLAUSE, REVIEW_OVERDUE, window_of
from ..model import (AUDIENCES, FIGURES, HISTORY_VERSION, REVIEW_INPUTS, Evidence, Finding, Project, audience_rank,
                    findings_published, published_name)
from ..redact import redactor
from ..text import MAX_MARKDOWN_BYTES, Md, markdown

STATUS_LABELS = {
    "not-started": "Not started", "planned": "Planned", "in-progress": "In progress",
    "implemented": "Implemented", "verified": "Verified", "not-applicable": "Not applicable",
}
STATE_LABELS = {READY: "Ready", AT_RISK: "At risk", NOT_READY: "Not ready", NOT_APPLICABLE: "Not applicable"}
MANDATORY_LABELS = {"present": "Present", "review-overdue": "Present, review overdue", "missing": "Missing",
                    "out-of-window": "Out of window", "conditional": "Conditional", "undeclared": "Condition not declared",
                    "not-applicable": "Not required"}
#: mandatory states with a glossary entry
MANDATORY_TERMS = {"out-of-window": "out-of-window", "undeclared": "undeclared"}
ORIGIN_LABELS = {"internal-audit": "Internal audit", "certification-body": "Certification body audit",
                 "customer": "Customer", "gap-assessment": "Gap assessment", "management-review": "Management review",
                 "other": "Other"}
#: organisation.yaml applies: keys, in words
CONDITION_WORDS = {"traceability": "traceability of outputs", "customer_property": "customer or external-provider property",
                   "measurement_traceability": "measurement traceability"}
KIND_LABELS = {"document": "Document (maintained)", "record": "Record (retained)"}
DI_LABELS = {"maintain": "Document to maintain", "retain": "Record to retain"}
GRADE_LABELS = {"major": "Major nonconformity", "minor": "Minor nonconformity", "ofi": "Opportunity for improvement",
                "area-of-concern": "Area of concern (stage 1)"}
MARKDOWN_DOCS = (".md", ".markdown")

GLOSSARY_PATH = "glossary.html"
#: the glossary's words: (anchor, term, what it means in this portal). Pages link a term as glossary.html#anchor.
GLOSSARY = (
    ("as-of-date", "As-of date",
     "The day this portal judges readiness on. Every date check (evidence past its review date, records out of "
     "their window, overdue findings, the days left before an audit) is worked out for this day, not the day you "
     "open the page. It is shown at the top of every page; the next build judges again, on its own date."),
    ("audience", "Audience",
     "Who a build of the portal is for: public, auditor or internal. Each record may say who may see it with a "
     "line such as \"audience: public\"; a record without the line is for the auditor. A build shows the "
     "records for its audience and those for a wider one: an auditor build shows public and auditor records, an "
     "internal build shows everything. The readiness figures are the same in every build."),
    ("withheld", "Withheld",
     "Kept out of this build because the record is for a narrower audience than this build's. A withheld record "
     "is not shown, linked or named: pages only count it (\"2 records not shown in this build\"), and where a "
     "text would name it, \"[withheld]\" stands in its place. It still counts towards readiness."),
    ("out-of-window", "Out of window",
     "A record ISO 9001 asks you to keep exists, but none is recent enough. Each such record must be dated within "
     "a window before the as-of date: 12 months unless the catalog or your organisation file sets another (the "
     "reason on the clause page names it). Add a newer record to put it right."),
    ("undeclared", "Undeclared (condition not declared)",
     "ISO 9001 leaves a few conditions to you, such as whether your outputs must be traceable. Until your "
     "organisation file says true or false for one (under \"applies:\"), it is undeclared and the clause it "
     "affects is at risk. Leaving a condition out is not the same as false: declare it either way."),
    ("gate", "Gate (stage check)",
     "The checks the portal runs for one certification audit stage: stage 1 (documents, scope and readiness) "
     "and stage 2 (whether the system works in practice). A gate passes when all of its checks pass. The checks "
     "are indicative: they show what a certification body looks at, not how the audit will end."),
    ("commit", "Commit",
     "One saved version of the register in git, named by a short code such as 0123abcd. The code at the top of "
     "each page says which version this portal was built from, so anyone can find the exact files it shows. The "
     "trend and the changes since the last audit compare commits."),
)


def term_url(anchor: str) -> str:
    """The glossary entry of a term (one of GLOSSARY's anchors)."""
    return f"{GLOSSARY_PATH}#{anchor}"
EXCLUSION_TEXT = {"never": "cannot be declared not applicable", "rare": "rarely justifiable",
                  "possible": "may be declared not applicable with a justification"}
REGISTER_PAGE = 1000  # rows per register page
DUE_FLAG_LABELS = {"overdue": "Overdue", "due-today": "Due today"}
SUBJECT_CHARS = 160  # a finding's subject longer than this is cut at a word, with an ellipsis
DASHBOARD_BLOCKERS = 8
DASHBOARD_LAPSES = 5
REPORT_EVIDENCE = 12  # evidence titles per clause in the printable report
REPORT_BLOCKERS = 5  # blockers on page 1 of the printable report (it must stay one page)
#: the report prints the coverage matrix leaf by audit up to this many audits; with more it is too wide for a
#: page, and each audit is printed against the main clauses instead (how many of each one's leaves it reached)
REPORT_COVERAGE_AUDITS = 6
#: shown, visibly, wherever an ISO 9001:2026 entry marked provisional appears
PROVISIONAL_TEXT = "provisional: from the FDIS and secondary sources"
CHANGE_LABELS = {"new": "New in {std}", "changed": "Changed in {std}", "split": "Split in {std}",
                 "moved": "Moved in {std}", "retitled": "Retitled in {std}"}  # unchanged entries carry no badge
TOPIC_STATE_LABELS = {"addressed": "Addressed", "gap": "Gap"}


def shares_of(result: Any) -> tuple[tuple[str, float], ...]:
    """(state, share) of a clause's (or the whole system's) applicable leaves, ready / at risk / not ready."""
    if result.share(READY) is None:
        return ()
    return tuple((state, result.share(state)) for state in (READY, AT_RISK, NOT_READY))


def shares_text(shares: tuple[tuple[str, float], ...]) -> str:
    """Three figures, never a single one that counts "at risk" as ready."""
    if not shares:
        return "n/a"
    return " · ".join(f"{round(v * 100)}% {STATE_LABELS[k].lower()}" for k, v in shares if v or k == READY)


def display_name(catalog: Any, number: str) -> str:
    """A clause's name as lists show it: "General" sub-clauses carry their parent's title."""
    c = catalog[number]
    if c.title == "General" and c.parent:
        return f"General ({catalog[c.parent].name})"
    return c.name


def withheld(n: int, word: str) -> str:
    """The only trace a withheld record leaves: an aggregate count ('' when nothing is withheld)."""
    return f"{plural(n, word)} not shown in this build." if n else ""


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
#: Markdown marks; a hyphen or underscore inside a word ("MIC-03", "2026-10-02", "file_name") is kept
_MD_MARKS = re.compile(r"[`#>|~*]+|(?<![A-Za-z0-9])[-_]+|[-_]+(?![A-Za-z0-9])")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z0-9])")


def prose(text: str) -> str:
    """Markdown source as plain words on one line; hyphens in ids and dates survive."""
    return " ".join(_MD_MARKS.sub(" ", _MD_LINK.sub(r"\1", text or "")).split())


def subject(text: str, limit: int = SUBJECT_CHARS) -> str:
    """What a finding is about: the first sentence of its description's first paragraph, as plain text."""
    first = prose(re.split(r"\n\s*\n", (text or "").strip(), maxsplit=1)[0])
    first = _SENTENCE_END.split(first, maxsplit=1)[0]
    if len(first) <= limit:
        return first
    cut = first.rfind(" ", 0, limit)
    return first[:cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


def pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def plural(n: int, word: str, words: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


#: the page addresses remembered (per kind): every clause, record and finding of a 10,000-record register, and
#: room to spare; past it the least recently asked for are worked out again
URL_CACHE = 1 << 15


@lru_cache(maxsize=URL_CACHE)  # pure, and asked for tens of thousands of times per build
def clause_url(number: str) -> str:
    return "clauses/" + quote(f"{number}.html", safe="/")


@lru_cache(maxsize=URL_CACHE)  # pure, and asked for tens of thousands of times per build
def evidence_url(ev_id: str) -> str:
    """An evidence page's address for href: the id percent-encoded as UTF-8 ('/' kept), so ids in any script
    work from file://, over http and under a sub-path. The page's file is the unquoted path (``page_path``)."""
    return "evidence/" + quote(f"{ev_id}.html", safe="/")


@lru_cache(maxsize=URL_CACHE)  # pure, and asked for tens of thousands of times per build
def finding_url(fid: str) -> str:
    return "findings/" + quote(f"{fid}.html", safe="/")


def page_path(url: str) -> str:
    """The file a page URL of ours names (the inverse of the quoting above)."""
    return unquote(url) if "%" in url else url  # unquote itself is slow, even on text with nothing to decode


def document_url(path: str) -> str:
    """Where a document is copied; percent-encoded for use in href (file names may hold any character)."""
    return "files/" + quote(path, safe="/")


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
class EvidenceView:
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
    audience: str
    version: str
    description: Md
    document: Optional[DocumentView]
    external_url: Optional[str]
    source: str
    findings: tuple[Link, ...] = ()
    sort_clause: str = ""
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
    add_url: str = ""  # a new record for its first clause (the "Add evidence" link of a stale record)


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
    evidence: tuple[EvidenceView, ...]
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


@dataclass(frozen=True, slots=True)
class GapsView:
    not_ready: tuple[ClauseRowView, ...]
    not_implemented: tuple[ClauseRowView, ...]
    mandatory: tuple[MandatoryView, ...]
    stale: tuple[EvidenceView, ...]
    hidden_stale: int
    without_evidence: tuple[ClauseRowView, ...]
    open_findings: tuple[FindingView, ...]
    hidden_findings: int
    counts: dict = field(default_factory=dict)  # section -> number shown in the table of contents
    hidden_stale_text: str = ""
    hidden_findings_text: str = ""
    rows: tuple[GapRowView, ...] = ()  # one list, most urgent first
    show_findings: bool = True  # false: the findings section says only FINDINGS_NOT_PUBLISHED, with no count


@dataclass(frozen=True, slots=True)
class RegisterPageView:
    """One page of the evidence register (1,000 rows a page keeps each page small at any size)."""

    url: str
    number: int
    rows: tuple[EvidenceView, ...]
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
    evidence: tuple[EvidenceView, ...]  # at most REPORT_EVIDENCE
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


@dataclass(frozen=True, slots=True)
class ChromeView:
    """What every page's chrome (head, header, footer) prints; templates see it as ``site``."""

    organisation: str
    logo_url: Optional[str]
    as_of: str
    audience: str
    audience_note: str
    commit: str
    standard: str
    amendments: tuple[str, ...]
    transition: bool = False  # the site has a transition page (a project on the old edition): it is in the nav
    audience_words: tuple[Phrase, ...] = ()  # audience_note with its terms linked to the glossary


@dataclass(frozen=True, slots=True)
class PublishHintView:
    """A public build that publishes no evidence record: what to mark to publish one (the dashboard shows it)."""

    heading: str
    text: str
    example: str  # the line to add, shown as code
    after: str
    more: Optional[Link] = None  # the glossary's entry on audiences


@dataclass(frozen=True, slots=True)
class DashboardView:
    scope: Markup
    certification_body: str
    charts: charts.ChartSet
    leaves_ready: int
    leaves_applicable: int
    state_counts: tuple[CountView, ...]
    stale_count: int
    open_findings: int
    open_majors: int
    overdue_findings: int
    audits: tuple[AuditView, ...]
    mains: tuple[MainView, ...]
    gates: tuple[GateView, ...]
    mandatory: tuple[MandatoryView, ...]
    mandatory_text: str
    targets: tuple[TargetView, ...]
    certification: str = ""  # "Not yet certified to ISO 9001:2015." or the certificate
    certification_plan: str = ""  # "Audits booked with ...: stage 1 on ..., stage 2 on ..."
    show_findings: bool = True  # false in a public build that does not publish findings
    show_details: bool = True  # blockers, lapses and owners: not in a public build
    blockers: tuple[BlockerView, ...] = ()  # the first few; the stages page has them all
    blockers_more: str = ""
    lapses: tuple[LapseView, ...] = ()  # the next few
    lapses_more: str = ""
    figures: str = ""  # "12 ready · 20 at risk · 27 not ready of 59 applicable clauses"
    trend: Optional[charts.TrendChart] = None  # readiness over the commits (git history)
    trend_note: str = ""  # why there is no trend, or a remark on it (shallow clone)
    since_url: str = ""  # the "since last audit" page, when organisation.yaml names last_audit
    transition: Optional[TransitionPanelView] = None  # projects on ISO 9001:2015 only
    changed: Optional["ChangedPanelView"] = None  # projects on ISO 9001:2026 only: "what changed for you"
    publish_hint: Optional[PublishHintView] = None  # a public build with no public record: how to publish one


@dataclass(frozen=True, slots=True)
class TopicView:
    """One transition topic on the transition page."""

    key: str
    anchor: str  # "topic-<key>": the id the dashboard's gap links point at
    title: str
    clauses: tuple[Link, ...]  # the new edition's clauses: text "5.1.1", note its title there
    look_for: str  # our words
    provisional: bool
    provisional_text: str  # "" or PROVISIONAL_TEXT
    note: str
    state: str  # addressed | gap
    state_label: str
    reason: str
    evidence: tuple[Link, ...]  # visible records only
    hidden_text: str  # "1 record not shown in this build" or ""


@dataclass(frozen=True, slots=True)
class TransitionView:
    """The transition page (transition.html) of a project still on the old edition."""

    to: str
    from_standard: str
    summary: str  # "3 of 7 topics addressed"
    deadline: str  # ISO date or ""
    deadline_text: str  # "2029-09-15 (in 1,019 days)" or the reported default, to confirm
    audit: str
    audit_text: str
    topics: tuple[TopicView, ...]
    dates_note: str  # where the dates come from and "confirm with your certification body"
    certificate_text: str = ""  # a certificate to the old edition that expires after the deadline: move by when


@dataclass(frozen=True, slots=True)
class TransitionPanelView:
    """The dashboard's "Ready for ISO 9001:2026?" panel."""

    heading: str
    figures: str  # "3 of 7 topics addressed"
    addressed: int
    total: int
    gaps: tuple[Link, ...]  # each to transition.html#topic-<key>
    countdowns: tuple[Link, ...]  # text: "Transition deadline", note: "2029-09-15 (in 1,019 days)"
    url: str = "transition.html"


@dataclass(frozen=True, slots=True)
class ChangedRowView:
    """One new or changed requirement of the new edition, on the dashboard of a project already on it."""

    clause: Link  # url, "5.1.1 Leadership and commitment", change label
    state: str
    state_label: str
    reason: str  # why it is not yet shown, or what shows it


@dataclass(frozen=True, slots=True)
class ChangedPanelView:
    """The dashboard's "What changed for you in ISO 9001:2026" panel (projects on the new edition)."""

    heading: str
    figures: str  # "3 of 12 new or changed requirements shown by evidence"
    rows: tuple[ChangedRowView, ...]


@dataclass(frozen=True, slots=True)
class ClauseIndexView:
    title: str
    clause_rows: tuple[ClauseRowView, ...]


@dataclass(frozen=True, slots=True)
class FindingsView:
    findings: tuple[FindingView, ...]
    open_findings: int
    overdue_findings: int
    hidden_findings: int
    hidden_text: str
    open_rows: tuple[FindingView, ...] = ()  # shown, open: earliest due first, no due date last
    closed_rows: tuple[FindingView, ...] = ()  # shown, closed: most recently closed first
    open_heading: str = "Open"  # "Open (5)"
    closed_heading: str = "Closed"
    summary: str = ""  # "5 open, 1 overdue, 1 due today."
    published: bool = True  # false: the page says only FINDINGS_NOT_PUBLISHED (hidden_text)


@dataclass(frozen=True, slots=True)
class ApplicabilityView:
    exclusions: tuple[ExclusionView, ...]
    summary: str
    exclusion_test: str = ""  # the catalog's test every exclusion must pass, in our words


@dataclass(frozen=True, slots=True)
class StagesView:
    audits: tuple[AuditView, ...]
    gates: tuple[GateView, ...]
    mandatory: tuple[MandatoryView, ...]
    blockers: tuple[BlockerView, ...] = ()
    lapses: tuple[LapseView, ...] = ()
    hidden_lapses_text: str = ""
    coverage_summary: str = ""
    show_details: bool = True


@dataclass(frozen=True, slots=True)
class ReportCoverageRowView:
    label: str  # a leaf ("8.5.1 Control of production ...") or, compressed, an audit ("2026-09-22") or the total
    anchor: str  # the leaf's number (its row in the report links to #clause-<number>); "" for an audit row
    cells: tuple[str, ...]  # one per column: "✔" or "–" (leaf by audit), "3/5" (audit by main clause)
    last: str  # the last column: "yes" / "no" (covered), or the audit's auditor
    covered: bool = True


@dataclass(frozen=True, slots=True)
class ReportCoverageView:
    """The internal audit coverage matrix as the report prints it (ISO/IEC 17021-1 stage 2 asks for the
    whole system audited): applicable leaves by audit, or, with more audits than a page is wide, audits by main
    clause."""

    summary: tuple[Segment, ...]  # split so that dates print on one line
    compressed: bool
    corner: str  # the first column's heading
    columns: tuple[str, ...]  # audit dates (leaf by audit) or main clause numbers (compressed)
    last_heading: str  # "Covered" or "Auditor"
    rows: tuple[ReportCoverageRowView, ...]
    uncovered: tuple[ClauseLink, ...]
    note: str = ""  # what the compressed cells mean
    hidden_text: str = ""


@dataclass(frozen=True, slots=True)
class ReportInputsView:
    """The management review inputs checklist (9.3.2), as on the 9.3.2 page."""

    intro: tuple[Segment, ...]  # which review was read, or that none was
    inputs: tuple[InputView, ...]
    summary: str  # "11 of 12 inputs shown as considered"


@dataclass(frozen=True, slots=True)
class ReportTransitionView:
    """The transition page (TransitionView), its sentences split so that dates and ids print on one line."""

    page: TransitionView
    deadline: tuple[Segment, ...]
    audit: tuple[Segment, ...]
    certificate: tuple[Segment, ...]
    dates_note: tuple[Segment, ...]
    reasons: tuple[tuple[Segment, ...], ...]  # beside page.topics, one each


@dataclass(frozen=True, slots=True)
class ReportView:
    scope: Markup
    overall: str
    leaves_ready: int
    leaves_applicable: int
    stale_text: str
    open_findings_text: str
    open_majors: int
    charts: charts.ChartSet
    gates: tuple[GateView, ...]
    sections: tuple[SectionView, ...]
    findings: tuple[FindingView, ...]
    hidden_findings: int
    hidden_findings_text: str
    audits: tuple[AuditView, ...] = ()
    blockers: tuple[BlockerView, ...] = ()  # the first few of what fails each gate today (page 1)
    blockers_more: str = ""
    blocker_reasons: tuple[tuple[Segment, ...], ...] = ()  # beside ``blockers``, one each
    verdicts: tuple[tuple[Segment, ...], ...] = ()  # each gate's verdict sentence (GateView.verdict), split
    mandatory: tuple[MandatoryView, ...] = ()
    mandatory_text: str = ""
    exclusions: tuple[ExclusionView, ...] = ()
    state_counts: tuple[CountView, ...] = ()
    site_url: Optional[str] = None  # the published site ("https://.../"), when organisation.yaml names one
    pdf_url: Optional[str] = None  # "report.pdf" when the build prints one (isoready report / archive)
    checklist_url: str = "checklist.xlsx"
    report_gates: tuple[ReportGateView, ...] = ()
    mandatory_reasons: tuple[tuple[Segment, ...], ...] = ()  # beside ``mandatory``, one each
    no_findings_text: str = "No findings in this build."  # or FINDINGS_NOT_PUBLISHED
    lapses: tuple[LapseView, ...] = ()  # what runs out before the booked audits (the stages page's list)
    lapse_texts: tuple[tuple[Segment, ...], ...] = ()  # beside ``lapses``, one each
    hidden_lapses_text: str = ""
    lapses_shown: bool = True  # false in a public build, as on the stages page
    coverage: Optional[ReportCoverageView] = None
    review_inputs: Optional[ReportInputsView] = None
    transition: Optional[ReportTransitionView] = None  # a project on the old edition: the new one's topics, dates
    exclusion_test: str = ""  # the catalog's test every exclusion must pass, stated above the exclusions


@dataclass(frozen=True, slots=True)
class SinceView:
    """What changed since the last audit (organisation.yaml ``last_audit``), for the build's audience."""

    last_audit: str
    note: str  # why there is no comparison, or ""
    before: str = ""  # "audit-2026-09 (1a2b3c4d5e), 2026-09-22"
    after: str = ""
    figures: tuple[tuple[str, str, str], ...] = ()  # label, before, after
    gates: tuple[str, ...] = ()  # sentences
    clauses: tuple[tuple[ClauseLink, str, str, str], ...] = ()  # clause, before, after, why
    evidence: tuple[tuple[str, Optional[Link], str], ...] = ()  # change, link (None when removed), words
    findings: tuple[tuple[str, Optional[Link], str], ...] = ()
    empty: bool = False


@dataclass(frozen=True, slots=True)
class DocumentPageView:
    """A Markdown document shown as a page. Its text is redacted by the renderer, with the redactor the render
    job gets from the SiteView (``SiteView.redact``): never from here, so no template can reach a Redactor."""

    ev: EvidenceView
    doc: DocumentView
    limit: int = MAX_MARKDOWN_BYTES  # the Markdown size limit its body renders under


@dataclass(frozen=True, slots=True)
class PageView:
    """One page to write: where, from which template, with which view-model (templates see it as ``page``).

    ``markdown`` names a document under evidence/ whose text render shows as the page body (views read no file).
    """

    path: str
    template: str
    title: str
    nav: str
    model: Any = None
    markdown: Optional[str] = None


@dataclass(frozen=True, slots=True)
class ExportView:
    """What the machine-readable exports (JSON, CSV, XLSX, search index) hold: audience-filtered, like pages."""

    organisation: str
    as_of: str
    standard: str
    amendments: tuple[str, ...]
    audience: str
    commit: str
    overall: Optional[float]
    by_main: Mapping[str, Optional[float]]
    leaves_ready: int
    leaves_applicable: int
    state_counts: tuple[CountView, ...]
    status_counts: tuple[CountView, ...]
    clauses: tuple[ClauseView, ...]
    evidence: tuple[EvidenceView, ...]
    findings: tuple[FindingView, ...]
    gates: tuple[GateView, ...]
    exclusions: tuple[ExclusionView, ...]
    hidden_evidence: int
    hidden_findings: Optional[int]  # None where the build does not publish findings (nothing to count)
    shares: tuple[tuple[str, float], ...] = ()
    lapses: tuple[LapseView, ...] = ()
    coverage: Optional[CoverageView] = None
    coverage_leaves: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # leaf -> visible audit ids
    review_inputs: Optional[Mapping[str, Any]] = None
    site_url: Optional[str] = None  # the published site ("https://.../", ending in "/"), when configured
    audits: tuple[AuditView, ...] = ()  # the planned stage audits with their dates
    mandatory: tuple[MandatoryView, ...] = ()
    history: Optional[Mapping[str, Any]] = None  # history.json, when git history is available
    transition: Optional[Mapping[str, Any]] = None  # readiness.json "transition"; None on the new edition
    certificate: Optional[Mapping[str, Any]] = None  # readiness.json "certificate"; None when none is recorded
    systemic_minors: int = 3  # readiness.json "systemic_minors": open minors on one clause that count as a major
    climate_change: Optional[Mapping[str, Any]] = None  # readiness.json "climate_change"; None when not declared
    findings_published: bool = True  # false in a public build without public.show_findings: true


@dataclass(frozen=True, slots=True)
class SiteView:
    """A whole site for one audience: the chrome, every page with its view-model, the documents, the exports."""

    chrome: ChromeView
    pages: tuple[PageView, ...]
    documents: tuple[DocumentView, ...]
    export: ExportView
    #: the build's redactor (redact.Redactor), for the renderer only: it redacts the Markdown documents shown as
    #: pages (``PageView.markdown``), which views do not read. It is in no view-model and no template context.
    redact: Optional[Callable[[str], str]] = None
    #: the Markdown size limit of the build (``Options.max_markdown_bytes``), for the renderer and the Pelican
    #: readers, which render what views do not read (documents shown as pages, team pages)
    max_markdown_bytes: int = MAX_MARKDOWN_BYTES

    # the chrome's facts, for packaging (manifest, README, archive name)
    @property
    def organisation(self) -> str:
        return self.chrome.organisation

    @property
    def as_of(self) -> str:
        return self.chrome.as_of

    @property
    def audience(self) -> str:
        return self.chrome.audience

    @property
    def commit(self) -> str:
        return self.chrome.commit

    @property
    def logo_url(self) -> Optional[str]:
        return self.chrome.logo_url

    def models(self, template: str) -> list[Any]:
        """Every view-model of the pages written from ``template`` (for tests and tools)."""
        return [p.model for p in self.pages if p.template == template]


def _size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def _d(value: Optional[date]) -> str:
    return value.isoformat() if value else ""


def _ids(items: Any) -> str:
    return ", ".join(items)


# --------------------------------------------------------------------------- reasons into words

GATE_NAMES = {
    "scope": "Scope of the QMS documented (4.3)",
    "policy": "Quality policy documented (5.2)",
    "objectives": "Quality objectives documented (6.2)",
    "context": "Context and interested parties determined (4.1, 4.2)",
    "processes": "Processes of the QMS determined (4.4)",
    "risks": "Risks and opportunities addressed (6.1)",
    "mandatory-documents": "Mandatory documents maintained and reviewed",
    "internal-audit-performed": "Internal audit planned and performed (9.2)",
    "management-review-performed": "Management review planned and performed (9.3)",
    "all-clauses-ready": "Every applicable clause ready",
    "internal-audit-coverage": "Internal audits within the window cover every applicable clause",
    "management-review": "Management review within the window, after the audits",
    "no-open-major": "No open major nonconformity",
    "no-overdue-actions": "Corrective actions on time and verified",
    "mandatory-records": "Every mandatory record retained, within its window",
    "stage1-concerns-resolved": "Areas of concern from the stage 1 audit resolved",
    "evidence-behind-every-clause": "Evidence of its own behind every applicable clause",
    "documents-current": "Scope, policy, objectives and mandatory documents still current",
    "edition-accepted": "Stage 2 booked to an edition the certification body may still certify",
}
GATE_MISSING = {
    "scope": "no current document mapped to 4.3 states the scope",
    "policy": "no current document mapped to 5.2 holds the quality policy",
    "objectives": "no current document mapped to 6.2 sets quality objectives",
    "processes": "no current evidence mapped to 4.4 shows the processes and how they interact",
    "risks": "no current evidence mapped to 6.1 shows how risks and opportunities are addressed",
}
#: management review inputs, following 9.3.2 a) to f), in our words
REVIEW_INPUT_WORDS = {
    "previous-actions": "status of actions from previous reviews (a)",
    "changes": "changes in external and internal issues (b)",
    "customer-satisfaction": "customer satisfaction and feedback (c1)",
    "objectives": "extent quality objectives are met (c2)",
    "process-performance": "process performance and conformity of products and services (c3)",
    "nonconformities": "nonconformities and corrective actions (c4)",
    "monitoring": "monitoring and measurement results (c5)",
    "audit-results": "audit results (c6)",
    "external-providers": "performance of external providers (c7)",
    "resources": "adequacy of resources (d)",
    "risks-opportunities": "effectiveness of actions on risks and opportunities (e)",
    "improvement": "opportunities for improvement (f)",
}
#: what a leaf lacks, in the stage 2 evidence-behind-every-clause check (assess.UNEVIDENCED)
UNEVIDENCED_WORDS = {"no-evidence": "no evidence", "parent-document-only": "a document on a clause above only",
                     "review-inputs-no-review": "no management review in the window",
                     "review-inputs-unknown": "review inputs not listed",
                     "review-inputs-missing": "review inputs missing"}
LAPSE_WORDS = {"review-due": "review falls due", "window-closes": "record leaves its window",
               "finding-due": "corrective action falls due", "target": "target date passes"}


def _di_sentence(p: Mapping[str, Any], code: str, ids: tuple[str, ...], full: bool) -> str:
    label, noun = f"{p['clause']} {p['what']}", p["noun"]
    if code == "di-not-required":
        return f"{label}: not required, the clause is not applicable"
    if code == "di-in-window":
        if not full:  # a withheld record's date is withheld too
            return f"{label}: a record within the last {p['window']} months"
        return f"{label}: latest record {ids[0]} dated {p['date']}, within {p['window']} months"
    if code == "di-until-review":
        if not full:  # a withheld record's dates are withheld too
            return f"{label}: a record valid until its review date"
        return f"{label}: latest record {ids[0]} dated {p['date']}, valid until its review date {p['review_by']}"
    if code == "di-review-passed":
        if not full:
            return f"{label}: no record still valid (the latest record's review date has passed)"
        return f"{label}: no record still valid ({ids[0]} was valid until {p['review_by']})"
    if code == "di-out-of-window":
        if not full:  # the latest record is withheld: its date is not for this audience either
            return f"{label}: no record within the last {p['window']} months"
        when = f"the latest is dated {p['latest']}" if p["latest"] else "no record carries a date"
        return f"{label}: no record within the last {p['window']} months ({when})"
    if code == "di-present":
        return f"{label}: {noun} {_ids(ids)} present" if full else f"{label}: {plural(len(ids), noun)} present"
    if code == "di-review-overdue":
        what = f"{noun} {_ids(ids)}" if full else plural(len(ids), noun)
        since = f" since {p['review_by']}" if full else ""
        return f"{label}: present, review overdue{since} ({what})"
    if code == "di-conditional":
        return f"{label}: no {noun} mapped; it is needed {_lower_first(p['when'])}"
    if code == "di-condition-false":
        return (f"{label}: not required: organisation.yaml declares that {CONDITION_WORDS[p['condition']]} "
                "does not apply")
    if code == "di-condition-undeclared":
        return (f"{label}: declare whether {CONDITION_WORDS[p['condition']]} applies (applies: "
                f"{p['condition']}: true or false in organisation.yaml); the record is needed {_lower_first(p['when'])}")
    if code == "di-condition-evidence":
        named = f" ({_ids(ids)})" if full else ""
        return (f"{label}: {CONDITION_WORDS[p['condition']]} applies and current evidence is mapped{named}; "
                f"this record is needed {_lower_first(p['when'])}")
    if code == "di-condition-no-evidence":
        return (f"{label}: {CONDITION_WORDS[p['condition']]} is declared to apply, but no current evidence is "
                f"mapped to {p['clause']} to show it is controlled")
    if p.get("declared_true"):
        return f"{label}: required, since the condition is declared to apply, but no current {noun} is mapped"
    return f"{label}: no current {noun} mapped to {p['clause']}"  # di-missing


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def describe(r: Reason, full: bool, redact: Callable[[str], str] = lambda t: t) -> str:
    """The sentence for one reason. ``full``: the audience may see every record it names; otherwise the
    sentence names none of them (and says nothing a withheld record alone would give away)."""
    p = dict(r.params)
    code = r.code
    if code.startswith("di-"):
        lead = f"declared {p['declared']}, but " if p.get("declared") else ""
        return lead + _di_sentence(p, code, r.evidence, full)
    if code == "status-not-done":
        src = f" (from {p['inherited_from']})" if p["inherited_from"] else ""
        due = f", target {p['target']}" if p["target"] else ""
        return f"status is {p['status']}{src}{due}; ready needs implemented or verified"
    if code in ("finding-open", "finding-open-overdue"):
        where = f" (raised on {', '.join(p['raised_on'])})" if p["raised_on"] else ""
        named = f" {r.findings[0]}" if full else ""
        since = f" since {p['due']}" if full else ""  # a withheld finding's dates are withheld too
        late = f", action overdue{since}" if code == "finding-open-overdue" else ""
        closes = f", closed only on {p['closes']} (after this date)" if p.get("closes") and full else ""
        return f"open {p['grade']} finding{named}{where}{late}{closes}"
    if code == "systemic":
        named = f" ({_ids(r.findings)})" if full else ""
        return (f"systemic failure: {p['count']} open minor findings against {p['clause']}{named}; "
                f"{p['threshold']} or more against one requirement count as a major")
    if code == "finding-overdue":
        named = f" {r.findings[0]}" if full else ""
        since = f" since {p['due']}" if full else ""
        return f"corrective action for {p['grade']} finding{named} overdue{since}"
    if code == "finding-unverified":
        named = f" {r.findings[0]}" if full else ""
        if p.get("not_effective"):
            return f"{p['grade']} finding{named} closed, but its verification found the action not effective"
        return f"{p['grade']} finding{named} closed without a verification that the action was effective"
    if code == "not-verified":
        named = f" {r.evidence[0]}" if full and r.evidence else ""
        if p["problem"] == "no-verified-by":
            why = "no verified_by names the audit that verified it"
        elif p["problem"] == "not-yet":
            why = f"the audit record{named} it names does not exist on this date"
        else:
            why = f"the audit{named} it names did not cover it and raised findings"
        return f"declared verified, but {why}: treated as implemented"
    if code == "review-inputs-no-review":
        return (f"no management review record within the last {p['window']} months shows the inputs "
                "9.3.2 asks for")
    if code == "review-inputs-unknown":
        named = f" {r.evidence[0]} of {p['date']}" if full else ""
        return (f"the management review minutes{named} list no inputs: nothing shows what the review considered "
                "(list them under inputs: in the minutes' record)")
    if code == "review-inputs-missing":
        named = f" {r.evidence[0]} of {p['date']}" if full else ""
        missing = ", ".join(REVIEW_INPUT_WORDS[i] for i in p["missing"])
        return f"the management review{named} does not show these inputs: {missing}"
    if code == "no-evidence":
        return (f"declared {p['status']}, but no current evidence is mapped to it or to a clause above it: "
                "nothing shows it in place")
    if code == "parent-document-only":
        named = f" ({_ids(r.evidence)})" if full else ""
        return (f"declared {p['status']}, but documented, not shown in operation: only a document on "
                f"{_ids(p['on'])}{named} is behind it; map a record or evidence to the clause itself")
    if code == "evidence-stale":
        if not full:  # a withheld record's own dates are not for this audience either
            return "stale evidence not shown in this build"
        return f"stale evidence {r.evidence[0]} (review was due {p['review_by']})"
    if code == "document-changed-since-approval":
        if not full:
            return "a document changed after its approval (not shown in this build)"
        more = f" and {p['count'] - 1} more" if p["count"] > 1 else ""
        return (f"document {r.evidence[0]} changed since its approval on {p['approved']}: commit {p['commit']} "
                f"of {p['date']} ({p['subject']}){more}; re-approve it or revert the change")
    if code == "ready":
        return f"declared {p['status']}; no gap, stale evidence or open nonconformity"
    if code == "not-applicable":
        return f"not applicable (declared on {p['declared_on']}): {redact(p['justification'])}".rstrip(": ")
    if code == "no-applicable-subclause":
        return "none of its sub-clauses is applicable"
    if code == "subclauses-ready":
        return f"all {plural(p['count'], 'applicable sub-clause')} ready"
    if code in ("subclauses-not-ready", "subclauses-at-risk"):
        word = "not ready" if code == "subclauses-not-ready" else "at risk"
        return f"{len(p['clauses'])} of {p['total']} applicable sub-clauses {word}: {_ids(p['clauses'])}"
    if code == "gate-present":
        return f"present: {_ids(r.evidence)}" if full else f"present: {plural(len(r.evidence), 'record')}"
    if code == "gate-missing":
        if p["check"] in GATE_MISSING:
            return GATE_MISSING[p["check"]]
        return f"no current evidence mapped to {_ids(p['missing'])}"
    if code == "gate-planned-only":
        plan = f" ({_ids(r.evidence)})" if full else ""
        return (f"planned, not yet performed: a plan is present{plan}, but no {p['what']} record mapped to "
                f"{p['clause']} is dated within the last {p['window']} months (since {p['since']})")
    if code == "gate-no-programme":
        return "an internal audit was performed, but no current document mapped to 9.2 sets out the programme"
    if code == "gate-coverage-ok":
        named = f" ({_ids(r.evidence)})" if full else ""
        return f"internal audits within the window{named} together cover all {p['total']} applicable clauses"
    if code == "gate-review-before-audit":
        if not full:
            return ("the latest management review is dated before the latest internal audit: review the audit "
                    "results before the certification audit")
        return (f"the latest management review ({p['review']}) is dated before the latest internal audit "
                f"({p['audit']}): review the audit results before the certification audit")
    if code == "gate-actions-ok":
        return "no corrective action overdue; every closed nonconformity has a verification of effectiveness"
    if code == "gate-actions-late":
        parts = []
        if p["overdue"]:
            parts.append(f"overdue: {_ids(p['overdue'])}" if full else plural(len(p["overdue"]), "overdue action"))
        if p["unverified"]:
            parts.append(f"closed without verified effectiveness: {_ids(p['unverified'])}" if full
                         else plural(len(p["unverified"]), "closed finding") + " without verified effectiveness")
        return "; ".join(parts)
    if code == "gate-mandatory-gaps":
        noun = "document" if p["kind"] == "maintain" else "record"
        return (f"{len(p['gaps'])} of {plural(p['total'], 'mandatory ' + noun)} missing, review overdue or out of window: "
                + _ids(f"{c} ({s})" for c, s in p["gaps"]))
    if code == "gate-mandatory-ok":
        noun = "document" if p["kind"] == "maintain" else "record"
        return f"all {plural(p['count'], 'required ' + noun)} present"
    if code == "gate-recurring-ok":
        if not full:
            return f"{p['what']} within {p['window']} months"
        return f"{p['what']} {r.evidence[0]} dated {p['date']}, within {p['window']} months"
    if code == "gate-recurring-missing":
        return (f"no {p['what']} record mapped to {p['clause']} dated within the last {p['window']} months "
                f"(since {p['since']})")
    if code == "gate-coverage-gap":
        more = []
        if p.get("before"):
            more.append(f"audited only before they were in place: {_ids(p['before'])}")
        if p.get("own"):
            more.append(f"audited only by their own owner: {_ids(p['own'])}")
        if p.get("empty"):
            more.append(f"audit records listing no clauses under 'covers': {_ids(p['empty'])}" if full
                        else plural(len(p["empty"]), "audit record") + " listing no clauses under 'covers'")
        extra = f"; {'; '.join(more)}" if more else ""
        return (f"{len(p['leaves'])} of {p['total']} applicable clauses not covered by an internal audit within "
                f"the window: {_ids(p['leaves'])} (list audited clauses under 'covers' on the audit records){extra}")
    if code == "audited-before-in-place":
        where = "its assessment's since:" if p["source"] == "since" else "git: the commit that made it implemented"
        if not full:
            return (f"not covered by internal audit: audited only before it was in place (since {p['in_place']}, "
                    f"from {where})")
        held = ", ".join(f"{i} of {d}" for i, d in zip(r.evidence, p["audited"]))
        return (f"not covered by internal audit: the audit ({held}) was held before it was in place (since "
                f"{p['in_place']}, from {where})")
    if code == "auditor-own-work":
        named = f" ({_ids(r.evidence)})" if full else ""
        return (f"not covered by internal audit: its owner, {redact(p['owner'])}, audited it{named}; auditors do not "
                "audit their own work")
    if code == "gate-not-ready":
        return f"{len(p['clauses'])} applicable clauses not ready: {_ids(p['clauses'])}"
    if code == "gate-all-ready":
        return f"all {p['count']} applicable clauses ready or at risk"
    if code == "gate-major-open":
        if not full:
            return plural(len(r.findings), "open major finding") if "open" not in p or not (
                p.get("incomplete") or p.get("systemic")) else plural(len(r.findings), "finding") + \
                " counting as an open major nonconformity"
        parts = [f"open major finding(s): {_ids(p.get('open', r.findings))}"] if p.get("open", r.findings) else []
        for fid, lacks in p.get("incomplete", ()):
            parts.append(f"major finding {fid} closed without {' or '.join(MAJOR_CLOSURE_WORDS[x] for x in lacks)}: "
                         "it counts as open")
        for clause, ids in p.get("systemic", ()):
            parts.append(f"{len(ids)} open minor findings against {clause} ({_ids(ids)}): {p['threshold']} or more "
                         "count as a major (systemic)")
        return "; ".join(parts)
    if code == "gate-concerns-open":
        if not full:
            return plural(len(r.findings), "area of concern") + " from the certification body still open"
        return f"area(s) of concern from the certification body still open: {_ids(r.findings)}"
    if code == "gate-evidence-missing":
        leaves = tuple(dict.fromkeys(n for n, _ in p["leaves"]))
        return (f"{len(leaves)} of {p['total']} applicable clauses without evidence behind them: "
                + _ids(f"{n} ({UNEVIDENCED_WORDS[c]})" for n, c in p["leaves"]))
    if code == "gate-evidence-behind":
        return f"every one of the {p['count']} applicable clauses has evidence of its own behind it"
    if code == "gate-documents-lapsed":
        parts = [f"not current on this date: {_ids(GATE_NAMES[c] for c in p['documents'])}"] if p["documents"] else []
        if p["gaps"]:
            parts.append("mandatory documents missing or past review: " + _ids(f"{c} ({s})" for c, s in p["gaps"]))
        return "; ".join(parts)
    if code == "gate-documents-current":
        return (f"scope, policy, objectives and mandatory documents current on this date: {_ids(r.evidence)}"
                if full else "scope, policy, objectives and mandatory documents current on this date")
    if code == "gate-concerns-resolved":
        return "no area of concern from the certification body is open"
    if code == "gate-stage1-not-held":
        when = f" (booked for {p['date']})" if p["date"] else " and none is booked"
        return (f"no stage 1 audit held by this date{when}: there is no stage 1 report whose areas of concern "
                "could be resolved yet")
    if code == "gate-nothing-examined":
        return (f"nothing to judge yet: no internal audit record mapped to {p['clause']} is dated within the last "
                f"{p['window']} months (since {p['since']}); until the system is audited, no finding on record "
                "shows only that nobody has looked")
    if code == "gate-no-major":
        return "no open major finding"
    if code == "certificate-valid":
        return "the certificate is valid on this date" + (f" (expires {p['expires']})" if p["expires"] else "")
    if code == "certificate-not-yet-valid":
        return f"not yet certified: the certificate recorded is issued only on {p['issued']}, after this date"
    if code == "certificate-expired":
        return f"certificate expired on {p['expires']}: not certified on this date"
    if code == "certificate-past-transition":
        where = ("organisation.yaml's transition deadline" if p["source"] == "organisation" else
                 f"the reported transition deadline ({p['confidence']} confidence; confirm with your certification "
                 "body)")
        return (f"the {p['edition']} certificate expires on {p['expires']}, after {where} of {p['deadline']}: "
                f"it must move to {p['to']} by {p['deadline']}, or it ends then")
    if code == "gate-edition-ok":
        on = f" on {p['stage2']}" if p["stage2"] else " (no stage 2 date booked: judged on this date)"
        if not p["applies"]:
            return f"stage 2 to {p['edition']}{on}"
        if not p["new_from"]:
            return f"stage 2 to {p['edition']}{on}; no date is known from which it must be to {p['to']}"
        return (f"stage 2 to {p['edition']}{on}, before new certifications must use {p['to']} "
                f"(from {p['new_from']}, reported)")
    if code in ("gate-edition-provisional", "gate-edition-refused"):
        said = (f"stage 2 to {p['edition']} on {p['stage2']}, on or after the date new certifications must use "
                f"{p['to']} ({p['new_from']}, reported as {p['reported']}; {p['confidence']} confidence; sources: "
                f"{'; '.join(x for x in p['sources'] if x.startswith('https://')) or 'docs/editions.md'})")
        if code == "gate-edition-provisional":
            return (f"warning: {said}. The date is provisional, so this check warns but does not fail: confirm "
                    f"with your certification body, or book the stage 2 to {p['to']}")
        return f"{said}: book the stage 2 to {p['to']}"
    if code == "topic-addressed":
        return f"addressed by {_ids(r.evidence)}" if full else f"addressed by {plural(len(r.evidence), 'record')}"
    if code == "topic-stale":
        if not full:
            return "only evidence past its review date names it"
        return f"only evidence past its review date names it ({_ids(r.evidence)}, review was due {p['review_by']})"
    if code == "new-requirement-unevidenced":
        what = "new" if p["change"] == "new" else "changed"
        named = f" ({_ids(r.evidence)})" if full and r.evidence else ""
        verb = ("predate" if len(r.evidence) != 1 else "predates") + " the move" if p.get("since") else \
            ("are" if len(r.evidence) != 1 else "is") + " not dated after a recorded move"
        older = f"; {plural(len(r.evidence), 'record')} mapped to it {verb}" if r.evidence else ""
        ways = [f"dated after {p['since']}"] if p.get("since") else []
        ways += [f"naming the topic ({', '.join(p['topics'])})"] if p["topics"] else []
        how = f"map a current record {' or '.join(ways)}" if ways else "map a current record dated after the move"
        unknown = "" if p.get("since") else " (record the day of the move as migrated: in organisation.yaml)"
        return f"{what} in {p['edition']}: no evidence for the new requirement yet{older}{named}; {how}{unknown}"
    if code == "topic-unmapped":
        named = _ids(r.evidence) if full else plural(len(r.evidence), "record")
        return (f"named by {named}, but not mapped to {_ids(p['clauses'])}: a keyword is not evidence; map the "
                "record that addresses it to one of those clauses")
    if code == "topic-gap":
        return f"no current evidence names it: add 'topics: [{p['topic']}]' to the records that address it"
    if code in ("climate-undetermined", "gate-climate-undetermined"):
        lead = "" if code == "climate-undetermined" else f"the context ({_ids(p['clauses'])}) is not understood: "
        later = f" (the decision in organisation.yaml is dated {p['decided']}, after this date)" \
            if p.get("decided") else ""
        return (f"{lead}no climate-change determination{later}: since Amendment 1:2024 the organisation must decide "
                f"whether climate change is a relevant issue; record it as current evidence mapped to "
                f"{p['clause']} with 'topics: [{p['topic']}]', or as 'climate_change: {{relevant: true or false, "
                "decided: YYYY-MM-DD}' in organisation.yaml")
    raise KeyError(f"no wording for reason code {code!r}")  # a rule added without words is a bug


def describe_to_auditor(r: Reason, full: bool, redact: Callable[[str], str] = lambda t: t) -> str:
    """The sentence for a page an auditor reads (the transition page): facts about the register, never a file
    name, a YAML key to add or a docs path; the team's instructions stay on the dashboard and in readiness.json."""
    p = dict(r.params)
    if r.code == "topic-gap":
        return "no current record mapped to its clauses addresses it"
    if r.code == "topic-unmapped":
        named = _ids(r.evidence) if full else plural(len(r.evidence), "record")
        return f"named by {named}, which is not mapped to {_ids(p['clauses'])}: a keyword alone is not evidence"
    if r.code == "certificate-past-transition":
        where = ("the organisation's transition deadline" if p["source"] == "organisation" else
                 f"the reported transition deadline ({p['confidence']} confidence; to be confirmed with the "
                 "certification body)")
        return (f"the {p['edition']} certificate expires on {p['expires']}, after {where} of {p['deadline']}: "
                f"it must move to {p['to']} by {p['deadline']}, or it ends then")
    return describe(r, full, redact)


#: reasons about audit findings; a public build that does not publish findings words them without count or grade
FINDING_CODES = ("finding-open", "finding-open-overdue", "finding-overdue", "finding-unverified",
                 "gate-major-open", "gate-actions-late", "systemic", "gate-concerns-open")
#: in a build that does not publish findings, every reason about them becomes this one sentence, said once per
#: clause (its code: FINDINGS_UNPUBLISHED), so that nothing about them can be counted
FINDINGS_UNPUBLISHED_TEXT = "open actions, not published in this build"
FINDINGS_UNPUBLISHED = "findings-not-published"
#: what the findings page, the gap report, the report and the workbook say instead, findings or none
FINDINGS_NOT_PUBLISHED = "Audit findings are not published in this build."
#: what a closed major lacks to count as closed for the gates (assess.MAJOR_CLOSURE)
MAJOR_CLOSURE_WORDS = {"root-cause": "a root cause", "corrective-action": "a corrective action",
                       "verification": "an effective verification dated on or after closing and by this date"}


class Words:
    """Sentences for one audience: withheld ids are dropped as each sentence is made."""

    def __init__(self, visible_evidence: set[str], visible_findings: set[str], redact: Callable[[str], str],
                 findings_published: bool = True):
        self.visible_evidence, self.visible_findings, self.redact = visible_evidence, visible_findings, redact
        self.findings_published = findings_published

    def full(self, r: Reason) -> bool:
        return all(e in self.visible_evidence for e in r.evidence) and all(
            f in self.visible_findings for f in r.findings)

    def __call__(self, r: Reason) -> str:
        if not self.findings_published and r.code in FINDING_CODES:
            return FINDINGS_UNPUBLISHED_TEXT
        return describe(r, self.full(r), self.redact)

    def to_auditor(self, r: Reason) -> str:
        """The sentence for a page that speaks to an auditor (describe_to_auditor)."""
        return describe_to_auditor(r, self.full(r), self.redact)

    def all(self, reasons: Sequence[Reason]) -> tuple[tuple[str, str], ...]:
        """Each reason's sentence and code; where findings are not published, the reasons about them are one
        sentence, said once (so the number of findings behind a clause cannot be counted)."""
        out: list[tuple[str, str]] = []
        for r in reasons:
            if not self.findings_published and r.code in FINDING_CODES:
                if (FINDINGS_UNPUBLISHED_TEXT, FINDINGS_UNPUBLISHED) not in out:
                    out.append((FINDINGS_UNPUBLISHED_TEXT, FINDINGS_UNPUBLISHED))
                continue
            out.append((self(r), r.code))
        return tuple(out)


# --------------------------------------------------------------------------- a readiness diff, in words
# The "since the last audit" page (``_Builder.since``) words a comparison for its audience with these; the
# ``isoready diff`` command's text, Markdown and JSON (diffwords.py, beside the CLI) use the same words.
# diff.py computes the comparison and holds no word; views reads the comparison as data handed to it and imports
# no module that reads or compares commits (history, diff, snapshot, validate).

STATE_WORDS = {"ready": "ready", "at-risk": "at risk", "not-ready": "not ready", "not-applicable": "not applicable",
               "absent": "absent"}
FIGURE_WORDS = {"overall": "Ready or at risk", "ready": "Ready", "at_risk": "At risk", "not_ready": "Not ready",
                "open_findings": "Open findings", "stale_evidence": "Stale evidence"}
GATE_WORDS = {"stage1": "Stage 1 gate", "stage2": "Stage 2 gate"}
NO_GIT_TEXT = ("Readiness history is not available: this build has no git history (a zip of the register, a folder "
               "outside git, or git not installed).")


def figure_text(key: str, value: Any) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.0f}%" if key in ("overall", "ready", "at_risk", "not_ready") else str(value)


def verdict_word(v: Optional[bool]) -> str:
    return "absent" if v is None else "pass" if v else "fail"


# --------------------------------------------------------------------------- the site


def build_site(project: Project, readiness: Readiness, audience: str = "auditor", commit: str = "",
               hashes: Optional[Mapping[str, tuple[int, str]]] = None, git: Any = None,
               max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> SiteView:
    """The whole site as view-models for one audience.

    ``hashes`` maps a document path (under evidence/) to (size, sha256), as the reader computed them once;
    views read no file. ``git`` (history.GitFacts, or None for a build that reads no git facts): revision
    histories, the readiness history and the last audit's side. Every Markdown text renders under
    ``max_markdown_bytes`` (``Options.max_markdown_bytes``), the limit validation's W108 judged by.
    """
    builder = _Builder(project, readiness, audience, commit, hashes or {}, git, max_markdown_bytes)
    return builder.site()


class _Builder:
    """Builds each page's view-model from the audience-filtered records; one method per page kind."""

    def __init__(self, project: Project, readiness: Readiness, audience: str, commit: str,
                 hashes: Mapping[str, tuple[int, str]], git: Any = None, max_markdown_bytes: int = MAX_MARKDOWN_BYTES):
        self.project, self.r, self.audience, self.commit = project, readiness, audience, commit
        self.md_limit = max_markdown_bytes
        self.git = git
        self.catalog = project.catalog
        rank = audience_rank(audience)
        self.visible_ev = {e.id: e for e in project.evidence if audience_rank(e.audience) <= rank}
        # the findings policy, applied here and only here: a public build publishes findings only when the team
        # opts in (public.show_findings: true); otherwise it has none, not even one marked audience: public, and
        # says nothing countable about them (no page, entry, row, count or grade; their ids are redacted)
        self.findings_published = findings_published(project.organisation, audience)
        self.visible_f = {f.id: f for f in project.findings if audience_rank(f.audience) <= rank} \
            if self.findings_published else {}
        self.redact = redactor(project, set(self.visible_ev), set(self.visible_f))
        self.say = Words(set(self.visible_ev), set(self.visible_f), self.redact, self.findings_published)
        self.stale = set(readiness.stale_evidence)
        # the links back to the files (repository:): internal builds, and those whose audience links: names
        self.links = repolinks.for_audience(project.organisation.repository, audience)
        # a file holding a record this audience may not see gets no link (its path may name it; it opens it)
        self.withheld_sources = {e.source for e in project.evidence if e.id not in self.visible_ev} | \
            {f.source for f in project.findings if f.id not in self.visible_f}
        self.folders = self._folders()
        self.documents = self._documents(hashes)
        findings_by_ev: dict[str, list[Link]] = {}
        for f in self.visible_f.values():
            for ev in f.evidence:
                findings_by_ev.setdefault(ev, []).append(Link(finding_url(f.id), f.id))
        self.findings_by_ev = findings_by_ev
        self.evidence = {e.id: self.ev_view(e) for e in sorted(self.visible_ev.values(), key=lambda e: e.id)}
        self.overdue = {fr.finding.id: fr.overdue for fr in readiness.findings}
        self.finding_results = {fr.finding.id: fr for fr in readiness.findings}
        self.findings = {fr.finding.id: self.f_view(fr.finding) for fr in readiness.findings
                         if fr.finding.id in self.visible_f}
        self.rows = {n: self.row(res) for n, res in readiness.clauses.items()}
        self.clauses = tuple(self.clause_view(n, res) for n, res in readiness.clauses.items())
        self.mandatory = tuple(self.m_view(m) for m in readiness.mandatory)
        self.project_evidence = {e.id: e for e in project.evidence}
        self.lapses, self.hidden_lapses = self._lapses()
        self.gates = tuple(self.gate_view(key, g) for key, g in readiness.gates.items())
        self.all_blockers = self.blockers()
        self.audits = tuple(AuditView(_stage_name(a.stage), _d(a.date), _countdown(a.days)) for a in readiness.audits)
        self.exclusions = self._exclusions()
        self.hidden_ev = len(project.evidence) - len(self.visible_ev)
        # withheld findings are counted only where findings are published at all
        self.hidden_f = len(project.findings) - len(self.visible_f) if self.findings_published else 0
        self.open_all = [fr for fr in readiness.findings if fr.finding.is_open] if self.findings_published else []

    # ------------------------------------------------------------------ shared pieces

    def clink(self, number: str) -> ClauseLink:
        c = self.catalog[number]
        return ClauseLink(number, display_name(self.catalog, number), clause_url(number), c.official_title,
                          c.provisional)

    def file_links(self, path: str) -> dict[str, str]:
        """The Edit and View file links of a source file (relative to the project), for this build: none when the
        build shows no links, when the file holds a record this audience may not see, or when its path names
        one."""
        if self.links is None or not path or path in self.withheld_sources or self.redact(path) != path:
            return {}
        return {"edit_url": self.links.edit(path), "view_url": self.links.view(path)}

    def _folders(self) -> dict[str, str]:
        """Per clause, the folder its visible records mostly live in (ties: the first by name)."""
        counts: dict[str, dict[str, int]] = {}
        for e in self.visible_ev.values():
            folder = str(PurePosixPath(e.source).parent)
            for number in e.clauses:
                counts.setdefault(number, {})
                counts[number][folder] = counts[number].get(folder, 0) + 1
        return {n: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for n, c in counts.items()}

    def add_url(self, number: str, kind: str = "record") -> str:
        """"Add evidence" for clause ``number``: the host's new-file page in the folder its records live in (else
        evidence/), with a record of ``kind`` for it filled in, dated the as-of date, due for review a window
        later (the clause's recency window for a record, 12 months for a document)."""
        if self.links is None or number not in self.catalog:
            return ""
        folder = self.folders.get(number, "evidence")
        if self.redact(folder) != folder:
            folder = "evidence"
        stem = f"clause-{number.replace('.', '-')}-{self.r.as_of.isoformat()}"
        months = window_of(self.project, number) if kind == "record" else 12
        text = repolinks.evidence_template(number, display_name(self.catalog, number), kind, self.r.as_of, months,
                                           stem + ".pdf")
        return self.links.new(folder, stem + ".yaml", text)

    def _documents(self, hashes: Mapping[str, tuple[int, str]]) -> dict[str, DocumentView]:
        documents: dict[str, DocumentView] = {}
        for e in self.visible_ev.values():
            if e.file and e.file not in documents:
                size, digest = hashes[e.file]
                url = document_url(published_name(e.file))
                page = url + ".html" if e.file.lower().endswith(MARKDOWN_DOCS) else None
                documents[e.file] = DocumentView(
                    path=f"files/{published_name(e.file)}", url=url, name=PurePosixPath(e.file).name, size=size,
                    size_text=_size_text(size), sha256=digest, page_url=page, source=e.file,
                    as_text=published_name(e.file) != e.file)
        return documents

    def ev_view(self, e: Evidence) -> EvidenceView:
        redact = self.redact
        return EvidenceView(
            id=e.id, url=evidence_url(e.id), title=redact(e.title), kind=e.kind, kind_label=KIND_LABELS[e.kind],
            clauses=tuple(self.clink(n) for n in e.clauses), owner=redact(e.owner or ""), date=_d(e.date),
            review_by=_d(e.review_by), stale=e.id in self.stale, audience=e.audience,
            version=redact(e.version or ""), description=Md(redact(e.description or ""), self.md_limit),
            document=self.documents.get(e.file) if e.file else None, external_url=redact(e.url or "") or None, source=e.source,
            findings=tuple(self.findings_by_ev.get(e.id, ())),
            sort_clause=_clause_sort_key(e.clauses[0]) if e.clauses else "",
            date_label="Issued" if e.kind == "document" else "Recorded",
            approved_by=redact(e.approved_by or ""), approved=_d(e.approved), **self.revision_fields(e),
            **self.file_links(e.source), add_url=self.add_url(e.clauses[0], e.kind) if e.clauses else "")

    def revision_fields(self, e: Evidence) -> dict:
        """The record's and its document's revision history from git, and 'changed since approval'."""
        git = self.git
        if git is None:
            return {}
        if not git.available:
            return {"revisions_note": "Revision history is not available: this build was made without git history "
                                      "(for example from a zip of the register)."}

        def views(path: str) -> tuple[RevisionView, ...]:
            return tuple(RevisionView(r.date.isoformat(), r.short, self.redact(r.subject),
                                      r.author if self.audience == "internal" else "")
                         for r in git.revisions.get(path, ()))

        changed = self.r.changed_since_approval.get(e.id)
        record, document = views(e.source), views(f"evidence/{e.file}") if e.file else ()
        return {"revisions": record, "document_revisions": document,
                "revisions_caption": f"Register entry ({e.source}): {plural(len(record), 'commit')}, newest first",
                "document_revisions_caption": f"Document ({e.file}): {plural(len(document), 'commit')}, newest first"
                if e.file else "",
                "changed_since_approval": self.say(changed) if changed else "",
                "revisions_note": "" if git.revisions.get(e.source) else
                "No commit has this record yet (it is new in the working tree)."}

    def f_view(self, f: Finding) -> FindingView:
        redact = self.redact
        shown = [i for i in f.evidence if i in self.visible_ev]
        result = self.finding_results[f.id]
        flag = "overdue" if result.overdue else "due-today" if result.due_today else ""
        return FindingView(
            id=f.id, url=finding_url(f.id), grade=f.grade, grade_label=GRADE_LABELS[f.grade], status=f.status,
            raised=_d(f.raised), due=_d(f.due), closed=_d(f.closed), overdue=self.overdue[f.id],
            description=Md(redact(f.description), self.md_limit), action=Md(redact(f.action or ""), self.md_limit),
            clauses=tuple(self.clink(n) for n in f.clauses),
            evidence=tuple(Link(evidence_url(i), redact(self.visible_ev[i].title), i) for i in shown),
            owner=redact(f.owner or ""), audience=f.audience, source=f.source,
            hidden_evidence=len(f.evidence) - len(shown),
            hidden_evidence_text=withheld(len(f.evidence) - len(shown), "record"),
            correction=Md(redact(f.correction or ""), self.md_limit),
            root_cause=Md(redact(f.root_cause or ""), self.md_limit),
            corrective_action=Md(redact(f.corrective_action or ""), self.md_limit),
            verification=Md(self.verification_text(f), self.md_limit),
            requirement=Md(redact(f.requirement or ""), self.md_limit), origin=f.origin or "",
            origin_label=ORIGIN_LABELS.get(f.origin or "", ""),
            audit=Link(evidence_url(f.audit), redact(self.visible_ev[f.audit].title), f.audit)
            if f.audit and f.audit in self.visible_ev else None,
            verification_date=_d(f.verification.date) if f.verification else "",
            verification_by=redact(f.verification.by or "") if f.verification else "",
            verification_effective=f.verification.effective if f.verification else None,
            verification_evidence=tuple(Link(evidence_url(i), redact(self.visible_ev[i].title), i)
                                        for i in (f.verification.evidence if f.verification else ())
                                        if i in self.visible_ev),
            unverified=result.unverified, due_today=result.due_today,
            subject=subject(redact(f.description)), is_open=f.is_open,
            status_label="Open" if f.is_open else ("Closed " + _d(f.closed)).strip(),
            due_flag=flag, due_flag_label=DUE_FLAG_LABELS.get(flag, ""), **self.file_links(f.source))

    def verification_text(self, f: Finding) -> str:
        v = f.verification
        if v is None:
            if f.is_open or f.grade not in ("major", "minor"):
                return ""
            return "Closed without a recorded verification that the action was effective."
        when = f" on {v.date}" if v.date else ""
        by = f" by {self.redact(v.by)}" if v.by else ""
        verdict = {True: "found effective", False: "found **not effective**", None: "effectiveness not stated"}
        return f"Verified{when}{by}: {verdict[v.effective]}."

    def findings_page(self, findings: tuple[FindingView, ...]) -> FindingsView:
        opened = tuple(sorted((f for f in findings if f.is_open), key=lambda f: (not f.due, f.due, f.raised, f.id)))
        closed = tuple(sorted((f for f in findings if not f.is_open), key=lambda f: (f.closed, f.id), reverse=True))
        overdue = sum(fr.overdue for fr in self.open_all)
        today = sum(fr.due_today for fr in self.open_all)
        parts = [f"{len(self.open_all)} open"] + ([f"{overdue} overdue"] if overdue else []) + \
            ([f"{today} due today"] if today else [])
        return FindingsView(
            findings, len(self.open_all), overdue, self.hidden_f, self.withheld_findings(self.hidden_f),
            open_rows=opened, closed_rows=closed, open_heading=f"Open ({len(opened)})",
            closed_heading=f"Closed ({len(closed)})",
            summary=", ".join(parts) + "." if self.findings_published else "", published=self.findings_published)

    def m_view(self, m: MandatoryCheck) -> MandatoryView:
        return MandatoryView(
            clause=self.clink(m.clause), kind_label=DI_LABELS[m.kind], what=m.what, when=m.when or "",
            state=m.state, state_label=MANDATORY_LABELS[m.state], reason=self.say(m.reason),
            is_gap=m.is_gap or m.is_risk,  # needs action: missing, out of its window, or its review overdue
            evidence=tuple(Link(evidence_url(i), self.evidence[i].title, i)
                           for i in (*m.evidence, *m.stale) if i in self.evidence), code=m.reason.code,
            # a record to add: when one is missing, out of its window or past its review (an undeclared
            # condition is settled in organisation.yaml, not by a new record)
            add_url=self.add_url(m.clause, "document" if m.kind == "maintain" else "record")
            if m.state in (MISSING, OUT_OF_WINDOW, REVIEW_OVERDUE) else "",
            term_url=term_url(MANDATORY_TERMS[m.state]) if m.state in MANDATORY_TERMS else "")

    def row(self, res: ClauseResult) -> ClauseRowView:
        c = self.catalog[res.number]
        a = res.applying
        return ClauseRowView(
            number=res.number, name=display_name(self.catalog, res.number), official=c.official_title,
            url=clause_url(res.number), depth=c.depth,
            status=res.status, status_label=STATUS_LABELS[res.status], state=res.state,
            state_label=STATE_LABELS[res.state], readiness=shares_text(shares_of(res)),
            owner=self.redact(a.owner or "") if a else "", target=_d(a.target) if a else "",
            evidence_count=sum(1 for i in res.evidence if i in self.visible_ev), assessed=res.assessed,
            provisional=c.provisional, add_url=self.add_url(res.number) if res.applicable else "")

    def clause_view(self, number: str, res: ClauseResult) -> ClauseView:
        c, a, src = self.catalog[number], res.assessment, res.applying
        redact = self.redact
        linked = [self.evidence[i] for i in res.evidence if i in self.evidence]
        fs = [self.findings[i] for i in res.related_findings if i in self.findings]
        hidden_fs = len(res.related_findings) - len(fs) if self.findings_published else 0
        said = self.say.all(res.reasons)
        return ClauseView(
            number=number, name=display_name(self.catalog, number), official=c.official_title,
            url=clause_url(number), main=c.main,
            depth=c.depth, is_leaf=c.is_leaf, parent=self.clink(c.parent) if c.parent else None,
            ancestors=tuple(self.clink(n) for n in reversed(self.catalog.ancestors(number))),
            children=tuple(self.rows[n] for n in c.children), status=res.status,
            status_label=STATUS_LABELS[res.status], assessed=res.assessed,
            status_from=self.clink(res.status_from) if res.status_from else None,
            applicable=res.applicable, state=res.state, state_label=STATE_LABELS[res.state],
            reasons=tuple(text for text, _ in said), readiness=shares_text(shares_of(res)),
            readiness_bar=round((res.readiness or 0) * 100),
            # owner and target follow the assessment that applies (its own, or the ancestor's it inherits)
            owner=redact(src.owner or "") if src else "", target=_d(src.target) if src else "",
            target_after_audit=_late_text(res.target_late),
            notes=Md(redact(a.notes or "") if a else "", self.md_limit),
            justification=redact(src.justification or "") if src and res.status == "not-applicable" else "",
            about=c.about, evidence_asked=c.evidence_asked, exclusion=c.exclusion,
            mandatory=tuple(self.m_view(m) for m in res.mandatory),
            evidence=tuple(linked), hidden_evidence=len(res.evidence) - len(linked),
            findings=tuple(fs), hidden_findings=hidden_fs,
            open_findings=tuple(self.findings[i] for i in res.findings if i in self.findings),
            documented_information=tuple((DI_LABELS[d.kind], d.what, d.when or "") for d in c.documented_information),
            hidden_evidence_text=withheld(len(res.evidence) - len(linked), "record"),
            hidden_findings_text=self.withheld_findings(hidden_fs) if self.findings_published else "",
            exclusion_text=EXCLUSION_TEXT[c.exclusion],
            exclusion_test=(self.catalog.exclusion_test or "") if c.states_exclusion_test else "",
            reason_codes=tuple(code for _, code in said), readiness_value=res.readiness, title=c.name,
            verified_by=res.verified_by if res.verified_by in self.evidence else None,
            conditions=dict(res.conditions), **self.inputs_for(number),
            verified_by_link=Link(evidence_url(res.verified_by), self.evidence[res.verified_by].title, res.verified_by)
            if res.verified_by in self.evidence else None,
            provisional=c.provisional, change=c.change or "",
            change_label=CHANGE_LABELS[c.change].format(std=self.catalog.standard) if c.change in CHANGE_LABELS
            else "", sources=c.sources if c.change else (),  # the 2015 catalog's sources are research keys
            **self.file_links(a.source if a else ""),
            add_url=self.add_url(number) if res.applicable and c.is_leaf else "",
        )

    def inputs_for(self, number: str) -> dict[str, Any]:
        """The management review inputs checklist, on the 9.3.2 page."""
        ri = self.r.review_inputs
        if number != REVIEW_INPUTS_CLAUSE or ri is None:
            return {}
        review = Link(evidence_url(ri.review), f"{self.evidence[ri.review].title} ({ri.date})", ri.review) \
            if ri.review in self.evidence else None
        return {"inputs": tuple(InputView(k, REVIEW_INPUT_WORDS[k], k in ri.considered) for k in REVIEW_INPUTS),
                "inputs_review": review}

    def review_inputs_export(self) -> Optional[dict[str, Any]]:
        ri = self.r.review_inputs
        if ri is None:
            return None
        shown = ri.review in self.evidence
        return {"review": ri.review if shown else None, "date": _d(ri.date) or None,
                "considered": list(ri.considered), "missing": list(ri.missing)}

    def gate_items(self, items: Any) -> tuple[GateItemView, ...]:
        return tuple(GateItemView(GATE_NAMES[i.check], i.passed, self.say(i.reason),
                                  tuple(Link(evidence_url(e), self.evidence[e].title, e)
                                        for e in i.evidence if e in self.evidence), i.check, i.reason.code)
                     for i in items)

    def gate_view(self, key: str, g: Any) -> GateView:
        on = self.r.on_audit_date.get(key)
        day = self.project.organisation.audits.get(key)
        if self.audience == "public":  # milestones only: a failing check would say which findings are open
            on_view = GateDateView(_d(day), on.passed, (), "") if on else None
            word = {True: "passes", False: "not yet"}
            when = f"; on {day}: {word[on.passed]}, if nothing changes" if on else ""
            return GateView(key, _stage_name(key).capitalize() + " readiness", g.passed, (),
                            "checks are shown to the organisation and its auditors" + self.provisional_beside(),
                            on_view, f"{_stage_name(key).capitalize()}: {word[g.passed]} today{when}."
                            + self.provisional_verdict(), _stage_name(key).capitalize())
        on_view = GateDateView(_d(day), on.passed, self.gate_items(on.items),
                               f"{sum(i.passed for i in on.items)} of {len(on.items)} checks pass") if on else None
        return GateView(key, _stage_name(key).capitalize() + " readiness", g.passed, self.gate_items(g.items),
                        f"{sum(i.passed for i in g.items)} of {len(g.items)} checks pass{self.provisional_beside()}",
                        on_view, self.verdict(key, g, on, day) + self.provisional_verdict(),
                        _stage_name(key).capitalize())

    def provisional_beside(self) -> str:
        """What every verdict on a catalog with provisional entries carries beside it ("" otherwise)."""
        return "; on a provisional catalog" if any(c.provisional for c in self.catalog.clauses) else ""

    def provisional_verdict(self) -> str:
        count = sum(c.provisional for c in self.catalog.clauses)
        if not count:
            return ""
        return (f" Judged against a provisional catalog: {self.catalog.standard} has "
                f"{plural(count, 'entry', 'entries')} resting on drafts, secondary summaries or code repositories "
                "only; confirm them against a licensed copy of the standard.")

    def verdict(self, key: str, g: Any, on: Any, day: Optional[date]) -> str:
        stage = _stage_name(key).capitalize()
        failing_today = sum(not i.passed for i in g.items)
        today = "passes today" if g.passed else f"does not pass today ({failing_today} of {len(g.items)} checks fail)"
        if day is None:
            return f"{stage} {today}; no {_stage_name(key)} audit date is booked."
        if on is None:
            return f"{stage} {today}; its audit date, {day}, has passed."
        if on.passed:
            return f"{stage} {today}; on {day} it passes, if nothing changes." if not g.passed else \
                f"{stage} passes today and, if nothing changes, on {day}."
        failing = [GATE_NAMES[i.check] for i in on.items if not i.passed]
        passed_today = {i.check for i in g.items if i.passed}
        newly = {n for i in on.items if not i.passed and i.check in passed_today for n in i.clauses}
        causes = [x.text for x in self.lapses if x.date <= _d(day) and newly & {c.number for c in x.clauses}][:3]
        because = f" ({'; '.join(causes)})" if causes else ""
        return f"{stage} {today}; on {day} it fails: {', '.join(failing)}{because}."

    def blockers(self) -> tuple[BlockerView, ...]:
        """What fails each gate today, clause by clause, with its owner: the next audit's gate first."""
        out: list[BlockerView] = []
        for key, g in self.r.gates.items():
            for item in g.items:
                if item.passed:
                    continue
                anchor = f"stages.html#gate-{key}"
                if not item.clauses:
                    out.append(BlockerView(_stage_name(key).capitalize(), item.check, GATE_NAMES[item.check],
                                           None, "", self.say(item.reason), anchor))
                for number in item.clauses:
                    res = self.r.clauses[number]
                    why = res.reasons[0] if item.check == "all-clauses-ready" and res.reasons else item.reason
                    owner = res.applying.owner if res.applying else None
                    out.append(BlockerView(_stage_name(key).capitalize(), item.check, GATE_NAMES[item.check],
                                           self.clink(number), self.redact(owner or ""), self.say(why),
                                           clause_url(number)))
        return tuple(out)

    def _lapses(self) -> tuple[tuple[LapseView, ...], int]:
        shown, hidden = [], 0
        for x in self.r.lapses:
            if x.finding and not self.findings_published:
                continue  # findings are not published: not even counted
            if (x.evidence and x.evidence not in self.evidence) or (x.finding and x.finding not in self.findings):
                hidden += 1  # its date is the withheld record's own: not for this audience
                continue
            clauses = tuple(self.clink(n) for n in x.clauses)
            where = ", ".join(c.number for c in clauses)
            if x.kind == "review-due":
                text, url = f"the review of {self.evidence[x.evidence].title} ({where}) falls due on {x.date}", \
                    evidence_url(x.evidence)
            elif x.kind == "window-closes":
                text, url = (f"the latest {where} record, {self.evidence[x.evidence].title}, leaves its window on "
                             f"{x.date}"), evidence_url(x.evidence)
            elif x.kind == "finding-due":
                text, url = f"the corrective action for finding {x.finding} falls due on {x.date}", \
                    finding_url(x.finding)
            else:
                text, url = f"the target for {where} passes on {x.date}", clause_url(x.clause)
            shown.append(LapseView(_d(x.date), x.kind, LAPSE_WORDS[x.kind], text, url, _stage_name(x.before),
                                   x.before, clauses, x.evidence, x.finding, x.clause))
        return tuple(shown), hidden

    def coverage(self) -> CoverageView:
        cov = self.r.coverage
        audits = [i for i in cov.audits if i in self.evidence]
        columns = tuple(Link(evidence_url(i), self.evidence[i].date,
                             self.redact(self.project_evidence[i].auditor or "") if hasattr(
                                 self.project_evidence[i], "auditor") else "") for i in audits)
        rows = tuple(CoverageRowView(self.clink(n), tuple(i in ids for i in audits), bool(ids))
                     for n, ids in cov.leaves.items())
        hidden = len(cov.audits) - len(audits)
        summary = (f"{len(cov.leaves) - len(cov.uncovered)} of {plural(len(cov.leaves), 'applicable clause')} "
                   f"covered by {plural(len(cov.audits), 'internal audit')} dated within the last {cov.window} "
                   f"months (since {cov.since})")
        timed = len(cov.leaves) - len(cov.untimed)
        if not cov.untimed:
            timing = (f"Timing checked for all {plural(len(cov.leaves), 'applicable clause')}: an audit counts only "
                      "on or after the date a clause was in place.")
        elif not timed:
            timing = ("No timing check could be made: no assessment gives 'since:' and git shows no commit changing "
                      "a status to implemented, so an audit held before a process existed would still count here.")
        else:
            timing = (f"Timing checked for {timed} of {plural(len(cov.leaves), 'applicable clause')} (from 'since:' "
                      f"or git); no timing check could be made for {len(cov.untimed)}: "
                      f"{', '.join(cov.untimed)}.")
        not_counted = tuple((self.clink(n), text) for n in cov.uncovered for text, code in
                            self.say.all(self.r.clauses[n].reasons)
                            if code in ("audited-before-in-place", "auditor-own-work"))
        empty = [i for i in cov.empty if i in self.evidence]
        empty_text = ""
        if cov.empty:
            empty_text = (f"Not counted, listing no clauses under 'covers': {', '.join(empty)}"
                          if len(empty) == len(cov.empty) else
                          f"Not counted: {plural(len(cov.empty), 'audit record')} listing no clauses under 'covers'") + "."
        return CoverageView(columns, rows, tuple(self.clink(n) for n in cov.uncovered), summary,
                            withheld(hidden, "audit record"), timing, not_counted, empty_text)

    def _exclusions(self) -> tuple[ExclusionView, ...]:
        catalog = self.catalog
        return tuple(
            ExclusionView(self.clink(a.clause), tuple(self.clink(n) for n in catalog.descendants(a.clause)),
                          self.redact(a.justification or ""), catalog[a.clause].exclusion,
                          EXCLUSION_LABELS[catalog[a.clause].exclusion],
                          _exclusion_test_applied(a.clause, catalog[a.clause].exclusion, bool(a.justification)))
            for a in sorted(self.project.assessments, key=lambda a: _clause_sort_key(a.clause))
            if a.status == "not-applicable")

    def mains(self) -> tuple[MainView, ...]:
        r = self.r
        return tuple(MainView(c.number, c.name, clause_url(c.number), shares_text(shares_of(r.clauses[c.number])),
                              r.by_main[c.number], r.clauses[c.number].state, STATE_LABELS[r.clauses[c.number].state],
                              shares_of(r.clauses[c.number]))
                     for c in self.catalog.mains)

    # ------------------------------------------------------------------ one view-model per page kind

    def dashboard(self, mains: tuple[MainView, ...], chart_set: charts.ChartSet) -> DashboardView:
        r, org = self.r, self.project.organisation
        targets = tuple(TargetView(self.clink(t.clause), _d(t.target), self.redact(t.owner or ""),
                                   STATUS_LABELS[t.status], _late_text(t.late),
                                   DUE_FLAG_LABELS["overdue"] if t.overdue else "") for t in r.targets)
        return DashboardView(
            scope=markdown(self.redact(org.scope), self.md_limit),
            certification_body=self.redact(org.certification_body or ""),
            charts=chart_set, leaves_ready=r.leaves_ready, leaves_applicable=r.leaves_applicable,
            state_counts=self.state_counts(), stale_count=len(r.stale_evidence),
            open_findings=len(self.open_all), open_majors=sum(fr.finding.grade == "major" for fr in self.open_all),
            overdue_findings=sum(fr.overdue for fr in self.open_all), audits=self.audits, mains=mains,
            gates=self.gates, mandatory=self.mandatory, mandatory_text=_mandatory_summary(self.mandatory),
            targets=targets, certification=self.certification(), certification_plan=self.certification_plan(),
            show_findings=self.findings_published,
            show_details=self.audience != "public", blockers=self.all_blockers[:DASHBOARD_BLOCKERS],
            blockers_more=(f"All {len(self.all_blockers)} blockers, on the audit stages page"
                           if len(self.all_blockers) > 2 else ""),
            lapses=self.lapses[:DASHBOARD_LAPSES],
            lapses_more=(f"All {len(self.lapses)} lapses, on the audit stages page" if len(self.lapses) > 2 else ""),
            figures=(f"{r.state_counts[READY]} ready · {r.state_counts[AT_RISK]} at risk · "
                     f"{r.state_counts[NOT_READY]} not ready, of {plural(r.leaves_applicable, 'applicable clause')}"),
            transition=self.transition_panel(), changed=self.changed_panel(), publish_hint=self.publish_hint(),
            **self.trend_fields())

    def publish_hint(self) -> Optional[PublishHintView]:
        """In a public build that shows no evidence record, what to mark to publish one (None otherwise)."""
        if self.audience != "public" or self.visible_ev:
            return None
        kept = (f" {plural(self.hidden_ev, 'record')} {'is' if self.hidden_ev == 1 else 'are'} kept for the "
                f"auditor or the team." if self.hidden_ev else "")
        return PublishHintView(
            heading="No record is published yet",
            text=f"This public site shows readiness figures but no evidence record.{kept} To publish a record "
                 f"here, add this line to its entry, beside its title:",
            example="audience: public",
            after="A record without this line is shown to auditors only. Publish only what anyone may read, "
                  "then build again.",
            more=Link(term_url("audience"), "What the audiences are"))

    def history_entries(self) -> Optional[list[dict]]:
        """history.json's entries for this audience: subjects in internal builds only (they may name withheld
        records), finding counts only where findings are published."""
        git = self.git
        if git is None or not git.available or git.history is None:
            return None
        out = []
        for e in git.history.entries:
            e = dict(e)
            if self.audience != "internal":
                e["subject"] = ""
            e["tags"] = [self.redact(t) for t in e.get("tags", ())]  # a tag may be named after a withheld record
            if not self.findings_published:
                e["open_findings"] = None
            out.append(e)
        return out

    def trend_fields(self) -> dict:
        git = self.git
        if git is None:
            return {}
        since_url = "since-last-audit.html" if self.project.organisation.last_audit else ""
        entries = self.history_entries()
        if entries is None:
            return {"trend_note": NO_GIT_TEXT if not git.available else "Readiness history is not available "
                    "without git history.", "since_url": since_url}
        audits = [(f"{_stage_name(a.stage)} audit", a.date) for a in self.r.audits]
        chart = charts.trend(entries, audits, self.redact(git.last_audit or "") or None, self.findings_published,
                             {"stage1": "stage 1 gate", "stage2": "stage 2 gate"}, as_of=self.r.as_of)
        note = git.history.note if chart else (git.history.note or "No commit has changed evidence/ or content/ yet.")
        return {"trend": chart, "trend_note": note, "since_url": since_url}

    def history_json(self) -> Optional[dict]:
        entries = self.history_entries()
        if entries is None:
            return None
        return {"version": HISTORY_VERSION, "available": True, "note": self.git.history.note,
                "last_audit": self.redact(self.git.last_audit or "") or None, "entries": entries}

    def since(self) -> Optional[SinceView]:
        """The "since last audit" page: None when organisation.yaml names no last_audit."""
        git, org = self.git, self.project.organisation
        if not org.last_audit:
            return None
        ref = self.redact(org.last_audit)  # a ref may be named after a withheld record
        if git is None or not git.available:
            return SinceView(ref, "The comparison with the last audit needs git history, which this "
                                             "build does not have (for example a zip of the register).")
        d = git.since
        if d is None:
            return SinceView(ref, f"last_audit: '{ref}' in content/organisation.yaml names no "
                                             "commit, tag or branch of this repository (a shallow clone may lack it: "
                                             "fetch with fetch-depth: 0)")
        # the comparison covers every record: this audience sees the changes of the records it may see, and a
        # clause's reasons in the words its clause page uses (self.say: withheld ids dropped, findings unpublished)
        ev_ok = set(self.visible_ev)
        f_ok = set(self.visible_f) if self.findings_published else set()
        fb, fa = d.before["figures"], d.after["figures"]
        figures = tuple((FIGURE_WORDS[k], figure_text(k, fb[k]), figure_text(k, fa[k])) for k in FIGURES
                        if k != "open_findings" or self.findings_published)
        gates = tuple(f"{GATE_WORDS.get(g.gate, g.gate)}: {verdict_word(g.before)} then, {verdict_word(g.after)} now"
                      for g in d.gates)
        clauses = tuple((self.clink(c.clause), STATE_WORDS[c.before], STATE_WORDS[c.after],
                         "; ".join(text for text, _ in self.say.all(c.reasons)))
                        for c in d.clauses)
        evidence = tuple((e.change, Link(evidence_url(e.id), self.redact(e.title), e.id) if e.id in self.evidence
                          else None, (self.redact(e.title) if e.change == "removed" else "")
                          + (f" ({' and '.join(e.what)})" if e.what else "")) for e in d.evidence if e.id in ev_ok)
        findings = tuple((f.change, Link(finding_url(f.id), f.id, f.id) if f.id in self.findings else None,
                          GRADE_LABELS.get(f.grade, f.grade)) for f in d.findings if f.id in f_ok)
        before = f"{ref} ({d.before['commit'][:10]}), judged on {d.before['as_of']}"
        return SinceView(ref, "", before, f"this build, judged on {d.after['as_of']}", figures, gates,
                         clauses, evidence, findings, not (clauses or evidence or findings or gates))

    def state_counts(self) -> tuple[CountView, ...]:
        return tuple(CountView(k, STATE_LABELS[k], v) for k, v in self.r.state_counts.items())

    def status_counts(self) -> tuple[CountView, ...]:
        return tuple(CountView(k, STATUS_LABELS[k], v) for k, v in self.r.status_counts.items())

    def gaps(self) -> GapsView:
        g = self.r.gaps
        stale_shown = tuple(self.evidence[i] for i in g.stale if i in self.evidence)
        open_shown = tuple(self.findings[i] for i in g.open_findings if i in self.findings)
        hidden_open = len(g.open_findings) - len(open_shown) if self.findings_published else 0
        view = GapsView(
            not_ready=tuple(self.rows[n] for n in g.not_ready),
            not_implemented=tuple(self.rows[n] for n in g.not_implemented),
            mandatory=tuple(self.m_view(m) for m in g.mandatory),
            stale=stale_shown, hidden_stale=len(g.stale) - len(stale_shown),
            without_evidence=tuple(self.rows[n] for n in g.without_evidence),
            open_findings=open_shown, hidden_findings=hidden_open,
            hidden_stale_text=withheld(len(g.stale) - len(stale_shown), "stale record"),
            hidden_findings_text=self.withheld_findings(hidden_open, "open finding"),
            counts={"not_ready": len(g.not_ready), "not_implemented": len(g.not_implemented),
                    "mandatory": len(g.mandatory), "stale": len(g.stale),
                    "without_evidence": len(g.without_evidence),
                    "findings": len(g.open_findings) if self.findings_published else 0, "rows": len(g.rows)},
            rows=tuple(GapRowView(self.rows[x.clause], x.urgency, self.urgency_label(x), self.gap_due(x),
                                  tuple(text for text, _ in self.say.all(self.r.clauses[x.clause].reasons)),
                                  self.rows[x.clause].add_url)
                       for x in g.rows), show_findings=self.findings_published)
        return view

    def gap_due(self, x: Any) -> str:
        """A gap row's date, unless it is the review date of withheld evidence or the due date of a withheld
        finding behind the clause: a withheld record's dates are not for this audience either."""
        if x.due is None:
            return ""
        res = self.r.clauses[x.clause]
        own = {self.project_evidence[i].review_by for i in res.stale_evidence if i not in self.evidence} | \
              {self.finding_results[i].finding.due for i in res.findings
               if i not in self.findings and i in self.finding_results}
        return "" if x.due in own else _d(x.due)

    def withheld_findings(self, n: int, word: str = "finding") -> str:
        """How many findings this build leaves out: said only where findings are published at all."""
        if not self.findings_published:
            return FINDINGS_NOT_PUBLISHED
        return withheld(n, word)

    def certification(self) -> str:
        """Plain words on certification status: never reads as a claim until a certificate is recorded."""
        org = self.project.organisation
        cert = org.certificate
        standard = self.catalog.standard
        judged = self.r.certificate
        if cert and cert.number and judged is not None and judged.state == "not-yet-valid":
            return f"Not yet certified to {standard}: the certificate recorded is issued only on {cert.issued}."
        if cert and cert.number and judged is not None and judged.state == "expired":
            return f"Not certified to {standard}: the certificate expired on {cert.expires}."
        if cert and cert.number:
            body = f" by {self.redact(cert.body or org.certification_body or '')}" if (cert.body or
                                                                                    org.certification_body) else ""
            dates = "".join(x for x in (f", issued {cert.issued}" if cert.issued else "",
                                        f", expires {cert.expires}" if cert.expires else ""))
            return f"Certified to {standard}{body}: certificate {self.redact(cert.number)}{dates}."
        return f"Not yet certified to {standard}."

    def certification_plan(self) -> str:
        """The booked certification audits, beside a "not yet certified" status."""
        org = self.project.organisation
        if org.certificate and org.certificate.number and self.r.certificate is not None and self.r.certificate.valid:
            return ""
        booked = [f"{_stage_name(a.stage)} on {a.date}" for a in self.r.audits if a.days >= 0]
        with_body = f" with {self.redact(org.certification_body)}" if org.certification_body else ""
        return f"Audits booked{with_body}: {', '.join(booked)}." if booked else ""

    def urgency_label(self, row: Any) -> str:
        stage = _stage_name(row.stage) if row.stage else ""
        return {"blocker": f"Blocks {stage}", "overdue": "Overdue",
                "due-before-audit": f"Due before {stage}", "later": "Later"}[row.urgency]

    def report_coverage(self, page: CoverageView) -> ReportCoverageView:
        """The coverage matrix for the report: leaf by audit, or audit by main clause when the audits are many."""
        cov = self.r.coverage
        mark = {True: "✔", False: "–"}
        if len(page.audits) <= REPORT_COVERAGE_AUDITS:
            rows = tuple(ReportCoverageRowView(f"{row.clause.number} {row.clause.name}", row.clause.number,
                                               tuple(mark[hit] for hit in row.audits), "yes" if row.covered else "no",
                                               row.covered) for row in page.rows)
            return ReportCoverageView(segments(page.summary), False, "Clause", tuple(a.text for a in page.audits),
                                      "Covered", rows, page.uncovered, hidden_text=page.hidden_text)
        mains = [m.number for m in self.catalog.mains]
        leaves_of = {m: [n for n in cov.leaves if m in (n, *self.catalog.ancestors(n))] for m in mains}
        mains = [m for m in mains if leaves_of[m]]
        audits = [i for i in cov.audits if i in self.evidence]

        def cells(reached: Callable[[str], bool]) -> tuple[str, ...]:
            return tuple(f"{sum(reached(n) for n in leaves_of[m])}/{len(leaves_of[m])}" for m in mains)

        rows = tuple(ReportCoverageRowView(a.text, "", cells(lambda n, i=i: i in cov.leaves[n]), a.note)
                     for i, a in zip(audits, page.audits))
        rows += (ReportCoverageRowView("All audits together", "", cells(lambda n: bool(cov.leaves[n])), "",
                                       not cov.uncovered),)
        return ReportCoverageView(
            segments(page.summary), True, "Audit", tuple(mains), "Auditor", rows, page.uncovered,
            note=(f"With {len(page.audits)} audits the full matrix is too wide for a page, so each audit is shown "
                  "against the main clauses: how many of the applicable clauses under each one it reached. The "
                  "site's coverage page has every clause against every audit."), hidden_text=page.hidden_text)

    def report_inputs(self) -> Optional[ReportInputsView]:
        ri = self.r.review_inputs
        if ri is None:
            return None
        if ri.review is None:
            intro = "No management review record within its window lists the inputs it considered."
        elif ri.review in self.evidence:
            intro = (f"Inputs the latest management review within its window, {self.evidence[ri.review].title} "
                     f"({ri.date}), lists as considered.")
        else:
            intro = f"Inputs the latest management review within its window ({ri.date}) lists as considered."
        considered = sum(k in ri.considered for k in REVIEW_INPUTS)
        return ReportInputsView(segments(intro), tuple(InputView(k, REVIEW_INPUT_WORDS[k], k in ri.considered)
                                             for k in REVIEW_INPUTS),
                                f"{considered} of {plural(len(REVIEW_INPUTS), 'input')} shown as considered")

    def report_transition(self) -> ReportTransitionView:
        t = self.transition_page()
        return ReportTransitionView(t, segments(t.deadline_text), segments(t.audit_text),
                                    segments(t.certificate_text), segments(t.dates_note),
                                    tuple(segments(x.reason) for x in t.topics))

    def report(self, mains: tuple[MainView, ...], chart_set: charts.ChartSet,
               coverage: Optional[CoverageView] = None) -> ReportView:
        r = self.r
        findings = tuple(self.findings.values())
        details = self.audience != "public"
        return ReportView(
            lapses=self.lapses if details else (),
            lapse_texts=tuple(segments(x.text) for x in self.lapses) if details else (),
            hidden_lapses_text=withheld(self.hidden_lapses, "lapse of a record") if details else "",
            lapses_shown=details,
            coverage=self.report_coverage(coverage) if coverage is not None and r.coverage is not None else None,
            review_inputs=self.report_inputs(),
            transition=self.report_transition() if r.transition else None,
            exclusion_test=self.catalog.exclusion_test or "",
            scope=markdown(self.redact(self.project.organisation.scope), self.md_limit), overall=pct(r.overall),
            leaves_ready=r.leaves_ready, leaves_applicable=r.leaves_applicable,
            stale_text=plural(len(r.stale_evidence), "stale evidence record"),
            open_findings_text=plural(len(self.open_all), "open finding") if self.findings_published
            else "audit findings are not published in this build",
            open_majors=sum(fr.finding.grade == "major" for fr in self.open_all) if self.findings_published else 0,
            charts=chart_set,
            gates=self.gates,
            sections=tuple(_section(m, tuple(c for c in self.clauses if c.main == m.number)) for m in mains),
            findings=findings, hidden_findings=self.hidden_f, hidden_findings_text=self.withheld_findings(self.hidden_f),
            audits=self.audits,
            blockers=self.all_blockers[:REPORT_BLOCKERS],
            blockers_more=(f"and {len(self.all_blockers) - REPORT_BLOCKERS} more in the Summary's stage checks"
                           if len(self.all_blockers) > REPORT_BLOCKERS else ""),
            blocker_reasons=tuple(segments(b.reason) for b in self.all_blockers[:REPORT_BLOCKERS]),
            verdicts=tuple(segments(g.verdict) for g in self.gates if g.verdict),
            report_gates=tuple(ReportGateView(g, tuple(segments(i.reason) for i in g.items)) for g in self.gates),
            mandatory=self.mandatory, mandatory_text=_mandatory_summary(self.mandatory),
            mandatory_reasons=tuple(segments(m.reason) for m in self.mandatory), exclusions=self.exclusions,
            state_counts=self.state_counts(), site_url=self.site_url(),
            no_findings_text="No findings in this build." if self.findings_published else FINDINGS_NOT_PUBLISHED)

    # ------------------------------------------------------------------ the transition to the new edition

    def topic_views(self) -> tuple[TopicView, ...]:
        t = self.r.transition
        topics = {x.key: x for x in load_topics().topics}
        new = load_catalog(t.to)
        out = []
        for res in t.topics:
            topic = topics[res.key]
            shown = [i for i in res.evidence if i in self.evidence]
            out.append(TopicView(
                key=res.key, anchor=f"topic-{res.key}", title=topic.title,
                clauses=tuple(Link("", n, display_name(new, n) if n in new else "") for n in res.clauses),
                look_for=topic.look_for, provisional=topic.provisional,
                provisional_text=PROVISIONAL_TEXT if topic.provisional else "", note=topic.note,
                state=res.state, state_label=TOPIC_STATE_LABELS[res.state], reason=self.say.to_auditor(res.reason),
                evidence=tuple(Link(evidence_url(i), self.evidence[i].title, i) for i in shown),
                hidden_text=withheld(len(res.evidence) - len(shown), "record")))
        return tuple(out)

    def _transition_dates(self, to_auditor: bool = False) -> tuple[str, str]:
        t = self.r.transition
        reported = load_topics().dates
        if t.deadline:
            deadline = f"{_d(t.deadline)} ({_countdown(t.deadline_days)})"
        elif to_auditor:
            deadline = (f"not set by the organisation: reported {reported.deadline_reported} "
                        f"({_d(reported.deadline)}), to be confirmed with the certification body")
        else:
            deadline = (f"not set: reported {reported.deadline_reported} ({_d(reported.deadline)}); confirm with "
                        "your certification body and record it under transition: in organisation.yaml")
        audit = f"{_d(t.audit)} ({_countdown(t.audit_days)})" if t.audit else "not planned yet"
        return deadline, audit

    def transition_summary(self) -> str:
        t = self.r.transition
        return f"{t.addressed} of {plural(len(t.topics), 'topic')} addressed"

    def transition_page(self) -> TransitionView:
        t = self.r.transition
        reported = load_topics().dates
        deadline, audit = self._transition_dates(to_auditor=True)
        return TransitionView(
            to=t.to, from_standard=self.catalog.standard, summary=self.transition_summary(),
            deadline=_d(t.deadline), deadline_text=deadline, audit=_d(t.audit), audit_text=audit,
            topics=self.topic_views(),
            dates_note=(f"The deadline and the transition audit are the organisation's, as agreed with its "
                        f"certification body. Publicly reported, not decided: {t.to} published on "
                        f"{_d(reported.publication)}; certificates to {self.catalog.standard} end "
                        f"{reported.deadline_reported}; new certificates only to {t.to} from around "
                        f"{reported.new_certificates_from}. The certification body confirms these dates."),
            certificate_text=self.certificate_transition(to_auditor=True))

    def climate_export(self) -> Optional[Mapping[str, Any]]:
        """organisation.yaml's climate-change determination as readiness.json carries it (None when not declared)."""
        decision = self.project.organisation.climate_change
        if decision is None:
            return None
        return {"relevant": decision.relevant, "decided": decision.decided.isoformat() if decision.decided else None}

    def certificate_export(self) -> Optional[dict[str, Any]]:
        """readiness.json's "certificate": whether the recorded certificate is valid on the as-of date."""
        judged = self.r.certificate
        if judged is None:
            return None
        past = judged.transition
        return {"state": judged.state, "reason": self.say(judged.reason), "code": judged.reason.code,
                "transition": {"reason": self.say(past), "code": past.code} if past else None}

    def certificate_transition(self, to_auditor: bool = False) -> str:
        """By when the recorded certificate must move to the new edition, when it would outlive the old one."""
        judged = self.r.certificate
        if judged is None or judged.transition is None:
            return ""
        said = self.say.to_auditor(judged.transition) if to_auditor else self.say(judged.transition)
        return said[:1].upper() + said[1:] + "."

    def transition_panel(self) -> Optional[TransitionPanelView]:
        t = self.r.transition
        if t is None:
            return None
        deadline, audit = self._transition_dates()
        titles = {x.key: x.title for x in load_topics().topics}
        return TransitionPanelView(
            heading=f"Ready for {t.to}?", figures=self.transition_summary(), addressed=t.addressed,
            total=len(t.topics),
            gaps=tuple(Link(f"transition.html#topic-{g.key}", titles[g.key], g.key) for g in t.gaps),
            countdowns=(Link("", "Transition deadline", deadline), Link("", "Transition audit", audit)))

    def changed_panel(self) -> Optional[ChangedPanelView]:
        """What the edition the project is on added or changed, leaf by leaf (None on the old edition)."""
        topics = load_topics()
        if self.catalog.standard != topics.standard:
            return None
        rows, shown = [], 0
        for c in self.catalog.clauses:
            res = self.r.clauses[c.number]
            if not c.is_leaf or c.change not in ("new", "changed") or not res.applicable:
                continue
            why = next((x for x in res.reasons if x.code == "new-requirement-unevidenced"), None)
            shown += why is None
            label = CHANGE_LABELS[c.change].format(std=self.catalog.standard)
            rows.append(ChangedRowView(
                Link(clause_url(c.number), f"{c.number} {display_name(self.catalog, c.number)}", label), res.state,
                STATE_LABELS[res.state],
                self.say(why) if why else "evidence for the new requirement is mapped"))
        return ChangedPanelView(f"What changed for you in {self.catalog.standard}",
                                f"{shown} of {plural(len(rows), 'new or changed requirement')} shown by evidence",
                                tuple(rows))

    def transition_export(self) -> Optional[dict[str, Any]]:
        """readiness.json's "transition": null for a project already on the new edition."""
        t = self.r.transition
        if t is None:
            return None
        return {"to": t.to, "deadline": _d(t.deadline) or None, "audit": _d(t.audit) or None,
                "addressed": t.addressed, "total": len(t.topics),
                "topics": [{"key": x.key, "clauses": list(x.clauses), "state": x.state, "provisional": x.provisional,
                            "evidence": [i for i in x.evidence if i in self.evidence], "reason": self.say(x.reason),
                            "code": x.reason.code} for x in t.topics]}

    def site_url(self) -> Optional[str]:
        """The published site's address from organisation.yaml (``site_url``), ending in "/"; None when unset."""
        url = getattr(self.project.organisation, "site_url", None)
        return (url.rstrip("/") + "/") if url else None

    def chrome(self) -> ChromeView:
        org, catalog = self.project.organisation, self.catalog
        audience, withheld_ = Phrase, lambda: Phrase("withheld", term_url("withheld"))
        words = {"public": (audience("Public build", term_url("audience")),
                            Phrase(": shows readiness and public evidence only; other records are "), withheld_(),
                            Phrase(".")),
                 "auditor": (audience("Auditor build", term_url("audience")),
                             Phrase(": shows public and auditor evidence; internal records are "), withheld_(),
                             Phrase(".")),
                 "internal": (audience("Internal build", term_url("audience")),
                              Phrase(": shows every record. Do not publish."))}
        notes = {k: "".join(w.text for w in v) for k, v in words.items()}
        return ChromeView(
            organisation=self.redact(org.name), logo_url=f"images/{PurePosixPath(org.logo).name}" if org.logo else None,
            as_of=self.r.as_of.isoformat(), audience=self.audience, audience_note=notes[self.audience],
            commit=self.commit, standard=catalog.standard, amendments=catalog.amendments,
            transition=self.r.transition is not None, audience_words=words[self.audience])

    def site(self) -> SiteView:
        r = self.r
        mains = self.mains()
        freshness = tuple(CountView(k, FRESHNESS_LABELS[k], v) for k, v in r.freshness.items())
        chart_set = charts.build(self.state_counts()[:3], mains, self.status_counts(), freshness)
        findings = tuple(self.findings.values())
        evidence = tuple(self.evidence.values())
        coverage = self.coverage()
        pages: list[PageView] = [
            PageView("index.html", "index", "Dashboard", "index", self.dashboard(mains, chart_set)),
            PageView("clauses.html", "clauses", "Clauses", "clauses",
                     ClauseIndexView(f"Clauses of {self.catalog.standard}", tuple(self.rows.values()))),
        ]
        pages += [PageView(page_path(c.url), "clause", f"{c.number} {c.name}", "clauses", c) for c in self.clauses]
        for reg in _register(evidence, self.hidden_ev):
            title = "Evidence register" + (f", page {reg.number}" if reg.number > 1 else "")
            pages.append(PageView(reg.url, "register", title, "evidence", reg))
        doc_at: dict[str, int] = {}  # a Markdown document two records share is one page (the writer refuses two)
        for ev in evidence:
            pages.append(PageView(page_path(ev.url), "evidence", ev.title, "evidence", ev))
            if ev.document and ev.document.page_url:
                view = PageView(ev.document.path + ".html", "document", ev.document.name, "evidence",
                                DocumentPageView(ev, ev.document, self.md_limit), markdown=ev.document.source)
                if view.path in doc_at:
                    pages[doc_at[view.path]] = view  # the last record's, as when it overwrote the first's
                else:
                    doc_at[view.path] = len(pages)
                    pages.append(view)
        pages += [
            PageView("gaps.html", "gaps", "Gap report", "gaps", self.gaps()),
            PageView("findings.html", "findings", "Findings", "findings", self.findings_page(findings)),
        ]
        pages += [PageView(page_path(f.url), "finding", f"Finding {f.id}", "findings", f) for f in findings]
        pages += [
            PageView("applicability.html", "applicability", "Applicability", "applicability", ApplicabilityView(
                self.exclusions, f"{plural(len(self.exclusions), 'exclusion')} declared",
                self.catalog.exclusion_test or "")),
            PageView("stages.html", "stages", "Audit stages", "stages",
                     StagesView(self.audits, self.gates, self.mandatory, self.all_blockers, self.lapses,
                                withheld(self.hidden_lapses, "lapse of a record"), coverage.summary,
                                self.audience != "public")),
            PageView("coverage.html", "coverage", "Internal audit coverage", "stages", coverage),
            PageView("search.html", "search", "Search", ""),
            PageView(GLOSSARY_PATH, "glossary", "Glossary", "", GlossaryView(
                "The words this portal uses in a sense of its own, in plain terms.",
                tuple(GlossaryTermView(*t) for t in GLOSSARY))),
            PageView("report.html", "report", "Readiness report", "report", self.report(mains, chart_set, coverage)),
            *([PageView("transition.html", "transition", f"Ready for {r.transition.to}?", "transition",
                        self.transition_page())] if r.transition else []),
            PageView("report-print.css", "report-print.css", "", ""),
        ]
        since = self.since()
        if since is not None:
            pages.append(PageView("since-last-audit.html", "since", "Since the last audit", "index", since))
        chrome = self.chrome()
        visible_audits = set(self.evidence)
        export = ExportView(
            organisation=chrome.organisation, as_of=chrome.as_of, standard=chrome.standard,
            amendments=chrome.amendments, audience=self.audience, commit=self.commit, overall=r.overall,
            by_main=dict(r.by_main), leaves_ready=r.leaves_ready, leaves_applicable=r.leaves_applicable,
            state_counts=self.state_counts(), status_counts=self.status_counts(), clauses=self.clauses,
            evidence=evidence, findings=findings, gates=self.gates, exclusions=self.exclusions,
            hidden_evidence=self.hidden_ev, hidden_findings=self.hidden_f if self.findings_published else None,
            findings_published=self.findings_published, shares=shares_of(r),
            lapses=self.lapses, coverage=coverage,
            coverage_leaves={n: tuple(i for i in ids if i in visible_audits) for n, ids in r.coverage.leaves.items()},
            review_inputs=self.review_inputs_export(),
            site_url=self.site_url(), audits=self.audits, mandatory=self.mandatory,
            history=self.history_json(), transition=self.transition_export(),
            certificate=self.certificate_export(), systemic_minors=self.project.organisation.systemic_minors,
            climate_change=self.climate_export())
        return SiteView(chrome, tuple(pages), tuple(self.documents[k] for k in sorted(self.documents)), export,
                        self.redact, self.md_limit)


def _exclusion_test_applied(number: str, rule: str, justified: bool) -> str:
    """The exclusion test, applied to one exclusion: what the register shows and what is left to the auditor.
    The register cannot judge a justification's truth, so it never says the test is passed."""
    if not justified:
        return (f"No justification is recorded for {number}: the test cannot be applied, and the exclusion stands "
                "on nothing.")
    how = {"possible": f"{number} is commonly excluded where the test holds",
           "rare": f"{number} rarely passes the test: expect the auditor to challenge it and ask for specific reasons",
           "never": f"{number} cannot pass the test"}[rule]
    return (f"{how}. The justification must show that {number} is outside the organisation's control or influence "
            "within its scope, and that leaving it out does not affect conforming products and services or "
            "customer satisfaction; the auditor judges whether it does, against the scope the organisation maintains.")


FRESHNESS_LABELS = {"current": "Current", "due-90": "Review due within 90 days", "stale": "Stale",
                    "no-review": "No review date"}
EXCLUSION_LABELS = {"possible": "Commonly excluded", "rare": "Rarely excludable: expect a challenge",
                    "never": "Never excludable"}


def _late_text(late: Optional[LateTarget]) -> str:
    return f"target falls after the {_stage_name(late.stage)} audit on {late.audit}" if late else ""


def _mandatory_summary(items: tuple[MandatoryView, ...]) -> str:
    gaps = sum(m.is_gap for m in items)
    required = sum(m.state not in ("not-applicable", "conditional") for m in items)
    text = f"{required - gaps} of {plural(required, 'required item')} present"
    return text + (f"; {plural(gaps, 'gap')} (missing, stale or out of window)" if gaps else "; no gap")


def _section(main: MainView, clauses: tuple[ClauseView, ...]) -> SectionView:
    rows = []
    for c in clauses:
        extra = len(c.evidence) - REPORT_EVIDENCE
        parts = [f"and {extra:,} more on the clause page"] if extra > 0 else []
        if c.hidden_evidence:
            parts.append(f"{plural(c.hidden_evidence, 'record')} not shown")
        # the row's clause without what the report does not print (all its evidence, its mandatory checks):
        # the report's view-model stays small at any size (it is fingerprinted and sent to a render worker)
        shown = replace(c, evidence=c.evidence[:REPORT_EVIDENCE], mandatory=())
        rows.append(ReportRowView(shown, shown.evidence, "; ".join(parts), _report_reasons(c)))
    return SectionView(main, tuple(rows))


def _report_reasons(c: ClauseView) -> tuple[tuple[Segment, ...], ...]:
    """The reasons, each exclusion's justification left to the report's Exclusions section (printed once)."""
    declared = c.status_from.number if c.status_from else c.number
    return tuple(segments(f"not applicable: excluded with {declared} (see Exclusions)" if code == "not-applicable"
                          else text) for text, code in zip(c.reasons, c.reason_codes))


_WHOLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._]*(?:-[A-Za-z0-9._]+)+")
WHOLE_MAX = 24  # longer hyphenated names may still break, or they would run out of a narrow column


def segments(text: str) -> tuple[Segment, ...]:
    """``text`` split so that hyphenated ids and dates ("GA-2026-01", "2026-12-01") print on one line."""
    out: list[Segment] = []
    at = 0
    for m in _WHOLE.finditer(text):
        if len(m.group(0)) > WHOLE_MAX:
            continue
        if m.start() > at:
            out.append(Segment(text[at:m.start()]))
        out.append(Segment(m.group(0), True))
        at = m.end()
    if at < len(text):
        out.append(Segment(text[at:]))
    return tuple(out)


def _register(rows: tuple[EvidenceView, ...], hidden: int) -> tuple[RegisterPageView, ...]:
    chunks = [rows[i:i + REGISTER_PAGE] for i in range(0, len(rows), REGISTER_PAGE)] or [()]
    urls = ["evidence.html"] + [f"evidence-{n}.html" for n in range(2, len(chunks) + 1)]
    pages = []
    for index, chunk in enumerate(chunks):
        if len(chunks) == 1:
            summary = f"{plural(len(rows), 'record')} in this build"
        else:
            first = index * REGISTER_PAGE + 1
            summary = f"records {first:,} to {first + len(chunk) - 1:,} of {len(rows):,} in this build"
        pager = tuple(Link(url, str(n + 1), "current" if n == index else "")
                      for n, url in enumerate(urls)) if len(chunks) > 1 else ()
        pages.append(RegisterPageView(urls[index], index + 1, chunk, summary, withheld(hidden, "record"), pager))
    return tuple(pages)


def _stage_name(key: str) -> str:
    return {"stage1": "stage 1", "stage2": "stage 2"}.get(key, key)


def _countdown(days: int) -> str:
    if days > 0:
        return f"in {plural(days, 'day')}"
    if days == 0:
        return "today"
    return f"{plural(-days, 'day')} ago"


def _clause_sort_key(number: str) -> str:
    return ".".join(f"{int(p):03d}" if p.isdigit() else p for p in number.split("."))


__all__ = ["build_site", "describe", "SiteView", "ChromeView", "ExportView", "PageView", "AUDIENCES"]
