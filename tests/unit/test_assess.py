"""Readiness rules (stage 4): each rule shown firing and not firing, with its reason text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from isoready.assess import assess, months_before, resolve_statuses
from isoready.read.catalog import load_catalog
from dataclasses import replace

from isoready.model import Applies, Assessment, Evidence, Finding, Organisation, Project, Register, Verification
from isoready.model import REVIEW_INPUTS
from isoready.views import Words, default_words, describe

AS_OF = date(2026, 11, 1)
CAT = load_catalog()
CLIMATE = "climate-change"


def ev(id, kind="document", clauses=("4.1",), **kw):
    return Evidence(id=id, title=id.title(), kind=kind, clauses=tuple(clauses), source=f"evidence/{id}.yaml", **kw)


#: the climate-change determination (Amendment 1:2024) as a record on 4.1, so a test of another rule on 4.1 sees
#: only its own reason
CLIMATE_DECISION = ev("climate-decision", clauses=["4.1"], topics=(CLIMATE,))


def a(clause, status="implemented", **kw):
    return Assessment(clause=clause, status=status, source="content/clauses/x.yaml", **kw)


def finding(id, clauses, grade="minor", status="open", raised=date(2026, 9, 1), **kw):
    return Finding(id=id, clauses=tuple(clauses), grade=grade, status=status, raised=raised, description="d",
                   source="content/findings/x.yaml", **kw)


def project(evidence=(), assessments=(), findings=(), windows=None, audits=None):
    org = Organisation(name="Org", windows=windows or {}, audits=audits or {})
    # the record "legal-register" is a legal register (issue 24), reviewed on its date: stage 1 asks for one
    registers = {e.id: Register(e.id, "legal", "legal.csv") for e in evidence if e.id == "legal-register"}
    return Project(root=Path("."), organisation=org, catalog=CAT, evidence=tuple(evidence),
                   assessments=tuple(assessments), findings=tuple(findings), documents=(), registers=registers)


def everything_done():
    """Every main clause implemented: the baseline on which single rules are switched on."""
    return [a(m.number) for m in CAT.mains]


def texts(result):
    """The sentences an audience that may see every record reads (assess gives codes; views word them)."""
    return [describe(r, True) for r in result.reasons]


def text(reason):
    return describe(reason, True)


# --------------------------------------------------------------------------- statuses


def test_assessment_applies_to_sub_clauses_without_their_own():
    statuses = resolve_statuses(project(assessments=[a("8.3", "not-applicable", justification="no design")]))
    for n in ("8.3.1", "8.3.2", "8.3.6"):
        assert statuses[n] == ("not-applicable", False, "8.3")


def test_own_assessment_beats_the_inherited_one():
    statuses = resolve_statuses(project(assessments=[a("8.3", "planned"), a("8.3.2", "verified")]))
    assert statuses["8.3.2"] == ("verified", True, None)
    assert statuses["8.3.1"] == ("planned", False, "8.3")


def test_unassessed_leaf_is_not_started():
    assert resolve_statuses(project())["7.1.3"] == ("not-started", False, None)


def test_parent_without_assessment_summarises_its_leaves():
    st = resolve_statuses(project(assessments=[a("9.2.1", "planned"), a("9.2.2", "planned")]))
    assert st["9.2"] == ("planned", False, None)  # all agree
    st = resolve_statuses(project(assessments=[a("9.2.1", "implemented"), a("9.2.2", "verified")]))
    assert st["9.2"][0] == "implemented"  # each implemented or verified
    st = resolve_statuses(project(assessments=[a("9.2.1", "implemented"), a("9.2.2", "planned")]))
    assert st["9.2"][0] == "in-progress"  # they differ otherwise
    st = resolve_statuses(project(assessments=[a("9.2.1", "not-applicable", justification="x"),
                                               a("9.2.2", "not-applicable", justification="x")]))
    assert st["9.2"][0] == "not-applicable"  # none applicable
    st = resolve_statuses(project(assessments=[a("9.2.1", "not-applicable", justification="x"),
                                               a("9.2.2", "planned")]))
    assert st["9.2"][0] == "planned"  # only applicable leaves count


# --------------------------------------------------------------------------- readiness figures


def test_status_short_of_implemented_is_not_ready_with_target():
    r = assess(project(assessments=[a("7.1.2", "planned", target=date(2027, 1, 31))]), AS_OF)
    c = r.clauses["7.1.2"]
    assert c.state == "not-ready"
    assert "status is planned, target 2027-01-31; ready needs implemented or verified" in texts(c)


def test_readiness_is_the_share_of_applicable_leaves_ready():
    r = assess(project(assessments=[a("10.1"), a("10.2.1"), a("10.2.2", "planned"), a("10.3", "verified")],
                       evidence=[ev("car", "record", ["10.2.2"])]), AS_OF)
    assert r.by_main["10"] == pytest.approx(3 / 4)
    assert r.clauses["10.2"].readiness == pytest.approx(1 / 2)
    excluded = assess(project(assessments=[a("10.1"), a("10.2", "not-applicable", justification="x"),
                                           a("10.3")]), AS_OF)
    assert excluded.by_main["10"] == 1.0  # the excluded leaves leave the denominator


def test_overall_readiness_counts_leaves_across_all_main_clauses():
    r = assess(project(), AS_OF)
    assert r.overall == 0.0 and r.leaves_applicable == 65 and r.leaves_ready == 0


# --------------------------------------------------------------------------- evidence freshness


def test_stale_evidence_puts_a_ready_clause_at_risk():
    p = project(assessments=[a("4.1")], evidence=[ev("ctx", clauses=["4.1"], review_by=date(2026, 10, 31)),
                                                  ev("context-analysis", "record", ["4"]), CLIMATE_DECISION])
    c = assess(p, AS_OF).clauses["4.1"]
    assert c.state == "at-risk"
    assert texts(c) == ["stale evidence ctx (review was due 2026-10-31)"]
    assert c.stale_evidence == ("ctx",)


def test_evidence_reviewed_on_or_after_as_of_is_not_stale():
    p = project(assessments=[a("4.1")], evidence=[ev("ctx", clauses=["4.1"], review_by=AS_OF, topics=(CLIMATE,))])
    c = assess(p, AS_OF).clauses["4.1"]
    assert c.state == "ready" and c.stale_evidence == ()


def test_at_risk_counts_as_ready_in_the_figures():
    p = project(assessments=[a("4")], evidence=[ev("ctx", clauses=["4.1"], review_by=date(2026, 1, 1)),
                                                ev("parties", clauses=["4.2"]), ev("qms", clauses=["4"]),
                                                ev("scope", clauses=["4.3"]), ev("proc", clauses=["4.4.2"]),
                                                ev("procrec", "record", ["4.4.2"], date=date(2026, 10, 1))])
    r = assess(p, AS_OF)
    assert r.clauses["4.1"].state == "at-risk"
    assert r.by_main["4"] == 1.0


# --------------------------------------------------------------------------- mandatory documented information


def test_missing_mandatory_document_makes_an_implemented_clause_not_ready():
    c = assess(project(assessments=[a("5.2.2")]), AS_OF).clauses["5.2.2"]
    assert c.state == "not-ready"
    assert any(t.startswith("declared implemented, but 5.2.2 ") and t.endswith("no current document mapped to 5.2.2")
               for t in texts(c))
    assert c.mandatory[0].state == "missing"


def test_mandatory_document_present_makes_it_ready():
    c = assess(project(assessments=[a("5.2.2")], evidence=[ev("policy", clauses=["5.2.2"])]), AS_OF).clauses["5.2.2"]
    assert c.state == "ready"
    assert c.mandatory[0].state == "present"
    assert c.mandatory[0].evidence == ("policy",)


def test_a_record_does_not_satisfy_a_document_to_maintain():
    p = project(assessments=[a("5.2.2")], evidence=[ev("policy", "record", ["5.2.2"])])
    assert assess(p, AS_OF).clauses["5.2.2"].mandatory[0].state == "missing"


def test_a_mandatory_document_past_its_review_is_present_review_overdue_at_risk_not_missing():
    p = project(assessments=[a("5.2.2")], evidence=[ev("policy", clauses=["5.2.2"], review_by=date(2026, 6, 1))])
    c = assess(p, AS_OF).clauses["5.2.2"]
    assert c.mandatory[0].state == "review-overdue" and not c.mandatory[0].is_gap and c.mandatory[0].is_risk
    assert c.state == "at-risk"
    assert "5.2.2 The quality policy, kept current and available: present, review overdue since 2026-06-01 " \
           "(document policy)" in texts(c)
    current = project(assessments=[a("5.2.2")], evidence=[ev("policy", clauses=["5.2.2"], review_by=AS_OF)])
    assert assess(current, AS_OF).clauses["5.2.2"].mandatory[0].state == "present"


def test_a_mandatory_record_counts_only_within_its_window_default_twelve_months():
    old = project(assessments=[a("8.6")], evidence=[ev("release-2019", "record", ["8.6"], date=date(2019, 5, 2))])
    c = assess(old, AS_OF).clauses["8.6"]
    assert c.state == "not-ready" and c.mandatory[0].state == "out-of-window"
    assert texts(c)[0] == ("declared implemented, but 8.6 " + CAT["8.6"].documented_information[0].what +
                           ": no record within the last 12 months (the latest is dated 2019-05-02)")
    undated = project(assessments=[a("8.6")], evidence=[ev("release", "record", ["8.6"])])
    assert "no record carries a date" in texts(assess(undated, AS_OF).clauses["8.6"])[0]
    recent = project(assessments=[a("8.6")], evidence=[ev("release", "record", ["8.6"], date=date(2026, 10, 2))])
    assert assess(recent, AS_OF).clauses["8.6"].state == "ready"
    wider = project(assessments=[a("8.6")], evidence=[ev("release-2024", "record", ["8.6"], date=date(2024, 5, 2))],
                    windows={"8.6": 36})
    assert assess(wider, AS_OF).clauses["8.6"].mandatory[0].state == "present"
    # windows: may not stretch a window past 36 months (issue 20): 120 is used as 36
    stretched = project(assessments=[a("8.6")], evidence=[ev("release-2019", "record", ["8.6"], date=date(2019, 5, 2))],
                        windows={"8.6": 120})
    assert assess(stretched, AS_OF).clauses["8.6"].mandatory[0].state == "out-of-window"


def test_an_undeclared_condition_puts_the_clause_at_risk_and_asks_to_declare_it():
    c = assess(project(assessments=[a("8.5.2")], evidence=[ev("identification", clauses=["8.5.2"])]),
               AS_OF).clauses["8.5.2"]
    assert c.mandatory[0].state == "undeclared" and c.mandatory[0].is_risk and c.state == "at-risk"
    assert texts(c) == ["8.5.2 Information needed to trace outputs back through production: declare whether "
                        "traceability of outputs applies (applies: traceability: true or false in organisation.yaml); "
                        "the record is needed only when traceability is a requirement"]
    assert c.conditions == {"traceability": None}


def test_a_condition_declared_true_makes_its_record_mandatory():
    org = Organisation(name="Org", applies=Applies(traceability=True))
    p = project(assessments=[a("8.5.2")], evidence=[ev("identification", clauses=["8.5.2"])])
    c = assess(replace(p, organisation=org), AS_OF).clauses["8.5.2"]
    assert c.mandatory[0].state == "missing" and c.state == "not-ready"
    assert texts(c)[0] == ("declared implemented, but 8.5.2 Information needed to trace outputs back through "
                           "production: required, since the condition is declared to apply, but no current record "
                           "is mapped")
    traced = replace(p, organisation=org, evidence=(ev("job-trace", "record", ["8.5.2"], date=date(2026, 10, 5)),))
    assert assess(traced, AS_OF).clauses["8.5.2"].state == "ready"


def test_a_condition_declared_false_makes_the_item_not_required():
    org = Organisation(name="Org", applies=Applies(traceability=False))
    p = project(assessments=[a("8.5.2")], evidence=[ev("identification", clauses=["8.5.2"])])
    c = assess(replace(p, organisation=org), AS_OF).clauses["8.5.2"]
    assert c.mandatory[0].state == "not-applicable" and not c.mandatory[0].is_gap and c.state == "ready"
    assert "8.5.2 Information needed to trace outputs back through production: not required: organisation.yaml " \
           "declares that traceability of outputs does not apply" == describe(c.mandatory[0].reason, True)


def test_a_condition_whose_record_depends_on_more_needs_evidence_of_control_when_true():
    """7.1.5.2: the record is the calibration basis only where no national standard exists; declaring
    measurement traceability true asks for current evidence on the clause, not for that record."""
    org = Organisation(name="Org", applies=Applies(measurement_traceability=True))
    bare = replace(project(assessments=[a("7.1.5.2")]), organisation=org)
    c = assess(bare, AS_OF).clauses["7.1.5.2"]
    assert c.mandatory[0].state == "missing" and c.state == "not-ready"
    certs = replace(bare, evidence=(ev("cal-certs", "record", ["7.1.5.2"], date=date(2026, 3, 18)),))
    c = assess(certs, AS_OF).clauses["7.1.5.2"]
    assert c.mandatory[0].state == "conditional" and c.state == "ready"


def test_excluded_clause_needs_no_documented_information():
    c = assess(project(assessments=[a("8.3", "not-applicable", justification="no design")]), AS_OF).clauses["8.3.4"]
    assert c.state == "not-applicable"
    assert c.mandatory[0].state == "not-applicable" and not c.mandatory[0].is_gap
    assert texts(c) == ["not applicable (declared on 8.3): no design"]


# --------------------------------------------------------------------------- recurring activities


def test_internal_audit_older_than_the_window_is_a_gap():
    old = ev("audit-2025", "record", ["9.2.2"], date=date(2025, 10, 31))
    c = assess(project(assessments=[a("9.2.2")], evidence=[old]), AS_OF).clauses["9.2.2"]
    assert c.state == "not-ready"
    assert c.mandatory[0].state == "out-of-window"
    assert "no record within the last 12 months (the latest is dated 2025-10-31)" in texts(c)[0]


def test_internal_audit_within_the_window_passes():
    recent = ev("audit-2025", "record", ["9.2.2"], date=date(2025, 11, 1))  # exactly 12 months
    c = assess(project(assessments=[a("9.2.2")], evidence=[recent]), AS_OF).clauses["9.2.2"]
    assert c.state == "ready" and c.mandatory[0].state == "present"


def test_window_is_configurable_per_clause():
    rec = ev("mr", "record", ["9.3.3"], date=date(2026, 3, 1))
    assert assess(project(assessments=[a("9.3.3")], evidence=[rec]), AS_OF).clauses["9.3.3"].state == "ready"
    six = assess(project(assessments=[a("9.3.3")], evidence=[rec], windows={"9.3.3": 6}), AS_OF).clauses["9.3.3"]
    assert six.state == "not-ready" and "within the last 6 months" in texts(six)[0]


def test_months_before_clamps_to_month_end():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 11, 1), 12) == date(2025, 11, 1)


# --------------------------------------------------------------------------- findings


def test_open_major_finding_makes_clause_not_ready():
    p = project(assessments=[a("8.4.1")], evidence=[ev("sup", "record", ["8.4.1"], date=date(2026, 9, 1))],
                findings=[finding("IA-2026-02", ["8.4.1"], "major")])
    c = assess(p, AS_OF).clauses["8.4.1"]
    assert c.state == "not-ready"
    assert texts(c) == ["open major finding IA-2026-02"]


def test_open_minor_finding_puts_clause_at_risk_and_ofi_does_nothing():
    p = project(assessments=[a("7.4")], evidence=[ev("comms", clauses=["7.4"])],
                findings=[finding("GA-1", ["7.4"], "minor"), finding("GA-2", ["7.4"], "ofi")])
    c = assess(p, AS_OF).clauses["7.4"]
    assert c.state == "at-risk" and texts(c) == ["open minor finding GA-1"]


def test_closed_ofi_has_no_effect_and_a_closed_nonconformity_without_verification_is_at_risk():
    ofi = project(assessments=[a("7.4")], evidence=[ev("comms", clauses=["7.4"])],
                  findings=[finding("GA-1", ["7.4"], "ofi", "closed", closed=date(2026, 10, 1))])
    assert assess(ofi, AS_OF).clauses["7.4"].state == "ready"
    major = project(assessments=[a("7.4"), a("10")],
                    evidence=[ev("comms", clauses=["7.4"]), ev("car", "record", ["10"])],
                    findings=[finding("GA-1", ["7.4"], "major", "closed", closed=date(2026, 10, 1))])
    r = assess(major, AS_OF)
    assert r.clauses["7.4"].state == "at-risk"
    unverified = "major finding GA-1 closed without a verification that the action was effective"
    assert texts(r.clauses["7.4"]) == [unverified]
    assert r.clauses["10.2.1"].state == "at-risk" and unverified in texts(r.clauses["10.2.1"])
    assert r.clauses["10.1"].state == "ready"


def test_finding_on_a_parent_applies_to_its_sub_clauses():
    p = project(assessments=[a("8.4")], evidence=[ev("sup", "record", ["8.4.1"], date=date(2026, 9, 1))],
                findings=[finding("IA-9", ["8.4"], "major")])
    r = assess(p, AS_OF)
    assert r.clauses["8.4.2"].state == "not-ready"
    assert "open major finding IA-9 (raised on 8.4)" in texts(r.clauses["8.4.2"])
    assert r.clauses["8.4"].state == "not-ready"


def test_overdue_only_when_open_and_past_due():
    p = project(findings=[finding("A", ["7.4"], due=date(2026, 10, 1)), finding("B", ["7.4"], due=AS_OF),
                          finding("C", ["7.4"], "minor", "closed", due=date(2026, 10, 1), closed=date(2026, 10, 5))])
    overdue = {f.finding.id: f.overdue for f in assess(p, AS_OF).findings}
    assert overdue == {"A": True, "B": False, "C": False}


# --------------------------------------------------------------------------- reasons for restricted audiences


def test_reason_naming_a_withheld_record_names_none():
    p = project(assessments=[a("4.1")], evidence=[ev("salary-list", clauses=["4.1"], review_by=date(2026, 1, 1)),
                                                  ev("context", "record", ["4"]), CLIMATE_DECISION])
    reason = assess(p, AS_OF).clauses["4.1"].reasons[0]
    assert reason.code == "evidence-stale" and reason.evidence == ("salary-list",)
    assert Words({"salary-list"}, set(), str)(reason) == "stale evidence salary-list (review was due 2026-01-01)"
    # a withheld record's own review date is not for this audience either
    assert Words(set(), set(), str)(reason) == "stale evidence not shown in this build"


# --------------------------------------------------------------------------- stage gates


def _gate(r, stage, name):
    return next(i for i in r.gates[stage].items if default_words().title(i.check).startswith(name))


def _check(r, stage, check):
    return next(i for i in r.gates[stage].items if i.check == check)


STAGE1_CHECKS = ["scope", "policy", "objectives", "context", "processes", "risks", "mandatory-documents",
                 "internal-audit-performed", "management-review-performed", "legal-requirements"]
STAGE2_CHECKS = ["all-clauses-ready", "internal-audit-coverage", "management-review", "no-open-major",
                 "no-overdue-actions", "mandatory-records", "stage1-concerns-resolved",
                 "evidence-behind-every-clause", "documents-current", "edition-accepted"]


def stage1_evidence():
    return [ev("scope", clauses=["4.3"]), ev("proc", clauses=["4.4.2"]), ev("policy", clauses=["5.2.2"]),
            ev("objectives", clauses=["6.2.1"]), ev("ops", clauses=["8.1"]), ev("prod", clauses=["8.5.1"]),
            ev("issues", clauses=["4.1"], topics=(CLIMATE,)), ev("parties", clauses=["4.2"]),
            ev("risk-register", clauses=["6.1.1"]),
            ev("programme", clauses=["9.2.1"]), ev("ia", "record", ["9.2.2"], date=date(2026, 9, 1)),
            ev("mr", "record", ["9.3.3"], date=date(2026, 10, 1)),
            ev("legal-register", "record", ["8.2.2"], date=date(2026, 10, 1))]


def test_gate_check_ids_are_the_contract():
    r = assess(project(), AS_OF)
    assert [i.check for i in r.gates["stage1"].items] == STAGE1_CHECKS
    assert [i.check for i in r.gates["stage2"].items] == STAGE2_CHECKS


def test_stage1_fails_then_passes_with_scope_policy_objectives_context_processes_risks_and_activities():
    empty = assess(project(), AS_OF)
    assert not empty.gates["stage1"].passed
    assert text(_check(empty, "stage1", "scope").reason) == "no current document mapped to 4.3 states the scope"
    assert text(_check(empty, "stage1", "context").reason) == "no current evidence mapped to 4.1, 4.2"
    assert text(_check(empty, "stage1", "risks").reason) == (
        "no current evidence mapped to 6.1 shows how risks and opportunities are addressed")
    r = assess(project(evidence=stage1_evidence()), AS_OF)
    assert r.gates["stage1"].passed, [(i.check, text(i.reason)) for i in r.gates["stage1"].items]
    assert text(_check(r, "stage1", "scope").reason) == "present: scope"
    half = [e for e in stage1_evidence() if e.id != "parties"]
    item = _check(assess(project(evidence=half), AS_OF), "stage1", "context")
    assert not item.passed and text(item.reason) == "no current evidence mapped to 4.2"


def test_stage1_planned_only_is_not_performed():
    """ISO/IEC 17021-1 asks at stage 1 whether internal audits and management review are planned AND performed."""
    planned = [e for e in stage1_evidence() if e.id not in ("ia", "mr")] + [ev("mr-schedule", clauses=["9.3.1"])]
    r = assess(project(evidence=planned), AS_OF)
    ia, mr = _check(r, "stage1", "internal-audit-performed"), _check(r, "stage1", "management-review-performed")
    assert not ia.passed and not mr.passed
    assert text(mr.reason) == ("planned, not yet performed: a plan is present (mr-schedule), but no management "
                               "review record mapped to 9.3.3 is dated within the last 12 months (since 2025-11-01)")
    assert text(ia.reason).startswith("planned, not yet performed: a plan is present (programme)")
    no_programme = [e for e in stage1_evidence() if e.id != "programme"]
    ia = _check(assess(project(evidence=no_programme), AS_OF), "stage1", "internal-audit-performed")
    assert not ia.passed and "no current document mapped to 9.2 sets out the programme" in text(ia.reason)


def test_a_record_dated_after_the_as_of_date_counts_for_nothing_until_its_date():
    tomorrow = [e for e in stage1_evidence() if e.id != "mr"] + [ev("mr", "record", ["9.3.3"], date=date(2026, 11, 2))]
    r = assess(project(evidence=tomorrow, assessments=[a("9.3.3")]), AS_OF)
    assert r.future_dated == ("mr",)
    assert not _check(r, "stage1", "management-review-performed").passed
    assert r.clauses["9.3.3"].mandatory[0].state == "missing"
    later = assess(project(evidence=tomorrow, assessments=[a("9.3.3")]), date(2026, 11, 2))
    assert _check(later, "stage1", "management-review-performed").passed and later.future_dated == ()


def test_stage1_mandatory_documents_fail_on_a_review_overdue_and_name_it():
    stale_policy = [e for e in stage1_evidence() if e.id != "policy"] + [
        ev("policy", clauses=["5.2.2"], review_by=date(2026, 10, 1))]
    item = _check(assess(project(evidence=stale_policy), AS_OF), "stage1", "mandatory-documents")
    assert not item.passed and "5.2.2 (review-overdue)" in text(item.reason) and item.clauses == ("5.2.2",)


def test_stage2_internal_audit_coverage_is_checked_per_leaf_and_audits_combine():
    only_86 = ev("ia", "record", ["9.2.2"], date=date(2026, 9, 1), covers=("4", "5", "6", "7", "8.6", "9", "10"))
    r = assess(project(evidence=[only_86]), AS_OF)
    item = _check(r, "stage2", "internal-audit-coverage")
    assert not item.passed and "8.5.1" in r.coverage.uncovered and "8.6" not in r.coverage.uncovered
    assert text(item.reason).startswith("23 of 65 applicable clauses not covered by an internal audit within the "
                                        "window: 8.1, 8.2.1")
    second = ev("ia-2", "record", ["9.2.2"], date=date(2026, 10, 15), covers=("8",))
    r = assess(project(evidence=[only_86, second]), AS_OF)
    item = _check(r, "stage2", "internal-audit-coverage")
    assert item.passed and r.coverage.leaves["8.6"] == ("ia", "ia-2") and r.coverage.leaves["8.5.1"] == ("ia-2",)
    assert text(item.reason) == "internal audits within the window (ia, ia-2) together cover all 65 applicable clauses"
    old = ev("ia-old", "record", ["9.2.2"], date=date(2025, 10, 1), covers=("8",))
    assert "8.5.1" in assess(project(evidence=[only_86, old]), AS_OF).coverage.uncovered  # outside the window


def test_stage2_management_review_must_follow_the_audits_it_reviews():
    ia = ev("ia", "record", ["9.2.2"], date=date(2026, 9, 1), covers=("4",))
    before = ev("mr", "record", ["9.3.3"], date=date(2026, 6, 1))
    item = _check(assess(project(evidence=[ia, before]), AS_OF), "stage2", "management-review")
    assert not item.passed and text(item.reason) == (
        "the latest management review (2026-06-01) is dated before the latest internal audit (2026-09-01): "
        "review the audit results before the certification audit")
    after = ev("mr", "record", ["9.3.3"], date=date(2026, 10, 1), inputs=tuple(REVIEW_INPUTS))
    assert _check(assess(project(evidence=[ia, after]), AS_OF), "stage2", "management-review").passed


def test_stage2_no_overdue_actions():
    late = finding("IA-1", ["7.4"], "minor", due=date(2026, 10, 1))
    r = assess(project(findings=[late]), AS_OF)
    item = _check(r, "stage2", "no-overdue-actions")
    assert not item.passed and text(item.reason) == "overdue: IA-1"
    assert "open minor finding IA-1, action overdue since 2026-10-01" in texts(r.clauses["7.4"])
    assert "corrective action for minor finding IA-1 overdue since 2026-10-01" in texts(r.clauses["10.2.2"])
    ofi = finding("IA-2", ["7.4"], "ofi", due=date(2026, 10, 1))
    audited = ev("ia", "record", ["9.2.2"], date=date(2026, 6, 1))
    assert _check(assess(project(findings=[ofi], evidence=[audited]), AS_OF), "stage2", "no-overdue-actions").passed
    closed = finding("IA-3", ["7.4"], "major", "closed", closed=date(2026, 10, 1))
    item = _check(assess(project(findings=[closed]), AS_OF), "stage2", "no-overdue-actions")
    assert not item.passed and text(item.reason) == "closed without verified effectiveness: IA-3"


def test_implemented_with_no_evidence_is_at_risk_and_evidence_above_it_counts():
    bare = assess(project(assessments=[a("7.1.1")]), AS_OF).clauses["7.1.1"]
    assert bare.state == "at-risk" and [r.code for r in bare.reasons] == ["no-evidence"]
    assert texts(bare) == ["declared implemented, but no current evidence is mapped to it or to a clause above it: "
                           "nothing shows it in place"]
    above = assess(project(assessments=[a("7.1.1")], evidence=[ev("resources-review", "record", ["7.1"],
                                                                   date=date(2026, 9, 1))]), AS_OF)
    assert above.clauses["7.1.1"].state == "ready"
    stale_only = project(assessments=[a("7.1.1")], evidence=[ev("plan", clauses=["7.1.1"], review_by=date(2026, 1, 1))])
    assert "no-evidence" in [r.code for r in assess(stale_only, AS_OF).clauses["7.1.1"].reasons]


def test_readiness_shares_of_ready_at_risk_and_not_ready():
    r = assess(project(assessments=[a("7.1.1"), a("7.1.2", evidence=()), a("7.1.3", "planned")],
                       evidence=[ev("people", clauses=["7.1.2"])]), AS_OF)
    assert r.clauses["7.1"].share("ready") == pytest.approx(1 / 7)  # 7.1.2
    assert r.clauses["7.1"].share("at-risk") == pytest.approx(1 / 7)  # 7.1.1: no evidence
    assert r.clauses["7.1"].share("not-ready") == pytest.approx(5 / 7)
    assert r.share("ready") + r.share("at-risk") + r.share("not-ready") == pytest.approx(1)


def test_each_gate_is_judged_on_its_audit_date_and_lapses_are_listed():
    evidence = [e for e in stage1_evidence() if e.id != "policy"] + [
        ev("policy", clauses=["5.2.2"], review_by=date(2026, 12, 31))]
    p = project(evidence=evidence, audits={"stage1": date(2027, 1, 19), "stage2": date(2027, 3, 2)},
                findings=[finding("IA-7", ["7.4"], "minor", due=date(2027, 2, 1))])
    r = assess(p, AS_OF)
    assert r.gates["stage1"].passed
    projected = r.on_audit_date["stage1"]
    assert projected is not None and not projected.passed
    failing = [i for i in projected.items if not i.passed]
    assert [i.check for i in failing] == ["policy", "mandatory-documents"] and failing[1].clauses == ("5.2.2",)
    assert [(x.date, x.kind, x.evidence or x.finding, x.before) for x in r.lapses] == [
        (date(2026, 12, 31), "review-due", "policy", "stage1"),
        (date(2027, 2, 1), "finding-due", "IA-7", "stage2"),
    ]
    past = assess(project(evidence=evidence, audits={"stage1": date(2026, 10, 1)}), AS_OF)
    assert past.on_audit_date == {"stage1": None} and past.lapses == ()


def test_a_record_leaving_its_window_before_the_audit_is_a_lapse():
    mr = ev("mr", "record", ["9.3.3"], date=date(2026, 1, 10))
    r = assess(project(evidence=[mr], assessments=[a("9.3.3")], audits={"stage2": date(2027, 3, 2)}), AS_OF)
    assert [(x.date, x.kind, x.clauses) for x in r.lapses] == [(date(2027, 1, 11), "window-closes", ("9.3.3",))]
    assert r.clauses["9.3.3"].state == "ready"


def test_stage2_no_open_major_and_management_review_window():
    p = project(findings=[finding("IA-1", ["8.4.1"], "major")],
                evidence=[ev("mr", "record", ["9.3.3"], date=date(2025, 6, 1))])
    r = assess(p, AS_OF)
    assert text(_gate(r, "stage2", "No open major").reason) == "open major finding(s): IA-1"
    mr = _check(r, "stage2", "management-review")
    assert not mr.passed and "since 2025-11-01" in text(mr.reason)
    ok = assess(project(evidence=[ev("mr", "record", ["9.3.3"], date=date(2026, 6, 1), inputs=tuple(REVIEW_INPUTS)),
                                  ev("ia", "record", ["9.2.2"], date=date(2026, 5, 1))]), AS_OF)
    assert _check(ok, "stage2", "management-review").passed
    assert text(_gate(ok, "stage2", "No open major").reason) == "no open major finding"


def test_stage2_every_clause_ready_lists_the_ones_that_are_not():
    r = assess(project(assessments=everything_done()), AS_OF)
    item = _gate(r, "stage2", "Every applicable clause ready")
    assert not item.passed  # mandatory documented information is still missing
    assert text(item.reason) == (
        "22 applicable clauses not ready: 4.3, 4.4.2, 5.2.2, 6.2.1, 7.1.5.1, 7.2, 8.1, 8.2.3.2, 8.3.2, 8.3.3, "
        "8.3.4, 8.3.5, 8.3.6, 8.4.1, 8.5.1, 8.5.6, 8.6, 8.7.2, 9.1.1, 9.2.2, 9.3.3, 10.2.2")


def test_gaps_are_one_list_ordered_by_urgency():
    p = project(assessments=[a("4.3"), a("7.1.2", "planned", target=date(2026, 10, 1)),
                             a("7.1.3", "planned", target=date(2026, 12, 1)),
                             a("7.1.6", "planned", target=date(2027, 6, 1)),
                             a("7.1.4", "in-progress", target=date(2027, 2, 1))],
                evidence=[e for e in stage1_evidence() if e.id != "scope"],
                audits={"stage1": date(2027, 1, 19)})
    r = assess(p, AS_OF)
    rows = [(g.clause, g.urgency) for g in r.gaps.rows if g.clause in ("4.3", "7.1.2", "7.1.3", "7.1.4", "7.1.6")]
    assert rows == [("4.3", "blocker"), ("7.1.2", "overdue"), ("7.1.3", "due-before-audit"),
                    ("7.1.4", "later"), ("7.1.6", "later")]
    assert next(g for g in r.gaps.rows if g.clause == "4.3").stage == "stage1"
    assert len({g.clause for g in r.gaps.rows}) == len(r.gaps.rows)  # no clause twice
    assert not any(g.clause == "4.4.2" and r.clauses["4.4.2"].state == "ready" for g in r.gaps.rows)


def test_verified_needs_verified_by_an_audit_that_covered_it_or_raised_nothing():
    ia = ev("ia", "record", ["9.2.2"], date=date(2026, 9, 1), covers=("7.1",))
    base = project(evidence=[ia, ev("people", clauses=["7.1.2"])])
    none = assess(replace(base, assessments=(a("7.1.2", "verified"),)), AS_OF).clauses["7.1.2"]
    assert none.state == "ready" and texts(none) == [
        "declared implemented; no gap, stale evidence or open nonconformity",
        "declared verified, but no verified_by names the audit that verified it: treated as implemented"]
    covered = assess(replace(base, assessments=(a("7.1.2", "verified", verified_by="ia"),)), AS_OF).clauses["7.1.2"]
    assert texts(covered) == ["declared verified; no gap, stale evidence or open nonconformity"]
    assert covered.verified_by == "ia"
    elsewhere = ev("ia", "record", ["9.2.2"], date=date(2026, 9, 1), covers=("8",))
    quiet = replace(base, evidence=(elsewhere, ev("people", clauses=["7.1.2"])),
                    assessments=(a("7.1.2", "verified", verified_by="ia"),))
    assert assess(quiet, AS_OF).clauses["7.1.2"].reasons[-1].code == "ready"  # a finding-free audit
    noisy = replace(quiet, findings=(finding("IA-1", ["8.4"], "ofi", audit="ia"),))
    assert "the audit ia it names did not cover it and raised findings" in texts(assess(noisy, AS_OF).clauses["7.1.2"])[-1]


def test_management_review_inputs_are_checked_per_review():
    full = ev("mr", "record", ["9.3.2", "9.3.3"], date=date(2026, 10, 1), inputs=tuple(REVIEW_INPUTS))
    ok = assess(project(assessments=[a("9.3.2")], evidence=[full]), AS_OF)
    assert ok.review_inputs.missing == () and ok.clauses["9.3.2"].state == "ready"
    short = ev("mr", "record", ["9.3.2", "9.3.3"], date=date(2026, 10, 1), inputs=tuple(REVIEW_INPUTS[:-2]))
    r = assess(project(assessments=[a("9.3.2")], evidence=[short]), AS_OF)
    assert r.review_inputs.missing == ("risks-opportunities", "improvement") and r.clauses["9.3.2"].state == "at-risk"
    assert texts(r.clauses["9.3.2"]) == [
        "the management review mr of 2026-10-01 does not show these inputs: effectiveness of actions on risks and "
        "opportunities (e), opportunities for improvement (f)"]
    listed_none = ev("mr", "record", ["9.3.2", "9.3.3"], date=date(2026, 10, 1))
    unknown = assess(project(assessments=[a("9.3.2")], evidence=[listed_none]), AS_OF).clauses["9.3.2"]
    assert unknown.state == "not-ready" and unknown.reasons[0].code == "review-inputs-unknown"
    old = ev("mr", "record", ["9.3.3"], date=date(2025, 1, 1), inputs=tuple(REVIEW_INPUTS))
    r = assess(project(assessments=[a("9.3.2")], evidence=[old, ev("mr-doc", clauses=["9.3.2"])]), AS_OF)
    assert r.review_inputs.review is None and r.clauses["9.3.2"].reasons[0].code == "review-inputs-no-review"


def test_a_closed_finding_verified_effective_has_no_effect_and_not_effective_says_so():
    verified = finding("GA-1", ["7.4"], "major", "closed", closed=date(2026, 10, 1),
                       verification=Verification(date=date(2026, 10, 20), by="QM", effective=True))
    p = project(assessments=[a("7.4"), a("10")], evidence=[ev("comms", clauses=["7.4"]), ev("car", "record", ["10"])],
                findings=[verified])
    r = assess(p, AS_OF)
    assert r.clauses["7.4"].state == "ready" and r.clauses["10.2.1"].state == "ready"
    failed = replace(verified, verification=Verification(date=date(2026, 10, 20), by="QM", effective=False))
    r = assess(replace(p, findings=(failed,)), AS_OF)
    assert texts(r.clauses["7.4"]) == ["major finding GA-1 closed, but its verification found the action not effective"]


NOTHING_EXAMINED = ("nothing to judge yet: no internal audit record mapped to 9.2.2 is dated within the last 12 "
                    "months (since 2025-11-01); until the system is audited, no finding on record shows only that "
                    "nobody has looked")


def test_an_empty_register_passes_no_stage2_check_resting_on_absent_data():
    """Issue 21: a new register showed "3 of 6" stage 2 checks passing: no major, no overdue action and no open
    area of concern are true of nothing at all. Only the declared edition is judged on what is there."""
    r = assess(project(), AS_OF)
    failing = {i.check: i for i in r.gates["stage2"].items if not i.passed}
    assert [i.check for i in r.gates["stage2"].items if i.passed] == ["edition-accepted"]
    for check in ("no-open-major", "no-overdue-actions"):
        assert failing[check].reason.code == "gate-nothing-examined" and failing[check].clauses == ("9.2.2",)
        assert text(failing[check].reason) == NOTHING_EXAMINED
    concerns = failing["stage1-concerns-resolved"]
    assert concerns.reason.code == "gate-stage1-not-held" and concerns.clauses == ()
    assert text(concerns.reason) == ("no stage 1 audit held by this date and none is booked: there is no stage 1 "
                                     "report whose areas of concern could be resolved yet")
    booked = _check(assess(project(audits={"stage1": date(2027, 1, 19)}), AS_OF), "stage2",
                    "stage1-concerns-resolved")
    assert not booked.passed and text(booked.reason) == (
        "no stage 1 audit held by this date (booked for 2027-01-19): there is no stage 1 report whose areas of "
        "concern could be resolved yet")


def test_once_examined_the_same_checks_pass_on_what_the_register_shows():
    audited = ev("ia", "record", ["9.2.2"], date=date(2026, 6, 1))
    r = assess(project(evidence=[audited], audits={"stage1": date(2026, 10, 1)}), AS_OF)
    for check, words in (("no-open-major", "no open major finding"),
                         ("no-overdue-actions", "no corrective action overdue; every closed nonconformity has a "
                                                "verification of effectiveness"),
                         ("stage1-concerns-resolved", "no area of concern from the certification body is open")):
        item = _check(r, "stage2", check)
        assert item.passed and text(item.reason) == words, check
    # a nonconformity on record with its action on time is something to judge, audit or not
    on_time = finding("CC-1", ["8.2.1"], "minor", due=date(2026, 12, 1))
    assert _check(assess(project(findings=[on_time]), AS_OF), "stage2", "no-overdue-actions").passed
    assert _check(assess(project(findings=[on_time]), AS_OF), "stage2", "no-open-major").reason.code == \
        "gate-nothing-examined"
    # the certification body has raised a finding: its stage 1 was held, whatever the booked date says
    cb = finding("CB-1", ["6.2"], "ofi", "closed", closed=date(2026, 10, 20), origin="certification-body")
    assert _check(assess(project(findings=[cb]), AS_OF), "stage2", "stage1-concerns-resolved").passed
    # and an open major still says so, audited or not
    major = assess(project(findings=[finding("IA-1", ["8.4.1"], "major")]), AS_OF)
    assert _check(major, "stage2", "no-open-major").reason.code == "gate-major-open"
