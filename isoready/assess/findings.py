"""Findings as they stand on a date: open or closed, verified as effective, majors lacking their closure,
systemic minors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Iterable, Optional

from isoready.model import Finding, Project
from isoready.assess.results import FindingResult, NONCONFORMITIES
from isoready.assess.clauses import clause_key


def finding_on(f: Finding, day: date) -> tuple[Finding, Optional[date]]:
    """The finding as it stands on ``day``, and the closed date it is still waiting for: a finding declared
    closed after ``day`` is open until then (so the projection to an audit date counts it closed from its date)."""
    if f.status == "closed" and f.closed and f.closed > day:
        return replace(f, status="open", closed=None), f.closed
    return f, None


def verification_counts(f: Finding, day: date) -> bool:
    """An effective verification that counts on ``day``: not dated before the finding was raised or closed, nor
    after ``day`` (an undated one is taken as given, except for a major's closure: major_lacks)."""
    v = f.verification
    if not (v and v.effective is True):
        return False
    if v.date is None:
        return True
    return f.raised <= v.date <= day and not (f.closed and v.date < f.closed)


#: what a closed major needs to count as closed for the gates, in the order the reason names them
MAJOR_CLOSURE = ("root-cause", "corrective-action", "verification")


def major_lacks(f: Finding, day: date) -> tuple[str, ...]:
    """For a major closed on or before ``day``: what it lacks of MAJOR_CLOSURE (empty: it counts as closed).
    The verification must be effective, dated, on or before ``day`` and not before ``closed``."""
    if f.grade != "major" or f.status != "closed" or not f.closed or f.closed > day:
        return ()
    lacks = []
    if not (f.root_cause or "").strip():
        lacks.append("root-cause")
    if not (f.corrective_action or "").strip():
        lacks.append("corrective-action")
    if not (verification_counts(f, day) and f.verification and f.verification.date):
        lacks.append("verification")
    return tuple(lacks)


def systemic_groups(project: Project, findings: Iterable[FindingResult]) -> dict[str, tuple[str, ...]]:
    """Clauses (below the main clauses) with ``systemic_minors`` or more open minor findings against them or
    their sub-clauses: clause -> the minors, in raised order. Only the most specific such clauses are named
    (when 8.4.1 qualifies, 8.4 is not named again for the same failure)."""
    catalog = project.catalog
    threshold = project.organisation.systemic_minors
    minors = [fr.finding for fr in findings if fr.finding.is_open and fr.finding.grade == "minor"]
    against: dict[str, list[str]] = {}
    for f in minors:
        reach: set[str] = set()
        for number in f.clauses:
            if number in catalog:
                reach |= {number, *catalog.ancestors(number)}
        for number in reach:
            if catalog[number].parent is not None:  # a main clause (8 Operation) is not one requirement
                against.setdefault(number, []).append(f.id)
    qualifying = {n for n, ids in against.items() if len(ids) >= threshold}
    chosen = {n for n in qualifying if not any(d in qualifying for d in catalog.descendants(n))}
    return {n: tuple(against[n]) for n in sorted(chosen, key=clause_key)}


def finding_unverified(f: Finding, day: date) -> bool:
    """A closed nonconformity whose corrective action was never shown to be effective (by a verification that
    counts on ``day``)."""
    if f.is_open or f.grade not in NONCONFORMITIES:
        return False
    return not verification_counts(f, day)


def finding_not_effective(f: Finding) -> bool:
    """The verification was done and found the action not effective."""
    return bool(f.verification and f.verification.effective is False)
