"""The group portal's view-model (``isoready rollup``): one row per site read from its readiness.json, and the
certification body's combined view of the group (assess.sampling, indicative). Every word of the page is made
here; the template only places them. A site's readiness.json is data: its values are shown as text, never used
as a path, a URL or a template (the link to a site portal is made by the package stage from the SITE's own
folder, not from the file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from isoready.core.i18n import N_, gettext as _
from isoready.assess.sampling import AUDITS, SiteFacts, likely_sites, sample_sizes
from isoready.model import AUDIENCES
from isoready.views.labels import STATE_LABELS, Translated

#: why a site has no link on the group portal
NO_LINK = Translated({
    "register": N_("built here from its register; no portal is published beside it"),
    "no-index": N_("no index.html beside its readiness.json"),
})
_PICK_WORDS = Translated({
    "central-function": N_("the central function: visited at every audit"),
    "every-site": N_("every site is visited at this audit"),
    "open-findings": N_("open findings"),
    "not-ready": N_("not ready for stage 2"),
    "new-site": N_("a new site: added within the last 12 months, or since the last certification audit"),
    "not-yet-audited": N_("no internal audit this audience can see"),
    "least-recently-audited": N_("least recently audited"),
})
_METHOD_WORDS = Translated({
    "sampling": N_("a sample: the sites' processes are taken to be alike"),
    "no-sampling": N_("no sample: every site at the initial audit and the recertification, a share each year between"),
    "single-site": N_("a single site: only the central function"),
})
_AUDIT_WORDS = Translated({"initial": N_("Initial audit"), "surveillance": N_("Each surveillance"),
                           "recertification": N_("Recertification")})
STAGES = (("stage1", N_("Stage 1")), ("stage2", N_("Stage 2")))  # said through gettext


def wider(site_audience: str, audience: str) -> bool:
    """Whether a build for ``site_audience`` shows more than one for ``audience`` would."""
    return AUDIENCES.index(site_audience) > AUDIENCES.index(audience)


@dataclass(frozen=True)
class RolledSite:
    """What the group portal reads of one site's readiness.json (already checked against the contract)."""

    label: str  # the SITE as given on the command line
    organisation: str
    audience: str
    as_of: str
    standard: str
    passed: tuple[bool, bool]  # stage 1, stage 2 gates today
    shares: tuple[Optional[float], Optional[float], Optional[float]]  # ready, at risk, not ready
    blockers: tuple[tuple[str, str], ...]  # (stage label, the failing check's reason in the site's words)
    open_findings: Optional[int]  # None: the build did not publish findings
    last_audit: Optional[str]  # the latest internal audit record this audience can see
    link: str = ""  # relative URL of the site portal's index.html, or ""
    no_link: str = ""  # NO_LINK key when there is no link
    withheld_findings: int = 0  # findings (open or closed) the build left out for its audience


def rolled_site(data: Mapping[str, Any], label: str, link: str = "", no_link: str = "") -> RolledSite:
    """A readiness.json (a dict meeting the contract) as the group portal reads it."""
    gates = data["gates"]
    blockers: list[tuple[str, str]] = []
    for key, name in STAGES:
        gate = gates.get(key)
        failing = [item["reason"] for item in gate["items"] if not item["passed"]] if gate else []
        if gate and not gate["passed"] and not failing:  # a public build names no check
            failing = [_("%(verdict)s (its checks are not published for this audience)", verdict=gate["verdict"])]
        blockers += [(_(name), reason) for reason in failing]
    findings = data["findings"]
    published = data["withheld"]["findings"] is not None or bool(findings)
    audits = {a for ids in data["coverage"]["leaves"].values() for a in ids}
    dates = [e["date"] for e in data["evidence"] if e["id"] in audits and e["date"]]
    r = data["readiness"]
    return RolledSite(label, data["organisation"], data["audience"], data["as_of"], data["standard"],
                      tuple(bool(gates.get(k, {}).get("passed")) for k, _ in STAGES),
                      (r["ready_share"], r["at_risk_share"], r["not_ready_share"]), tuple(blockers),
                      sum(1 for f in findings if f["status"] == "open") if published else None,
                      max(dates) if dates else None, link, no_link, data["withheld"]["findings"] or 0)


@dataclass(frozen=True)
class SiteRow:
    name: str
    label: str
    verdicts: tuple[tuple[str, str, str], ...]  # (stage, "passed" / "not passed", the badge's state class)
    shares: tuple[tuple[str, str], ...]  # (label, "62 %")
    blockers: tuple[str, ...]
    open_findings: str
    last_audit: str
    link: str
    no_link: str
    built: str  # "as of 2026-05-01 for the public audience"


@dataclass(frozen=True)
class PlanRow:
    audit: str
    others: int
    visits: int  # with the central function


@dataclass(frozen=True)
class PickRow:
    name: str
    why: str


@dataclass(frozen=True)
class RollupView:
    """The group portal's one page."""

    title: str
    audience: str
    as_of: str
    sites: tuple[SiteRow, ...]
    page_title: str  # "<group> · 3 sites": the browser tab's title
    ready_count: str  # "2 of 3 sites pass the stage 2 gate"
    central: str  # the central function's name, or words saying none was named
    method: str
    plan: tuple[PlanRow, ...]
    picks: tuple[PickRow, ...]  # the initial audit's likely visits
    random_note: str
    audit_days: str
    provisional: str
    notes: tuple[str, ...]


def _percent(share: Optional[float]) -> str:
    return _("not known") if share is None else _("%(pct)s %%", pct=round(share * 100))


def shown_label(label: str) -> str:
    """The SITE as the page names it: its folder's own name (and the file's, for a .json given directly), never the
    path it was given by, which may hold a home folder or a runner's workspace."""
    parts = [p for p in label.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if not parts:
        return "."
    return "/".join(parts[-2:]) if parts[-1].lower().endswith(".json") and len(parts) > 1 else parts[-1]


def _row(site: RolledSite) -> SiteRow:
    verdicts = tuple((_(name), _("passed") if ok else _("not passed"),
                      "state-ready" if ok else "state-not-ready") for (_key, name), ok in zip(STAGES, site.passed))
    shares = tuple(zip((STATE_LABELS["ready"], STATE_LABELS["at-risk"], STATE_LABELS["not-ready"]),
                       map(_percent, site.shares)))
    findings = _("not published for this audience") if site.open_findings is None else str(site.open_findings)
    if site.open_findings is not None and site.withheld_findings:
        findings += _(" of those shown (%(count)s findings withheld from this audience)",
                      count=site.withheld_findings)
    return SiteRow(site.organisation, shown_label(site.label), verdicts, shares,
                   tuple(f"{stage}: {reason}" for stage, reason in site.blockers), findings,
                   site.last_audit or _("none this audience can see"), site.link,
                   NO_LINK.get(site.no_link, ""), _("as of %(date)s for the %(audience)s audience, %(standard)s",
                                                    date=site.as_of, audience=site.audience, standard=site.standard))


def _facts(sites: Sequence[RolledSite], central: Optional[int]) -> list[SiteFacts]:
    return [SiteFacts(id=str(i), open_findings=s.open_findings or 0, ready=s.passed[1],
                      last_audit=_day(s.last_audit), central=i == central) for i, s in enumerate(sites)]


def _day(text: Optional[str]) -> Any:
    """A date from the file (the contract checks its form, not the calendar: '2026-02-30' is None here)."""
    from datetime import date

    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def rollup_view(sites: Sequence[RolledSite], audience: str, as_of: str, central: Optional[int] = None,
                same_processes: bool = True) -> RollupView:
    """The group page for ``sites`` (in the order given); ``central``: the index of the central function's
    site, or None (then every site counts towards the sample)."""
    x = len(sites) - (central is not None)
    sizes = sample_sizes(x, same_processes)
    plan = likely_sites(_facts(sites, central), sizes, "initial")
    extra = int(central is not None)
    rows = tuple(PlanRow(_AUDIT_WORDS[a], sizes.size(a), sizes.size(a) + extra) for a in AUDITS)
    picks = tuple(PickRow(sites[int(p.site)].organisation + f" ({shown_label(sites[int(p.site)].label)})", _PICK_WORDS[p.code])
                  for p in plan.picks)
    random_note = _("%(count)s more drawn at random by the certification body from the other %(pool)s sites",
                    count=plan.random_count, pool=len(plan.random_pool)) if plan.random_count else ""
    passing = sum(1 for s in sites if s.passed[1])
    central_words = (f"{sites[central].organisation} ({shown_label(sites[central].label)})" if central is not None else
                     _("none named (--central): every site counts towards the sample, and the certification body "
                       "will also visit the central function"))
    notes = (
        _("Indicative: the figures follow IAF MD 1 and IAF MD 5 as docs/certification-practice.md explains; the "
          "certification body sets the real programme."),
        _("Each site's figures are those of its own readiness.json, built for the audience it records; nothing "
          "here is recomputed."),
    )
    return RollupView(
        title=_("Group readiness"), audience=audience, as_of=as_of, sites=tuple(_row(s) for s in sites),
        page_title=_("Group readiness · %(count)s sites", count=len(sites)),
        ready_count=_("%(passing)s of %(count)s sites pass the stage 2 gate", passing=passing, count=len(sites)),
        central=central_words, method=_METHOD_WORDS[sizes.method], plan=rows, picks=picks, random_note=random_note,
        audit_days=_("not known: the sites' readiness.json files do not record their effective personnel, so "
                     "no IAF MD 5 auditor-days are given rather than a guess"),
        provisional=_("some of these figures rest on provisional readings of the sources") if sizes.provisional
        else "",
        notes=notes)
