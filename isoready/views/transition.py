"""The transition to the new edition: its page, the dashboard's panels, readiness.json's parts."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from isoready.core.i18n import gettext as _, ngettext
from isoready.read.catalog import load_catalog, load_topics
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views.labels import (CHANGE_LABELS, PROVISIONAL_TEXT, STATE_LABELS, TOPIC_STATE_LABELS, clause_url,
    countdown_text, date_text, display_name, evidence_url, withheld)
from isoready.views.models import Link
from isoready.views.pages import (ChangedPanelView, ChangedRowView, PageView, TopicView, TransitionPanelView,
    TransitionView)


def topic_views(ctx: Context) -> tuple[TopicView, ...]:
    t = ctx.r.transition
    topics = {x.key: x for x in load_topics().topics}
    new = load_catalog(t.to)
    out = []
    for res in t.topics:
        topic = topics[res.key]
        shown = [i for i in res.evidence if i in ctx.evidence]
        out.append(TopicView(
            key=res.key, anchor=f"topic-{res.key}", title=topic.title,
            clauses=tuple(Link("", n, display_name(new, n) if n in new else "") for n in res.clauses),
            look_for=topic.look_for, provisional=topic.provisional,
            provisional_text=_(PROVISIONAL_TEXT) if topic.provisional else "", note=topic.note,
            state=res.state, state_label=TOPIC_STATE_LABELS[res.state], reason=ctx.say.to_auditor(res.reason),
            evidence=tuple(Link(evidence_url(i), ctx.evidence[i].title, i) for i in shown),
            hidden_text=withheld(len(res.evidence) - len(shown), "record")))
    return tuple(out)


def transition_dates(ctx: Context, to_auditor: bool = False) -> tuple[str, str]:
    t = ctx.r.transition
    reported = load_topics().dates
    if t.deadline:
        deadline = f"{date_text(t.deadline)} ({countdown_text(t.deadline_days)})"
    elif to_auditor:
        deadline = _("not set by the organisation: reported %(reported)s (%(date)s), to be confirmed with the "
                     "certification body", reported=reported.deadline_reported, date=date_text(reported.deadline))
    else:
        deadline = _("not set: reported %(reported)s (%(date)s); confirm with your certification body and record it "
                     "under transition: in organisation.yaml", reported=reported.deadline_reported,
                     date=date_text(reported.deadline))
    audit = f"{date_text(t.audit)} ({countdown_text(t.audit_days)})" if t.audit else _("not planned yet")
    return deadline, audit


def transition_summary(ctx: Context) -> str:
    t = ctx.r.transition
    return ngettext("%(addressed)s of %(num)s topic addressed", "%(addressed)s of %(num)s topics addressed",
                    len(t.topics), addressed=t.addressed)


def transition_page(ctx: Context) -> TransitionView:
    t = ctx.r.transition
    reported = load_topics().dates
    deadline, audit = transition_dates(ctx, to_auditor=True)
    return TransitionView(
        to=t.to, from_standard=ctx.catalog.standard, summary=transition_summary(ctx),
        deadline=date_text(t.deadline), deadline_text=deadline, audit=date_text(t.audit), audit_text=audit,
        topics=topic_views(ctx),
        dates_note=_("The deadline and the transition audit are the organisation's, as agreed with its "
                     "certification body. Publicly reported, not decided: %(to)s published on %(published)s; "
                     "certificates to %(standard)s end %(deadline)s; new certificates only to %(to)s from around "
                     "%(new_from)s. The certification body confirms these dates.", to=t.to,
                     published=date_text(reported.publication), standard=ctx.catalog.standard,
                     deadline=reported.deadline_reported, new_from=reported.new_certificates_from),
        certificate_text=certificate_transition(ctx, to_auditor=True))


def climate_export(ctx: Context) -> Optional[Mapping[str, Any]]:
    """organisation.yaml's climate-change determination as readiness.json carries it (None when not declared)."""
    decision = ctx.project.organisation.climate_change
    if decision is None:
        return None
    return {"relevant": decision.relevant, "decided": decision.decided.isoformat() if decision.decided else None}


def certificate_export(ctx: Context) -> Optional[dict[str, Any]]:
    """readiness.json's "certificate": whether the recorded certificate is valid on the as-of date."""
    judged = ctx.r.certificate
    if judged is None:
        return None
    past = judged.transition
    return {"state": judged.state, "reason": ctx.say(judged.reason), "code": judged.reason.code,
            "transition": {"reason": ctx.say(past), "code": past.code} if past else None}


def certificate_transition(ctx: Context, to_auditor: bool = False) -> str:
    """By when the recorded certificate must move to the new edition, when it would outlive the old one."""
    judged = ctx.r.certificate
    if judged is None or judged.transition is None:
        return ""
    said = ctx.say.to_auditor(judged.transition) if to_auditor else ctx.say(judged.transition)
    return said[:1].upper() + said[1:] + "."


def transition_panel(ctx: Context) -> Optional[TransitionPanelView]:
    t = ctx.r.transition
    if t is None:
        return None
    deadline, audit = transition_dates(ctx)
    titles = {x.key: x.title for x in load_topics().topics}
    return TransitionPanelView(
        heading=_("Ready for %(edition)s?", edition=t.to), figures=transition_summary(ctx), addressed=t.addressed,
        total=len(t.topics),
        gaps=tuple(Link(f"transition.html#topic-{g.key}", titles[g.key], g.key) for g in t.gaps),
        countdowns=(Link("", _("Transition deadline"), deadline), Link("", _("Transition audit"), audit)))


def changed_panel(ctx: Context) -> Optional[ChangedPanelView]:
    """What the edition the project is on added or changed, leaf by leaf (None on the old edition)."""
    topics = load_topics()
    if ctx.catalog.standard != topics.standard:
        return None
    rows, shown = [], 0
    for c in ctx.catalog.clauses:
        res = ctx.r.clauses[c.number]
        if not c.is_leaf or c.change not in ("new", "changed") or not res.applicable:
            continue
        why = next((x for x in res.reasons if x.code == "new-requirement-unevidenced"), None)
        shown += why is None
        label = CHANGE_LABELS[c.change].format(std=ctx.catalog.standard)
        rows.append(ChangedRowView(
            Link(clause_url(c.number), f"{c.number} {display_name(ctx.catalog, c.number)}", label), res.state,
            STATE_LABELS[res.state],
            ctx.say(why) if why else _("evidence for the new requirement is mapped")))
    return ChangedPanelView(_("What changed for you in %(standard)s", standard=ctx.catalog.standard),
                            ngettext("%(shown)s of %(num)s new or changed requirement shown by evidence",
                                     "%(shown)s of %(num)s new or changed requirements shown by evidence", len(rows),
                                     shown=shown), tuple(rows))


def transition_export(ctx: Context) -> Optional[dict[str, Any]]:
    """readiness.json's "transition": null for a project already on the new edition."""
    t = ctx.r.transition
    if t is None:
        return None
    return {"to": t.to, "deadline": date_text(t.deadline) or None, "audit": date_text(t.audit) or None,
            "addressed": t.addressed, "total": len(t.topics),
            "topics": [{"key": x.key, "clauses": list(x.clauses), "state": x.state, "provisional": x.provisional,
                        "evidence": [i for i in x.evidence if i in ctx.evidence], "reason": ctx.say(x.reason),
                        "code": x.reason.code} for x in t.topics]}


@builder("transition", reads=("organisation", "catalog", "evidence", "findings", "readiness"))
def TRANSITION(ctx: Context, shared: Mapping[str, Any]) -> list[PageView]:
    if not ctx.r.transition:
        return []
    return [PageView("transition.html", "transition", _("Ready for %(edition)s?", edition=ctx.r.transition.to),
                     "transition",
                     transition_page(ctx))]
