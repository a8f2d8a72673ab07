"""The move between editions: climate change, new requirements without evidence, the transition topics, the
certificate and the edition a stage 2 may be booked to."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping, Optional

from isoready.read.catalog import load_topics
from isoready.model import Evidence, Project
from isoready.assess.results import (ADDRESSED, CertificateResult, EXPIRED, GAP, GateItem, NOT_YET, Reason,
    TopicResult, TransitionResult, VALID, reason)


# --------------------------------------------------------------------------- stage gates


CLIMATE_TOPIC = "climate-change"  # transition-topics.yaml: the topic whose first clause holds the determination


def climate_undetermined(project: Project, mapped: Mapping[str, list[Evidence]], as_of: date,
                         known: Optional[date] = None) -> Optional[Reason]:
    """Why the climate-change determination (Amendment 1:2024, the climate topic's clauses) is missing, or None.

    It is made by current evidence carrying ``topics: [climate-change]`` mapped to the topic's first clause (or
    a sub-clause of it), or by ``climate_change: {relevant, decided}`` in organisation.yaml decided on or
    before the date the facts are known. Otherwise that clause is at risk (``climate-undetermined``).
    """
    topic = next((t for t in load_topics().topics if t.key == CLIMATE_TOPIC), None)
    if topic is None or not topic.clauses or topic.clauses[0] not in project.catalog:
        return None
    clause = topic.clauses[0]
    known = known or as_of
    decision = project.organisation.climate_change
    if decision and decision.relevant is not None and decision.decided and decision.decided <= known:
        return None
    reach = [clause, *project.catalog.descendants(clause)]
    if any(CLIMATE_TOPIC in e.topics and not e.is_stale(as_of) for n in reach for e in mapped.get(n, [])):
        return None
    later = decision.decided if decision and decision.decided and decision.decided > known else None
    return reason("climate-undetermined", clause=clause, clauses=topic.clauses, topic=CLIMATE_TOPIC,
                  **({"decided": later} if later else {}))


NEW_REQUIREMENT_CHANGES = ("new", "changed")  # catalog ``change:`` values that add to what a clause asks


def unevidenced_new_requirements(project: Project, mapped: Mapping[str, list[Evidence]],
                                 as_of: date) -> dict[str, Reason]:
    """Leaves of the new edition whose requirement is new or changed and that no evidence for it supports yet.

    Only in a project on the new edition (after ``migrate``). Evidence counts for such a leaf when it is current,
    mapped to the leaf, and either carries a transition topic whose clauses reach the leaf, or is dated (or
    approved) after the move (organisation.yaml ``migrated:``, never before the edition's publication in the
    transition data). Without ``migrated:`` only the topic counts. Otherwise the leaf is at most at risk
    (``new-requirement-unevidenced``).
    """
    topics = load_topics()
    catalog = project.catalog
    if catalog.standard != topics.standard:
        return {}
    published = topics.dates.publication
    moved = project.organisation.migrated  # None: the day of the move is unknown, so no date can count
    since = max(moved, published) if moved and published else moved
    out: dict[str, Reason] = {}
    for clause in catalog.clauses:
        if not clause.is_leaf or clause.change not in NEW_REQUIREMENT_CHANGES:
            continue
        keys = tuple(t.key for t in topics.topics if clause.number in topic_reach(project, t.clauses))
        current = [e for e in mapped.get(clause.number, []) if not e.is_stale(as_of)]
        shown = [e for e in current if set(keys) & set(e.topics) or (since and any(
            d and since < d <= as_of for d in (e.date, e.approved)))]
        if not shown:
            out[clause.number] = reason("new-requirement-unevidenced", [e.id for e in current],
                                        change=clause.change, edition=catalog.standard, since=since,
                                        topics=keys)
    return out


def transition_applies(project: Project) -> bool:
    return project.catalog.standard == load_topics().from_standard


def topic_reach(project: Project, clauses: Iterable[str]) -> set[str]:
    """A topic's clauses that the project's catalog has, with their sub-clauses."""
    reach: set[str] = set()
    for number in clauses:
        if number in project.catalog:
            reach |= {number, *project.catalog.descendants(number)}
    return reach


def transition(project: Project, as_of: date) -> TransitionResult:
    """Each topic the new edition adds or changes, addressed or a gap on ``as_of``.

    A topic is addressed only by current evidence (existing on ``as_of`` and not past its review date) mapped to
    one of the topic's clauses or a sub-clause of one; in an old-edition project the record must also name the
    topic in ``topics:`` (the same number holds the old requirement there). A record naming the topic but mapped
    elsewhere addresses nothing (``topic-unmapped``, named).
    """
    data = load_topics()
    on_new = project.catalog.standard == data.standard
    existing = [e for e in project.evidence if not (e.date and e.date > as_of)]
    results = []
    for topic in data.topics:
        reach = topic_reach(project, topic.clauses)
        # a keyword is no evidence: the record must sit on one of the topic's clauses (in an old-edition project
        # it must also name the topic, since the same number holds the old requirement there)
        naming = [e for e in existing if reach & set(e.clauses) and (on_new or topic.key in e.topics)]
        elsewhere = tuple(e.id for e in existing if topic.key in e.topics and not reach & set(e.clauses)
                          and not e.is_stale(as_of))
        current = tuple(e.id for e in naming if not e.is_stale(as_of))
        if current:
            state, why = ADDRESSED, reason("topic-addressed", current, topic=topic.key, clauses=topic.clauses)
        elif naming:
            state, why = GAP, reason("topic-stale", [e.id for e in naming], topic=topic.key, clauses=topic.clauses,
                                     review_by=min(e.review_by for e in naming if e.review_by))
        elif elsewhere:
            state, why = GAP, reason("topic-unmapped", elsewhere, topic=topic.key, clauses=topic.clauses)
        else:
            state, why = GAP, reason("topic-gap", topic=topic.key, clauses=topic.clauses)
        results.append(TopicResult(topic.key, topic.clauses, state, current, why, topic.provisional))
    t = project.organisation.transition
    deadline, audit = (t.deadline, t.audit) if t else (None, None)
    return TransitionResult(
        to=data.standard, deadline=deadline, audit=audit,
        deadline_days=(deadline - as_of).days if deadline else None,
        audit_days=(audit - as_of).days if audit else None, topics=tuple(results))


def transition_deadline(project: Project) -> tuple[Optional[date], str, str]:
    """The date certificates to the old edition end: organisation.yaml's transition.deadline (from the CB), else
    the edition data's reported default; with where it comes from and its confidence."""
    t = project.organisation.transition
    if t and t.deadline:
        return t.deadline, "organisation", "confirmed"
    dates = load_topics().dates
    return dates.deadline, "edition-data", dates.deadline_confidence or "low"


def certificate_on(project: Project, as_of: date) -> Optional[CertificateResult]:
    """Whether the recorded certificate may be claimed on ``as_of``: never before it is issued nor after it
    expires; and, for one to the old edition, whether it outlives the transition deadline."""
    cert = project.organisation.certificate
    if not (cert and cert.number):
        return None
    if cert.issued and cert.issued > as_of:
        state, why = NOT_YET, reason("certificate-not-yet-valid", issued=cert.issued)
    elif cert.expires and cert.expires < as_of:
        state, why = EXPIRED, reason("certificate-expired", expires=cert.expires)
    else:
        state, why = VALID, reason("certificate-valid", issued=cert.issued, expires=cert.expires)
    past = None
    if transition_applies(project) and cert.expires:
        deadline, source, confidence = transition_deadline(project)
        if deadline and cert.expires > deadline:
            past = reason("certificate-past-transition", expires=cert.expires, deadline=deadline, source=source,
                          confidence=confidence, to=load_topics().standard, edition=project.catalog.standard)
    return CertificateResult(state, why, past)


def edition_accepted(project: Project, as_of: date) -> GateItem:
    """Stage 2 check ``edition-accepted``: a stage 2 (the booked one, else one on ``as_of``) to the old edition on
    or after the date from which new certifications must use the new one is refused. While that date is
    provisional (edition data short of high confidence) the check warns and passes."""
    booked = project.organisation.audits.get("stage2")
    day = booked or as_of
    dates = load_topics().dates
    edition = project.catalog.standard
    if not transition_applies(project) or not dates.new_certificates_date or day < dates.new_certificates_date:
        return GateItem("edition-accepted", True, reason(
            "gate-edition-ok", edition=edition, stage2=booked, new_from=dates.new_certificates_date,
            to=dates.to, applies=transition_applies(project)))
    params = dict(edition=edition, stage2=day, new_from=dates.new_certificates_date,
                  reported=dates.new_certificates_from, to=dates.to,
                  confidence=dates.new_certificates_confidence, sources=dates.new_certificates_sources)
    if dates.new_certificates_provisional:
        return GateItem("edition-accepted", True, reason("gate-edition-provisional", **params))
    return GateItem("edition-accepted", False, reason("gate-edition-refused", **params), clauses=())
