"""A multi-site organisation (organisation.yaml ``sites:``, issue 25): the project as one site sees it, and
the organisation-wide state of each leaf as the worst across the sites where it applies.

A record, an assessment or a finding without ``sites:`` counts at every site. A site's internal audits are
the audit records naming it (or naming no site), so a leaf is covered at a site only by an audit of that
site. The organisation-wide judgement keeps every record (its evidence, its findings, its gates); only the
leaves' states come from the sites, each with a reason naming the sites that set it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence, TypeVar

from isoready.model import Project
from isoready.assess.results import (AT_RISK, ClauseResult, Coverage, NOT_APPLICABLE, NOT_READY, READY,
    STATE_ORDER, SiteResult, reason)


def site_project(project: Project, site: str) -> Project:
    """The project as ``site`` sees it: the records, assessments and findings of that site (those naming no
    site count everywhere), as a project of one site."""
    def here(x: object) -> bool:
        sites = getattr(x, "sites")
        return not sites or site in sites

    return replace(project, organisation=replace(project.organisation, sites=()),
                   evidence=tuple(e for e in project.evidence if here(e)),
                   assessments=tuple(a for a in project.assessments if here(a)),
                   findings=tuple(f for f in project.findings if here(f)))


_Sited = TypeVar("_Sited")


def _by_site(items: Sequence[_Sited], ids: Sequence[str]) -> dict[str, tuple[_Sited, ...]]:
    """Each site's share of ``items`` in their order, in one pass: an item naming no site is every site's."""
    out: dict[str, list[_Sited]] = {i: [] for i in ids}
    for x in items:
        for i in dict.fromkeys(getattr(x, "sites")) or ids:
            bucket = out.get(i)
            if bucket is not None:
                bucket.append(x)
    return {i: tuple(v) for i, v in out.items()}


def site_projects(project: Project) -> dict[str, Project]:
    """Every site's ``site_project`` at once (site id -> project, in the order of ``sites:``), indexing the
    records by site in one pass instead of filtering all of them once per site: a group of 500 sites and
    100,000 records is read through once, not 500 times."""
    ids = [s.id for s in project.organisation.sites]
    evidence, assessments, findings = (_by_site(project.evidence, ids), _by_site(project.assessments, ids),
                                       _by_site(project.findings, ids))
    organisation = replace(project.organisation, sites=())
    return {i: replace(project, organisation=organisation, evidence=evidence[i], assessments=assessments[i],
                       findings=findings[i]) for i in ids}


def worst_of_sites(number: str, whole: ClauseResult, sites: Sequence[SiteResult]) -> ClauseResult:
    """A leaf across the sites: the worst state where it applies; when that is not ready or at risk, the
    reason ``site-state`` names the sites in that state and the first of them gives the rest of its reasons.
    The organisation's own evidence, mandatory checks and findings stay (``whole``)."""
    judged = [(s.site, s.readiness.clauses[number]) for s in sites]
    applying = [(site, r) for site, r in judged if r.applicable]
    if not applying:
        first = judged[0][1]
        return replace(whole, applicable=False, state=NOT_APPLICABLE, status=first.status, reasons=first.reasons,
                       leaves_applicable=0, leaves_ready=0, leaves_at_risk=0, leaves_not_ready=0)
    state = max((r.state for _, r in applying), key=STATE_ORDER.index)
    worst = [(site, r) for site, r in applying if r.state == state]
    reasons = worst[0][1].reasons
    if state != READY:
        reasons = (reason("site-state", state=state, sites=tuple(site for site, _ in worst), total=len(applying)),
                   *reasons)
    return replace(whole, applicable=True, state=state, status=worst[0][1].status, reasons=reasons,
                   leaves_applicable=1,
                   leaves_ready=int(state in (READY, AT_RISK)), leaves_at_risk=int(state == AT_RISK),
                   leaves_not_ready=int(state == NOT_READY))


def sites_leaves(results: Mapping[str, ClauseResult], leaves: Sequence[str],
                 sites: Sequence[SiteResult]) -> dict[str, ClauseResult]:
    """Every leaf of ``results`` replaced by its worst across the sites."""
    return {n: worst_of_sites(n, results[n], sites) for n in leaves}


def sites_coverage(whole: Coverage, sites: Sequence[SiteResult]) -> Coverage:
    """The organisation's internal audit coverage across its sites: a leaf is covered only when every site where
    it applies has it covered by audits of that site (``SiteResult.readiness.coverage``: an audit naming no
    site counts at every site, an audit of one site never at another); a covered leaf lists the audits of every
    site that covered it. ``whole`` (every audit against the organisation's leaves) gives the rest: the
    audits within the window, timing and impartiality notes, the audits planned for an uncovered leaf."""
    leaves: dict[str, tuple[str, ...]] = {}
    unaudited_at: dict[str, tuple[str, ...]] = {}
    for n, reached in whole.leaves.items():
        at = [(s.site, s.readiness.coverage.leaves[n]) for s in sites if n in s.readiness.coverage.leaves]
        missing = tuple(site for site, ids in at if not ids)
        if missing:
            leaves[n] = ()
            unaudited_at[n] = missing
        elif at:
            covering = {a for _, ids in at for a in ids}
            leaves[n] = tuple(a for a in whole.audits if a in covering)
        else:
            leaves[n] = reached
    uncovered = tuple(n for n, ids in leaves.items() if not ids)
    before, own, in_place = _site_notes(whole, sites, unaudited_at)
    planned = dict(whole.planned)
    for n in uncovered:
        if n not in planned:
            plans = next((s.readiness.coverage.planned[n] for s in sites if n in s.readiness.coverage.planned), None)
            if plans:
                planned[n] = plans
    return replace(whole, leaves=leaves, uncovered=uncovered, unaudited_at=unaudited_at, before=before, own=own,
                   in_place=in_place, planned={n: planned[n] for n in uncovered if n in planned})


def _site_notes(whole: Coverage, sites: Sequence[SiteResult], unaudited_at: Mapping[str, tuple[str, ...]]) -> tuple[
        dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple]]:
    """Why a leaf's audits did not count (held before it was in place, by its owner), from the sites where it is
    not covered only: an audit that did not count at a site where the leaf is covered anyway says nothing about
    why the organisation's leaf is not. Leaves no site leaves uncovered keep ``whole``'s notes."""
    before = {n: ids for n, ids in whole.before.items() if n not in unaudited_at}
    own = {n: ids for n, ids in whole.own.items() if n not in unaudited_at}
    in_place = dict(whole.in_place)
    judged = {s.site: s.readiness.coverage for s in sites}
    for n, missing in unaudited_at.items():
        at = [judged[site] for site in missing]
        held = tuple(dict.fromkeys(a for c in at for a in c.before.get(n, ())))
        if held:
            before[n] = held
            in_place.setdefault(n, next(c.in_place[n] for c in at if n in c.in_place))
        owned = tuple(dict.fromkeys(a for c in at for a in c.own.get(n, ())))
        if owned:
            own[n] = owned
    return before, own, in_place
