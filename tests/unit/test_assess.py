"""Readiness rules (stage 4): each rule shown firing and not firing, with its reason text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from isoready.assess import assess, months_before, resolve_statuses
from isoready.catalog import load_catalog
from isoready.model import Assessment, Evidence, Finding, Organisation, Project
from isoready.views import GATE_NAMES, Words, describe

AS_OF = date(2026, 11, 1)
CAT = load_catalog()


def ev(id, kind="document", clauses=("4.1",), **kw):
    return Evidence(id=id, title=id.title(), kind=kind, clauses=tuple(clauses), source=f"evidence/{id}.yaml", **kw)


def a(clause, status="implemented", **kw):
    return Assessment(clause=clause, status=status, source="content/clauses/x.yaml", **kw)


def finding(id, clauses, grade="minor", status="open", raised=date(2026, 9, 1), **kw):
    return Finding(id=id, clauses=tuple(clauses), grade=grade, status=status, raised=raised, description="d",
                   source="content/findings/x.yaml", **kw)


def project(evidence=(), assessments=(), findings=(), windows=None, audits=None):
    org = Organisation(name="Org", windows=windows or {}, audits=audits or {})
    return Project(root=Path("."), organisation=org, catalog=CAT, evidence=tuple(evidence),
                   assessments=tuple(assessments), findings=tuple(findings), documents=())


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
    p = project(assessments=[a("4.1")], evidence=[ev("ctx", clauses=["4.1"], review_by=date(2026, 10, 31))])
    c = assess(p, AS_OF).clauses["4.1"]
    assert c.state == "at-risk"
    assert texts(c) == ["stale evidence ctx (review was due 2026-10-31)"]
    assert c.stale_evidence == ("ctx",)


def test_evidence_reviewed_on_or_after_as_of_is_not_stale():
    p = project(assessments=[a("4.1")], evidence=[ev("ctx", clauses=["4.1"], review_by=AS_OF)])
    c = assess(p, AS_OF).clauses["4.1"]
    assert c.state == "ready" and c.stale_evidence == ()


def test_at_risk_counts_as_ready_in_the_figures():
    p = project(assessments=[a("4")], evidence=[ev("ctx", clauses=["4.1"], review_by=date(2026, 1, 1)),
                                                ev("scope", clauses=["4.3"]), ev("proc", clauses=["4.4.2"]),
                                                ev("procrec", "record", ["4.4.2"])])
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


def test_only_stale_mandatory_evidence_is_a_gap():
    p = project(assessments=[a("7.2")], evidence=[ev("training", "record", ["7.2"], review_by=date(2026, 6, 1))])
    c = assess(p, AS_OF).clauses["7.2"]
    assert c.state == "not-ready"
    assert c.mandatory[0].state == "stale"
    assert "declared implemented, but 7.2 " in texts(c)[0] and "only stale record training (review overdue)" in texts(c)[0]


def test_conditional_documented_information_is_not_a_gap_when_absent():
    c = assess(project(assessments=[a("8.5.3")]), AS_OF).clauses["8.5.3"]
    assert c.mandatory[0].state == "conditional"
    assert c.state == "ready"


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
    p = project(assessments=[a("8.4.1")], evidence=[ev("sup", "record", ["8.4.1"])],
                findings=[finding("IA-2026-02", ["8.4.1"], "major")])
    c = assess(p, AS_OF).clauses["8.4.1"]
    assert c.state == "not-ready"
    assert texts(c) == ["open major finding IA-2026-02"]


def test_open_minor_finding_puts_clause_at_risk_and_ofi_does_nothing():
    p = project(assessments=[a("7.4")], findings=[finding("GA-1", ["7.4"], "minor"), finding("GA-2", ["7.4"], "ofi")])
    c = assess(p, AS_OF).clauses["7.4"]
    assert c.state == "at-risk" and texts(c) == ["open minor finding GA-1"]


def test_closed_finding_has_no_effect():
    p = project(assessments=[a("7.4")], findings=[finding("GA-1", ["7.4"], "major", "closed",
                                                          closed=date(2026, 10, 1))])
    assert assess(p, AS_OF).clauses["7.4"].state == "ready"


def test_finding_on_a_parent_applies_to_its_sub_clauses():
    p = project(assessments=[a("8.4")], evidence=[ev("sup", "record", ["8.4.1"])],
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
    p = project(assessments=[a("4.1")], evidence=[ev("salary-list", clauses=["4.1"], review_by=date(2026, 1, 1))])
    reason = assess(p, AS_OF).clauses["4.1"].reasons[0]
    assert reason.code == "evidence-stale" and reason.evidence == ("salary-list",)
    assert Words({"salary-list"}, set(), str)(reason) == "stale evidence salary-list (review was due 2026-01-01)"
    # a withheld record's own review date is not for this audience either
    assert Words(set(), set(), str)(reason) == "stale evidence not shown in this build"


# --------------------------------------------------------------------------- stage gates


def _gate(r, stage, name):
    return next(i for i in r.gates[stage].items if GATE_NAMES[i.check].startswith(name))


def test_stage1_fails_then_passes_with_scope_policy_objectives_and_plans():
    empty = assess(project(), AS_OF)
    assert not empty.gates["stage1"].passed
    assert text(_gate(empty, "stage1", "Scope").reason) == "no current document mapped to 4.3 states the scope"
    full = project(evidence=[ev("scope", clauses=["4.3"]), ev("proc", clauses=["4.4.2"]),
                             ev("policy", clauses=["5.2.2"]), ev("objectives", clauses=["6.2.1"]),
                             ev("ops", clauses=["8.1"]), ev("prod", clauses=["8.5.1"]),
                             ev("programme", clauses=["9.2.1"]), ev("mr-plan", clauses=["9.3.1"])])
    r = assess(full, AS_OF)
    assert r.gates["stage1"].passed, [(i.check, text(i.reason)) for i in r.gates["stage1"].items]
    assert text(_gate(r, "stage1", "Scope").reason) == "present: scope"


def test_stage2_internal_audit_must_cover_every_applicable_main_clause():
    audit = ev("ia", "record", ["9.2.2"], date=date(2026, 9, 1), covers=("4", "5", "6", "7", "8", "9"))
    r = assess(project(evidence=[audit]), AS_OF)
    item = _gate(r, "stage2", "Internal audit")
    assert not item.passed and "do not cover main clause(s) 10" in text(item.reason)
    audit_all = ev("ia", "record", ["9.2.2"], date=date(2026, 9, 1), covers=("4", "5", "6", "7", "8", "9", "10.2"))
    item = _gate(assess(project(evidence=[audit_all]), AS_OF), "stage2", "Internal audit")
    assert item.passed and text(item.reason).startswith("internal audit ia dated 2026-09-01, within 12 months")


def test_stage2_no_open_major_and_management_review_window():
    p = project(findings=[finding("IA-1", ["8.4.1"], "major")],
                evidence=[ev("mr", "record", ["9.3.3"], date=date(2025, 6, 1))])
    r = assess(p, AS_OF)
    assert text(_gate(r, "stage2", "No open major").reason) == "open major finding(s): IA-1"
    mr = _gate(r, "stage2", "Management review")
    assert not mr.passed and "since 2025-11-01" in text(mr.reason)
    ok = assess(project(evidence=[ev("mr", "record", ["9.3.3"], date=date(2026, 6, 1))]), AS_OF)
    assert _gate(ok, "stage2", "Management review").passed
    assert text(_gate(ok, "stage2", "No open major").reason) == "no open major finding"


def test_stage2_every_clause_ready_lists_the_ones_that_are_not():
    r = assess(project(assessments=everything_done()), AS_OF)
    item = _gate(r, "stage2", "Every applicable clause ready")
    assert not item.passed  # mandatory documented information is still missing
    assert text(item.reason) == (
        "21 applicable clauses not ready: 4.3, 4.4.2, 5.2.2, 6.2.1, 7.1.5.1, 7.2, 8.1, 8.2.3.2, 8.3.3, 8.3.4, "
        "8.3.5, 8.3.6, 8.4.1, 8.5.1, 8.5.6, 8.6, 8.7.2, 9.1.1, 9.2.2, 9.3.3, 10.2.2")


def test_stage1_plans_need_a_current_document_or_a_record_within_the_window():
    old_minutes = ev("mr-2024", "record", ["9.3.3"], date=date(2024, 10, 1))
    old_report = ev("ia-2024", "record", ["9.2.2"], date=date(2024, 9, 1))
    r = assess(project(evidence=[old_minutes, old_report]), AS_OF)
    assert not _gate(r, "stage1", "Management review planned").passed
    assert text(_gate(r, "stage1", "Management review planned").reason).startswith(
        "no current document mapped to 9.3 schedules a management review")
    assert not _gate(r, "stage1", "Internal audit programme planned").passed
    plans = project(evidence=[old_minutes, ev("mr-schedule", "document", ["9.3.1"]),
                              ev("ia-2026", "record", ["9.2.2"], date=date(2026, 9, 1))])
    r = assess(plans, AS_OF)
    assert text(_gate(r, "stage1", "Management review planned").reason) == "present: mr-schedule"
    assert text(_gate(r, "stage1", "Internal audit programme planned").reason) == "present: ia-2026"
