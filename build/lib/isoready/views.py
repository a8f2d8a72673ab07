"""View-models: everything a template prints, computed before rendering.

Templates receive these frozen objects only: no rule, date arithmetic or
counting happens in Jinja. This is also where the build's audience is applied:
a record the audience may not see is left out here, so nothing downstream can
leak it; only aggregate counts of withheld records remain.

URLs in view-models are relative to the site root ("clauses/4.1.html");
templates prefix ``{{ SITEURL }}/``, which Pelican sets per page to a relative path.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import quote
from typing import Callable, Optional

from markupsafe import Markup

from . import charts
from .assess import (AT_RISK, NOT_APPLICABLE, NOT_READY, READY, ClauseResult, MandatoryCheck, Readiness,
                     Reason)
from .model import AUDIENCES, Evidence, Finding, Project, audience_rank, published_name
from .text import Md, markdown

STATUS_LABELS = {
    "not-started": "Not started", "planned": "Planned", "in-progress": "In progress",
    "implemented": "Implemented", "verified": "Verified", "not-applicable": "Not applicable",
}
STATE_LABELS = {READY: "Ready", AT_RISK: "At risk", NOT_READY: "Not ready", NOT_APPLICABLE: "Not applicable"}
MANDATORY_LABELS = {"present": "Present", "stale": "Stale", "missing": "Missing", "out-of-window": "Out of window",
                    "conditional": "Conditional", "not-applicable": "Not required"}
KIND_LABELS = {"document": "Document (maintained)", "record": "Record (retained)"}
DI_LABELS = {"maintain": "Document to maintain", "retain": "Record to retain"}
GRADE_LABELS = {"major": "Major nonconformity", "minor": "Minor nonconformity", "ofi": "Opportunity for improvement"}
MARKDOWN_DOCS = (".md", ".markdown")
EXCLUSION_TEXT = {"never": "cannot be declared not applicable", "rare": "rarely justifiable",
                  "possible": "may be declared not applicable with a justification"}
REGISTER_PAGE = 1000  # rows per register page
REPORT_EVIDENCE = 12  # evidence titles per clause in the printable report


def withheld(n: int, word: str) -> str:
    """The only trace a withheld record leaves: an aggregate count ('' when nothing is withheld)."""
    return f"{plural(n, word)} not shown in this build." if n else ""


def pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def plural(n: int, word: str, words: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def clause_url(number: str) -> str:
    return f"clauses/{number}.html"


def evidence_url(ev_id: str) -> str:
    return f"evidence/{ev_id}.html"


def finding_url(fid: str) -> str:
    return f"findings/{fid}.html"


def document_url(path: str) -> str:
    """Where a document is copied; percent-encoded for use in href (file names may hold any character)."""
    return "files/" + quote(path, safe="/")


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    note: str = ""


@dataclass(frozen=True)
class ClauseLink:
    number: str
    name: str
    url: str
    official: bool


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
    readiness_bar: int  # 0..100
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
    hidden_evidence_text: str = ""
    hidden_findings_text: str = ""
    exclusion_text: str = ""


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class MainView:
    number: str
    name: str
    url: str
    readiness: str
    value: Optional[float]
    state: str
    state_label: str


@dataclass(frozen=True)
class TargetView:
    clause: ClauseLink
    target: str
    owner: str
    status_label: str
    warning: str


@dataclass(frozen=True)
class AuditView:
    name: str
    date: str
    countdown: str


@dataclass(frozen=True)
class GateItemView:
    name: str
    passed: bool
    reason: str
    evidence: tuple[Link, ...]


@dataclass(frozen=True)
class GateView:
    key: str
    name: str
    passed: bool
    items: tuple[GateItemView, ...]
    summary: str


@dataclass(frozen=True)
class CountView:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ExclusionView:
    clause: ClauseLink
    covers: tuple[ClauseLink, ...]
    justification: str
    rule: str  # "possible" | "rare"
    rule_label: str


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class RegisterPageView:
    """One page of the evidence register (1,000 rows a page keeps each page small at any size)."""

    url: str
    number: int
    rows: tuple[EvidenceView, ...]
    summary: str  # "39 records in this build" or "records 1,001 to 2,000 of 10,039 in this build"
    hidden_text: str
    pager: tuple[Link, ...]  # every page; the current one has note "current"


@dataclass(frozen=True)
class SectionView:
    """One main clause with all its clauses, for the printable report."""

    main: MainView
    clauses: tuple[ClauseView, ...]
    rows: tuple["ReportRowView", ...] = ()


@dataclass(frozen=True)
class ReportRowView:
    clause: ClauseView
    evidence: tuple[EvidenceView, ...]  # at most REPORT_EVIDENCE
    more: str  # "and 540 more on the clause page", or ""


@dataclass(frozen=True)
class SiteView:
    organisation: str
    scope: Markup
    logo_url: Optional[str]
    certification_body: str
    standard: str
    amendments: tuple[str, ...]
    as_of: str
    audience: str
    audience_note: str
    commit: str
    overall: str
    overall_value: Optional[float]
    leaves_ready: int
    leaves_applicable: int
    mains: tuple[MainView, ...]
    status_counts: tuple[CountView, ...]
    state_counts: tuple[CountView, ...]
    stale_count: int
    targets: tuple[TargetView, ...]
    audits: tuple[AuditView, ...]
    gates: tuple[GateView, ...]
    mandatory: tuple[MandatoryView, ...]
    clauses: tuple[ClauseView, ...]
    clause_rows: tuple[ClauseRowView, ...]
    evidence: tuple[EvidenceView, ...]
    hidden_evidence: int
    findings: tuple[FindingView, ...]
    hidden_findings: int
    open_findings: int
    open_majors: int
    overdue_findings: int
    exclusions: tuple[ExclusionView, ...]
    gaps: GapsView
    documents: tuple[DocumentView, ...]
    charts: charts.ChartSet
    sections: tuple[SectionView, ...] = ()
    register: tuple[RegisterPageView, ...] = ()
    texts: dict = field(default_factory=dict)  # ready-made phrases with their counts (see build_site)
    raw: Readiness = field(repr=False, compare=False, default=None)  # type: ignore[assignment]


def _size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def _d(value: Optional[date]) -> str:
    return value.isoformat() if value else ""


def build_site(project: Project, readiness: Readiness, audience: str = "auditor", commit: str = "",
               hashes: Optional[dict[str, tuple[int, str]]] = None) -> SiteView:
    """The whole site as view-models for one audience.

    ``hashes`` maps a document path (under evidence/) to (size, sha256); computed when absent.
    """
    catalog = project.catalog
    as_of = readiness.as_of
    rank = audience_rank(audience)
    visible_ev = {e.id: e for e in project.evidence if audience_rank(e.audience) <= rank}
    visible_f = {f.id: f for f in project.findings if audience_rank(f.audience) <= rank}
    vis_ev_ids, vis_f_ids = set(visible_ev), set(visible_f)
    org = project.organisation
    redact = redactor(project, vis_ev_ids, vis_f_ids)

    def say(reason: Reason) -> str:
        return reason.for_audience(vis_ev_ids, vis_f_ids)

    def clink(number: str) -> ClauseLink:
        c = catalog[number]
        return ClauseLink(number, c.name, clause_url(number), c.official_title)

    # documents
    documents: dict[str, DocumentView] = {}
    for e in visible_ev.values():
        if e.file and e.file not in documents:
            if hashes and e.file in hashes:
                size, digest = hashes[e.file]
            else:
                data = (project.root / "evidence" / e.file).read_bytes()
                size, digest = len(data), hashlib.sha256(data).hexdigest()
            site_path = f"files/{published_name(e.file)}"
            url = document_url(published_name(e.file))
            page = url + ".html" if e.file.lower().endswith(MARKDOWN_DOCS) else None
            documents[e.file] = DocumentView(path=site_path, url=url, name=PurePosixPath(e.file).name,
                                             size=size, size_text=_size_text(size), sha256=digest,
                                             page_url=page, source=e.file,
                                             as_text=published_name(e.file) != e.file)

    findings_by_ev: dict[str, list[Link]] = {}
    for f in visible_f.values():
        for ev in f.evidence:
            findings_by_ev.setdefault(ev, []).append(Link(finding_url(f.id), f.id))

    def ev_view(e: Evidence) -> EvidenceView:
        return EvidenceView(
            id=e.id, url=evidence_url(e.id), title=redact(e.title), kind=e.kind, kind_label=KIND_LABELS[e.kind],
            clauses=tuple(clink(n) for n in e.clauses), owner=redact(e.owner or ""), date=_d(e.date),
            review_by=_d(e.review_by), stale=e.is_stale(as_of), audience=e.audience, version=redact(e.version or ""),
            description=Md(redact(e.description or "")), document=documents.get(e.file) if e.file else None,
            external_url=e.url, source=e.source, findings=tuple(findings_by_ev.get(e.id, ())),
            sort_clause=_clause_sort_key(e.clauses[0]) if e.clauses else "",
            date_label="Issued" if e.kind == "document" else "Recorded")

    evidence_views = {e.id: ev_view(e) for e in sorted(visible_ev.values(), key=lambda e: e.id)}
    open_results = {fr.finding.id: fr for fr in readiness.findings}

    def f_view(f: Finding) -> FindingView:
        shown = [i for i in f.evidence if i in visible_ev]
        return FindingView(
            id=f.id, url=finding_url(f.id), grade=f.grade, grade_label=GRADE_LABELS[f.grade], status=f.status,
            raised=_d(f.raised), due=_d(f.due), closed=_d(f.closed), overdue=open_results[f.id].overdue,
            description=Md(redact(f.description)), action=Md(redact(f.action or "")),
            clauses=tuple(clink(n) for n in f.clauses),
            evidence=tuple(Link(evidence_url(i), redact(visible_ev[i].title), i) for i in shown),
            owner=redact(f.owner or ""), audience=f.audience, source=f.source, hidden_evidence=len(f.evidence) - len(shown),
            hidden_evidence_text=withheld(len(f.evidence) - len(shown), "record"))

    finding_views = {fr.finding.id: f_view(fr.finding) for fr in readiness.findings if fr.finding.id in visible_f}

    def m_view(m: MandatoryCheck) -> MandatoryView:
        return MandatoryView(
            clause=clink(m.clause), kind_label=DI_LABELS[m.kind], what=m.what, when=m.when or "", state=m.state,
            state_label=MANDATORY_LABELS[m.state], reason=say(m.reason), is_gap=m.is_gap,
            evidence=tuple(Link(evidence_url(i), evidence_views[i].title, i)
                           for i in (*m.evidence, *m.stale) if i in evidence_views))

    stage_dates = [(name, d) for name, d in sorted(org.audits.items(), key=lambda kv: kv[1])]

    def target_warning(target: Optional[date]) -> str:
        if not target:
            return ""
        late = [(n, d) for n, d in stage_dates if target > d]
        if not late:
            return ""
        name, d = late[0]
        return f"target falls after the {_stage_name(name)} audit on {d}"

    own_by_clause = {x.clause: x for x in project.assessments}

    def row(r: ClauseResult) -> ClauseRowView:
        c = catalog[r.number]
        a = r.assessment or (own_by_clause.get(r.status_from) if r.status_from else None)
        return ClauseRowView(
            number=r.number, name=c.name, official=c.official_title, url=clause_url(r.number), depth=c.depth,
            status=r.status, status_label=STATUS_LABELS[r.status], state=r.state,
            state_label=STATE_LABELS[r.state], readiness=pct(r.readiness), owner=redact(a.owner or "") if a else "",
            target=_d(a.target) if a else "", evidence_count=sum(1 for i in r.evidence if i in visible_ev),
            assessed=r.assessed)

    rows = {n: row(r) for n, r in readiness.clauses.items()}

    clause_views = []
    for number, r in readiness.clauses.items():
        c = catalog[number]
        a = r.assessment
        a_src = own_by_clause.get(r.status_from) if a is None and r.status_from else a
        linked = [evidence_views[i] for i in r.evidence if i in evidence_views]
        related = {number, *catalog.ancestors(number), *catalog.descendants(number)}
        all_f = [fr for fr in readiness.findings if related.intersection(fr.finding.clauses)]
        fs = [finding_views[fr.finding.id] for fr in all_f if fr.finding.id in finding_views]
        clause_views.append(ClauseView(
            number=number, name=c.name, official=c.official_title, url=clause_url(number), main=c.main,
            depth=c.depth, is_leaf=c.is_leaf, parent=clink(c.parent) if c.parent else None,
            ancestors=tuple(clink(n) for n in reversed(catalog.ancestors(number))),
            children=tuple(rows[n] for n in c.children), status=r.status, status_label=STATUS_LABELS[r.status],
            assessed=r.assessed, status_from=clink(r.status_from) if r.status_from else None,
            applicable=r.applicable, state=r.state, state_label=STATE_LABELS[r.state],
            reasons=tuple(say(x) for x in r.reasons), readiness=pct(r.readiness),
            readiness_bar=round((r.readiness or 0) * 100),
            # owner and target follow the assessment that applies (its own, or the ancestor's it inherits)
            owner=redact(a_src.owner or "") if a_src else "", target=_d(a_src.target) if a_src else "",
            target_after_audit=target_warning(a_src.target) if a_src else "",
            notes=Md(redact(a.notes or "") if a else ""),
            justification=redact(a_src.justification or "") if a_src and r.status == "not-applicable" else "",
            about=c.about, evidence_asked=c.evidence_asked, exclusion=c.exclusion,
            mandatory=tuple(m_view(m) for m in r.mandatory),
            evidence=tuple(linked), hidden_evidence=len(r.evidence) - len(linked),
            findings=tuple(fs), hidden_findings=len(all_f) - len(fs),
            documented_information=tuple((DI_LABELS[d.kind], d.what, d.when or "") for d in c.documented_information),
            hidden_evidence_text=withheld(len(r.evidence) - len(linked), "record"),
            hidden_findings_text=withheld(len(all_f) - len(fs), "finding"),
            exclusion_text=EXCLUSION_TEXT[c.exclusion],
        ))

    mains = tuple(MainView(c.number, c.name, clause_url(c.number), pct(readiness.by_main[c.number]),
                           readiness.by_main[c.number], readiness.clauses[c.number].state,
                           STATE_LABELS[readiness.clauses[c.number].state]) for c in catalog.mains)

    targets = tuple(
        TargetView(clink(a.clause), _d(a.target), redact(a.owner or ""), STATUS_LABELS[a.status],
                   target_warning(a.target))
        for a in sorted((a for a in project.assessments if a.target and a.status not in ("implemented", "verified",
                                                                                          "not-applicable")),
                        key=lambda a: (a.target, _clause_sort_key(a.clause))))

    audits = tuple(AuditView(_stage_name(name), _d(d), _countdown(as_of, d)) for name, d in stage_dates)

    gates = tuple(
        GateView(key, _stage_name(key).capitalize() + " readiness", g.passed,
                 tuple(GateItemView(i.name, i.passed, say(i.reason),
                                    tuple(Link(evidence_url(e), evidence_views[e].title, e)
                                          for e in i.evidence if e in evidence_views)) for i in g.items),
                 f"{sum(i.passed for i in g.items)} of {len(g.items)} checks pass")
        for key, g in readiness.gates.items())

    mandatory = tuple(m_view(m) for m in readiness.mandatory)
    exclusions = tuple(
        ExclusionView(clink(a.clause), tuple(clink(n) for n in catalog.descendants(a.clause)),
                      redact(a.justification or ""), catalog[a.clause].exclusion,
                      "Commonly excluded" if catalog[a.clause].exclusion == "possible"
                      else ("Rarely excludable: expect a challenge" if catalog[a.clause].exclusion == "rare"
                            else "Never excludable"))
        for a in sorted(project.assessments, key=lambda a: _clause_sort_key(a.clause))
        if a.status == "not-applicable")

    leaves = [rows[n] for n in readiness.clauses if catalog[n].is_leaf]
    stale_all = [e for e in project.evidence if e.is_stale(as_of)]
    stale_shown = tuple(evidence_views[e.id] for e in sorted(stale_all, key=lambda e: e.id) if e.id in evidence_views)
    open_all = [fr for fr in readiness.findings if fr.finding.is_open]
    open_shown = tuple(finding_views[fr.finding.id] for fr in open_all if fr.finding.id in finding_views)
    gaps = GapsView(
        not_ready=tuple(r for r in leaves if r.state == NOT_READY),
        not_implemented=tuple(r for r in leaves if r.status in ("not-started", "planned", "in-progress")),
        mandatory=tuple(m for m in mandatory if m.is_gap),
        stale=stale_shown, hidden_stale=len(stale_all) - len(stale_shown),
        without_evidence=tuple(r for r in leaves
                               if readiness.clauses[r.number].applicable and not readiness.clauses[r.number].evidence),
        open_findings=open_shown, hidden_findings=len(open_all) - len(open_shown),
        hidden_stale_text=withheld(len(stale_all) - len(stale_shown), "stale record"),
        hidden_findings_text=withheld(len(open_all) - len(open_shown), "open finding"),
    )
    gaps = replace(gaps, counts={
        "not_ready": len(gaps.not_ready), "not_implemented": len(gaps.not_implemented),
        "mandatory": len(gaps.mandatory), "stale": len(stale_all), "without_evidence": len(gaps.without_evidence),
        "findings": len(open_all)})

    hidden_ev = len(project.evidence) - len(visible_ev)
    hidden_f = len(project.findings) - len(visible_f)
    notes = {"public": "Public build: shows readiness and public evidence only.",
             "auditor": "Auditor build: shows public and auditor evidence; internal records are withheld.",
             "internal": "Internal build: shows every record. Do not publish."}
    status_counts = tuple(CountView(k, STATUS_LABELS[k], v) for k, v in readiness.status_counts.items())
    state_counts = tuple(CountView(k, STATE_LABELS[k], v) for k, v in readiness.state_counts.items())
    freshness = _freshness(project.evidence, as_of)
    return SiteView(
        organisation=org.name, scope=markdown(redact(org.scope)), logo_url=f"images/{PurePosixPath(org.logo).name}"
        if org.logo else None, certification_body=redact(org.certification_body or ""), standard=catalog.standard,
        amendments=catalog.amendments, as_of=as_of.isoformat(), audience=audience, audience_note=notes[audience],
        commit=commit, overall=pct(readiness.overall), overall_value=readiness.overall,
        leaves_ready=readiness.leaves_ready, leaves_applicable=readiness.leaves_applicable, mains=mains,
        status_counts=status_counts, state_counts=state_counts, stale_count=len(readiness.stale_evidence),
        targets=targets, audits=audits, gates=gates, mandatory=mandatory, clauses=tuple(clause_views),
        clause_rows=tuple(rows.values()), evidence=tuple(evidence_views.values()), hidden_evidence=hidden_ev,
        findings=tuple(finding_views.values()), hidden_findings=hidden_f,
        open_findings=len(open_all), open_majors=sum(fr.finding.grade == "major" for fr in open_all),
        overdue_findings=sum(fr.overdue for fr in open_all), exclusions=exclusions, gaps=gaps,
        documents=tuple(documents[k] for k in sorted(documents)),
        charts=charts.build(readiness.overall, mains, status_counts, freshness),
        sections=tuple(_section(m, tuple(c for c in clause_views if c.main == m.number)) for m in mains),
        register=_register(tuple(evidence_views.values()), hidden_ev),
        texts={
            "evidence_count": f"{plural(len(evidence_views), 'record')} in this build",
            "hidden_evidence": withheld(hidden_ev, "record"),
            "hidden_findings": withheld(hidden_f, "finding"),
            "exclusions": f"{plural(len(exclusions), 'exclusion')} declared",
            "stale": plural(len(readiness.stale_evidence), "stale evidence record"),
            "open_findings": plural(len(open_all), "open finding"),
            "mandatory": _mandatory_summary(mandatory),
        },
        raw=readiness,
    )


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
        rows.append(ReportRowView(c, c.evidence[:REPORT_EVIDENCE], "; ".join(parts)))
    return SectionView(main, clauses, tuple(rows))


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


#: a whole token: starts and ends with a letter or digit, so "_IA-1_", "IA-1." and "(IA-1)" all yield "IA-1"
_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?")
WITHHELD = "[withheld]"


def redactor(project: Project, visible_evidence: set[str], visible_findings: set[str]) -> Callable[[str], str]:
    """Replace, in text this audience sees, every id, page path and file name of a record it may not see.

    Contributors write "see IA-2026-02" or link "evidence/TR-7.html" in notes; in a build that withholds
    those records, the names must not appear either. Whole tokens, any letter case.
    """
    hidden: set[str] = set()
    for e in project.evidence:
        if e.id in visible_evidence:
            continue
        hidden |= {e.id, f"evidence/{e.id}", f"evidence/{e.id}.html"}
        if e.file:
            pub = published_name(e.file)
            hidden |= {e.file, pub, f"evidence/{e.file}", f"files/{e.file}", f"files/{pub}", f"files/{pub}.html",
                       PurePosixPath(e.file).name, PurePosixPath(pub).name}
    for f in project.findings:
        if f.id not in visible_findings:
            hidden |= {f.id, f"findings/{f.id}", f"findings/{f.id}.html"}
    for e in project.evidence:  # a file name a visible record also uses is not a secret
        if e.id in visible_evidence and e.file:
            hidden.discard(PurePosixPath(e.file).name)
    if not hidden:
        return lambda text: text
    lowered = {h.lower() for h in hidden}
    spaced = [re.compile(re.escape(h), re.IGNORECASE) for h in sorted(hidden, key=len, reverse=True)
              if not _TOKEN.fullmatch(h)]  # names a token cannot hold whole (spaces, odd characters)

    def swap(match: re.Match) -> str:
        return WITHHELD if match.group(0).lower() in lowered else match.group(0)

    def redact(text: str) -> str:
        if not text:
            return text
        for pattern in spaced:
            text = pattern.sub(WITHHELD, text)
        return _TOKEN.sub(swap, text)

    return redact


def _freshness(evidence: tuple[Evidence, ...], as_of: date) -> tuple[CountView, ...]:
    """Every record (an aggregate, so it is the same for each audience) by review state."""
    buckets = {"current": 0, "due-90": 0, "stale": 0, "no-review": 0}
    for e in evidence:
        if e.review_by is None:
            buckets["no-review"] += 1
        elif e.review_by < as_of:
            buckets["stale"] += 1
        elif (e.review_by - as_of).days <= 90:
            buckets["due-90"] += 1
        else:
            buckets["current"] += 1
    labels = {"current": "Current", "due-90": "Review due within 90 days", "stale": "Stale",
              "no-review": "No review date"}
    return tuple(CountView(k, labels[k], v) for k, v in buckets.items())


def _stage_name(key: str) -> str:
    return {"stage1": "stage 1", "stage2": "stage 2"}.get(key, key)


def _countdown(as_of: date, when: date) -> str:
    days = (when - as_of).days
    if days > 0:
        return f"in {plural(days, 'day')}"
    if days == 0:
        return "today"
    return f"{plural(-days, 'day')} ago"


def _clause_sort_key(number: str) -> str:
    return ".".join(f"{int(p):03d}" if p.isdigit() else p for p in number.split("."))


__all__ = ["build_site", "SiteView", "AUDIENCES"]
