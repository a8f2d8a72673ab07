"""A multi-site organisation's certification-body view (issue 25), made once for every output: readiness.json's
``sampling`` (``sampling_export``), the stages page and the printed report (``cb_view``). All of them read one
``CBPlan`` (``cb_plan``: assess.sampling's sizes, likely picks and auditor-days for the register's sites), so the
page, the PDF and the JSON cannot disagree; each site's facts come from its row (views/sitepages.py ``site_row``,
the one the sites table and the workbook's Sites sheet print).
Indicative throughout: the certification body sets the real programme. A project of one site has none of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from isoready.assess import (AUDITS, NOT_READY, NO_SAMPLING, AuditDays, Sampling, SiteFacts,
    SitePlan, audit_days, likely_sites, practice_data, sample_sizes, site_is_new)
from isoready.core.i18n import N_, decimal, gettext as _, ngettext
from isoready.views.context import Context
from isoready.views.labels import id_list
from isoready.views.pages import CBAuditView, CBPickView, CBView
from isoready.views.sitepages import site_rows

#: each audit of the cycle, as the plan's rows name it (surveillance: per audit when sampling, per year when not)
AUDIT_WORDS = {"initial": N_("Initial certification (stage 1 + stage 2)"),
               "surveillance": N_("Each surveillance audit"), "recertification": N_("Recertification")}
SURVEILLANCE_YEAR = N_("Each surveillance year")
#: the sampling method and its basis (assess.sampling's BASES), with the section of IAF MD 1 it follows
BASIS_WORDS = {
    "md1-sites-alike": N_("IAF MD 1 §6.1, sampling: the sites other than the central function list the same "
                          "processes, so a certification body visits a sample of them: √x at the initial audit, "
                          "0.6 √x at each surveillance audit and 0.8 √x at recertification, each rounded up "
                          "(x = %(x)s)"),
    "md1-processes-differ": N_("IAF MD 1 §6.2, no sampling: the sites' processes differ, so a certification body "
                               "visits every site at the initial audit and at recertification, and 30 %% of them "
                               "(rounded up) in each surveillance year (x = %(x)s)"),
    "md1-one-other-site": N_("IAF MD 1: with one site besides the central function there is nothing to sample: "
                             "that site is visited at every audit (x = %(x)s)"),
    "md1-central-only": N_("a single site: only the central function is audited"),
}
#: why a site is likely to be visited (assess.sampling's PICK_CODES); filled with the site's own facts
PICK_WORDS = {
    "central-function": N_("the central function: visited at every audit"),
    "every-site": N_("every site is visited at this audit"),
    "not-ready": N_("not ready: a clause that applies there is not ready"),
    "new-site": N_("a new site: added within the last 12 months, or since the last certification audit"),
    "not-yet-audited": N_("no internal audit of the site yet"),
    "least-recently-audited": N_("least recently audited (last internal audit %(date)s)"),
}
#: the sources named under the plan and the audit time (ids in the practice data files)
MD1_SOURCES = ("ea-faq-46-5", "ea-faq-42-6", "grains-canada-md1")
MD5_SOURCES = ("gost-54318-2021", "ea-faq-42-6", "certline-a3")


@dataclass(frozen=True)
class CBPlan:
    """The certification body's view of the register's sites: IAF MD 1's sizes, the likely picks of each audit
    (AUDITS order), IAF MD 5's auditor-days (None when no site gives its employees), and each site's facts."""

    sizes: Sampling
    plans: tuple[SitePlan, ...]
    days: Optional[AuditDays]
    facts: Mapping[str, SiteFacts]


def site_facts(ctx: Context) -> list[SiteFacts]:
    """What a CB would weigh of each site (assess.sampling), from the site's row (the sites table's, the Sites
    sheet's): its open findings this audience may see, whether any leaf is not ready there, the latest internal
    audit of it this audience may see, and whether it is new (assess.sampling.site_is_new)."""
    judged = {s.site: s.readiness for s in ctx.r.sites}
    facts = []
    for site, row in zip(ctx.project.organisation.sites, site_rows(ctx)):
        facts.append(SiteFacts(
            id=site.id, central=site.central, ready=not judged[site.id].state_counts[NOT_READY],
            open_findings=row.open_findings or 0, last_audit=row.last_audit,  # none when not published
            new=site_is_new(site, ctx.project.organisation, ctx.r.as_of)))
    return facts


def cb_plan(ctx: Context) -> Optional[CBPlan]:
    """The plan for a project with ``sites:`` (None otherwise): x is the sites not ``central``, alike when they
    list the same ``processes:``; the effective personnel is the sum of the sites' ``employees``."""
    sites = ctx.project.organisation.sites
    if not sites:
        return None
    others = [s for s in sites if not s.central]
    sizes = sample_sizes(len(others), len({tuple(sorted(s.processes)) for s in others}) <= 1)
    facts = site_facts(ctx)
    people = sum(s.employees or 0 for s in sites)
    return CBPlan(sizes, tuple(likely_sites(facts, sizes, audit) for audit in AUDITS),
                  audit_days(people) if people else None, {f.id: f for f in facts})


def sampling_export(ctx: Context) -> Optional[dict[str, Any]]:
    """readiness.json "sampling" (issue 25; None for a project of one site): IAF MD 1's sample sizes for the
    sites other than the central function, the sites a CB is likely to visit at each audit and why, and IAF MD
    5's indicative auditor-days for everyone working at the sites. Indicative: a CB decides."""
    plan = cb_plan(ctx)
    if plan is None:
        return None
    sizes, days = plan.sizes, plan.days
    return {"initial": sizes.initial, "surveillance": sizes.surveillance, "recertification": sizes.recertification,
            "method": sizes.method,
            "sites_likely": [{"audit": p.audit, "size": p.size,
                              "picks": [{"site": x.site, "code": x.code} for x in p.picks],
                              "random_count": p.random_count, "random_pool": list(p.random_pool)}
                             for p in plan.plans],
            "audit_days": {"effective_personnel": days.effective_personnel,
                           "stage1_plus_stage2": days.stage1_plus_stage2, "surveillance": days.surveillance,
                           "recertification": days.recertification, "band": list(days.band), "basis": days.basis,
                           "provisional": list(days.provisional)} if days else None,
            "basis": sizes.basis}


# --------------------------------------------------------------------------- the words of the plan


def days_text(days: Optional[float]) -> str:
    """Auditor-days in prose: 9.0 -> "9", 2.5 -> "2.5" (in the build's language)."""
    if days is None:
        return _("not given")
    return decimal(int(days)) if days == int(days) else decimal(days)


def _why(code: str, fact: Optional[SiteFacts]) -> str:
    if code == "open-findings" and fact is not None:
        return ngettext("%(num)s open finding at the site", "%(num)s open findings at the site", fact.open_findings)
    if code == "least-recently-audited" and fact is not None and fact.last_audit is not None:
        return _(PICK_WORDS[code], date=fact.last_audit.isoformat())
    return _(PICK_WORDS.get(code, code))


def _sources(name: str, ids: tuple[str, ...], skip: tuple[str, ...] = ()) -> tuple[str, ...]:
    known = {s["id"]: s for s in practice_data(name)["sources"] if s["id"] not in skip}
    return tuple(f"{known[i]['title']}: {known[i]['url']}" for i in ids if i in known and known[i].get("url"))


def _audit_view(plan: CBPlan, p: SitePlan, names: Mapping[str, str]) -> CBAuditView:
    label = SURVEILLANCE_YEAR if p.audit == "surveillance" and plan.sizes.method == NO_SAMPLING else \
        AUDIT_WORDS[p.audit]
    picks = tuple(CBPickView(x.site, names.get(x.site, x.site), _why(x.code, plan.facts.get(x.site)), x.code)
                  for x in p.picks)
    random_text = ""
    if p.random_count:
        random_text = ngettext(
            "%(num)s more site drawn at random by the certification body from: %(pool)s, so each of them should "
            "be ready",
            "%(num)s more sites drawn at random by the certification body from: %(pool)s, so each of them should "
            "be ready", p.random_count, pool=id_list(p.random_pool))
    central = sum(1 for x in p.picks if x.code == "central-function")
    return CBAuditView(p.audit, _(label), p.size, p.size + central, picks, random_text)


def cb_view(ctx: Context) -> Optional[CBView]:
    """The stages page's and the report's section on the certification body's view, worded from ``cb_plan``
    (the figures readiness.json's ``sampling`` holds); None for a project of one site."""
    plan = cb_plan(ctx)
    if plan is None:
        return None
    sizes, days = plan.sizes, plan.days
    names = {s.id: ctx.redact(s.name) for s in ctx.project.organisation.sites}
    central = [s for s in ctx.project.organisation.sites if s.central]
    central_text = (_("%(name)s (%(id)s)", name=names[central[0].id], id=central[0].id) if central else
                    _("none declared (central: true): every site counts towards the sample"))
    if days is None:
        days_rows: tuple[tuple[str, str], ...] = ()
        days_note = _("Not known: no site gives its employees, so no auditor-days are given rather than a guess.")
    elif days.basis == "md5-beyond-table":
        days_rows = ()
        days_note = _("%(people)s effective personnel is beyond IAF MD 5's QMS table (%(low)s or more): the table "
                      "only says to follow its progression, so no figure is given; the certification body "
                      "calculates it.", people=decimal(days.effective_personnel), low=decimal(days.band[0]))
    else:
        days_rows = ((_(AUDIT_WORDS["initial"]), days_text(days.stage1_plus_stage2)),
                     (_(SURVEILLANCE_YEAR), days_text(days.surveillance)),
                     (_(AUDIT_WORDS["recertification"]), days_text(days.recertification)))
        days_note = _("From %(people)s effective personnel (the sum of the sites' employees), in the band %(low)s to "
                      "%(high)s of IAF MD 5's QMS table, read as steps: each surveillance year about a third of the "
                      "initial time and recertification about two thirds, to the nearest half day. A certification "
                      "body then adjusts for complexity, shifts, outsourcing and the sites it samples.",
                      people=decimal(days.effective_personnel), low=decimal(days.band[0]),
                      high=decimal(days.band[1]))
    provisional = (*sizes.provisional, *(days.provisional if days else ()))
    return CBView(
        intro=_("How a certification body is likely to plan its audits of this multi-site "
                "organisation, from this register, after IAF MD 1 (which sites it visits) and IAF MD 5 (how long). "
                "The certification body sets the real programme and may visit more sites or spend more days."),
        method=_(BASIS_WORDS[sizes.basis], x=sizes.other_sites), method_code=sizes.method,
        central=central_text, audits=tuple(_audit_view(plan, p, names) for p in plan.plans),
        days=days_rows, days_note=days_note,
        provisional=ngettext(
            "Provisional: %(num)s figure behind this view rests on a single public source or on our reading of "
            "one (isoready's docs/certification-practice.md lists it).",
            "Provisional: %(num)s figures behind this view rest on a single public source or on our reading of "
            "them (isoready's docs/certification-practice.md lists them).", len(provisional))
        if provisional else "",
        sources=(*_sources("iaf-md1.yaml", MD1_SOURCES), *_sources("iaf-md5-qms.yaml", MD5_SOURCES, skip=MD1_SOURCES)))
