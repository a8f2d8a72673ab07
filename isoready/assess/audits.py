"""Internal audit coverage of the applicable clauses, and the inputs of the latest management review (the
clauses each falls on come from the standard's roles)."""

from __future__ import annotations

import re
from datetime import date
from typing import Mapping, Optional, Sequence

from isoready.read.catalog import load_catalog
from isoready.model import DEFAULT_STANDARD, DONE_STATUSES, Assessment, Evidence, Project
from isoready.assess.results import ClauseResult, Coverage, DEFAULT_RECORD_WINDOW, Reason, ReviewInputs, reason
from isoready.assess.clauses import months_before, recent_records, window_of
from isoready.assess.registers import planned_audits


# --------------------------------------------------------------------------- internal audit coverage

#: the management review inputs clause of the default standard, for callers that have no catalog at hand
#: (views): a clause's role comes from its standard's data (``Catalog.role``)
REVIEW_INPUTS_CLAUSE = load_catalog(DEFAULT_STANDARD).role("review_inputs")


def auditor_names(text: Optional[str]) -> tuple[str, ...]:
    """The people an audit record's ``auditor:`` names: separated by ';' or ',', a note in brackets dropped
    ("External consultant (lead)"), compared without case or repeated spaces."""
    out = []
    for part in re.split(r"[;,]", re.sub(r"\([^)]*\)", " ", text or "")):
        name = " ".join(part.split()).casefold()
        if name:
            out.append(name)
    return tuple(dict.fromkeys(out))


def in_place_since(assessment: Assessment, status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]],
                   known: date) -> Optional[tuple[date, str]]:
    """Since when a done assessment has been in place, and where the date comes from: its ``since:``
    ("since"); else, from git ("git"), the commit (dated on or before ``known``) that changed its status from a
    status short of done to implemented or verified, the last such change. An assessment done from its first
    commit gives no date: a register's first commit says when it was written down, not when the process began."""
    if assessment.status not in DONE_STATUSES:
        return None
    if assessment.since:
        return assessment.since, "since"
    start: Optional[date] = None
    previous = ""
    for day, status in (status_log or {}).get(assessment.clause, ()):
        if day > known:
            break
        if status in DONE_STATUSES:
            if previous and previous not in DONE_STATUSES:
                start = day
        elif status:
            start = None
        previous = status or previous
    return (start, "git") if start and previous in DONE_STATUSES else None


def coverage(project: Project, mapped: Mapping[str, list[Evidence]], results: Mapping[str, ClauseResult],
             as_of: date, status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]] = None,
             known: Optional[date] = None) -> Coverage:
    """Each applicable leaf and the internal audits within the window whose ``covers`` reach it (a listed
    clause covers its sub-clauses); several audits may combine. An audit covers a leaf only when held on or
    after the date the leaf has been in place (``in_place_since``) and when none of its auditors owns the leaf's
    assessment (objectivity and impartiality of the audit process); an audit with no ``covers`` covers nothing."""
    catalog = project.catalog
    audit = catalog.role("audit")
    window = window_of(project, audit) if audit else DEFAULT_RECORD_WINDOW
    since = months_before(as_of, window)
    recent = recent_records(mapped.get(audit, []), as_of, since) if audit else []
    audits = [e for e in recent if e.covers]
    leaves_of = {n: r for n, r in results.items() if r.applicable and catalog[n].is_leaf}
    in_place: dict[str, tuple[date, str]] = {}
    for n, r in leaves_of.items():
        day = in_place_since(r.applying, status_log, known or as_of) if r.applying else None
        if day:
            in_place[n] = day
    reached: dict[str, list[str]] = {}
    before: dict[str, list[str]] = {}
    own: dict[str, list[str]] = {}
    for e in audits:
        names = auditor_names(e.auditor)
        for number in e.covers:
            if number not in catalog:
                continue
            for leaf in catalog.leaves_under(number):
                r = leaves_of.get(leaf)
                if r is None:
                    continue
                owner = " ".join((r.applying.owner or "").split()).casefold() if r.applying else ""
                if leaf in in_place and e.date < in_place[leaf][0]:
                    before.setdefault(leaf, []).append(e.id)
                elif owner and owner in names:
                    own.setdefault(leaf, []).append(e.id)
                else:
                    reached.setdefault(leaf, []).append(e.id)
    leaves = {n: tuple(dict.fromkeys(reached.get(n, ()))) for n in leaves_of}
    planned = planned_audits(project, known or as_of, project.organisation.audits.get("stage2"))
    return Coverage(tuple(e.id for e in audits), leaves, tuple(n for n, ids in leaves.items() if not ids),
                    window, since, before={n: tuple(dict.fromkeys(v)) for n, v in before.items()},
                    own={n: tuple(dict.fromkeys(v)) for n, v in own.items()}, in_place=in_place,
                    untimed=tuple(n for n in leaves_of if n not in in_place),
                    empty=tuple(e.id for e in recent if not e.covers),
                    planned={n: planned[n] for n in leaves if not leaves[n] and n in planned})


#: the reasons an internal audit that reached a leaf does not cover it (notes on the leaf; gap report rows)
COVERAGE_NOTES = ("audited-before-in-place", "auditor-own-work")


def coverage_reasons(cov: Coverage, leaf: str, audits: Mapping[str, Evidence],
                     owner: Optional[str]) -> list[Reason]:
    """Why an uncovered leaf's audits did not count (notes: they do not change its state, the stage 2
    ``internal-audit-coverage`` check names the leaf)."""
    if leaf not in cov.uncovered:
        return []
    out = []
    if cov.before.get(leaf):
        ids = cov.before[leaf]
        day, source = cov.in_place[leaf]
        out.append(reason("audited-before-in-place", ids, in_place=day, source=source,
                          audited=tuple(audits[i].date for i in ids)))
    if cov.own.get(leaf):
        out.append(reason("auditor-own-work", cov.own[leaf], owner=owner or ""))
    if cov.planned.get(leaf):  # planned, not covered: the audit programme says it would be, if done as planned
        planned = cov.planned[leaf]
        out.append(reason("coverage-planned", tuple(dict.fromkeys(e for _, _, e in planned)),
                          audits=tuple((a, d) for a, d, _ in planned)))
    return out


def review_inputs(project: Project, mapped: Mapping[str, list[Evidence]], as_of: date) -> ReviewInputs:
    """The latest management review record within the 9.3.3 window, and the 9.3.2 inputs it lists as considered
    (the vocabulary follows 9.3.2 a) to f), with c) in its seven parts).

    The review is a record (``kind: record``) mapped to 9.3 or one of its sub-clauses, dated within the window;
    when some are mapped to 9.3 itself or to 9.3.3 (the record of the review's results), the latest of those.
    Inputs are read from that one record only: another record (a tick list, an agenda) adds nothing."""
    catalog = project.catalog
    vocabulary = catalog.review_inputs  # the standard's words for the inputs (none in some standards)
    clause, parent, inputs = catalog.role("review"), catalog.role("review_parent"), catalog.role("review_inputs")
    if clause is None:
        return ReviewInputs(None, None, (), vocabulary)
    since = months_before(as_of, window_of(project, clause))
    family = [parent, *catalog.descendants(parent)] if parent in catalog \
        else [n for n in (clause, inputs) if n]
    records = recent_records(list(dict.fromkeys(e for n in family for e in mapped.get(n, []))), as_of, since)
    minutes = [e for e in records if {parent, clause} & set(e.clauses)]
    reviews = minutes or records
    if not reviews:
        return ReviewInputs(None, None, (), vocabulary)
    latest = reviews[-1]
    considered = tuple(i for i in vocabulary if i in latest.inputs)
    return ReviewInputs(latest.id, latest.date, considered, tuple(i for i in vocabulary if i not in considered))
