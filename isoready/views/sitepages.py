"""A multi-site organisation's pages (issue 25): sites.html, a table of the sites (their verdict at each stage,
readiness shares, open findings, last internal audit, the central function marked), and one page per site
(sites/<id>.html) with what keeps it from ready. A project of one site has neither (``SITES`` writes nothing).

The site filter of the coverage matrix and the gap report is made here too (``site_options``, ``SiteFilterView``):
each row names the sites it concerns (``data-sites``), and portal.js's ``siteFilter`` hides the others once a
site is chosen. Without JavaScript the pages show every row. Every word goes through core/i18n.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping, Optional, Sequence

from isoready.assess import NOT_APPLICABLE, NOT_READY, READY, Readiness
from isoready.core.i18n import gettext as _, ngettext
from isoready.model import Project
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views.labels import STATE_LABELS, evidence_url, pct, shares_of, site_url, stage_label
from isoready.views.models import ClauseLink, FindingView, GateView, Link, SiteFilterView
from isoready.views.pages import PageView, SiteRowView


@dataclass(frozen=True, slots=True)
class SitesView:
    """sites.html: the table of sites."""

    rows: tuple[SiteRowView, ...]
    intro: str
    caption: str
    findings_published: bool


@dataclass(frozen=True, slots=True)
class SiteBlockerView:
    """A leaf not ready at the site, with its reasons in the audience's words."""

    clause: ClauseLink
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SitePageView:
    """sites/<id>.html: one site and what keeps it from ready."""

    row: SiteRowView
    processes: str
    gates: tuple[GateView, ...]
    blockers: tuple[SiteBlockerView, ...]
    blockers_heading: str
    no_audit: str  # "" when the site has an internal audit this audience may see
    uncovered: tuple[ClauseLink, ...]  # leaves no internal audit of the site covers
    audits: tuple[Link, ...]
    findings: tuple[FindingView, ...]  # its open findings this audience may see
    findings_heading: str
    findings_note: str  # a build that does not publish findings says so; withheld ones are counted
    summary: str


def site_options(project: Project) -> tuple[tuple[str, str], ...]:
    return tuple((s.id, s.name or s.id) for s in project.organisation.sites)


def site_filter(ctx: Context, note: str, also: str = "") -> Optional[SiteFilterView]:
    """The filter of a multi-site organisation's tables (None for a project of one site); ``also``: the ids of
    further tables on the page that the same choice filters."""
    if not ctx.project.organisation.sites:
        return None
    return SiteFilterView(_("Show the rows of one site"), _("All sites"), site_options(ctx.project), note, also)


def judged(r: Readiness) -> dict[str, Readiness]:
    """Each site's own readiness, by id."""
    return {s.site: s.readiness for s in r.sites}


def leaf_sites(ctx: Context, number: str, states: Sequence[str] = ()) -> str:
    """The ids of the sites where ``number`` applies (in one of ``states`` when given), for a row's data-sites."""
    out = []
    for site, r in judged(ctx.r).items():
        res = r.clauses.get(number)
        if res is not None and res.state != NOT_APPLICABLE and (not states or res.state in states):
            out.append(site)
    return " ".join(out)


def finding_sites(ctx: Context, ids: Sequence[str]) -> dict[str, str]:
    """The sites each finding of ``ids`` is at, as assess judged them (a finding at one site weighs there;
    without ``sites:``, at every site): a row's data-sites. Empty for a project of one site."""
    if not ctx.project.organisation.sites:
        return {}
    at: dict[str, list[str]] = {i: [] for i in ids}
    for site, r in judged(ctx.r).items():
        for fr in r.findings:
            if fr.finding.id in at:
                at[fr.finding.id].append(site)
    return {i: " ".join(sites) for i, sites in at.items()}


def uncovered_sites(ctx: Context, number: str) -> str:
    """The ids of the sites where the leaf ``number`` applies and no internal audit of that site covers it."""
    return " ".join(site for site, r in judged(ctx.r).items()
                    if r.coverage and number in r.coverage.leaves and not r.coverage.leaves[number])


def site_audits(ctx: Context, r: Readiness) -> tuple[tuple[str, ...], Optional[date]]:
    """The site's internal audits this audience may see (latest first) and the latest one's date."""
    audits = sorted((a for a in r.coverage.audits if a in ctx.evidence),
                    key=lambda a: (ctx.evidence[a].date or "", a), reverse=True) if r.coverage else []
    dates = [ctx.project_evidence[a].date for a in audits if ctx.project_evidence[a].date]
    return tuple(audits), max(dates, default=None)


def open_site_findings(ctx: Context, r: Readiness) -> tuple[FindingView, ...]:
    """The open findings at the site this audience may see."""
    return tuple(ctx.findings[fr.finding.id] for fr in r.findings
                 if fr.finding.is_open and fr.finding.id in ctx.findings)


def site_row(ctx: Context, site: Any, r: Readiness) -> SiteRowView:
    """The one row of a site that the sites table, the site's page and the workbook's Sites sheet print."""
    _audits, last = site_audits(ctx, r)
    shares = tuple((state, value, _(STATE_LABELS[state]), pct(value)) for state, value in shares_of(r))
    verdicts = tuple((stage_label(key).capitalize(), g.passed, _("Passes") if g.passed else _("Fails"))
                     for key, g in r.gates.items())
    stage2 = r.gates.get("stage2")
    count = len(open_site_findings(ctx, r)) if ctx.findings_published else None
    return SiteRowView(
        site.id, ctx.redact(site.name or site.id), site_url(site.id), site.central, ctx.redact(site.country or ""),
        site.employees,
        ngettext("%(num)s employee", "%(num)s employees", site.employees) if site.employees is not None else "",
        verdicts, _("passes stage 2") if stage2 is not None and stage2.passed else _("fails stage 2"), shares,
        count, str(count) if count is not None else _("not published"),
        last, last.isoformat() if last else _("no internal audit"),
        sum(1 for n, c in r.clauses.items() if ctx.catalog[n].is_leaf and c.state == NOT_READY))


def site_rows(ctx: Context) -> tuple[SiteRowView, ...]:
    """Every site's row, in the order of ``sites:`` (empty for a project of one site)."""
    by_id = judged(ctx.r)
    return tuple(site_row(ctx, s, by_id[s.id]) for s in ctx.project.organisation.sites)


def sites_page(ctx: Context) -> SitesView:
    rows = site_rows(ctx)
    return SitesView(
        rows, ngettext("%(num)s site, each judged on its own records, assessments, findings and internal audits. "
                       "The organisation is as ready as its least ready site.",
                       "%(num)s sites, each judged on its own records, assessments, findings and internal audits. "
                       "The organisation is as ready as its least ready site.", len(rows)),
        _("Each site's verdict at each stage, readiness, open findings and last internal audit"),
        ctx.findings_published)


def _site_gate(ctx: Context, key: str, g: Any) -> GateView:
    stage = stage_label(key).capitalize()
    if ctx.audience == "public":  # milestones only, as the stages page: a failing check could name a finding
        return GateView(key, _("%(stage)s readiness", stage=stage), g.passed, (),
                        _("checks are shown to the organisation and its auditors"), None, "", stage)
    return GateView(key, _("%(stage)s readiness", stage=stage), g.passed, ctx.gate_items(g.items),
                    _("%(passed)s of %(total)s checks pass", passed=sum(i.passed for i in g.items),
                      total=len(g.items)), None, "", stage)


def site_page(ctx: Context, site: Any, r: Readiness) -> SitePageView:
    row = site_row(ctx, site, r)
    audits, _last = site_audits(ctx, r)
    blockers = tuple(SiteBlockerView(ctx.clink(n), tuple(text for text, _code in ctx.say.all(c.reasons)))
                     for n, c in r.clauses.items() if ctx.catalog[n].is_leaf and c.state == NOT_READY)
    findings = open_site_findings(ctx, r)
    hidden = sum(1 for fr in r.findings if fr.finding.is_open and fr.finding.id not in ctx.findings)
    note = ctx.withheld_findings(hidden, "open finding")  # a build that does not publish findings says so
    uncovered = tuple(ctx.clink(n) for n in r.coverage.uncovered) if r.coverage and audits else ()
    ready = sum(1 for n, c in r.clauses.items() if ctx.catalog[n].is_leaf and c.state == READY)
    applicable = sum(1 for n, c in r.clauses.items() if ctx.catalog[n].is_leaf and c.state != NOT_APPLICABLE)
    return SitePageView(
        row, ", ".join(ctx.redact(p) for p in site.processes),
        tuple(_site_gate(ctx, key, g) for key, g in r.gates.items()), blockers,
        ngettext("%(num)s clause not ready at this site", "%(num)s clauses not ready at this site", len(blockers)),
        "" if audits else _("No internal audit of this site within the window that this audience may see: every "
                            "site, the central function included, needs its own before certification."),
        uncovered, tuple(Link(evidence_url(a), ctx.evidence[a].title, ctx.evidence[a].date) for a in audits),
        findings, ngettext("%(num)s open finding at this site", "%(num)s open findings at this site", len(findings)),
        note, _("%(ready)s of %(applicable)s applicable clauses ready at this site", ready=ready,
                applicable=applicable))


@builder("sites", reads=("organisation", "catalog", "evidence", "findings", "assessments", "readiness"))
def SITES(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    sites = ctx.project.organisation.sites
    if not sites:
        return []
    by_id = judged(ctx.r)
    return [PageView("sites.html", "sites", _("Sites"), "sites", sites_page(ctx)),
            *(PageView(site_url(s.id), "site", _("Site: %(name)s", name=ctx.redact(s.name or s.id)), "sites",
                       site_page(ctx, s, by_id[s.id])) for s in sites)]
