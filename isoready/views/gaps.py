"""The gap report (gaps.html)."""

from __future__ import annotations

from typing import Any, Mapping

from isoready.core.i18n import gettext as _
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views.labels import date_text, stage_label, withheld
from isoready.views.models import GapRowView, GapsView
from isoready.views.pages import PageView
from isoready.views.sitepages import finding_sites, leaf_sites, site_filter
from isoready.assess import AT_RISK, NOT_READY
from isoready.core.i18n import gettext as _


def gaps(ctx: Context) -> GapsView:
    g = ctx.r.gaps
    stale_shown = tuple(ctx.ev_rows[i] for i in g.stale if i in ctx.ev_rows)
    open_shown = tuple(ctx.findings[i] for i in g.open_findings if i in ctx.findings)
    hidden_open = len(g.open_findings) - len(open_shown) if ctx.findings_published else 0
    view = GapsView(
        not_ready=tuple(ctx.rows[n] for n in g.not_ready),
        not_implemented=tuple(ctx.rows[n] for n in g.not_implemented),
        mandatory=tuple(ctx.m_view(m) for m in g.mandatory),
        stale=stale_shown, hidden_stale=len(g.stale) - len(stale_shown),
        without_evidence=tuple(ctx.rows[n] for n in g.without_evidence),
        open_findings=open_shown, hidden_findings=hidden_open,
        hidden_stale_text=withheld(len(g.stale) - len(stale_shown), "stale record"),
        hidden_findings_text=ctx.withheld_findings(hidden_open, "open finding"),
        counts={"not_ready": len(g.not_ready), "not_implemented": len(g.not_implemented),
                "mandatory": len(g.mandatory), "stale": len(g.stale),
                "without_evidence": len(g.without_evidence),
                "findings": len(g.open_findings) if ctx.findings_published else 0, "rows": len(g.rows)},
        rows=tuple(GapRowView(ctx.rows[x.clause], x.urgency, urgency_label(ctx, x), gap_due(ctx, x),
                              tuple(text for text, _ in ctx.say.all(ctx.r.clauses[x.clause].reasons)),
                              ctx.rows[x.clause].add_url, _row_sites(ctx, x.clause))
                   for x in g.rows), show_findings=ctx.findings_published,
        site_filter=site_filter(ctx, _("Choosing a site keeps the clauses that are not ready or at risk there, and "
                                       "the open findings at that site."), also="gap-findings"),
        finding_sites=finding_sites(ctx, [f.id for f in open_shown]))
    return view


def _row_sites(ctx: Context, number: str) -> str:
    """A multi-site organisation: the sites where the clause is not ready or at risk (where it applies, when it
    is ready at each); "" for a project of one site."""
    if not ctx.project.organisation.sites:
        return ""
    return leaf_sites(ctx, number, (AT_RISK, NOT_READY)) or leaf_sites(ctx, number)


def gap_due(ctx: Context, x: Any) -> str:
    """A gap row's date, unless it is the review date of withheld evidence or the due date of a withheld
    finding behind the clause: a withheld record's dates are not for this audience either."""
    if x.due is None:
        return ""
    res = ctx.r.clauses[x.clause]
    own = {ctx.project_evidence[i].review_by for i in res.stale_evidence if i not in ctx.evidence} | \
          {ctx.finding_results[i].finding.due for i in res.findings
           if i not in ctx.findings and i in ctx.finding_results}
    return "" if x.due in own else date_text(x.due)


def urgency_label(ctx: Context, row: Any) -> str:
    stage = stage_label(row.stage) if row.stage else ""
    return {"blocker": _("Blocks %(stage)s", stage=stage), "overdue": _("Overdue"),
            "due-before-audit": _("Due before %(stage)s", stage=stage), "later": _("Later")}[row.urgency]


@builder("gaps", reads=("organisation", "catalog", "evidence", "findings", "assessments", "readiness"))
def GAPS(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    return [PageView("gaps.html", "gaps", _("Gap report"), "gaps", gaps(ctx))]
