"""Per-clause rules: declared statuses, recency windows, mandatory documented information, freshness."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable, Mapping, Optional

from isoready.model import DI_KIND_FOR, DONE_STATUSES, Assessment, Clause, Evidence, Project
from isoready.assess.results import (CONDITIONAL, DEFAULT_RECORD_WINDOW, EXCLUDED, FRESHNESS_BANDS,
    FRESHNESS_DUE_DAYS, LateTarget, MISSING, MandatoryCheck, OUT_OF_WINDOW, PRESENT, REVIEW_OVERDUE, Reason,
    UNDECLARED, reason)


@lru_cache(maxsize=4096)  # pure, and asked for the same (as_of, window) for every record of every site
def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


# --------------------------------------------------------------------------- statuses


def resolve_statuses(project: Project) -> dict[str, tuple[str, bool, Optional[str]]]:
    """number -> (status, assessed, status_from) following the inheritance rules."""
    catalog = project.catalog
    own = {a.clause: a for a in project.assessments}
    result: dict[str, tuple[str, bool, Optional[str]]] = {}
    for clause in catalog.clauses:  # parents come before children in the catalog
        if clause.number in own:
            result[clause.number] = (own[clause.number].status, True, None)
            continue
        inherited = next((n for n in catalog.ancestors(clause.number) if n in own), None)
        if inherited:
            result[clause.number] = (own[inherited].status, False, inherited)
        elif clause.is_leaf:
            result[clause.number] = ("not-started", False, None)
    for clause in reversed(catalog.clauses):  # derive parents from their leaves
        if clause.number in result:
            continue
        leaves = [result[n][0] for n in catalog.leaves_under(clause.number)]
        applicable = [s for s in leaves if s != "not-applicable"]
        if not applicable:
            status = "not-applicable"
        elif len(set(applicable)) == 1:
            status = applicable[0]
        elif all(s in DONE_STATUSES for s in applicable):
            status = "implemented"
        else:
            status = "in-progress"
        result[clause.number] = (status, False, None)
    return result


# --------------------------------------------------------------------------- documented information


def window_of(project: Project, number: str) -> int:
    """The recency window, in months, of a clause's records: windows: in organisation.yaml, the catalog, or 12;
    never above the clause's ceiling (12 months for the internal audit and the management review, 36 for any
    other: ``windows:`` may shorten a window, never stretch it past what a certification body accepts)."""
    configured = project.organisation.windows.get(number, project.catalog[number].window_months
                                                  or DEFAULT_RECORD_WINDOW)
    return min(configured, project.catalog.window_ceiling(number))


def _record_counts(e: Evidence, window: int, clause: Clause, as_of: date) -> bool:
    """A record counts when dated within the window; where the clause's records count until their review date
    (7.2 competence: the competence a training record shows lasts until it expires), until its ``review_by``."""
    if e.date is None:
        return False
    if clause.records_until_review and e.review_by is not None:
        return e.review_by >= as_of
    return e.date >= months_before(as_of, window)


def _record_closes(e: Evidence, window: int, clause: Clause) -> date:
    """The first day a counted record no longer counts (for the lapse list)."""
    assert e.date is not None
    if clause.records_until_review and e.review_by is not None:
        return e.review_by + ONE_DAY
    return months_after(e.date, window) + ONE_DAY


def check_mandatory(project: Project, number: str, applicable: bool, mapped: list[Evidence],
                    as_of: date) -> list[MandatoryCheck]:
    """``mapped``: the evidence mapped to the clause that exists on ``as_of`` (nothing dated later)."""
    clause = project.catalog[number]
    applies = project.organisation.applies
    checks = []
    for item in clause.documented_information:
        want = DI_KIND_FOR[item.kind]
        right = [e for e in mapped if e.kind == want]
        current = [e for e in right if not e.is_stale(as_of)]
        stale = [e for e in right if e.is_stale(as_of)]
        about = {"clause": number, "what": item.what, "noun": want}
        window = window_of(project, number) if item.kind == "retain" else None

        latest = max((e.date for e in right if e.date), default=None)
        counted: list[Evidence] = current
        closes: Optional[date] = None
        declared = getattr(applies, item.condition) if item.condition else None
        # a declared condition decides the item: false = not required; true = required (or, where ISO makes
        # it depend on something the data cannot show, current evidence on the clause is required instead)
        required_by_declaration = item.condition is not None and declared is True and item.if_true == "record"
        conditional = item.when is not None and not required_by_declaration
        if not applicable:
            state, why = EXCLUDED, reason("di-not-required", **about)
        elif item.condition and declared is False:
            state, why = EXCLUDED, reason("di-condition-false", condition=item.condition, **about)
        elif item.condition and declared is None:
            state = UNDECLARED
            why = reason("di-condition-undeclared", condition=item.condition, when=item.when, **about)
        elif item.condition and item.if_true == "evidence":  # declared true
            # a current document, or a record within the clause's window (a calibration certificate counts for
            # its calibration interval: the window, 12 months unless windows: shortens it); older records do not
            since = months_before(as_of, window_of(project, number))
            controlled = [e for e in mapped if not e.is_stale(as_of)
                          and (e.kind != "record" or (e.date is not None and e.date >= since))]
            if controlled:
                state = CONDITIONAL
                why = reason("di-condition-evidence", [e.id for e in controlled], condition=item.condition,
                             when=item.when, **about)
            else:
                state = MISSING
                why = reason("di-condition-no-evidence", condition=item.condition, **about)
        elif item.kind == "retain" and window and (counted := [e for e in right
                                                              if _record_counts(e, window, clause, as_of)]):
            newest = max(counted, key=lambda e: (e.date, e.id))
            closes = max(_record_closes(e, window, clause) for e in counted)
            state = PRESENT
            if clause.records_until_review and newest.review_by:
                why = reason("di-until-review", (newest.id,), date=newest.date, review_by=newest.review_by,
                             **about)
            else:
                why = reason("di-in-window", (newest.id,), date=newest.date, window=window, **about)
        elif item.kind == "retain" and right and not conditional:
            # a record is a fact of the past: it counts while it is recent, whatever its review date says
            state = OUT_OF_WINDOW
            newest_old = max(right, key=lambda e: (e.date or date.min, e.id))
            if clause.records_until_review and newest_old.review_by:  # valid until then, and then no longer
                why = reason("di-review-passed", (newest_old.id,), review_by=newest_old.review_by, **about)
            else:
                why = reason("di-out-of-window", (newest_old.id,), window=window, latest=latest, **about)
        elif item.kind == "maintain" and current:
            state = PRESENT
            why = reason("di-present", [e.id for e in current], **about)
        elif item.kind == "maintain" and stale:
            state = REVIEW_OVERDUE  # the document is there; its review is late: at risk, not missing
            why = reason("di-review-overdue", [e.id for e in stale],
                         review_by=min(e.review_by for e in stale if e.review_by), **about)
        elif conditional:
            state, why = CONDITIONAL, reason("di-conditional", when=item.when, **about)
        else:
            state, why = MISSING, reason("di-missing", declared_true=required_by_declaration or None, **about)
        if state not in (PRESENT,):
            counted = current if item.kind == "maintain" else []
        checks.append(MandatoryCheck(
            clause=number, kind=item.kind, what=item.what, when=item.when, state=state,
            evidence=tuple(e.id for e in counted), stale=tuple(e.id for e in stale), reason=why,
            window_months=window, latest=latest, closes=closes if state == PRESENT else None))
    return checks


# --------------------------------------------------------------------------- the whole assessment


def late_target(target: Optional[date], audits: Mapping[str, date]) -> Optional[LateTarget]:
    """The first booked audit a target falls after, if any."""
    if not target:
        return None
    late = [(d, stage) for stage, d in audits.items() if target > d]
    return LateTarget(min(late)[1], min(late)[0]) if late else None


def not_applicable_reason(own: Mapping[str, Assessment], src: str) -> Reason:
    just = own[src].justification if src in own else None
    return reason("not-applicable", declared_on=src, justification=just or "")


def freshness(evidence: Iterable[Evidence], as_of: date) -> dict[str, int]:
    """Every record by review band (an aggregate, so it is the same for each audience)."""
    bands = dict.fromkeys(FRESHNESS_BANDS, 0)
    for e in evidence:
        if e.review_by is None:
            bands["no-review"] += 1
        elif e.review_by < as_of:
            bands["stale"] += 1
        elif (e.review_by - as_of).days <= FRESHNESS_DUE_DAYS:
            bands["due-90"] += 1
        else:
            bands["current"] += 1
    return bands


def clause_key(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in number.split("."))


def recent_records(evidence: list[Evidence], as_of: date, since: date) -> list[Evidence]:
    """Records dated within [since, as_of], oldest first."""
    return sorted((e for e in evidence if e.kind == "record" and e.date and since <= e.date <= as_of),
                  key=lambda e: (e.date, e.id))


def current_evidence(evidence: list[Evidence], as_of: date, kind: Optional[str] = None) -> list[Evidence]:
    return [e for e in evidence if not e.is_stale(as_of) and (kind is None or e.kind == kind)]


ONE_DAY = timedelta(days=1)
