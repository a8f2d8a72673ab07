"""The view-models of whole pages, the chrome, the exports and the site."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from markupsafe import Markup

from isoready.views import charts
from isoready.core.i18n import SOURCE_LANGUAGE
from isoready.core.text import MAX_MARKDOWN_BYTES
from isoready.views.models import (AuditView, BlockerView, ClauseLink, ClauseRowView, ClauseView, CountView,
    CoverageView, DocumentView, EvidenceView, ExclusionView, FindingView, GateView, InputView, LapseView, Link,
    MainView, MandatoryView, Phrase, RegisterView, ReportGateView, SectionView, Segment, TargetView)


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
    family: str = ""  # the standard's name without its edition ("ISO 9001"), from its data: every page's words
    sitename: str = ""  # the portal's name beside the organisation's ("ISO 9001 readiness") unless pelicanconf sets one
    publisher: str = ""  # whose clause titles these are ("ISO"; "" when the standard's data names none): the footer
    transition: bool = False  # the site has a transition page (a project on the old edition): it is in the nav
    registers: bool = False  # the site has register pages (records declaring ``register:``): they are in the nav
    sites: bool = False  # a multi-site organisation (sites:): sites.html and a page per site, in the nav
    audience_words: tuple[Phrase, ...] = ()  # audience_note with its terms linked to the glossary
    #: an integrated system's standard switcher (one portal per standard); empty for a single standard
    standards: tuple["StandardLinkView", ...] = ()
    #: the site's manifest, relative to this portal's root (an integrated system's other portals list theirs in
    #: the site root's)
    manifest_url: str = "manifest.json"
    language: str = SOURCE_LANGUAGE  # the language the site speaks (<html lang>), issue 26
    reviewed: bool = True  # its catalog was reviewed by a fluent speaker (else the footer says it was not)


@dataclass(frozen=True, slots=True)
class StandardLinkView:
    """One standard in the switcher: its name, its portal's dashboard (relative to this portal's root, so
    templates prefix SITEURL) and whether it is the portal being shown."""

    name: str
    href: str
    current: bool = False


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
class RegistersIndexView:
    """registers.html: one row per register this build shows."""

    registers: tuple[RegisterView, ...]
    intro: str
    hidden_text: str = ""  # how many registers of withheld records the build leaves out


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
    scope_clause: str = ""  # the clause the scope document (where a justification lives) is mapped to (role scope)


@dataclass(frozen=True, slots=True)
class CBPickView:
    """One site a certification body is likely to visit at an audit, and why (views/multisite.py)."""

    site: str  # the site's id
    name: str
    why: str
    code: str  # assess.sampling's PICK_CODES


@dataclass(frozen=True, slots=True)
class CBAuditView:
    """One audit of the certification cycle: how many sites other than the central function, the visits in all,
    the likely picks and the random share in words."""

    audit: str  # assess.sampling's AUDITS
    label: str
    others: int
    visits: int
    picks: tuple[CBPickView, ...]
    random_text: str = ""


@dataclass(frozen=True, slots=True)
class CBView:
    """The certification body's view of a multi-site organisation, indicative (stages page and report): IAF MD 1's
    sample per audit and its method, the likely picks and why, IAF MD 5's auditor-days, the sources."""

    intro: str
    method: str
    method_code: str  # assess.sampling's METHODS
    central: str
    audits: tuple[CBAuditView, ...]
    days: tuple[tuple[str, str], ...]  # (audit, auditor-days), empty when not known
    days_note: str
    provisional: str
    sources: tuple[str, ...]  # "title: URL", as text (the PDF keeps its links inside itself)


@dataclass(frozen=True, slots=True)
class SiteRowView:
    """One site of a multi-site organisation, as every table of sites gives it: the sites table (sites.html),
    the site's own page and the workbook's Sites sheet all print this one row (views/sitepages.py site_row),
    so their figures cannot differ."""

    id: str
    name: str
    url: str
    central: bool
    country: str
    employees: Optional[int]
    employees_text: str  # "46 employees", or ""
    verdicts: tuple[tuple[str, bool, str], ...]  # (stage, passes, its word), one per stage gate
    verdict: str  # the stage 2 verdict in words ("passes stage 2"), as the workbook gives it
    shares: tuple[tuple[str, float, str, str], ...]  # (state, share, label, percent): ready, at risk, not ready
    open_findings: Optional[int]  # the open findings at the site this audience may see; None: not published
    open_findings_text: str  # the count, or the words of a build that does not publish findings
    last_audit: Optional[Any]  # the date of the latest internal audit of the site this audience may see
    last_audit_text: str  # its date, or the words for none
    blockers: int  # the leaves not ready at the site

    def share(self, state: str) -> Optional[float]:
        """The share of the site's applicable leaves in ``state`` (None: nothing applies there)."""
        return next((value for key, value, _label, _pct in self.shares if key == state), None)


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
    mandatory_caption: str = ""  # the caption of the mandatory documented information table
    cb: Optional[CBView] = None  # a multi-site organisation: the certification body's view (indicative)


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
    cb: Optional[CBView] = None  # a multi-site organisation: the certification body's view, as on the stages page


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
    #: readiness.json "other_standards" (an integrated system's site root only): each other standard's portal and
    #: exports, relative to this readiness.json
    other_standards: tuple[Mapping[str, str], ...] = ()
    #: the registers this build shows (views.registers; names already dropped where the audience may not see them)
    registers: tuple[RegisterView, ...] = ()
    #: readiness.json "registers" (issue 24): each register this audience may see, its problems, flags, reasons
    register_entries: tuple[Mapping[str, Any], ...] = ()
    #: the registers the audience may see, for the workbook's summary sheets (register type order, then id)
    register_summaries: tuple["RegisterSummaryView", ...] = ()
    #: readiness.json "sites" and "sampling" (issue 25): a multi-site organisation only (empty, None otherwise)
    sites: tuple[Mapping[str, Any], ...] = ()
    sampling: Optional[Mapping[str, Any]] = None
    #: the workbook's Sites sheet (views/sitepages.py site_rows, the rows of sites.html): multi-site only
    site_rows: tuple[SiteRowView, ...] = ()
    language: str = SOURCE_LANGUAGE  # readiness.json "language" (issue 26): the language the build's words are in


@dataclass(frozen=True, slots=True)
class RegisterSummaryView:
    """One register record on the workbook's summary sheet of its type (issue 24): counts and worded reasons,
    never a row's cells (a competence register's names stay out of every build but the internal one)."""

    evidence: str  # the record's id
    title: str
    url: str  # the record's page
    kind: str  # the register type (model.REGISTER_KINDS)
    kind_label: str  # "Calibration": the sheet's name
    file: str  # relative to evidence/
    rows: int
    flags: tuple[tuple[str, int], ...]  # (flag's words, rows carrying it): the type's flags, then any other met
    problems: int  # problems met reading the register
    reasons: tuple[str, ...]  # the register's judgements, worded for the build's audience


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
    #: readiness.json's export in a build of another language than English: its words made in English, so that
    #: readiness.json stays language-neutral (identical in every language but its "language"); None in English
    neutral: Optional[ExportView] = None

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
