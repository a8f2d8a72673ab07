"""The shared context every page builder reads: the audience filter applied once, and the view-models of
records (evidence, findings, clauses, gates, lapses) that several page kinds print.

Built once per build (``Context(project, readiness, audience, ...)``); the page builders (builder.py; one module per
page kind) read it and never change it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import cached_property
from typing import Any, Mapping, Optional

from isoready.core.i18n import SOURCE_LANGUAGE, gettext as _, ngettext, prose_date
from isoready.read import repolinks
from isoready.read.catalog import load_catalog
from isoready.assess import (ClauseResult, MISSING, MandatoryCheck, OUT_OF_WINDOW,
    REVIEW_OVERDUE, Readiness, window_of)
from isoready.model import (MARKDOWN_SUFFIXES, Evidence, Finding, Project, audience_rank, findings_published,
    published_name)
from isoready.validate.redact import personal_files, redactor, registers_for
from isoready.core.text import MAX_MARKDOWN_BYTES, Md
from isoready.views.labels import (CHANGE_LABELS, DI_LABELS, DUE_FLAG_LABELS, EXCLUSION_LABELS, EXCLUSION_TEXT,
    GRADE_LABELS, KIND_LABELS, MANDATORY_LABELS, MANDATORY_TERMS, ORIGIN_LABELS, STATE_LABELS,
    STATUS_LABELS, bytes_text, clause_order, clause_url, countdown_text, date_text, display_name, document_url,
    evidence_url, exclusion_test_text, finding_url, late_target_text, register_url, shares_of, shares_text,
    stage_label, subject, term_url, withheld)
from isoready.views.models import (AuditView, BlockerView, ClauseLink, ClauseRowView, ClauseView, CountView,
    DocumentView, EvidenceRowView, EvidenceView, ExclusionView, FindingView, GateDateView, GateItemView, GateView, InputView,
    LapseView, Link, MandatoryView, RevisionView, evidence_row)
from isoready.views.reasons import FINDINGS_NOT_PUBLISHED, LAPSE_WORDS, StandardWords, Words


class Context:
    """The audience-filtered records and their view-models, shared by every page builder."""

    def __init__(self, project: Project, readiness: Readiness, audience: str, commit: str,
                 hashes: Mapping[str, tuple[int, str]], git: Any = None, max_markdown_bytes: int = MAX_MARKDOWN_BYTES):
        self.project, self.r, self.audience, self.commit = project, readiness, audience, commit
        self.md_limit = max_markdown_bytes
        self.hashes = hashes
        self.git = git
        self.catalog = project.catalog
        self._clinks: dict[str, ClauseLink] = {}  # clink's, by clause number
        rank = audience_rank(audience)
        self.visible_ev = {e.id: e for e in project.evidence if audience_rank(e.audience) <= rank}
        # the findings policy, applied here and only here: a public build publishes findings only when the team
        # opts in (public.show_findings: true); otherwise it has none, not even one marked audience: public, and
        # says nothing countable about them (no page, entry, row, count or grade; their ids are redacted)
        self.findings_published = findings_published(project.organisation, audience)
        self.visible_f = {f.id: f for f in project.findings if audience_rank(f.audience) <= rank} \
            if self.findings_published else {}
        self.redact = redactor(project, set(self.visible_ev), set(self.visible_f))
        # the words of the project's standard (its data): gate titles, its system's words, the clause of each role
        self.std = StandardWords.of(project.catalog)
        if project.organisation.sites:  # a multi-site organisation: reasons name its sites by their names
            self.std = replace(self.std, sites={s.id: s.name or s.id for s in project.organisation.sites})
        self.say = Words(set(self.visible_ev), set(self.visible_f), self.redact, self.findings_published, self.std,
                         self.di_words)
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
        self.overdue = {fr.finding.id: fr.overdue for fr in readiness.findings}
        self.finding_results = {fr.finding.id: fr for fr in readiness.findings}
        self.findings = {fr.finding.id: self.f_view(fr.finding) for fr in readiness.findings
                         if fr.finding.id in self.visible_f}
        self.project_evidence = {e.id: e for e in project.evidence}
        # the evidence, clause, mandatory, lapse, gate and blocker view-models are made when a builder first
        # asks (cached properties below): a builder handed back by the ViewMemo costs none of them
        self.audits = tuple(AuditView(stage_label(a.stage), date_text(a.date), countdown_text(a.days))
                            for a in readiness.audits)
        self.exclusions = self._exclusions()
        self.hidden_ev = len(project.evidence) - len(self.visible_ev)
        # withheld findings are counted only where findings are published at all
        self.hidden_f = len(project.findings) - len(self.visible_f) if self.findings_published else 0
        self.open_all = [fr for fr in readiness.findings if fr.finding.is_open] if self.findings_published else []

    #: a long-lived process's evidence view-models by record (``use_record_memo``), or None
    _records: Optional[dict] = None
    _records_shared: tuple = ()
    #: and their rows by view-model (id -> (EvidenceView, EvidenceRowView)), or None
    _rows: Optional[dict] = None

    def use_record_memo(self, records: dict, shared: tuple, rows: Optional[dict] = None) -> None:
        """Keep each evidence record's view-model in ``records`` (id -> (record, key, view)), keyed by everything its
        view is made of: the record, whether it is stale, the findings citing it, its document, the folder its
        first clause's records live in, whether its file holds a withheld record, its change since approval,
        and ``shared`` (the fingerprints of the organisation, catalog and git facts, the audience, the as-of
        date, the redactor). Set before the first builder asks for ``evidence``. ``rows``: each record's row
        (``ev_rows``), kept by its view-model's identity."""
        self._records, self._records_shared = records, (*shared, self.r.as_of, repr(self.redact))
        self._rows = rows

    @cached_property
    def ev_rows(self) -> dict[str, EvidenceRowView]:
        """Each visible record's row as the lists print it (``models.evidence_row``), made once per view-model:
        the register's pages, the clause pages, the report and the gap report share them. In a long-lived
        process a view-model handed back unchanged keeps its row, and a row equal to the last one is the last
        one, so that an edit no row shows leaves those pages' view-models equal (not rendered again)."""
        memo = self._rows
        if memo is None:
            return {i: evidence_row(v) for i, v in self.evidence.items()}
        out, kept = {}, {}
        for i, v in self.evidence.items():
            hit = memo.get(i)
            if hit is not None and hit[0] is v:
                row = hit[1]
            else:
                row = evidence_row(v)
                if hit is not None and hit[1] == row:
                    row = hit[1]
            out[i] = row
            kept[i] = (v, row)
        memo.clear()  # this build's rows only
        memo.update(kept)
        return out

    @cached_property
    def evidence(self) -> dict[str, EvidenceView]:
        records = sorted(self.visible_ev.values(), key=lambda e: e.id)
        memo = self._records
        if memo is None:
            return {e.id: self.ev_view(e) for e in records}
        out, kept = {}, {}
        changed = self.r.changed_since_approval
        for e in records:
            # the record itself is compared by identity first (serve's reader hands back the very record of a file
            # it did not read again), then by its repr: no repr of 10,000 records per edit
            key = (e.id in self.stale, tuple(self.findings_by_ev.get(e.id, ())),
                   self.documents.get(e.file) if e.file else "", self.folders.get(e.clauses[0], "")
                   if e.clauses else "", e.source in self.withheld_sources,
                   repr(changed[e.id]) if e.id in changed else "", e.id in self.registers, self._records_shared)
            hit = memo.get(e.id)
            view = hit[2] if hit is not None and hit[1] == key and (hit[0] is e or repr(hit[0]) == repr(e)) \
                else self.ev_view(e)
            kept[e.id] = (e, key, view)
            out[e.id] = view
        memo.clear()  # this build's records only: bounded by the register's size
        memo.update(kept)
        return out

    @cached_property
    def unpublished_files(self) -> frozenset[str]:
        """The files this build does not publish: registers naming people it may not show (redact.py)."""
        return personal_files(self.project, self.audience)

    @cached_property
    def registers(self) -> dict[str, Any]:
        """The registers this build shows (validate.redact.registers_for: the audience filter, names dropped)."""
        return registers_for(self.project, self.audience)

    @cached_property
    def rows(self) -> dict[str, ClauseRowView]:
        return {n: self.row(res) for n, res in self.r.clauses.items()}

    @cached_property
    def clauses(self) -> tuple[ClauseView, ...]:
        return tuple(self.clause_view(n, res) for n, res in self.r.clauses.items())

    @cached_property
    def mandatory(self) -> tuple[MandatoryView, ...]:
        return tuple(self.m_view(m) for m in self.r.mandatory)

    @cached_property
    def _lapse_views(self) -> tuple[tuple[LapseView, ...], int]:
        return self._lapses()

    @property
    def lapses(self) -> tuple[LapseView, ...]:
        return self._lapse_views[0]

    @property
    def hidden_lapses(self) -> int:
        return self._lapse_views[1]

    @cached_property
    def gates(self) -> tuple[GateView, ...]:
        return tuple(self.gate_view(key, g) for key, g in self.r.gates.items())

    @cached_property
    def all_blockers(self) -> tuple[BlockerView, ...]:
        return self.blockers()

    def clink(self, number: str) -> ClauseLink:
        link = self._clinks.get(number)
        if link is None:  # one per clause (a few hundred), not one per record naming it (15,000 at 10,000 records)
            c = self.catalog[number]
            link = self._clinks[number] = ClauseLink(number, display_name(self.catalog, number), clause_url(number),
                                                     c.official_title, c.provisional, c.lang("name"))
        return link

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
            folder = e.source.rpartition("/")[0] or "."  # PurePosixPath(source).parent: sources are clean, relative
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
        personal = self.unpublished_files
        for e in self.visible_ev.values():
            if e.file and e.file not in documents and e.file not in personal:
                size, digest = hashes[e.file]
                name = published_name(e.file)
                url = document_url(name)
                page = url + ".html" if e.file.lower().endswith(MARKDOWN_SUFFIXES) else None
                documents[e.file] = DocumentView(
                    path=f"files/{name}", url=url, name=e.file.rpartition("/")[2], size=size,
                    size_text=bytes_text(size), sha256=digest, page_url=page, source=e.file,
                    as_text=name != e.file)
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
            date_label=_("Issued") if e.kind == "document" else _("Recorded"),
            approved_by=redact(e.approved_by or ""), approved=date_text(e.approved), **self.revision_fields(e),
            **self.file_links(e.source), add_url=self.add_url(e.clauses[0], e.kind) if e.clauses else "",
            register_url=register_url(e.id) if e.id in self.registers else "",
            file_note=_("Not published in this build: the file names people.") if e.file in self.unpublished_files
            else "")

    def revision_fields(self, e: Evidence) -> dict:
        """The record's and its document's revision history from git, and 'changed since approval'."""
        git = self.git
        if git is None:
            return {}
        if not git.available:
            return {"revisions_note": _("Revision history is not available: this build was made without git history "
                                        "(for example from a zip of the register).")}

        def views(path: str) -> tuple[RevisionView, ...]:
            return tuple(RevisionView(r.date.isoformat(), r.short, self.redact(r.subject),
                                      r.author if self.audience == "internal" else "")
                         for r in git.revisions.get(path, ()))

        changed = self.r.changed_since_approval.get(e.id)
        record, document = views(e.source), views(f"evidence/{e.file}") if e.file else ()
        return {"revisions": record, "document_revisions": document,
                "revisions_caption": ngettext("Register entry (%(source)s): %(num)s commit, newest first",
                                              "Register entry (%(source)s): %(num)s commits, newest first",
                                              len(record), source=e.source),
                "document_revisions_caption": ngettext("Document (%(file)s): %(num)s commit, newest first",
                                                       "Document (%(file)s): %(num)s commits, newest first",
                                                       len(document), file=e.file) if e.file else "",
                "changed_since_approval": self.say(changed) if changed else "",
                "revisions_note": "" if git.revisions.get(e.source) else
                _("No commit has this record yet (it is new in the working tree).")}

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
            status_label=_("Open") if f.is_open else _("Closed %(date)s", date=date_text(f.closed)).strip(),
            due_flag=flag, due_flag_label=DUE_FLAG_LABELS.get(flag, ""), **self.file_links(f.source))

    def verification_text(self, f: Finding) -> str:
        v = f.verification
        if v is None:
            if f.is_open or f.grade not in ("major", "minor"):
                return ""
            return _("Closed without a recorded verification that the action was effective.")
        when = _(" on %(date)s", date=prose_date(v.date)) if v.date else ""
        by = _(" by %(person)s", person=self.redact(v.by)) if v.by else ""
        verdict = {True: _("found effective"), False: _("found **not effective**"),
                   None: _("effectiveness not stated")}
        return _("Verified%(when)s%(by)s: %(verdict)s.", when=when, by=by, verdict=verdict[v.effective])

    @cached_property
    def di_words(self) -> dict[str, str]:
        """The documented information's words in the catalog's language: assess keeps the English it judged on
        (a translation changes words only), the pages print the build's language."""
        if self.catalog.language == SOURCE_LANGUAGE:
            return {}
        english = {c.number: c for c in load_catalog(self.catalog.standard, SOURCE_LANGUAGE).clauses}
        words: dict[str, str] = {}
        for clause in self.catalog.clauses:
            for mine, theirs in zip(english[clause.number].documented_information, clause.documented_information):
                words[mine.what] = theirs.what
                if mine.when and theirs.when:
                    words[mine.when] = theirs.when
        return words

    def m_view(self, m: MandatoryCheck) -> MandatoryView:
        return MandatoryView(
            clause=self.clink(m.clause), kind_label=DI_LABELS[m.kind], what=self.di_words.get(m.what, m.what),
            when=self.di_words.get(m.when or "", m.when or ""),
            state=m.state, state_label=MANDATORY_LABELS[m.state], reason=self.say(m.reason),
            is_gap=m.is_gap or m.is_risk,  # needs action: missing, out of its window, or its review overdue
            evidence=tuple(Link(evidence_url(i), self.evidence[i].title, i)
                           for i in (*m.evidence, *m.stale) if i in self.evidence), code=m.reason.code,
            # a record to add: when one is missing, out of its window or past its review (an undeclared
            # condition is settled in organisation.yaml, not by a new record)
            add_url=self.add_url(m.clause, "document" if m.kind == "maintain" else "record")
            if m.state in (MISSING, OUT_OF_WINDOW, REVIEW_OVERDUE) else "",
            term_url=term_url(MANDATORY_TERMS[m.state]) if m.state in MANDATORY_TERMS else "",
            what_lang=self.catalog[m.clause].lang("documented_information") if m.clause in self.catalog else "")

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
            provisional=c.provisional, add_url=self.add_url(res.number) if res.applicable else "",
            name_lang=c.lang("name"))

    def clause_view(self, number: str, res: ClauseResult) -> ClauseView:
        c, a, src = self.catalog[number], res.assessment, res.applying
        redact = self.redact
        linked = [self.ev_rows[i] for i in res.evidence if i in self.ev_rows]
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
            mandatory_caption=_("What %(family)s asks this clause to document, and whether it is here",
                                family=self.std.family),
            evidence_caption=_("Evidence mapped to %(clause)s", clause=number),
            name_lang=c.lang("name"), about_lang=c.lang("about"), evidence_asked_lang=c.lang("evidence_asked"),
            documented_information_lang=c.lang("documented_information"),
            exclusion_test_lang="en" if "exclusion_test" in self.catalog.english else "",
        )

    def inputs_for(self, number: str) -> dict[str, Any]:
        """The management review inputs checklist, on the page of the clause naming them (role review_inputs)."""
        ri = self.r.review_inputs
        if number != self.catalog.role("review_inputs") or ri is None:
            return {}
        review = Link(evidence_url(ri.review), f"{self.evidence[ri.review].title} ({ri.date})", ri.review) \
            if ri.review in self.evidence else None
        return {"inputs": tuple(InputView(k, self.std.input(k), k in ri.considered)
                                for k in self.catalog.review_inputs),
                "inputs_review": review}

    def gate_items(self, items: Any) -> tuple[GateItemView, ...]:
        return tuple(GateItemView(self.std.title(i.check), i.passed, self.say(i.reason),
                                  tuple(Link(evidence_url(e), self.evidence[e].title, e)
                                        for e in i.evidence if e in self.evidence), i.check, i.reason.code)
                     for i in items)

    def gate_view(self, key: str, g: Any) -> GateView:
        on = self.r.on_audit_date.get(key)
        day = self.project.organisation.audits.get(key)
        if self.audience == "public":  # milestones only: a failing check would say which findings are open
            on_view = GateDateView(date_text(day), on.passed, (), "") if on else None
            word = {True: _("passes"), False: _("fails")}  # as the stages page words a verdict
            when = _("; on %(date)s: %(verdict)s, if nothing changes", date=prose_date(day), verdict=word[on.passed]) \
                if on else ""
            return GateView(key, _("%(stage)s readiness", stage=stage_label(key).capitalize()), g.passed, (),
                            _("checks are shown to the organisation and its auditors") + self.provisional_beside(),
                            on_view, _("%(stage)s: %(verdict)s today%(when)s.", stage=stage_label(key).capitalize(),
                                       verdict=word[g.passed], when=when) + self.provisional_verdict(),
                            stage_label(key).capitalize())
        on_view = GateDateView(date_text(day), on.passed, self.gate_items(on.items), _(
            "%(passed)s of %(count)s checks pass", passed=sum(i.passed for i in on.items), count=len(on.items))) \
            if on else None
        return GateView(key, _("%(stage)s readiness", stage=stage_label(key).capitalize()), g.passed,
                        self.gate_items(g.items), _("%(passed)s of %(count)s checks pass",
                                                    passed=sum(i.passed for i in g.items), count=len(g.items))
                        + self.provisional_beside(), on_view,
                        self.verdict(key, g, on, day) + self.provisional_verdict(), stage_label(key).capitalize())

    def provisional_beside(self) -> str:
        """What every verdict on a catalog with provisional entries carries beside it ("" otherwise)."""
        return _("; on a provisional catalog") if any(c.provisional for c in self.catalog.clauses) else ""

    def provisional_verdict(self) -> str:
        count = sum(c.provisional for c in self.catalog.clauses)
        if not count:
            return ""
        return ngettext(" Judged against a provisional catalog: %(standard)s has %(num)s entry resting on drafts, "
                        "secondary summaries or code repositories only; confirm them against a licensed copy of the "
                        "standard.",
                        " Judged against a provisional catalog: %(standard)s has %(num)s entries resting on drafts, "
                        "secondary summaries or code repositories only; confirm them against a licensed copy of the "
                        "standard.", count, standard=self.catalog.standard)

    def verdict(self, key: str, g: Any, on: Any, day: Optional[date]) -> str:
        stage = stage_label(key).capitalize()
        failing_today = sum(not i.passed for i in g.items)
        today = _("passes today") if g.passed else _("does not pass today (%(failing)s of %(count)s checks fail)",
                                                     failing=failing_today, count=len(g.items))
        if day is None:
            return _("%(stage)s %(today)s; no %(audit)s audit date is booked.", stage=stage, today=today,
                     audit=stage_label(key))
        if on is None:
            return _("%(stage)s %(today)s; its audit date, %(date)s, has passed.", stage=stage, today=today,
                     date=prose_date(day))
        if on.passed:
            return _("%(stage)s %(today)s; on %(date)s it passes, if nothing changes.", stage=stage, today=today,
                     date=prose_date(day)) if not g.passed else \
                _("%(stage)s passes today and, if nothing changes, on %(date)s.", stage=stage, date=prose_date(day))
        failing = [self.std.title(i.check) for i in on.items if not i.passed]
        passed_today = {i.check for i in g.items if i.passed}
        newly = {n for i in on.items if not i.passed and i.check in passed_today for n in i.clauses}
        causes = [x.text for x in self.lapses if x.date <= date_text(day) and newly & {c.number for c in x.clauses}][:3]
        because = f" ({'; '.join(causes)})" if causes else ""
        return _("%(stage)s %(today)s; on %(date)s it fails: %(failing)s%(because)s.", stage=stage, today=today,
                 date=prose_date(day), failing=", ".join(failing), because=because)

    def blockers(self) -> tuple[BlockerView, ...]:
        """What fails each gate today, clause by clause, with its owner: the next audit's gate first."""
        out: list[BlockerView] = []
        for key, g in self.r.gates.items():
            for item in g.items:
                if item.passed:
                    continue
                anchor = f"stages.html#gate-{key}"
                if not item.clauses:
                    out.append(BlockerView(stage_label(key).capitalize(), item.check, self.std.title(item.check),
                                           None, "", self.say(item.reason), anchor))
                for number in item.clauses:
                    res = self.r.clauses[number]
                    why = res.reasons[0] if item.check == "all-clauses-ready" and res.reasons else item.reason
                    owner = res.applying.owner if res.applying else None
                    out.append(BlockerView(stage_label(key).capitalize(), item.check, self.std.title(item.check),
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
                text, url = _("the review of %(title)s (%(where)s) falls due on %(date)s", where=where,
                              title=self.evidence[x.evidence].title, date=prose_date(x.date)), evidence_url(x.evidence)
            elif x.kind == "window-closes":
                text, url = _("the latest %(where)s record, %(title)s, leaves its window on %(date)s", where=where,
                              title=self.evidence[x.evidence].title, date=prose_date(x.date)), evidence_url(x.evidence)
            elif x.kind == "finding-due":
                text, url = _("the corrective action for finding %(id)s falls due on %(date)s", id=x.finding,
                              date=prose_date(x.date)), finding_url(x.finding)
            elif x.item is not None:  # a register's row (issue 24): its item, never a person
                text, url = _("%(lapse)s for %(item)s in %(title)s (%(where)s) on %(date)s", lapse=LAPSE_WORDS[x.kind],
                              item=self.redact(x.item), title=self.evidence[x.evidence].title, where=where,
                              date=prose_date(x.date)), evidence_url(x.evidence)
            else:
                text, url = _("the target for %(where)s passes on %(date)s", where=where, date=prose_date(x.date)), \
                    clause_url(x.clause)
            shown.append(LapseView(date_text(x.date), x.kind, LAPSE_WORDS[x.kind], text, url, stage_label(x.before),
                                   x.before, clauses, x.evidence, x.finding, x.clause))
        return tuple(shown), hidden

    def _exclusions(self) -> tuple[ExclusionView, ...]:
        catalog = self.catalog
        return tuple(
            ExclusionView(self.clink(a.clause), tuple(self.clink(n) for n in catalog.descendants(a.clause)),
                          self.redact(a.justification or ""), catalog[a.clause].exclusion,
                          EXCLUSION_LABELS[catalog[a.clause].exclusion],
                          exclusion_test_text(a.clause, catalog[a.clause].exclusion, bool(a.justification)))
            for a in sorted(self.project.assessments, key=lambda a: clause_order(a.clause))
            if a.status == "not-applicable")

    def state_counts(self) -> tuple[CountView, ...]:
        return tuple(CountView(k, STATE_LABELS[k], v) for k, v in self.r.state_counts.items())

    def status_counts(self) -> tuple[CountView, ...]:
        return tuple(CountView(k, STATUS_LABELS[k], v) for k, v in self.r.status_counts.items())

    def withheld_findings(self, n: int, word: str = "finding") -> str:
        """How many findings this build leaves out: said only where findings are published at all."""
        if not self.findings_published:
            return _(FINDINGS_NOT_PUBLISHED)
        return withheld(n, word)

    def site_url(self) -> Optional[str]:
        """The published site's address from organisation.yaml (``site_url``), ending in "/"; None when unset."""
        url = getattr(self.project.organisation, "site_url", None)
        return (url.rstrip("/") + "/") if url else None

    def review_inputs_export(self) -> Optional[dict[str, Any]]:
        ri = self.r.review_inputs
        if ri is None:
            return None
        shown = ri.review in self.evidence
        return {"review": ri.review if shown else None, "date": date_text(ri.date) or None,
                "considered": list(ri.considered), "missing": list(ri.missing)}
