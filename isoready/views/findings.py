"""The findings page and one page per finding."""

from __future__ import annotations

from typing import Any, Mapping

from isoready.core.i18n import gettext as _
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views.labels import page_path
from isoready.views.models import FindingView
from isoready.views.pages import FindingsView, PageView


def findings_page(ctx: Context, findings: tuple[FindingView, ...]) -> FindingsView:
    opened = tuple(sorted((f for f in findings if f.is_open), key=lambda f: (not f.due, f.due, f.raised, f.id)))
    closed = tuple(sorted((f for f in findings if not f.is_open), key=lambda f: (f.closed, f.id), reverse=True))
    overdue = sum(fr.overdue for fr in ctx.open_all)
    today = sum(fr.due_today for fr in ctx.open_all)
    parts = [_("%(count)s open", count=len(ctx.open_all))] + ([_("%(count)s overdue", count=overdue)] if overdue
                                                             else []) + \
        ([_("%(count)s due today", count=today)] if today else [])
    return FindingsView(
        findings, len(ctx.open_all), overdue, ctx.hidden_f, ctx.withheld_findings(ctx.hidden_f),
        open_rows=opened, closed_rows=closed, open_heading=_("Open (%(count)s)", count=len(opened)),
        closed_heading=_("Closed (%(count)s)", count=len(closed)),
        summary=", ".join(parts) + "." if ctx.findings_published else "", published=ctx.findings_published)


@builder("findings", reads=("organisation", "catalog", "evidence", "findings", "readiness"))
def FINDINGS(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    findings = tuple(ctx.findings.values())
    return [PageView("findings.html", "findings", _("Findings"), "findings", findings_page(ctx, findings)),
            *(PageView(page_path(f.url), "finding", _("Finding %(id)s", id=f.id), "findings", f) for f in findings)]
