"""The site: the registry of page builders, run in order, the chrome every page shares, and the export."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any, Callable, Mapping, Optional, Sequence

from isoready.core import i18n
from isoready.assess import NOT_READY, REGISTER_FLAGS
from isoready.core.i18n import gettext as _
from isoready.views.browse import CLAUSES, EVIDENCE, GLOSSARY_PAGE, SEARCH
from isoready.views.builder import INPUTS, PageBuilder, ViewMemo, closure, fingerprints
from isoready.views.context import Context
from isoready.views.dashboard import DASHBOARD, history_json
from isoready.views.findings import FINDINGS
from isoready.views.gaps import GAPS
from isoready.views.labels import REGISTER_FLAG_WORDS, shares_of, term_url
from isoready.views.models import Phrase
from isoready.views.multisite import sampling_export
from isoready.model import REGISTER_KINDS
from isoready.views.pages import ChromeView, ExportView, PageView, RegisterSummaryView, SiteView, StandardLinkView
from isoready.views.registers import REGISTERS
from isoready.validate.redact import people_shown
from isoready.views.report import REPORT, REPORT_PRINT
from isoready.views.since import SINCE
from isoready.views.sitepages import SITES, site_rows
from isoready.views.stages import APPLICABILITY, COVERAGE, STAGES
from isoready.views.transition import TRANSITION, certificate_export, climate_export, transition_export


def chrome(ctx: Context) -> ChromeView:
    org, catalog = ctx.project.organisation, ctx.catalog
    audience, withheld_ = Phrase, lambda: Phrase(_("withheld"), term_url("withheld"))
    words = {"public": (audience(_("Public build"), term_url("audience")),
                        Phrase(_(": shows readiness and public evidence only; other records are ")), withheld_(),
                        Phrase(".")),
             "auditor": (audience(_("Auditor build"), term_url("audience")),
                         Phrase(_(": shows public and auditor evidence; internal records are ")), withheld_(),
                         Phrase(".")),
             "internal": (audience(_("Internal build"), term_url("audience")),
                          Phrase(_(": shows every record. Do not publish.")))}
    notes = {k: "".join(w.text for w in v) for k, v in words.items()}
    return ChromeView(
        organisation=ctx.redact(org.name), logo_url=f"images/{PurePosixPath(org.logo).name}" if org.logo else None,
        as_of=ctx.r.as_of.isoformat(), audience=ctx.audience, audience_note=notes[ctx.audience],
        commit=ctx.commit, standard=catalog.standard, amendments=catalog.amendments,
        family=ctx.std.family, sitename=_("%(family)s readiness", family=ctx.std.family),
        publisher=ctx.std.words.get("publisher", ""),
        transition=ctx.r.transition is not None, registers=bool(ctx.registers), sites=bool(org.sites),
        audience_words=words[ctx.audience], language=org.language, reviewed=i18n.language(org.language).reviewed)


#: every page kind, in the order its pages are listed (and written); each says what it reads
BUILDERS: tuple[PageBuilder, ...] = (DASHBOARD, CLAUSES, EVIDENCE, REGISTERS, GAPS, FINDINGS, SITES, APPLICABILITY,
                                     STAGES, COVERAGE, SEARCH, GLOSSARY_PAGE, REPORT, TRANSITION, REPORT_PRINT, SINCE)


def export(ctx: Context, shared: Mapping[str, Any], chrome_: ChromeView) -> ExportView:
    """What readiness.json, the CSV, the workbook and the PDF read: the same view-models as the pages."""
    r = ctx.r
    visible_audits = set(ctx.evidence)
    return ExportView(
        organisation=chrome_.organisation, as_of=chrome_.as_of, standard=chrome_.standard,
        amendments=chrome_.amendments, audience=ctx.audience, commit=ctx.commit, overall=r.overall,
        by_main=dict(r.by_main), leaves_ready=r.leaves_ready, leaves_applicable=r.leaves_applicable,
        state_counts=ctx.state_counts(), status_counts=ctx.status_counts(), clauses=ctx.clauses,
        evidence=tuple(ctx.evidence.values()), findings=tuple(ctx.findings.values()), gates=ctx.gates,
        exclusions=ctx.exclusions, hidden_evidence=ctx.hidden_ev,
        hidden_findings=ctx.hidden_f if ctx.findings_published else None,
        findings_published=ctx.findings_published, shares=shares_of(r),
        lapses=ctx.lapses, coverage=shared["coverage"],
        coverage_leaves={n: tuple(i for i in ids if i in visible_audits) for n, ids in r.coverage.leaves.items()},
        review_inputs=ctx.review_inputs_export(),
        site_url=ctx.site_url(), audits=ctx.audits, mandatory=ctx.mandatory,
        history=history_json(ctx), transition=transition_export(ctx),
        certificate=certificate_export(ctx), systemic_minors=ctx.project.organisation.systemic_minors,
        climate_change=climate_export(ctx), registers=shared.get("registers", ()),
        register_entries=registers_export(ctx, shared.get("registers", ())),
        register_summaries=register_summaries(ctx), sites=sites_export(ctx), sampling=sampling_export(ctx),
        site_rows=site_rows(ctx), language=ctx.project.organisation.language)


def sites_export(ctx: Context) -> tuple[dict[str, Any], ...]:
    """readiness.json "sites" (issue 25; empty for a project of one site): each site's readiness shares and its
    blockers (the leaves not ready there, with their reasons worded for this audience)."""
    judged = {s.site: s.readiness for s in ctx.r.sites}
    out = []
    for site in ctx.project.organisation.sites:
        r = judged[site.id]
        shares = dict(shares_of(r))
        blockers = [{"clause": n, "codes": [c for _, c in said], "reasons": [t for t, _ in said]}
                    for n, c in r.clauses.items() if ctx.project.catalog[n].is_leaf and c.state == NOT_READY
                    for said in (ctx.say.all(c.reasons),)]
        out.append({"id": site.id, "name": site.name, "employees": site.employees, "central": site.central,
                    "readiness": {"ready_share": shares.get("ready"), "at_risk_share": shares.get("at-risk"),
                                  "not_ready_share": shares.get("not-ready")},
                    "blockers": blockers})
    return tuple(out)


def registers_export(ctx: Context, views: Sequence[Any]) -> tuple[dict[str, Any], ...]:
    """readiness.json "registers": each register this audience may see (the register pages' views: registers
    follow their record's audience, and a name a build withholds is already out of their problems), its
    reading problems, its flags counted and its reasons in words."""
    judged = {x.evidence: x for x in ctx.r.registers}
    out = []
    for view in sorted(views, key=lambda v: v.evidence):
        result = judged.get(view.evidence)
        flags = [f for row in (result.flags.values() if result else ()) for f in row]
        out.append({"evidence": view.evidence, "register": view.kind, "rows": view.row_count,
                    "problems": [{"code": p.code, "row": p.row, "text": p.text} for p in view.problems],
                    "flags": {f: flags.count(f) for f in REGISTER_FLAGS if f in flags},
                    "reasons": [{"code": c, "text": t} for c, t in zip(view.reason_codes, view.reasons)]})
    return tuple(out)


#: a register type's sheet name in the workbook
REGISTER_LABELS = {"calibration": "Calibration", "competence": "Competence", "suppliers": "Suppliers",
                   "objectives": "Objectives", "audit-programme": "Audit programme", "legal": "Legal",
                   "nonconformities": "Nonconformities"}
#: the flags (assess.REGISTER_FLAGS) a register type's rows may carry, in the order its sheet counts them, and
#: their words; a flag met on a type not listed here is counted after these
REGISTER_FLAG_COLUMNS = {"calibration": ("overdue", "failed"), "competence": ("expired", "in-training"),
                         "suppliers": ("unapproved", "evaluation-overdue"),
                         "objectives": ("behind-target", "no-recent-result"), "audit-programme": ("audit-overdue",),
                         "legal": ("not-compliant",), "nonconformities": ("open-too-long",)}
PEOPLE_COLUMN = "person"  # the competence register's column of names: in internal builds only
NAME_WITHHELD = "(name withheld)"


def register_summaries(ctx: Context) -> tuple[RegisterSummaryView, ...]:
    """Each register whose record the audience may see: rows, flagged rows per flag, problems and the reasons
    in the audience's words. Outside an internal build, a person named in a register is never named here."""
    out = []
    for res in ctx.r.registers:
        ev = ctx.evidence.get(res.evidence)
        if ev is None:  # a withheld record's register is withheld with it
            continue
        register = ctx.project.registers.get(res.evidence)
        flags = [f for f in REGISTER_FLAG_COLUMNS.get(res.kind, ())]
        flags += sorted({f for fs in res.flags.values() for f in fs} - set(flags))
        counts = tuple((REGISTER_FLAG_WORDS[f] if f in REGISTER_FLAG_WORDS else f.replace("-", " "),
                        sum(f in fs for fs in res.flags.values())) for f in flags)
        # names only where the register pages show them: internal builds, and auditor builds of a record
        # with show_people: true (issue 24)
        record = next((e for e in ctx.project.evidence if e.id == res.evidence), None)
        hide = () if record is not None and people_shown(record, ctx.audience) else _people(register)
        out.append(RegisterSummaryView(
            evidence=ev.id, title=_withhold(ev.title, hide), url=ev.url, kind=res.kind,
            kind_label=REGISTER_LABELS.get(res.kind, res.kind.capitalize()),
            file=register.file if register is not None else "", rows=res.rows, flags=counts,
            problems=len(register.problems) if register is not None else 0,
            reasons=tuple(_withhold(text, hide) for text, _code in ctx.say.all(res.reasons))))
    order = {k: i for i, k in enumerate(REGISTER_KINDS)}
    return tuple(sorted(out, key=lambda v: (order.get(v.kind, len(order)), v.kind, v.evidence)))


def _people(register: Any) -> tuple[str, ...]:
    """The names a register holds (its competence ``person`` column), longest first."""
    if register is None:
        return ()
    names = {str(row.get(PEOPLE_COLUMN)).strip() for row in register.rows if row.get(PEOPLE_COLUMN)}
    return tuple(sorted((n for n in names if n), key=lambda n: (-len(n), n)))


def _withhold(text: str, names: Sequence[str]) -> str:
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", NAME_WITHHELD, text)
    return text


def generate(ctx: Context, builders: Sequence[PageBuilder] = BUILDERS, memo: Optional[ViewMemo] = None,
             keys: Optional[Mapping[str, str]] = None,
             between: Optional[Callable[[dict[str, Any]], None]] = None) -> tuple[list[PageView], dict[str, Any]]:
    """Every builder's context in order, then every builder's pages in order (as Pelican runs its generators):
    the pages, and the shared context the builders made (what the export reads too). ``between(shared)``: called
    once every context is made, before the first page is.

    With a ``memo`` (serve keeps one between rebuilds), a builder whose key (the fingerprints of what it reads,
    ``builder.closure``) equals the key of its last run is not run: its last context and pages are handed back."""
    if memo is not None and keys is None:
        keys = builder_keys(ctx, builders)
    shared: dict[str, Any] = {}
    made: dict[str, Any] = {}
    for b in builders:
        hit = memo.get(b.name, keys[b.name]) if memo is not None else None
        made[b.name] = hit
        shared.update(hit[0] if hit is not None else b.context(ctx))
    if between is not None:
        between(shared)
    pages: list[PageView] = []
    if memo is not None:
        memo.rebuilt = [b.name for b in builders if made[b.name] is None]
    for b in builders:
        if made[b.name] is not None:
            pages += made[b.name][1]
            continue
        out = list(b.output(ctx, shared))
        if memo is not None:
            memo.put(b.name, keys[b.name], ({k: shared[k] for k in b.provides}, tuple(out)))
        pages += out
    return pages, shared


def export_only(ctx: Context, builders: Sequence[PageBuilder] = BUILDERS) -> ExportView:
    """The export's view-model alone, as ``run`` makes it (every builder's context, then the export), without
    any page's: readiness.json's export in English for a build in another language (``SiteView.neutral``)."""
    shared: dict[str, Any] = {}
    for b in builders:
        shared.update(b.context(ctx))
    return export(ctx, shared, chrome(ctx))


def builder_keys(ctx: Context, builders: Sequence[PageBuilder],
                 prints: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """Each builder's key, and the export's (``"export"``: it reads every input): a SHA-256 of the fingerprints
    of what it reads."""
    prints = prints if prints is not None else fingerprints(ctx)
    reads = closure(builders)
    keys = {name: _key(name, prints, r) for name, r in reads.items()}
    keys["export"] = _key("export", prints, INPUTS - {"descriptions"})  # run() hands it its evidence afresh
    keys["export-evidence"] = prints["descriptions"]
    return keys


def _key(name: str, prints: Mapping[str, str], reads: Any) -> str:
    return hashlib.sha256(" ".join([name, prints["base"], *(f"{r}={prints[r]}" for r in sorted(reads))]).encode()
                          ).hexdigest()


def run(ctx: Context, builders: Sequence[PageBuilder] = BUILDERS, memo: Optional[ViewMemo] = None,
        on_export: Optional[Callable[[ExportView], None]] = None) -> SiteView:
    """The site: the builders' pages, the chrome and the export (which reads the builders' contexts, not their
    pages: it is made before the pages, and handed to ``on_export`` at once, so the package stage can start the
    workbook while the pages' view-models are built). With a ``memo``, builders (and the export) whose inputs
    are unchanged are handed back, not run."""
    keys = None
    if memo is not None:
        prints = fingerprints(ctx, memo.reprs, memo.kept)
        keys = builder_keys(ctx, builders, prints)
        ctx.use_record_memo(memo.records, tuple(prints[k] for k in ("base", "organisation", "catalog", "git")),
                            memo.rows)
    made: list[tuple[ChromeView, ExportView]] = []

    def export_first(shared: dict[str, Any]) -> None:
        chrome_ = chrome(ctx)
        export_ = memo.get("export", keys["export"]) if memo is not None and keys is not None else None
        if export_ is None:
            export_ = export(ctx, shared, chrome_)
        elif memo is not None and keys is not None and memo.get("export-evidence", keys["export-evidence"]) is None:
            # only what the records' own pages print changed (OWN_PAGE_FIELDS): of the export, its evidence alone
            # holds those fields (its clauses, gates and lists hold rows)
            export_ = replace(export_, evidence=tuple(ctx.evidence.values()))
        if memo is not None and keys is not None:
            memo.put("export", keys["export"], export_)
            memo.put("export-evidence", keys["export-evidence"], True)
        made.append((chrome_, export_))
        if on_export is not None:
            on_export(export_)

    pages, shared = generate(ctx, builders, memo, keys, export_first)
    chrome_, export_ = made[0]
    return SiteView(chrome_, tuple(pages), tuple(ctx.documents[k] for k in sorted(ctx.documents)),
                    export_, ctx.redact, ctx.md_limit)


# --------------------------------------------------------------------------- an integrated system's portals


def portal_folder(standard: str, primary: str) -> str:
    """Where a standard's portal lives in an integrated system's site: the primary's at the root (""), each
    other's in a folder named from it ("ISO 14001:2015" -> "iso-14001-2015")."""
    if standard == primary:
        return ""
    return re.sub(r"[^a-z0-9]+", "-", standard.lower()).strip("-")


def _dashboard(folder: str, here: str) -> str:
    """The dashboard of the portal in ``folder``, relative to the root of the portal in ``here``."""
    up = "../" * (here.count("/") + 1) if here else ""
    return f"{up}{folder}/index.html" if folder else f"{up}index.html"


def with_standards(site: SiteView, standards: Sequence[str], current: str) -> SiteView:
    """``site`` (the portal of ``current``) with the standard switcher in its chrome, each entry linking to
    that standard's dashboard; its export lists the other standards' portals and exports when it is the
    primary's (the site root). A single standard: ``site`` unchanged."""
    if len(standards) <= 1:
        return site
    primary = standards[0]
    here = portal_folder(current, primary)
    links = tuple(StandardLinkView(s, _dashboard(portal_folder(s, primary), here), s == current) for s in standards)
    others: tuple[Mapping[str, str], ...] = ()
    if current == primary:
        others = tuple({"standard": s, "portal": f"{f}/index.html", "readiness": f"{f}/readiness.json",
                        "checklist_csv": f"{f}/checklist.csv", "checklist_xlsx": f"{f}/checklist.xlsx"}
                       for s in standards[1:] for f in (portal_folder(s, primary),))
    manifest = ("../" * (here.count("/") + 1) if here else "") + site.chrome.manifest_url
    return replace(site, chrome=replace(site.chrome, standards=links, manifest_url=manifest),
                   export=replace(site.export, other_standards=others),
                   neutral=replace(site.neutral, other_standards=others) if site.neutral is not None else None)
