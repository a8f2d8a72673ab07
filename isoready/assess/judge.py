"""One judgement of a project on a date: every clause (leaves, then the clauses above them), the figures, then
the gates; ``assess`` adds each booked audit's gate judged on its own date."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Mapping, Optional, Sequence

from isoready.model import DONE_STATUSES, OPEN_STATUSES, Assessment, Clause, Evidence, Project
from isoready.assess.results import (AT_RISK, AuditDate, ClauseResult, Coverage, FindingResult, Gaps, Gate,
    MandatoryCheck, NONCONFORMITIES, NOT_APPLICABLE, NOT_READY, READY, Readiness, Reason, ReviewInputs,
    STATE_ORDER, SiteResult, Target, reason)
from isoready.assess.clauses import (check_mandatory, clause_key, freshness, late_target, not_applicable_reason,
    resolve_statuses, window_of)
from isoready.assess.findings import (finding_not_effective, finding_on, finding_unverified, major_lacks,
    systemic_groups)
from isoready.assess.audits import coverage, coverage_reasons, review_inputs
from isoready.assess.editions import (certificate_on, climate_undetermined, transition, transition_applies,
    unevidenced_new_requirements)
from isoready.assess.gates import lapses, with_gates
from isoready.assess.registers import RegisterVerdict, judge_registers
from isoready.assess.sites import site_projects, sites_coverage, sites_leaves


def assess(project: Project, as_of: date, revisions: Optional[Mapping[str, Sequence[Any]]] = None,
           status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]] = None) -> Readiness:
    """Readiness on ``as_of``, and each booked audit's gate judged on its own date, assuming nothing changes.

    ``revisions`` (git facts gathered before this stage; None without git): file path relative to the project
    root -> the commits that changed it, newest first, each with ``sha``, ``date`` and ``subject``.
    ``status_log`` (git facts too): clause -> (commit date, the status its assessment had then, "" when none),
    oldest first: when each clause became implemented (internal audit coverage, ``in_place_since``).
    """
    changed = changed_since_approval(project, revisions, as_of)
    sites = site_projects(project)  # a multi-site organisation: each site's records, indexed once
    today = _assess_on(project, as_of, as_of, changed, status_log, sites)
    projected: dict[str, Optional[Gate]] = {}
    for stage, day in sorted(project.organisation.audits.items()):
        projected[stage] = (_assess_on(project, day, as_of, changed, status_log, sites).gates[stage]
                            if day >= as_of else None)
    return replace(today, on_audit_date=projected, lapses=lapses(project, today), changed_since_approval=changed,
                   transition=transition(project, as_of) if transition_applies(project) else None,
                   certificate=certificate_on(project, as_of))


#: the fields of an evidence record that no rule reads (words its pages print): a project whose records changed
#: only there is judged as it was (``assess_kept``); tests/unit/test_assess_kept.py holds every rule to it
WORDS_ONLY = ("description", "title", "version", "url", "approved_by")


@dataclass
class AssessMemo:
    """A long-lived process's last assessment (serve keeps one between rebuilds) and what it was made of."""

    project: Optional[Project] = None
    facts: tuple = ()  # (as_of, revisions, status_log)
    readiness: Optional[Readiness] = None


def assess_kept(memo: Optional[AssessMemo], project: Project, as_of: date,
                revisions: Optional[Mapping[str, Sequence[Any]]] = None,
                status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]] = None) -> Readiness:
    """``assess``, or with a ``memo`` the last readiness handed back when ``project`` differs from the one it
    was judged from in WORDS_ONLY fields at most, on the same date with the same git facts (a description
    edited in serve: the three judgements, today and each booked audit's date, were a sixth of the update)."""
    facts = (as_of, revisions, status_log)
    if memo is not None and memo.readiness is not None and memo.facts == facts and \
            judged_alike(memo.project, project):
        memo.project = project
        return memo.readiness
    readiness = assess(project, as_of, revisions, status_log)
    if memo is not None:
        memo.project, memo.facts, memo.readiness = project, facts, readiness
    return readiness


def judged_alike(before: Optional[Project], now: Project) -> bool:
    """True when the two projects differ in their evidence records' WORDS_ONLY fields at most (each record
    compared by identity first: serve hands back the very record of a file it did not read again)."""
    if before is None or len(before.evidence) != len(now.evidence) or \
            replace(before, evidence=()) != replace(now, evidence=()):
        return False
    blank = dict.fromkeys(WORDS_ONLY)
    return all(a is b or a == b or replace(a, **blank) == replace(b, **blank)
               for a, b in zip(before.evidence, now.evidence))


def assess_today(project: Project, as_of: date, revisions: Optional[Mapping[str, Sequence[Any]]] = None,
                 status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]] = None) -> Readiness:
    """``assess`` without the projections to the booked audit dates and the lapses: the figures, states,
    gates and findings of ``as_of`` only (what a readiness history keeps of each commit)."""
    changed = changed_since_approval(project, revisions, as_of)
    return replace(_assess_on(project, as_of, as_of, changed, status_log, site_projects(project)),
                   changed_since_approval=changed)


def changed_since_approval(project: Project, revisions: Optional[Mapping[str, Sequence[Any]]],
                           as_of: date) -> dict[str, Reason]:
    """Documents whose file changed in a commit dated after the record's ``approved`` date (at risk).

    The approved version is the file as of the last commit on or before the approval date; when the file
    first came into the repository after that date, the commit that brought it counts as the approved one.
    Commits dated after the as-of date are not yet known on it.
    """
    out: dict[str, Reason] = {}
    if not revisions:
        return out
    for e in project.evidence:
        if not (e.file and e.approved):
            continue
        revs = [r for r in revisions.get(f"evidence/{e.file}", ()) if r.date <= as_of]
        later = [r for r in revs if r.date > e.approved]
        if later and len(later) == len(revs):
            later = later[:-1]  # the commit that added the file brought the approved version
        if later:
            newest = later[0]
            out[e.id] = reason("document-changed-since-approval", (e.id,), commit=newest.sha[:10], date=newest.date,
                               subject=newest.subject, approved=e.approved, count=len(later))
    return out


def _assess_on(project: Project, as_of: date, known: date,
               changed: Optional[Mapping[str, Reason]] = None,
               status_log: Optional[Mapping[str, Sequence[tuple[date, str]]]] = None,
               sites: Optional[Mapping[str, Project]] = None) -> Readiness:
    """Readiness on ``as_of`` from the evidence that exists on ``known`` (a projection when as_of > known);
    ``sites``: a multi-site organisation's ``site_projects`` (none for one site, or for a site itself)."""
    s = _scene(project, as_of, known, changed or {})
    results: dict[str, ClauseResult] = {}
    for clause in s.catalog.clauses:  # leaves first
        if clause.is_leaf:
            results[clause.number] = _leaf_result(s, clause)
    # a multi-site organisation: each site judged as a project of its own, each leaf the worst across them
    judged = tuple(SiteResult(site, _assess_on(p, as_of, known, changed, status_log)) for site, p in
                   (sites or {}).items())
    if judged:
        results.update(sites_leaves(results, list(results), judged))
    for clause in sorted((c for c in s.catalog.clauses if not c.is_leaf), key=lambda c: -c.depth):
        results[clause.number] = _parent_result(s, clause, results)  # then parents, deepest first
    ordered = {c.number: results[c.number] for c in s.catalog.clauses}
    cov = coverage(project, s.mapped, ordered, as_of, status_log, known)
    if judged:  # a leaf is covered at a site only by an audit of that site
        cov = sites_coverage(cov, judged)
    for leaf in cov.uncovered:  # why the audits that reached an uncovered leaf do not count: notes on its page
        res = ordered[leaf]
        notes = [x for x in coverage_reasons(cov, leaf, s.by_id, res.applying.owner if res.applying else None)
                 if x not in res.reasons]  # a site's leaf may bring the same note from its own coverage
        if notes:
            ordered[leaf] = replace(res, reasons=(*res.reasons, *notes))
    return with_gates(replace(_readiness(s, ordered, cov), sites=judged), project, as_of, s.mapped)


@dataclass
class _Scene:
    """What every clause of one judgement shares: the evidence known by then, by clause; the findings and
    where they weigh; the review inputs; the reasons that attach to one clause of the standard only."""

    project: Project
    as_of: date
    changed: Mapping[str, Reason]
    statuses: dict[str, tuple[str, bool, Optional[str]]]
    own: dict[str, Assessment]
    existing: list[Evidence]
    future: tuple[str, ...]
    by_id: dict[str, Evidence]
    stale_ids: set[str]
    mapped: dict[str, list[Evidence]]
    findings: tuple[FindingResult, ...]
    systemic_on: dict[str, tuple[str, tuple[str, ...]]]  # leaf -> (the clause, the minors against it)
    open_on: dict[str, list[FindingResult]]  # open findings on a clause or an ancestor
    unverified_on: dict[str, list[FindingResult]]  # closed nonconformities never shown effective
    related: dict[str, list[str]]  # any finding on a clause, an ancestor or a descendant
    action_risks: list[Reason]
    inputs: ReviewInputs
    input_risks: list[Reason]
    input_blockers: list[Reason]
    audited: set[str]
    climate: Optional[Reason]
    new_unevidenced: Mapping[str, Reason]
    registers: RegisterVerdict = field(default_factory=RegisterVerdict)  # the registers' content judged
    all_mandatory: list[MandatoryCheck] = field(default_factory=list)

    @property
    def catalog(self) -> Any:
        return self.project.catalog


def _scene(project: Project, as_of: date, known: date, changed: Mapping[str, Reason]) -> _Scene:
    catalog = project.catalog
    existing = [e for e in project.evidence if not (e.date and e.date > known)]
    mapped: dict[str, list[Evidence]] = {}
    for e in existing:
        for number in e.clauses:
            mapped.setdefault(number, []).append(e)
    findings = tuple(
        FindingResult(finding=f, overdue=bool(f.is_open and f.due and f.due < as_of),
                      leaves=tuple(dict.fromkeys(leaf for n in f.clauses for leaf in catalog.leaves_under(n))),
                      due_today=bool(f.is_open and f.due == as_of),
                      unverified=finding_unverified(f, as_of), closes=closes, incomplete=major_lacks(f, as_of))
        for f, closes in (finding_on(f, as_of) for f in sorted(project.findings, key=lambda f: (f.raised, f.id)))
    )
    systemic_on: dict[str, tuple[str, tuple[str, ...]]] = {}
    for number, ids in systemic_groups(project, findings).items():
        for leaf in catalog.leaves_under(number):
            systemic_on.setdefault(leaf, (number, ids))
    open_on: dict[str, list[FindingResult]] = {}
    unverified_on: dict[str, list[FindingResult]] = {}
    related: dict[str, list[str]] = {}
    for fr in findings:
        f = fr.finding
        reach: dict[str, None] = {}
        for number in f.clauses:
            below = [number, *catalog.descendants(number)]
            if f.is_open or fr.unverified:
                for n in below:
                    (open_on if f.is_open else unverified_on).setdefault(n, []).append(fr)
            reach.update(dict.fromkeys([*below, *catalog.ancestors(number)]))
        for n in reach:
            related.setdefault(n, []).append(f.id)
    # the corrective-action process itself is at risk while actions are late or unverified
    action_risks = [reason("finding-overdue" if fr.overdue else "finding-unverified", findings=(fr.finding.id,),
                           grade=fr.finding.grade, due=fr.finding.due, not_effective=finding_not_effective(fr.finding))
                    for fr in findings if fr.finding.grade in NONCONFORMITIES and (fr.overdue or fr.unverified)]
    inputs = review_inputs(project, mapped, as_of)
    input_risks = [] if catalog.role("review_inputs") is None else \
        [reason("review-inputs-no-review", window=window_of(project, catalog.role("review")))] \
        if inputs.review is None else [reason("review-inputs-missing", (inputs.review,), date=inputs.date,
                                              missing=inputs.missing)] if inputs.missing and inputs.considered \
        else []
    # minutes that list no inputs show nothing of what the review considered: the inputs clause is not ready
    input_blockers = [reason("review-inputs-unknown", (inputs.review,), date=inputs.date)] \
        if inputs.review is not None and not inputs.considered else []
    return _Scene(
        project=project, as_of=as_of, changed=changed, statuses=resolve_statuses(project),
        own={a.clause: a for a in project.assessments}, existing=existing,
        future=tuple(e.id for e in project.evidence if e.date and e.date > known),
        by_id={e.id: e for e in existing}, stale_ids={e.id for e in existing if e.is_stale(as_of)}, mapped=mapped,
        findings=findings, systemic_on=systemic_on, open_on=open_on, unverified_on=unverified_on, related=related,
        action_risks=action_risks, inputs=inputs, input_risks=input_risks, input_blockers=input_blockers,
        audited={f.audit for f in project.findings if f.audit},
        climate=climate_undetermined(project, mapped, as_of, known),
        new_unevidenced=unevidenced_new_requirements(project, mapped, as_of),
        registers=judge_registers(project, as_of, (e.id for e in existing)))


def _unverified_because(s: _Scene, applying: Optional[Assessment], number: str) -> Optional[Reason]:
    """Why a 'verified' declaration does not stand (then it counts as implemented), or None."""
    audit_id = applying.verified_by if applying else None
    if not audit_id:
        return reason("not-verified", problem="no-verified-by")
    audit = s.by_id.get(audit_id)
    if audit is None:
        return reason("not-verified", (audit_id,), problem="not-yet")
    if {number, *s.catalog.ancestors(number)} & set(audit.covers) or audit_id not in s.audited:
        return None  # an audit that covered the clause, or one that raised no finding
    return reason("not-verified", (audit_id,), problem="not-covered")


def _linked_evidence(s: _Scene, number: str, assessment: Optional[Assessment]) -> list[Evidence]:
    extra = [s.by_id[i] for i in (assessment.evidence if assessment else ()) if i in s.by_id]
    # once each, in order: by identity (every record is one object of the project; hashing a frozen record
    # hashes all its fields, for each of 100,000 records of a group of sites)
    return list({id(e): e for e in (*s.mapped.get(number, []), *extra)}.values())


def _stale_reason(e: Evidence) -> Reason:
    return reason("evidence-stale", (e.id,), review_by=e.review_by)


def _unsupported_because(s: _Scene, number: str, linked: list[Evidence], status: str) -> Optional[Reason]:
    """Why a done leaf has no evidence behind it, or None: current evidence mapped to the leaf itself (its
    own assessment's links count), or a current record mapped to an ancestor, shows it in operation; a
    document alone on an ancestor (a manual, a policy) is 'documented, not shown in operation'."""
    catalog = s.catalog
    if any(e.id not in s.stale_ids for e in linked):
        return None
    above = [e for n in catalog.ancestors(number) for e in s.mapped.get(n, []) if e.id not in s.stale_ids]
    if any(e.kind == "record" for e in above):
        return None
    if above:
        return reason("parent-document-only", tuple(dict.fromkeys(e.id for e in above)), status=status,
                      on=tuple(dict.fromkeys(n for n in catalog.ancestors(number)
                                             if any(e in above for e in s.mapped.get(n, [])))))
    return reason("no-evidence", status=status)


def _finding_reasons(s: _Scene, number: str) -> tuple[list[Reason], list[Reason]]:
    """The blockers and risks the findings put on a leaf: open ones, unverified ones, systemic minors."""
    blockers: list[Reason] = []
    risks: list[Reason] = []
    for fr in s.open_on.get(number, []):
        f = fr.finding
        raised_on = None if number in f.clauses else f.clauses
        code = "finding-open-overdue" if fr.overdue else "finding-open"
        later = {"closes": fr.closes} if fr.closes else {}
        r = reason(code, findings=(f.id,), grade=f.grade, raised_on=raised_on, due=f.due, **later)
        if f.grade == "major":
            blockers.append(r)
        elif f.grade == "minor":
            risks.append(r)
    risks.extend(reason("finding-unverified", findings=(fr.finding.id,), grade=fr.finding.grade,
                        due=fr.finding.due, not_effective=finding_not_effective(fr.finding))
                 for fr in s.unverified_on.get(number, []))
    if number in s.systemic_on:
        on, ids = s.systemic_on[number]
        blockers.append(reason("systemic", findings=ids, clause=on, count=len(ids),
                               threshold=s.project.organisation.systemic_minors))
    return blockers, risks


def _applicable_leaf(s: _Scene, number: str, status: str, status_from: Optional[str], linked: list[Evidence],
                     stale: list[Evidence], mandatory: list[MandatoryCheck],
                     unverified: Optional[Reason]) -> tuple[str, list[Reason]]:
    """An applicable leaf's state and reasons: blockers make it not ready, risks at risk, else ready."""
    catalog = s.catalog
    blockers, risks = [], []
    declared = status if status in DONE_STATUSES else None
    if status not in DONE_STATUSES:
        target = s.own.get(status_from or number)
        blockers.append(reason("status-not-done", status=status, inherited_from=status_from,
                               target=target.target if target else None))
    elif (unsupported := _unsupported_because(s, number, linked, status)) is not None:
        risks.append(unsupported)
    for check in mandatory:
        if check.is_gap:
            blockers.append(check.reason.with_params(declared=declared))
        elif check.is_risk:
            risks.append(check.reason)
    more_blockers, more_risks = _finding_reasons(s, number)
    blockers.extend(more_blockers)
    risks.extend(more_risks)
    if catalog.role("corrective_action") in (number, *catalog.ancestors(number)):
        risks.extend(r for r in s.action_risks if r not in risks)
    if number == catalog.role("review_inputs"):
        blockers.extend(s.input_blockers)
        risks.extend(s.input_risks)
    if s.climate and number == s.climate["clause"]:
        risks.append(s.climate)
    if number in s.new_unevidenced:
        risks.append(s.new_unevidenced[number])
    blockers.extend(s.registers.blockers.get(number, ()))  # what the registers' content shows (issue 24)
    risks.extend(s.registers.risks.get(number, ()))
    risks.extend(_stale_reason(e) for e in stale)
    risks.extend(s.changed[e.id] for e in linked if e.id in s.changed)
    notes = [unverified] if unverified else []  # verified without a valid verified_by: implemented
    notes.extend(s.registers.notes.get(number, ()))
    if blockers:
        return NOT_READY, blockers + risks + notes
    if risks:
        return AT_RISK, risks + notes
    return READY, [reason("ready", status="implemented" if unverified else status), *notes]


def _leaf_result(s: _Scene, clause: Clause) -> ClauseResult:
    project, number = s.project, clause.number
    status, assessed, status_from = s.statuses[number]
    applicable = status != "not-applicable"
    assessment = s.own.get(number)
    applying = assessment or (s.own.get(status_from) if status_from else None)
    linked = _linked_evidence(s, number, assessment)
    stale = [e for e in linked if e.id in s.stale_ids]
    mandatory = check_mandatory(project, number, applicable, s.mapped.get(number, []), s.as_of)
    s.all_mandatory.extend(mandatory)
    unverified = _unverified_because(s, applying, number) if applicable and status == "verified" else None
    if applicable:
        state, reasons = _applicable_leaf(s, number, status, status_from, linked, stale, mandatory, unverified)
    else:
        state, reasons = NOT_APPLICABLE, [not_applicable_reason(s.own, status_from or number)]
    return ClauseResult(
        number=number, status=status, assessed=assessed, status_from=status_from, applicable=applicable,
        state=state, reasons=tuple(reasons), evidence=tuple(e.id for e in linked),
        stale_evidence=tuple(e.id for e in stale), mandatory=tuple(mandatory),
        findings=tuple(fr.finding.id for fr in s.open_on.get(number, [])),
        leaves_applicable=int(applicable), leaves_ready=int(state in (READY, AT_RISK)),
        assessment=assessment, applying=applying, related_findings=tuple(s.related.get(number, ())),
        target_late=late_target(applying.target if applying else None, project.organisation.audits),
        leaves_at_risk=int(state == AT_RISK), leaves_not_ready=int(state == NOT_READY),
        verified_by=applying.verified_by if applying and status == "verified" else None,
        conditions={d.condition: getattr(project.organisation.applies, d.condition)
                    for d in clause.documented_information if d.condition})


def _parent_result(s: _Scene, clause: Clause, results: Mapping[str, ClauseResult]) -> ClauseResult:
    """A clause above others: the worst state of its applicable leaves, and its own evidence's staleness."""
    number = clause.number
    status, assessed, status_from = s.statuses[number]
    applicable_leaves = [r for r in (results[n] for n in s.catalog.leaves_under(number)) if r.applicable]
    assessment = s.own.get(number)
    applying = assessment or (s.own.get(status_from) if status_from else None)
    linked = _linked_evidence(s, number, assessment)
    stale = [e for e in linked if e.id in s.stale_ids]
    if not applicable_leaves:
        state = NOT_APPLICABLE
        src = status_from or number
        reasons = [not_applicable_reason(s.own, src) if src in s.own else reason("no-applicable-subclause")]
    else:
        state = max((r.state for r in applicable_leaves), key=STATE_ORDER.index)
        bad = tuple(r.number for r in applicable_leaves if r.state == state)
        if state == READY:
            reasons = [reason("subclauses-ready", count=len(applicable_leaves))]
        else:
            reasons = [reason("subclauses-" + state, clauses=bad, total=len(applicable_leaves))]
        unapproved = [s.changed[e.id] for e in linked if e.id in s.changed]
        if (stale or unapproved) and state == READY:
            state = AT_RISK
            reasons = []
        reasons.extend(_stale_reason(e) for e in stale)
        reasons.extend(unapproved)
    return ClauseResult(
        number=number, status=status, assessed=assessed, status_from=status_from,
        applicable=bool(applicable_leaves), state=state, reasons=tuple(reasons),
        evidence=tuple(e.id for e in linked), stale_evidence=tuple(e.id for e in stale), mandatory=(),
        findings=tuple(fr.finding.id for fr in s.open_on.get(number, [])),
        leaves_applicable=len(applicable_leaves),
        leaves_ready=sum(r.state in (READY, AT_RISK) for r in applicable_leaves), assessment=assessment,
        applying=applying, related_findings=tuple(s.related.get(number, ())),
        target_late=late_target(applying.target if applying else None, s.project.organisation.audits),
        leaves_at_risk=sum(r.state == AT_RISK for r in applicable_leaves),
        leaves_not_ready=sum(r.state == NOT_READY for r in applicable_leaves))


def _readiness(s: _Scene, ordered: dict[str, ClauseResult], cov: Coverage) -> Readiness:
    """The figures, counts, gaps and dates of one judgement (before its gates)."""
    catalog, as_of, audits = s.catalog, s.as_of, s.project.organisation.audits
    leaves = [r for r in ordered.values() if catalog[r.number].is_leaf]
    applicable = [r for r in leaves if r.applicable]
    ready = sum(r.state in (READY, AT_RISK) for r in applicable)
    status_counts = {x: 0 for x in ("not-started", "planned", "in-progress", "implemented", "verified",
                                    "not-applicable")}
    state_counts = {x: 0 for x in (READY, AT_RISK, NOT_READY, NOT_APPLICABLE)}
    for r in leaves:
        status_counts[r.status] = status_counts.get(r.status, 0) + 1
        state_counts[r.state] += 1
    open_targets = sorted((a for a in s.project.assessments if a.target and a.status in OPEN_STATUSES),
                          key=lambda a: (a.target, clause_key(a.clause)))
    gaps = Gaps(
        not_ready=tuple(r.number for r in leaves if r.state == NOT_READY),
        not_implemented=tuple(r.number for r in leaves if r.status in OPEN_STATUSES),
        without_evidence=tuple(r.number for r in applicable if not r.evidence),
        mandatory=tuple(m for m in s.all_mandatory if m.is_gap or m.is_risk),
        stale=tuple(sorted(s.stale_ids)),
        open_findings=tuple(fr.finding.id for fr in s.findings if fr.finding.is_open))
    return Readiness(
        as_of=as_of,
        overall=ready / len(applicable) if applicable else None,
        leaves_applicable=len(applicable), leaves_ready=ready,
        by_main={c.number: ordered[c.number].readiness for c in catalog.mains},
        clauses=ordered,
        mandatory=tuple(s.all_mandatory),
        findings=s.findings,
        gates={},
        stale_evidence=tuple(e.id for e in s.existing if e.id in s.stale_ids),
        status_counts=status_counts, state_counts=state_counts,
        freshness=freshness(s.existing, as_of),
        targets=tuple(Target(a.clause, a.target, a.owner, a.status, late_target(a.target, audits), a.target < as_of)
                      for a in open_targets),
        audits=tuple(AuditDate(stage, d, (d - as_of).days) for stage, d in sorted(audits.items(),
                                                                                  key=lambda kv: kv[1])),
        gaps=gaps,
        coverage=cov,
        future_dated=s.future,
        review_inputs=s.inputs,
        registers=s.registers.results,
    )
