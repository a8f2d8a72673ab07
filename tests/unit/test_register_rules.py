"""Registers judged for their content (issue 24): each check fires on a register that shows the problem and
stays silent on one that does not, with the clause's state, the reason's code and sentence, and the row flags;
the stage 1 legal-requirements check; register dates in the lapse list; planned audits in the coverage
projection; readiness.json's registers."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from isoready.assess import AT_RISK, NOT_READY, READY, assess
from isoready.model import Assessment, Evidence, Register, RegisterProblem, RegisterRow
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project
from isoready.views import describe

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
AS_OF = date(2026, 11, 1)


def _base(standard: str = "ISO 9001:2015"):
    project, diags = read_project(MINIMAL, load_catalog(standard), AS_OF)
    assert not [d for d in diags if d.severity == "error"]
    return project


def project_with(kind: str, rows: list[dict], clauses: tuple[str, ...], *, on: date = date(2026, 10, 1),
                 audits: dict | None = None, more: tuple = (), **org):
    """The minimal fixture, every main clause implemented and no finding, plus one register record ("REG", mapped
    to ``clauses``) whose rows are ``rows`` (typed values, as the reader gives them; row numbers from 2)."""
    base = _base()
    record = Evidence(id="REG", title="Register", kind="record", clauses=clauses, source="evidence/reg.yaml",
                      date=on, file="reg.csv", register=kind)
    register = Register("REG", kind, "reg.csv", tuple(RegisterRow(i + 2, values) for i, values in enumerate(rows)))
    assessments = tuple(Assessment(clause=m.number, status="implemented", source="content/clauses/x.yaml")
                        for m in base.catalog.mains)
    organisation = replace(base.organisation, audits=audits or {}, **org)
    return replace(base, evidence=(*base.evidence, record, *more), assessments=assessments, findings=(),
                   registers={"REG": register, **{r.evidence: r for r in more if isinstance(r, Register)}},
                   organisation=organisation)


class Unhashed(dict):
    """Documents' (size, SHA-256) when only the exports matter."""

    def __missing__(self, key: str) -> tuple[int, str]:
        return (0, "0" * 64)

    def __bool__(self) -> bool:
        return True


def judged(project, as_of: date = AS_OF):
    r = assess(project, as_of)
    return r, r.registers[0] if r.registers else None


def register_reasons(clause) -> list[tuple[str, str]]:
    return [(x.code, describe(x, True)) for x in clause.reasons if x.code.startswith("register-")]


# --------------------------------------------------------------------------- calibration


GAUGES = [
    {"id": "G-01", "due": date(2027, 3, 1), "status": "in-service", "result": "pass"},
    {"id": "G-02", "due": date(2026, 10, 15), "status": "in-service", "result": "pass"},  # overdue
    {"id": "G-03", "due": date(2027, 5, 1), "status": "in-service", "result": "fail"},  # failed
    {"id": "G-04", "due": date(2026, 1, 1), "status": "quarantined", "result": "fail"},  # out of service: fine
]


def test_calibration_overdue_or_failed_in_service_makes_the_clause_not_ready_naming_the_items() -> None:
    r, reg = judged(project_with("calibration", GAUGES, ("7.1.5.2",)))
    clause = r.clauses["7.1.5.2"]
    assert clause.state == NOT_READY
    assert register_reasons(clause) == [(
        "register-calibration", "measuring equipment in service that cannot be relied on (past calibration due "
        "date: G-02; failed calibration: G-03): results it gave are in doubt")]
    assert reg.kind == "calibration" and reg.rows == 4 and dict(reg.flags) == {3: ("overdue",), 4: ("failed",)}
    # the register's own record does not see the item names: counts only
    assert describe(reg.reasons[0], False) == ("measuring equipment in service that cannot be relied on (1 item "
                                               "past calibration due date; 1 item failed calibration): results "
                                               "it gave are in doubt")


def test_calibration_in_date_and_passed_leaves_the_clause_alone() -> None:
    r, reg = judged(project_with("calibration", [GAUGES[0], GAUGES[3]], ("7.1.5.2",)))
    assert register_reasons(r.clauses["7.1.5.2"]) == [] and r.clauses["7.1.5.2"].state != NOT_READY
    assert dict(reg.flags) == {} and reg.reasons == ()


def test_calibration_due_dates_before_the_audits_are_lapses() -> None:
    r, _ = judged(project_with("calibration", GAUGES, ("7.1.5.2",),
                               audits={"stage1": date(2026, 12, 1), "stage2": date(2027, 4, 1)}))
    lapses = [(x.date, x.kind, x.clauses, x.before, x.evidence, x.item, x.row) for x in r.lapses
              if x.kind == "calibration-due"]
    # G-01 falls due before stage 2; G-02 is already overdue, G-03 is due after the audits, G-04 is quarantined
    assert lapses == [(date(2027, 3, 1), "calibration-due", ("7.1.5.2",), "stage2", "REG", "G-01", 2)]
    # on the stage 2 date G-01 is overdue too: the projection's clause is not ready with both named
    assert not r.on_audit_date["stage2"].passed


def test_calibration_due_dates_after_the_audits_are_no_lapse() -> None:
    r, _ = judged(project_with("calibration", [GAUGES[0]], ("7.1.5.2",),
                               audits={"stage1": date(2026, 12, 1), "stage2": date(2027, 2, 1)}))
    assert [x for x in r.lapses if x.kind == "calibration-due"] == []
    assert r.on_audit_date["stage2"] is not None and r.clauses["7.1.5.2"].state != NOT_READY
    # the day after it falls due, the same gauge is overdue
    r, reg = judged(project_with("calibration", [GAUGES[0]], ("7.1.5.2",)), date(2027, 3, 2))
    assert dict(reg.flags) == {2: ("overdue",)} and r.clauses["7.1.5.2"].state == NOT_READY


# --------------------------------------------------------------------------- competence


PEOPLE = [
    {"person": "Ann Example", "role": "Machinist", "competence": "CNC milling", "status": "competent",
     "expires": date(2026, 9, 30)},  # expired
    {"person": "Bob Example", "role": "Machinist", "competence": "CNC milling", "status": "in-training"},
    {"person": "Cy Example", "role": "Inspector", "competence": "CMM", "status": "in-training"},
    {"person": "Di Example", "role": "Inspector", "competence": "CMM", "status": "competent",
     "expires": date(2027, 1, 15)},
]


def test_competence_expired_or_in_training_puts_7_2_at_risk_counted_per_role_without_names() -> None:
    r, reg = judged(project_with("competence", PEOPLE, ("7.2",)))
    clause = r.clauses["7.2"]
    assert clause.state == AT_RISK
    text = ("competence not assured, per role: Inspector: 1 person in training; Machinist: 1 expired competence, "
            "1 person in training")
    assert register_reasons(clause) == [("register-competence", text)]
    assert not any(name in repr(reg.reasons) for name in ("Ann", "Bob", "Cy", "Di Example"))
    assert dict(reg.flags) == {2: ("expired",), 3: ("in-training",), 4: ("in-training",)}


def test_competence_all_competent_and_current_is_no_risk_and_expiry_before_the_audits_lapses() -> None:
    r, reg = judged(project_with("competence", [PEOPLE[3]], ("7.2",),
                                 audits={"stage1": date(2026, 12, 1), "stage2": date(2027, 2, 1)}))
    assert register_reasons(r.clauses["7.2"]) == [] and dict(reg.flags) == {}
    assert [(x.date, x.kind, x.before, x.item) for x in r.lapses if x.evidence == "REG"] == [
        (date(2027, 1, 15), "competence-expires", "stage2", "CMM")]


# --------------------------------------------------------------------------- suppliers


SUPPLIERS = [
    {"supplier": "Alu Bars Ltd", "approved": date(2025, 3, 1), "in_use": True,
     "next_evaluation": date(2027, 3, 1)},
    {"supplier": "Quick Platers", "approved": False, "in_use": True},  # in use, never approved
    {"supplier": "Old Castings", "approved": False, "in_use": False},  # not used: fine
    {"supplier": "Heat Treat Co", "approved": True, "in_use": True, "next_evaluation": date(2026, 10, 1)},
]


def test_a_supplier_in_use_and_not_approved_makes_8_4_1_not_ready_naming_it() -> None:
    r, reg = judged(project_with("suppliers", SUPPLIERS, ("8.4.1",)))
    clause = r.clauses["8.4.1"]
    assert clause.state == NOT_READY
    assert register_reasons(clause) == [
        ("register-supplier-unapproved", "in use but never approved: Quick Platers; approve external providers "
                                         "against criteria before using them"),
        ("register-evaluation-overdue", "re-evaluation overdue for external providers in use: Heat Treat Co "
                                        "(due 2026-10-01)")]
    assert dict(reg.flags) == {3: ("unapproved",), 5: ("evaluation-overdue",)}


def test_approved_suppliers_evaluated_on_time_leave_8_4_1_alone_and_due_evaluations_lapse() -> None:
    r, reg = judged(project_with("suppliers", [SUPPLIERS[0], SUPPLIERS[2]], ("8.4.1",),
                                 audits={"stage1": date(2026, 12, 1), "stage2": date(2027, 4, 1)}))
    assert register_reasons(r.clauses["8.4.1"]) == [] and dict(reg.flags) == {}
    assert [(x.date, x.kind, x.clauses, x.item) for x in r.lapses if x.evidence == "REG"] == [
        (date(2027, 3, 1), "evaluation-due", ("8.4.1",), "Alu Bars Ltd")]


def test_only_an_overdue_evaluation_puts_8_4_1_at_risk() -> None:
    r, _ = judged(project_with("suppliers", [SUPPLIERS[3]], ("8.4.1",)))
    assert r.clauses["8.4.1"].state == AT_RISK
    assert [c for c, _ in register_reasons(r.clauses["8.4.1"])] == ["register-evaluation-overdue"]


# --------------------------------------------------------------------------- objectives


def kpi(name: str, month: int, target: float, actual: float, year: int = 2026, **more) -> dict:
    return {"objective": name, "period": date(year, month, 1), "target": target, "actual": actual, **more}


def test_an_objective_with_no_recent_result_puts_6_2_2_at_risk_and_one_behind_target_is_named_on_9_1_3() -> None:
    rows = [kpi("On-time delivery", m, 95, a) for m, a in ((8, 96), (9, 94), (10, 93))]
    rows += [kpi("Scrap rate", m, 2.0, a, direction="lower", unit=" %") for m, a in ((6, 1.5), (7, 1.8))]
    r, reg = judged(project_with("objectives", rows, ("6.2.2", "9.1.3")))
    assert r.clauses["6.2.2"].state == AT_RISK
    assert register_reasons(r.clauses["6.2.2"]) == [(
        "register-objective-no-result", "no result in the last 3 months for: Scrap rate (latest result "
        "2026-07-01): nobody shows the objective is monitored")]
    # behind target is a note for the management review: 9.1.3's state is not changed by it
    notes = register_reasons(r.clauses["9.1.3"])
    assert notes == [("register-objective-behind", "behind target in the latest period, an input for management "
                                                   "review: On-time delivery (2026-10: 93 against a target of 95)")]
    assert r.clauses["9.1.3"].state == READY
    assert reg.series["On-time delivery"] == ((date(2026, 8, 1), 95.0, 96.0), (date(2026, 9, 1), 95.0, 94.0),
                                              (date(2026, 10, 1), 95.0, 93.0))
    assert dict(reg.flags) == {4: ("behind-target",), 5: ("no-recent-result",), 6: ("no-recent-result",)}


def test_objectives_with_recent_results_on_target_raise_nothing() -> None:
    rows = [kpi("On-time delivery", 9, 95, 97), kpi("Scrap rate", 8, 2.0, 1.9, direction="lower"),
            kpi("Scrap rate", 9, 2.0, 1.7, direction="lower")]
    r, reg = judged(project_with("objectives", rows, ("6.2.2", "9.1.3")))
    assert register_reasons(r.clauses["6.2.2"]) == register_reasons(r.clauses["9.1.3"]) == []
    assert dict(reg.flags) == {} and reg.reasons == ()
    assert reg.series["Scrap rate"] == ((date(2026, 8, 1), 2.0, 1.9), (date(2026, 9, 1), 2.0, 1.7))


# --------------------------------------------------------------------------- audit programme


PROGRAMME = [
    {"audit": "IA-2026-1 Operations", "planned": date(2026, 9, 20), "done": date(2026, 9, 22),
     "covers": ("8",)},
    {"audit": "IA-2026-2 Support", "planned": date(2026, 10, 10), "covers": ("7",)},  # past, not done
    {"audit": "IA-2027-1 Leadership", "planned": date(2027, 1, 20), "covers": ("5", "6.2")},
]


def test_a_planned_audit_past_its_date_and_not_done_puts_9_2_1_at_risk() -> None:
    r, reg = judged(project_with("audit-programme", PROGRAMME, ("9.2.1",)))
    assert r.clauses["9.2.1"].state == AT_RISK
    assert register_reasons(r.clauses["9.2.1"]) == [(
        "register-audit-overdue", "planned internal audits past their date and not done: IA-2026-2 Support "
                                  "(planned 2026-10-10)")]
    assert dict(reg.flags) == {3: ("audit-overdue",)}


def test_an_audit_programme_on_schedule_leaves_9_2_1_alone() -> None:
    r, reg = judged(project_with("audit-programme", [PROGRAMME[0], PROGRAMME[2]], ("9.2.1",)))
    assert register_reasons(r.clauses["9.2.1"]) == [] and dict(reg.flags) == {}


def test_planned_audits_show_in_the_coverage_projection_as_planned_never_as_covered() -> None:
    base = _base()
    ia = next(e for e in base.evidence if "9.2.2" in e.clauses)
    narrow = replace(ia, covers=("4", "7", "8", "9", "10"))  # the 2026 audit left out 5 and 6
    p = project_with("audit-programme", PROGRAMME, ("9.2.1",), audits={"stage1": date(2026, 12, 1),
                                                                       "stage2": date(2027, 2, 1)})
    p = replace(p, evidence=tuple(narrow if e.id == ia.id else e for e in p.evidence))
    r, _ = judged(p)
    cov = r.coverage
    assert "5.1.1" in cov.uncovered and "6.2.1" in cov.uncovered and "6.1.1" in cov.uncovered
    assert cov.planned["5.1.1"] == cov.planned["6.2.1"] == (("IA-2027-1 Leadership", date(2027, 1, 20), "REG"),)
    assert "6.1.1" not in cov.planned  # no planned audit reaches it
    assert cov.leaves["5.1.1"] == ()  # planned is never covered
    note = [describe(x, True) for x in r.clauses["5.1.1"].reasons if x.code == "coverage-planned"]
    assert note == ["not covered yet: planned in the audit programme (IA-2027-1 Leadership on 2027-01-20); "
                    "covered only once done as planned"]
    # an audit planned after the stage 2 date does not count towards it
    late = replace(p.organisation, audits={"stage1": date(2026, 12, 1), "stage2": date(2027, 1, 10)})
    assert "5.1.1" not in assess(replace(p, organisation=late), AS_OF).coverage.planned


# --------------------------------------------------------------------------- legal


LEGAL = [
    {"requirement": "Waste regulations", "last_review": date(2026, 6, 1), "compliant": "yes"},
    {"requirement": "Machinery safety (PUWER)", "last_review": date(2026, 6, 1), "compliant": "partly"},
]


def test_legal_items_not_compliant_put_4_2_and_8_2_2_at_risk() -> None:
    r, reg = judged(project_with("legal", LEGAL, ("4.2", "8.2.2")))
    text = ("legal and other requirements not complied with: Machinery safety (PUWER) (partly compliant)")
    for number in ("4.2", "8.2.2"):
        assert r.clauses[number].state == AT_RISK
        assert register_reasons(r.clauses[number]) == [("register-legal-not-compliant", text)]
    assert dict(reg.flags) == {3: ("not-compliant",)}


def gate_item(r, check: str = "legal-requirements"):
    return next(i for i in r.gates["stage1"].items if i.check == check)


def test_the_legal_requirements_gate_passes_with_a_legal_register_reviewed_within_its_window() -> None:
    undated = [{"requirement": "Waste regulations", "compliant": "yes"}]  # no row review: the record's date
    r, reg = judged(project_with("legal", undated, ("4.2",), on=date(2026, 3, 1)))
    assert register_reasons(r.clauses["4.2"]) == []
    item = gate_item(r)
    assert item.passed and item.evidence == ("REG",)
    assert describe(item.reason, True) == "register REG reviewed on 2026-03-01, within 12 months"


def test_the_legal_requirements_gate_fails_without_a_legal_register_or_with_an_old_review() -> None:
    r, _ = judged(project_with("calibration", [GAUGES[0]], ("7.1.5.2",)))
    item = gate_item(r)
    assert not item.passed and item.clauses == ("4.2", "8.2.2")
    assert describe(item.reason, True) == "no legal register: no record declares register: legal (map it to 4.2)"
    old = [dict(row, last_review=date(2025, 6, 1)) for row in LEGAL]
    r, _ = judged(project_with("legal", old, ("4.2",), on=date(2025, 6, 1)))
    assert not gate_item(r).passed
    assert describe(gate_item(r).reason, True) == (
        "register REG not reviewed within 12 months (since 2025-11-01): last reviewed on 2025-06-01")
    # every row reviewed since counts as a review of the register, even when the record's date is older
    r, _ = judged(project_with("legal", LEGAL, ("4.2",), on=date(2025, 6, 1)))
    assert gate_item(r).passed and gate_item(r).reason["reviewed"] == date(2026, 6, 1)
    # a record declaring register: legal is a legal register even when its file gave no rows (its date counts)
    p = project_with("calibration", [GAUGES[0]], ("7.1.5.2",), more=(Evidence(
        id="LEGAL", title="Legal register", kind="record", clauses=("4.2",), source="evidence/legal.yaml",
        date=date(2026, 4, 1), file="legal.xlsx", register="legal"),))
    r, _ = judged(p)
    assert gate_item(r).passed and gate_item(r).evidence == ("LEGAL",)
    # windows: sets the window (the check's first clause's)
    r, _ = judged(project_with("legal", LEGAL, ("4.2",), on=date(2025, 6, 1), windows={"4.2": 3}))
    assert not gate_item(r).passed and gate_item(r).reason["window"] == 3


# --------------------------------------------------------------------------- nonconformities


NCS = [
    {"id": "NC-1", "raised": date(2026, 5, 4), "closed": date(2026, 6, 10), "action": "retrained"},
    {"id": "NC-2", "raised": date(2026, 6, 1)},  # open 153 days, no action
    {"id": "NC-3", "raised": date(2026, 6, 1), "action": "new fixture ordered"},  # open, with an action
    {"id": "NC-4", "raised": date(2026, 10, 20)},  # open, recent
]


def test_nonconformities_open_too_long_with_no_action_put_10_2_1_at_risk_and_feed_the_review_trend() -> None:
    r, reg = judged(project_with("nonconformities", NCS, ("10.2.1",)))
    assert r.clauses["10.2.1"].state == AT_RISK
    assert register_reasons(r.clauses["10.2.1"]) == [(
        "register-nc-open-too-long", "nonconformities open more than 90 days with no action recorded: NC-2 "
                                     "(raised 2026-06-01)")]
    assert dict(reg.flags) == {3: ("open-too-long",)}
    assert reg.monthly == (("2026-05", 1, 0), ("2026-06", 2, 1), ("2026-10", 1, 0))
    trend = [describe(x, True) for x in r.clauses["9.3.2"].reasons if x.code == "register-nc-trend"]
    assert trend == ["nonconformities per month, an input for management review (2026-05: 1 raised, 0 closed, "
                     "2026-06: 2 raised, 1 closed, 2026-10: 1 raised, 0 closed)"]


def test_nc_max_open_days_moves_the_limit() -> None:
    r, reg = judged(project_with("nonconformities", NCS, ("10.2.1",), nc_max_open_days=200))
    assert register_reasons(r.clauses["10.2.1"]) == [] and dict(reg.flags) == {}


def test_nc_max_open_days_is_read_from_organisation_yaml(minimal_project: Path) -> None:
    org = minimal_project / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "nc_max_open_days: 30\n", encoding="utf-8")
    project, diags = read_project(minimal_project, load_catalog(), AS_OF)
    assert project.organisation.nc_max_open_days == 30 and not diags
    assert _base().organisation.nc_max_open_days == 90


# --------------------------------------------------------------------------- standards are data


def test_a_register_whose_clause_the_standard_lacks_or_the_project_excluded_is_ignored() -> None:
    p = project_with("objectives", [kpi("On-time delivery", 10, 95, 90)], ("6.2.2",))
    excluded = replace(p, assessments=(*p.assessments, Assessment(
        clause="9.1.3", status="not-applicable", justification="x", source="content/clauses/x.yaml")))
    r, reg = judged(excluded)
    assert r.clauses["9.1.3"].state == "not-applicable"
    assert register_reasons(r.clauses["9.1.3"]) == []
    # 14001 has no 9.1.3: "behind target" weighs on nothing there, and the rest still works
    p14 = replace(p, catalog=load_catalog("ISO 14001:2015"))
    r14, reg14 = judged(p14)
    assert reg14.reasons == () and dict(reg14.flags) == {2: ("behind-target",)}
    r14, _ = judged(replace(project_with("calibration", GAUGES, ("7.1.5.2",)), catalog=load_catalog("ISO 14001:2015")))
    assert [x.code for x in r14.clauses["9.1.1"].reasons if x.code.startswith("register-")] == ["register-calibration"]


def test_a_register_whose_record_is_dated_after_the_as_of_date_is_not_judged_yet() -> None:
    p = project_with("calibration", GAUGES, ("7.1.5.2",), on=date(2026, 12, 1))
    r, reg = judged(p)
    assert reg is None and register_reasons(r.clauses["7.1.5.2"]) == []
    r, reg = judged(p, date(2026, 12, 1))  # once it exists, it counts
    assert reg.evidence == "REG" and [c for c, _ in register_reasons(r.clauses["7.1.5.2"])] == ["register-calibration"]


# --------------------------------------------------------------------------- readiness.json


def test_readiness_json_lists_each_register_with_its_problems_and_validates(minimal_project: Path) -> None:
    from isoready.outputs.export import readiness_dict
    from isoready.views import build_site
    from schema_check import readiness_validator

    p = project_with("calibration", GAUGES, ("7.1.5.2",))
    problem = RegisterProblem("W501", 5, "evidence/reg.csv:5:2", "unreadable date 'soon' in column due")
    p = replace(p, registers={"REG": replace(p.registers["REG"], problems=(problem,))})
    site = build_site(p, assess(p, AS_OF), audience="internal", hashes=Unhashed())
    data = readiness_dict(site.export)
    assert data["registers"] == [{
        "evidence": "REG", "register": "calibration", "rows": 4,
        "problems": [{"code": "W501", "row": 5, "text": "unreadable date 'soon' in column due"}],
        "flags": {"overdue": 1, "failed": 1},
        "reasons": [{"code": "register-calibration", "text": (
            "measuring equipment in service that cannot be relied on (past calibration due date: G-02; failed "
            "calibration: G-03): results it gave are in doubt")}]}]
    errors = [e.message for e in readiness_validator().iter_errors(json.loads(json.dumps(data, default=str)))]
    assert errors == []
    # a public build does not see an internal record's register
    hidden = replace(p, evidence=tuple(replace(e, audience="internal") if e.id == "REG" else e for e in p.evidence))
    public = build_site(hidden, assess(hidden, AS_OF), audience="public", hashes=Unhashed())
    assert readiness_dict(public.export)["registers"] == []
