"""The dashboard (index.html): figures, charts, gates, blockers, lapses, the trend; and history.json."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from isoready.core.i18n import gettext as _, ngettext, prose_date
from isoready.views import charts
from isoready.assess import AT_RISK, NOT_READY, READY
from isoready.model import HISTORY_VERSION
from isoready.core.text import markdown
from isoready.validate.redact import WITHHELD
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views.labels import (DASHBOARD_BLOCKERS, DASHBOARD_LAPSES, DUE_FLAG_LABELS, FRESHNESS_LABELS,
    NO_GIT_TEXT, STATE_LABELS, STATUS_LABELS, clause_url, date_text, late_target_text, mandatory_summary,
    shares_of, shares_text, stage_label, term_url)
from isoready.views.models import CountView, Link, MainView, TargetView
from isoready.views.pages import DashboardView, PageView, PublishHintView
from isoready.views.transition import changed_panel, transition_panel


def mains(ctx: Context) -> tuple[MainView, ...]:
    r = ctx.r
    return tuple(MainView(c.number, c.name, clause_url(c.number), shares_text(shares_of(r.clauses[c.number])),
                          r.by_main[c.number], r.clauses[c.number].state, STATE_LABELS[r.clauses[c.number].state],
                          shares_of(r.clauses[c.number]))
                 for c in ctx.catalog.mains)


def dashboard(ctx: Context, mains: tuple[MainView, ...], chart_set: charts.ChartSet) -> DashboardView:
    r, org = ctx.r, ctx.project.organisation
    targets = tuple(TargetView(ctx.clink(t.clause), date_text(t.target), ctx.redact(t.owner or ""),
                               STATUS_LABELS[t.status], late_target_text(t.late),
                               DUE_FLAG_LABELS["overdue"] if t.overdue else "") for t in r.targets)
    return DashboardView(
        scope=markdown(ctx.redact(org.scope), ctx.md_limit),
        certification_body=ctx.redact(org.certification_body or ""),
        charts=chart_set, leaves_ready=r.leaves_ready, leaves_applicable=r.leaves_applicable,
        state_counts=ctx.state_counts(), stale_count=len(r.stale_evidence),
        open_findings=len(ctx.open_all), open_majors=sum(fr.finding.grade == "major" for fr in ctx.open_all),
        overdue_findings=sum(fr.overdue for fr in ctx.open_all), audits=ctx.audits, mains=mains,
        gates=ctx.gates, mandatory=ctx.mandatory, mandatory_text=mandatory_summary(ctx.mandatory),
        targets=targets, certification=certification(ctx), certification_plan=certification_plan(ctx),
        show_findings=ctx.findings_published,
        show_details=ctx.audience != "public", blockers=ctx.all_blockers[:DASHBOARD_BLOCKERS],
        blockers_more=(_("All %(count)s blockers, on the audit stages page", count=len(ctx.all_blockers))
                       if len(ctx.all_blockers) > 2 else ""),
        lapses=ctx.lapses[:DASHBOARD_LAPSES],
        lapses_more=(_("All %(count)s lapses, on the audit stages page", count=len(ctx.lapses))
                     if len(ctx.lapses) > 2 else ""),
        figures=ngettext("%(ready)s ready · %(at_risk)s at risk · %(not_ready)s not ready, of %(num)s applicable "
                         "clause", "%(ready)s ready · %(at_risk)s at risk · %(not_ready)s not ready, of %(num)s "
                         "applicable clauses", r.leaves_applicable, ready=r.state_counts[READY],
                         at_risk=r.state_counts[AT_RISK], not_ready=r.state_counts[NOT_READY]),
        transition=transition_panel(ctx), changed=changed_panel(ctx), publish_hint=publish_hint(ctx),
        **trend_fields(ctx))


def publish_hint(ctx: Context) -> Optional[PublishHintView]:
    """In a public build that shows no evidence record, what to mark to publish one (None otherwise)."""
    if ctx.audience != "public" or ctx.visible_ev:
        return None
    kept = ngettext(" %(num)s record is kept for the auditor or the team.",
                    " %(num)s records are kept for the auditor or the team.", ctx.hidden_ev) if ctx.hidden_ev else ""
    return PublishHintView(
        heading=_("No record is published yet"),
        text=_("This public site shows readiness figures but no evidence record.%(kept)s To publish a record "
               "here, add this line to its entry, beside its title:", kept=kept),
        example="audience: public",
        after=_("A record without this line is shown to auditors only. Publish only what anyone may read, "
                "then build again."),
        more=Link(term_url("audience"), _("What the audiences are")))


def tag_labels(ctx: Context) -> dict[str, str]:
    """How this audience sees each git tag of the history and the ``last_audit`` it names. A tag may be named
    after a record the audience may not see: its name is withheld, and each such tag is numbered in the order
    the history first shows it ("[withheld 1]", "[withheld 2]"), so a reader can tell two of them apart, and
    the last audit is marked on its own commit, while the numbers say nothing of the names."""
    git = ctx.git
    names = [t for e in git.history.entries for t in e.get("tags", ())] if git and git.history else []
    labels: dict[str, str] = {}
    withheld = 0
    for name in [*names, *([git.last_audit] if git and git.last_audit else [])]:
        if name not in labels:
            shown = ctx.redact(name)
            if shown != name:
                withheld += 1
                shown = shown.replace(WITHHELD, f"[withheld {withheld}]")
            labels[name] = shown
    return labels


def history_entries(ctx: Context, labels: Optional[Mapping[str, str]] = None) -> Optional[list[dict]]:
    """history.json's entries for this audience: subjects in internal builds only (they may name withheld
    records), finding counts only where findings are published, tags as ``tag_labels`` shows them."""
    git = ctx.git
    if git is None or not git.available or git.history is None:
        return None
    labels = tag_labels(ctx) if labels is None else labels
    out = []
    for e in git.history.entries:
        e = dict(e)
        if ctx.audience != "internal":
            e["subject"] = ""
        e["tags"] = [labels[t] for t in e.get("tags", ())]  # a tag may be named after a withheld record
        if not ctx.findings_published:
            e["open_findings"] = None
        out.append(e)
    return out


def trend_fields(ctx: Context) -> dict:
    git = ctx.git
    if git is None:
        return {}
    since_url = "since-last-audit.html" if ctx.project.organisation.last_audit else ""
    labels = tag_labels(ctx)
    entries = history_entries(ctx, labels)
    if entries is None:
        return {"trend_note": _(NO_GIT_TEXT) if not git.available else _("Readiness history is not available "
                "without git history."), "since_url": since_url}
    audits = [(_("%(stage)s audit", stage=stage_label(a.stage)), a.date) for a in ctx.r.audits]
    chart = charts.trend(entries, audits, labels.get(git.last_audit or "") or None, ctx.findings_published,
                         {"stage1": _("stage 1 gate"), "stage2": _("stage 2 gate")}, as_of=ctx.r.as_of)
    note = git.history.note if chart else (git.history.note or _("No commit has changed evidence/ or content/ yet."))
    return {"trend": chart, "trend_note": note, "since_url": since_url}


def history_json(ctx: Context) -> Optional[dict]:
    labels = tag_labels(ctx)
    entries = history_entries(ctx, labels)
    if entries is None:
        return None
    return {"version": HISTORY_VERSION, "available": True, "note": ctx.git.history.note,
            "last_audit": labels.get(ctx.git.last_audit or "") or None, "entries": entries}


def certification(ctx: Context) -> str:
    """Plain words on certification status: never reads as a claim until a certificate is recorded."""
    org = ctx.project.organisation
    cert = org.certificate
    standard = ctx.catalog.standard
    judged = ctx.r.certificate
    if cert and cert.number and judged is not None and judged.state == "not-yet-valid":
        return _("Not yet certified to %(standard)s: the certificate recorded is issued only on %(date)s.",
                 standard=standard, date=prose_date(cert.issued))
    if cert and cert.number and judged is not None and judged.state == "expired":
        return _("Not certified to %(standard)s: the certificate expired on %(date)s.", standard=standard,
                 date=prose_date(cert.expires))
    if cert and cert.number:
        body = _(" by %(body)s", body=ctx.redact(cert.body or org.certification_body or "")) if (
            cert.body or org.certification_body) else ""
        dates = "".join(x for x in (_(", issued %(date)s", date=prose_date(cert.issued)) if cert.issued else "",
                                    _(", expires %(date)s", date=prose_date(cert.expires)) if cert.expires else ""))
        return _("Certified to %(standard)s%(body)s: certificate %(number)s%(dates)s.", standard=standard, body=body,
                 number=ctx.redact(cert.number), dates=dates)
    return _("Not yet certified to %(standard)s.", standard=standard)


def certification_plan(ctx: Context) -> str:
    """The booked certification audits, beside a "not yet certified" status."""
    org = ctx.project.organisation
    if org.certificate and org.certificate.number and ctx.r.certificate is not None and ctx.r.certificate.valid:
        return ""
    booked = [_("%(stage)s on %(date)s", stage=stage_label(a.stage), date=prose_date(a.date))
              for a in ctx.r.audits if a.days >= 0]
    with_body = _(" with %(body)s", body=ctx.redact(org.certification_body)) if org.certification_body else ""
    return _("Audits booked%(with_body)s: %(audits)s.", with_body=with_body, audits=", ".join(booked)) \
        if booked else ""


def _figures(ctx: Context) -> Mapping[str, Any]:
    """The main clauses and the charts, which the dashboard and the printable report share."""
    mains_ = mains(ctx)
    freshness = tuple(CountView(k, FRESHNESS_LABELS[k], v) for k, v in ctx.r.freshness.items())
    return {"mains": mains_,
            "charts": charts.build(ctx.state_counts()[:3], mains_, ctx.status_counts(), freshness)}


@builder("dashboard", reads=("organisation", "catalog", "evidence", "findings", "assessments", "readiness", "git"),
         provides=("mains", "charts"), needs=("mains", "charts"), context=_figures)
def DASHBOARD(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    return [PageView("index.html", "index", _("Dashboard"), "index", dashboard(ctx, shared["mains"], shared["charts"]))]
