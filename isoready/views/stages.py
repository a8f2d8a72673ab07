"""The applicability, audit stages and internal audit coverage pages."""

from __future__ import annotations

from typing import Any, Mapping

from isoready.core.i18n import gettext as _, ngettext, prose_date
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views.labels import evidence_url, withheld
from isoready.views.models import CoverageRowView, CoverageView, Link
from isoready.views.multisite import cb_view
from isoready.views.pages import ApplicabilityView, PageView, StagesView
from isoready.views.sitepages import leaf_sites, site_filter, uncovered_sites
from isoready.core.i18n import gettext as _


def coverage(ctx: Context) -> CoverageView:
    cov = ctx.r.coverage
    audits = [i for i in cov.audits if i in ctx.evidence]
    columns = tuple(Link(evidence_url(i), ctx.evidence[i].date,
                         ctx.redact(ctx.project_evidence[i].auditor or "") if hasattr(
                             ctx.project_evidence[i], "auditor") else "") for i in audits)
    multi = bool(ctx.project.organisation.sites)
    rows = tuple(CoverageRowView(ctx.clink(n), tuple(i in ids for i in audits), bool(ids),
                                 leaf_sites(ctx, n) if multi else "", uncovered_sites(ctx, n) if multi else "")
                 for n, ids in cov.leaves.items())
    hidden = len(cov.audits) - len(audits)
    summary = ngettext("%(covered)s of %(num)s applicable clause covered by %(audits)s dated within the last "
                       "%(window)s months (since %(since)s)",
                       "%(covered)s of %(num)s applicable clauses covered by %(audits)s dated within the last "
                       "%(window)s months (since %(since)s)", len(cov.leaves),
                       covered=len(cov.leaves) - len(cov.uncovered), window=cov.window, since=prose_date(cov.since),
                       audits=ngettext("%(num)s internal audit", "%(num)s internal audits", len(cov.audits)))
    timed = len(cov.leaves) - len(cov.untimed)
    if not cov.untimed:
        timing = ngettext("Timing checked for all %(num)s applicable clause: an audit counts only on or after the "
                          "date a clause was in place.", "Timing checked for all %(num)s applicable clauses: an "
                          "audit counts only on or after the date a clause was in place.", len(cov.leaves))
    elif not timed:
        timing = _("No timing check could be made: no assessment gives 'since:' and git shows no commit changing "
                   "a status to implemented, so an audit held before a process existed would still count here.")
    else:
        timing = ngettext("Timing checked for %(timed)s of %(num)s applicable clause (from 'since:' or git); no "
                          "timing check could be made for %(untimed)s: %(clauses)s.",
                          "Timing checked for %(timed)s of %(num)s applicable clauses (from 'since:' or git); no "
                          "timing check could be made for %(untimed)s: %(clauses)s.", len(cov.leaves), timed=timed,
                          untimed=len(cov.untimed), clauses=", ".join(cov.untimed))
    not_counted = tuple((ctx.clink(n), text) for n in cov.uncovered for text, code in
                        ctx.say.all(ctx.r.clauses[n].reasons)
                        if code in ("audited-before-in-place", "auditor-own-work"))
    empty = [i for i in cov.empty if i in ctx.evidence]
    empty_text = ""
    if cov.empty:
        empty_text = _("Not counted, listing no clauses under 'covers': %(ids)s.", ids=", ".join(empty)) \
            if len(empty) == len(cov.empty) else ngettext(
                "Not counted: %(num)s audit record listing no clauses under 'covers'.",
                "Not counted: %(num)s audit records listing no clauses under 'covers'.", len(cov.empty))
    every = tuple(s.id for s in ctx.project.organisation.sites)
    return CoverageView(columns, rows, tuple(ctx.clink(n) for n in cov.uncovered), summary,
                        withheld(hidden, "audit record"), timing, not_counted, empty_text,
                        site_filter(ctx, _("Choosing a site keeps the clauses that apply there and the internal "
                                           "audits of that site, and says whether an audit of that site covers "
                                           "each.")),
                        tuple(" ".join(ctx.project_evidence[i].sites or every) for i in audits) if multi else ())


def _coverage(ctx: Context) -> Mapping[str, Any]:
    return {"coverage": coverage(ctx)}


@builder("applicability", reads=("catalog", "evidence", "findings", "assessments"))
def APPLICABILITY(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    return [PageView("applicability.html", "applicability", _("Applicability"), "applicability", ApplicabilityView(
        ctx.exclusions, ngettext("%(num)s exclusion declared", "%(num)s exclusions declared", len(ctx.exclusions)),
        ctx.catalog.exclusion_test or "",
        ctx.catalog.role("scope") or ""))]


@builder("stages", reads=("organisation", "catalog", "evidence", "findings", "readiness"), needs=("coverage",))
def STAGES(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    return [PageView("stages.html", "stages", _("Audit stages"), "stages",
                     StagesView(ctx.audits, ctx.gates, ctx.mandatory, ctx.all_blockers, ctx.lapses,
                                withheld(ctx.hidden_lapses, "lapse of a record"), shared["coverage"].summary,
                                ctx.audience != "public",
                                _("Every item of documented information %(family)s asks for, and its state",
                                  family=ctx.std.family), cb=cb_view(ctx)))]


@builder("coverage", reads=("organisation", "catalog", "evidence", "findings", "readiness"), provides=("coverage",),
         needs=("coverage",), context=_coverage)
def COVERAGE(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    return [PageView("coverage.html", "coverage", _("Internal audit coverage"), "stages", shared["coverage"])]
