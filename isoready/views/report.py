"""The printable readiness report (report.html) and its stylesheet."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping, Optional

from isoready.core.i18n import gettext as _, ngettext, prose_date
from isoready.views import charts
from isoready.core.text import markdown
from isoready.views import labels
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views.labels import (REPORT_BLOCKERS, REPORT_COVERAGE_AUDITS, grouped, mandatory_summary, pct,
    segments, withheld)
from isoready.views.multisite import cb_view
from isoready.views.models import (ClauseView, CoverageView, InputView, MainView, ReportGateView, ReportRowView,
    SectionView, Segment)
from isoready.views.pages import (PageView, ReportCoverageRowView, ReportCoverageView, ReportInputsView,
    ReportTransitionView, ReportView)
from isoready.views.reasons import FINDINGS_NOT_PUBLISHED
from isoready.views.transition import transition_page


def report_coverage(ctx: Context, page: CoverageView) -> ReportCoverageView:
    """The coverage matrix for the report: leaf by audit, or audit by main clause when the audits are many."""
    cov = ctx.r.coverage
    mark = {True: "✔", False: "–"}
    if len(page.audits) <= REPORT_COVERAGE_AUDITS:
        rows = tuple(ReportCoverageRowView(f"{row.clause.number} {row.clause.name}", row.clause.number,
                                           tuple(mark[hit] for hit in row.audits), _("yes") if row.covered else _("no"),
                                           row.covered) for row in page.rows)
        return ReportCoverageView(segments(page.summary), False, _("Clause"), tuple(a.text for a in page.audits),
                                  _("Covered"), rows, page.uncovered, hidden_text=page.hidden_text)
    mains = [m.number for m in ctx.catalog.mains]
    leaves_of = {m: [n for n in cov.leaves if m in (n, *ctx.catalog.ancestors(n))] for m in mains}
    mains = [m for m in mains if leaves_of[m]]
    audits = [i for i in cov.audits if i in ctx.evidence]

    def cells(reached: Callable[[str], bool]) -> tuple[str, ...]:
        return tuple(f"{sum(reached(n) for n in leaves_of[m])}/{len(leaves_of[m])}" for m in mains)

    rows = tuple(ReportCoverageRowView(a.text, "", cells(lambda n, i=i: i in cov.leaves[n]), a.note)
                 for i, a in zip(audits, page.audits))
    rows += (ReportCoverageRowView(_("All audits together"), "", cells(lambda n: bool(cov.leaves[n])), "",
                                   not cov.uncovered),)
    return ReportCoverageView(
        segments(page.summary), True, _("Audit"), tuple(mains), _("Auditor"), rows, page.uncovered,
        note=_("With %(count)s audits the full matrix is too wide for a page, so each audit is shown against the main "
               "clauses: how many of the applicable clauses under each one it reached. The site's coverage page has "
               "every clause against every audit.", count=len(page.audits)), hidden_text=page.hidden_text)


def report_inputs(ctx: Context) -> Optional[ReportInputsView]:
    ri = ctx.r.review_inputs
    inputs = ctx.catalog.review_inputs  # the standard's own list (none in a standard that names none)
    if ri is None or not inputs:
        return None
    if ri.review is None:
        intro = _("No management review record within its window lists the inputs it considered.")
    elif ri.review in ctx.evidence:
        intro = _("Inputs the latest management review within its window, %(title)s (%(date)s), lists as "
                  "considered.", title=ctx.evidence[ri.review].title, date=prose_date(ri.date))
    else:
        intro = _("Inputs the latest management review within its window (%(date)s) lists as considered.",
                  date=prose_date(ri.date))
    considered = sum(k in ri.considered for k in inputs)
    return ReportInputsView(segments(intro), tuple(InputView(k, ctx.std.input(k), k in ri.considered)
                                         for k in inputs),
                            ngettext("%(considered)s of %(num)s input shown as considered",
                                     "%(considered)s of %(num)s inputs shown as considered", len(inputs),
                                     considered=considered))


def report_transition(ctx: Context) -> ReportTransitionView:
    t = transition_page(ctx)
    return ReportTransitionView(t, segments(t.deadline_text), segments(t.audit_text),
                                segments(t.certificate_text), segments(t.dates_note),
                                tuple(segments(x.reason) for x in t.topics))


def report(ctx: Context, mains: tuple[MainView, ...], chart_set: charts.ChartSet,
           coverage: Optional[CoverageView] = None) -> ReportView:
    r = ctx.r
    findings = tuple(ctx.findings.values())
    details = ctx.audience != "public"
    return ReportView(
        lapses=ctx.lapses if details else (),
        lapse_texts=tuple(segments(x.text) for x in ctx.lapses) if details else (),
        hidden_lapses_text=withheld(ctx.hidden_lapses, "lapse of a record") if details else "",
        lapses_shown=details,
        coverage=report_coverage(ctx, coverage) if coverage is not None and r.coverage is not None else None,
        review_inputs=report_inputs(ctx),
        transition=report_transition(ctx) if r.transition else None,
        exclusion_test=ctx.catalog.exclusion_test or "", cb=cb_view(ctx),
        scope=markdown(ctx.redact(ctx.project.organisation.scope), ctx.md_limit), overall=pct(r.overall),
        leaves_ready=r.leaves_ready, leaves_applicable=r.leaves_applicable,
        stale_text=ngettext("%(num)s stale evidence record", "%(num)s stale evidence records", len(r.stale_evidence)),
        open_findings_text=ngettext("%(num)s open finding", "%(num)s open findings", len(ctx.open_all))
        if ctx.findings_published else _("audit findings are not published in this build"),
        open_majors=sum(fr.finding.grade == "major" for fr in ctx.open_all) if ctx.findings_published else 0,
        charts=chart_set,
        gates=ctx.gates,
        sections=tuple(section(m, tuple(c for c in ctx.clauses if c.main == m.number)) for m in mains),
        findings=findings, hidden_findings=ctx.hidden_f, hidden_findings_text=ctx.withheld_findings(ctx.hidden_f),
        audits=ctx.audits,
        blockers=ctx.all_blockers[:REPORT_BLOCKERS],
        blockers_more=(_("and %(count)s more in the Summary's stage checks",
                         count=len(ctx.all_blockers) - REPORT_BLOCKERS)
                       if len(ctx.all_blockers) > REPORT_BLOCKERS else ""),
        blocker_reasons=tuple(segments(b.reason) for b in ctx.all_blockers[:REPORT_BLOCKERS]),
        verdicts=tuple(segments(g.verdict) for g in ctx.gates if g.verdict),
        report_gates=tuple(ReportGateView(g, tuple(segments(i.reason) for i in g.items)) for g in ctx.gates),
        mandatory=ctx.mandatory, mandatory_text=mandatory_summary(ctx.mandatory),
        mandatory_reasons=tuple(segments(m.reason) for m in ctx.mandatory), exclusions=ctx.exclusions,
        state_counts=ctx.state_counts(), site_url=ctx.site_url(),
        no_findings_text=_("No findings in this build.") if ctx.findings_published else _(FINDINGS_NOT_PUBLISHED))


def section(main: MainView, clauses: tuple[ClauseView, ...]) -> SectionView:
    rows = []
    shown_max = labels.REPORT_EVIDENCE  # read when called: a test may lower it
    for c in clauses:
        extra = len(c.evidence) - shown_max
        parts = [_("and %(count)s more on the clause page", count=grouped(extra))] if extra > 0 else []
        if c.hidden_evidence:
            parts.append(ngettext("%(num)s record not shown", "%(num)s records not shown", c.hidden_evidence))
        # the row's clause without what the report does not print (all its evidence, its mandatory checks):
        # the report's view-model stays small at any size (it is fingerprinted and sent to a render worker)
        shown = replace(c, evidence=c.evidence[:shown_max], mandatory=())
        rows.append(ReportRowView(shown, shown.evidence, "; ".join(parts), report_reasons(c)))
    return SectionView(main, tuple(rows))


def report_reasons(c: ClauseView) -> tuple[tuple[Segment, ...], ...]:
    """The reasons, each exclusion's justification left to the report's Exclusions section (printed once)."""
    declared = c.status_from.number if c.status_from else c.number
    return tuple(segments(_("not applicable: excluded with %(clause)s (see Exclusions)", clause=declared)
                          if code == "not-applicable" else text) for text, code in zip(c.reasons, c.reason_codes))


@builder("report", reads=("organisation", "catalog", "evidence", "findings", "assessments", "readiness", "documents"),
         needs=("mains", "charts", "coverage"))
def REPORT(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    return [PageView("report.html", "report", _("Readiness report"), "report",
                     report(ctx, shared["mains"], shared["charts"], shared["coverage"]))]


@builder("report-print", reads=())
def REPORT_PRINT(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    return [PageView("report-print.css", "report-print.css", "", "")]
