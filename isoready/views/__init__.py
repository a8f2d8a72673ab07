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

from dataclasses import replace
from datetime import date
from pathlib import PurePosixPath
from typing import Any, Callable, Mapping, Optional

from .. import charts, repolinks
from ..catalog import load_catalog, load_topics
from ..assess import AT_RISK, NOT_READY, READY, ClauseResult, MandatoryCheck, Readiness
from ..assess import MISSING, OUT_OF_WINDOW, REVIEW_INPUTS_CLAUSE, REVIEW_OVERDUE, window_of
from ..model import (AUDIENCES, FIGURES, HISTORY_VERSION, REVIEW_INPUTS, Evidence, Finding, Project, audience_rank,
                    findings_published, published_name)
from ..redact import redactor
from ..text import MAX_MARKDOWN_BYTES, Md, markdown
from .labels import (CHANGE_LABELS, DASHBOARD_BLOCKERS, DASHBOARD_LAPSES, DI_LABELS, DUE_FLAG_LABELS,
                     EXCLUSION_LABELS, EXCLUSION_TEXT, FIGURE_WORDS, FRESHNESS_LABELS, GATE_WORDS, GLOSSARY,
                     GLOSSARY_PATH, GRADE_LABELS, KIND_LABELS, MANDATORY_LABELS, MANDATORY_TERMS, MARKDOWN_DOCS,
                     NO_GIT_TEXT, ORIGIN_LABELS, PROVISIONAL_TEXT, REGISTER_PAGE, REPORT_BLOCKERS,
                     REPORT_COVERAGE_AUDITS, REPORT_EVIDENCE, STATE_LABELS, STATE_WORDS, STATUS_LABELS,
                     TOPIC_STATE_LABELS, bytes_text, clause_order, clause_url, countdown_text, date_text,
                     display_name, document_url, evidence_url, exclusion_test_text, figure_text, finding_url,
                     late_target_text, page_path, pct, plural, segments, shares_of, shares_text, stage_label, subject,
                     term_url, verdict_word, withheld)
from .models import (AuditView, BlockerView, ClauseLink, ClauseRowView, ClauseView, CountView, CoverageRowView,
                     CoverageView, DocumentView, EvidenceView, ExclusionView, FindingView, GapRowView, GapsView,
                     GateDateView, GateItemView, GateView, GlossaryTermView, GlossaryView, InputView, LapseView, Link,
                     MainView, MandatoryView, Phrase, RegisterPageView, ReportGateView, ReportRowView, RevisionView,
                     SectionView, Segment, TargetView)
from .pages import (ApplicabilityView, ChangedPanelView, ChangedRowView, ChromeView, ClauseIndexView, DashboardView,
                    DocumentPageView, ExportView, FindingsView, PageView, PublishHintView, ReportCoverageRowView,
                    ReportCoverageView, ReportInputsView, ReportTransitionView, ReportView, SinceView, SiteView,
                    StagesView, TopicView, TransitionPanelView, TransitionView)
from .reasons import FINDINGS_NOT_PUBLISHED, GATE_NAMES, LAPSE_WORDS, REVIEW_INPUT_WORDS, Words
# the package's public names, importable from isoready.views as when views was one module
from .labels import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .pages import *  # noqa: F401,F403
from .reasons import *  # noqa: F401,F403

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
        self.audits = tuple(AuditView(stage_label(a.stage), date_text(a.date), countdown_text(a.days)) for a in readiness.audits)
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
                    size_text=bytes_text(size), sha256=digest, page_url=page, source=e.file,
                    as_text=published_name(e.file) != e.file)
        return documents

    def ev_view(self, e: Evidence) -> EvidenceView:
        redact = self.redact
        return EvidenceView(
            id=e.id, url=evidence_url(e.id), title=redact(e.title), kind=e.kind, kind_label=KIND_LABELS[e.kind],
            clauses=tuple(self.clink(n) for n in e.clauses), owner=redact(e.owner or ""), date=date_text(e.date),
            review_by=date_text(e.review_by), stale=e.id in self.stale, audience=e.audience,
            version=redact(e.version or ""), description=Md(redact(e.description or ""), self.md_limit),
            document=self.documents.get(e.file) if e.file else None, external_url=redact(e.url or "") or None, source=e.source,
            findings=tuple(self.findings_by_ev.get(e.id, ())),
            sort_clause=clause_order(e.clauses[0]) if e.clauses else "",
            date_label="Issued" if e.kind == "document" else "Recorded",
            approved_by=redact(e.approved_by or ""), approved=date_text(e.approved), **self.revision_fields(e),
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
            raised=date_text(f.raised), due=date_text(f.due), closed=date_text(f.closed), overdue=self.overdue[f.id],
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
            verification_date=date_text(f.verification.date) if f.verification else "",
            verification_by=redact(f.verification.by or "") if f.verification else "",
            verification_effective=f.verification.effective if f.verification else None,
            verification_evidence=tuple(Link(evidence_url(i), redact(self.visible_ev[i].title), i)
                                        for i in (f.verification.evidence if f.verification else ())
                                        if i in self.visible_ev),
            unverified=result.unverified, due_today=result.due_today,
            subject=subject(redact(f.description)), is_open=f.is_open,
            status_label="Open" if f.is_open else ("Closed " + date_text(f.closed)).strip(),
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
            owner=self.redact(a.owner or "") if a else "", target=date_text(a.target) if a else "",
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
            owner=redact(src.owner or "") if src else "", target=date_text(src.target) if src else "",
            target_after_audit=late_target_text(res.target_late),
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
        return {"review": ri.review if shown else None, "date": date_text(ri.date) or None,
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
            on_view = GateDateView(date_text(day), on.passed, (), "") if on else None
            word = {True: "passes", False: "not yet"}
            when = f"; on {day}: {word[on.passed]}, if nothing changes" if on else ""
            return GateView(key, stage_label(key).capitalize() + " readiness", g.passed, (),
                            "checks are shown to the organisation and its auditors" + self.provisional_beside(),
                            on_view, f"{stage_label(key).capitalize()}: {word[g.passed]} today{when}."
                            + self.provisional_verdict(), stage_label(key).capitalize())
        on_view = GateDateView(date_text(day), on.passed, self.gate_items(on.items),
                               f"{sum(i.passed for i in on.items)} of {len(on.items)} checks pass") if on else None
        return GateView(key, stage_label(key).capitalize() + " readiness", g.passed, self.gate_items(g.items),
                        f"{sum(i.passed for i in g.items)} of {len(g.items)} checks pass{self.provisional_beside()}",
                        on_view, self.verdict(key, g, on, day) + self.provisional_verdict(),
                        stage_label(key).capitalize())

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
        stage = stage_label(key).capitalize()
        failing_today = sum(not i.passed for i in g.items)
        today = "passes today" if g.passed else f"does not pass today ({failing_today} of {len(g.items)} checks fail)"
        if day is None:
            return f"{stage} {today}; no {stage_label(key)} audit date is booked."
        if on is None:
            return f"{stage} {today}; its audit date, {day}, has passed."
        if on.passed:
            return f"{stage} {today}; on {day} it passes, if nothing changes." if not g.passed else \
                f"{stage} passes today and, if nothing changes, on {day}."
        failing = [GATE_NAMES[i.check] for i in on.items if not i.passed]
        passed_today = {i.check for i in g.items if i.passed}
        newly = {n for i in on.items if not i.passed and i.check in passed_today for n in i.clauses}
        causes = [x.text for x in self.lapses if x.date <= date_text(day) and newly & {c.number for c in x.clauses}][:3]
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
                    out.append(BlockerView(stage_label(key).capitalize(), item.check, GATE_NAMES[item.check],
                                           None, "", self.say(item.reason), anchor))
                for number in item.clauses:
                    res = self.r.clauses[number]
                    why = res.reasons[0] if item.check == "all-clauses-ready" and res.reasons else item.reason
                    owner = res.applying.owner if res.applying else None
                    out.append(BlockerView(stage_label(key).capitalize(), item.check, GATE_NAMES[item.check],
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
            shown.append(LapseView(date_text(x.date), x.kind, LAPSE_WORDS[x.kind], text, url, stage_label(x.before),
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
                          exclusion_test_text(a.clause, catalog[a.clause].exclusion, bool(a.justification)))
            for a in sorted(self.project.assessments, key=lambda a: clause_order(a.clause))
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
        targets = tuple(TargetView(self.clink(t.clause), date_text(t.target), self.redact(t.owner or ""),
                                   STATUS_LABELS[t.status], late_target_text(t.late),
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
        audits = [(f"{stage_label(a.stage)} audit", a.date) for a in self.r.audits]
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
        return "" if x.due in own else date_text(x.due)

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
        booked = [f"{stage_label(a.stage)} on {a.date}" for a in self.r.audits if a.days >= 0]
        with_body = f" with {self.redact(org.certification_body)}" if org.certification_body else ""
        return f"Audits booked{with_body}: {', '.join(booked)}." if booked else ""

    def urgency_label(self, row: Any) -> str:
        stage = stage_label(row.stage) if row.stage else ""
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
            deadline = f"{date_text(t.deadline)} ({countdown_text(t.deadline_days)})"
        elif to_auditor:
            deadline = (f"not set by the organisation: reported {reported.deadline_reported} "
                        f"({date_text(reported.deadline)}), to be confirmed with the certification body")
        else:
            deadline = (f"not set: reported {reported.deadline_reported} ({date_text(reported.deadline)}); confirm with "
                        "your certification body and record it under transition: in organisation.yaml")
        audit = f"{date_text(t.audit)} ({countdown_text(t.audit_days)})" if t.audit else "not planned yet"
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
            deadline=date_text(t.deadline), deadline_text=deadline, audit=date_text(t.audit), audit_text=audit,
            topics=self.topic_views(),
            dates_note=(f"The deadline and the transition audit are the organisation's, as agreed with its "
                        f"certification body. Publicly reported, not decided: {t.to} published on "
                        f"{date_text(reported.publication)}; certificates to {self.catalog.standard} end "
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
        return {"to": t.to, "deadline": date_text(t.deadline) or None, "audit": date_text(t.audit) or None,
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


__all__ = ["build_site", "describe", "SiteView", "ChromeView", "ExportView", "PageView", "AUDIENCES"]
