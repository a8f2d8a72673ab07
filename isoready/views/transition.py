"""The transition to the new edition: its page, the dashboard's panels, readiness.json's parts."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from isoready.core.i18n import gettext as _
from isoready.read.catalog import load_catalog, load_topics
from isoready.views.builder import builder
from isoready.views.context import Context
from isoready.views.labels import (CHANGE_LABELS, PROVISIONAL_TEXT, STATE_LABELS, TOPIC_STATE_LABELS, clause_url,
    countdown_text, date_text, display_name, evidence_url, plural, withheld)
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
        deadline = (f"not set by the organisation: reported {reported.deadline_reported} "
                    f"({date_text(reported.deadline)}), to be confirmed with the certification body")
    else:
        deadline = (f"not set: reported {reported.deadline_reported} ({date_text(reported.deadline)}); confirm with "
                    "your certification body and record it under transition: in organisation.yaml")
    audit = f"{date_text(t.audit)} ({countdown_text(t.audit_days)})" if t.audit else "not planned yet"
    return deadline, audit


def transition_summary(ctx: Context) -> str:
    t = ctx.r.transition
    return f"{t.addressed} of {plural(len(t.topics), 'topic')} addressed"


def transition_page(ctx: Context) -> TransitionView:
    t = ctx.r.transition
    reported = load_topics().dates
    deadline, audit = transition_dates(ctx, to_auditor=True)
    return TransitionView(
        to=t.to, from_standard=ctx.catalog.standard, summary=transition_summary(ctx),
        deadline=date_text(t.deadline), deadline_text=deadline, audit=date_text(t.audit), audit_text=audit,
        topics=topic_views(ctx),
        dates_note=(f"The deadline and the transition audit are the organisation's, as agreed with its "
                    f"certification body. Publicly reported, not decided: {t.to} published on "
                    f"{date_text(reported.publication)}; certificates to {ctx.catalog.standard} end "
                    f"{reported.deadline_reported}; new certificates only to {t.to} from around "
                    f"{reported.new_certificates_from}. The certification body confirms these dates."),
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
        heading=f"Ready for {t.to}?", figures=transition_summary(ctx), addressed=t.addressed,
        total=len(t.topics),
        gaps=tuple(Link(f"transition.html#topic-{g.key}", titles[g.key], g.key) for g in t.gaps),
        countdowns=(Link("", "Transition deadline", deadline), Link("", "Transition audit", audit)))


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
            ctx.say(why) if why else "evidence for the new requirement is mapped"))
    return ChangedPanelView(f"What changed for you in {ctx.catalog.standard}",
                            f"{shown} of {plural(len(rows), 'new or changed requirement')} shown by evidence",
                            tuple(rows))


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
    return [PageView("transition.html", "transition", _("Ready for %(edition)s?", edition=ctx.r.transition.to), "transition",
                     transition_page(ctx))]
