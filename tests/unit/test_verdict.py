"""Issue 20, first slice: the verdict cross-examines the fields it rests on.

Each rule is applied to a copy of the minimal fixture (tests/fixtures/minimal, valid on 2026-11-01), firing and
not firing, with its reason code and the sentence an auditor reads asserted; the diagnostics are asserted
exactly in test_validate.py (they are the examples of docs/diagnostics.md).
"""

from __future__ import annotations

import hashlib
from html import escape
import json
from datetime import date
from pathlib import Path
from textwrap import dedent

from isoready.assess import assess
from isoready.read.catalog import load_catalog
from isoready.cli import main
from isoready.outputs.export import readiness_json
from isoready.validate.project import read_project
from isoready.views import Words, build_site, describe

AS_OF = date(2026, 11, 1)
ORG = "name: Example Works Ltd\nscope: Machining of aluminium parts to customer drawings.\n"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")


def judge(root: Path, as_of: date = AS_OF):
    project, diags = read_project(root, load_catalog(), as_of)
    assert not [d for d in diags if d.severity == "error"], [d.format() for d in diags]
    return project, assess(project, as_of)


def item(r, stage: str, check: str):
    return next(i for i in r.gates[stage].items if i.check == check)


def codes(clause) -> list[str]:
    return [x.code for x in clause.reasons]


def sentences(clause) -> list[str]:
    return [describe(x, True) for x in clause.reasons]


def finding(fid: str, clause: str, grade: str = "minor", status: str = "open", extra: str = "",
            source: str = "internal-audit") -> str:
    return (f"- id: {fid}\n  clauses: [\"{clause}\"]\n  grade: {grade}\n  status: {status}\n  raised: 2026-09-22\n"
            f"  source: {source}\n  description: {fid} found.\n" + "".join(f"  {line}\n" for line in
                                                                         extra.splitlines() if line))


MAJOR = "findings/internal-audit-2026.yaml"
CLOSED_MAJOR = """\
closed: 2026-10-20
root_cause: Suppliers could be set up without Purchasing approval.
corrective_action: ERP rights changed; all suppliers evaluated.
verification: {date: 2026-10-25, effective: true}
"""


def majors(root: Path, extra: str, more: str = "") -> None:
    """The minimal fixture's major IA-2026-01 (8.4.1), closed with ``extra``, and its closed minor as it is."""
    write(root, "content/" + MAJOR, finding("IA-2026-01", "8.4.1", "major", "closed", extra) + more)


# --------------------------------------------------------------------------- findings: closed after the as-of date


def test_a_finding_closed_after_the_as_of_date_is_open_until_then(minimal_project: Path) -> None:
    write(minimal_project, "content/clauses/x.yaml", '- clause: "7.5"\n  status: implemented\n')
    write(minimal_project, "content/findings/x.yaml",
          finding("F-1", "7.5.3.1", status="closed", extra="closed: 2026-11-20"))
    _, r = judge(minimal_project)
    c = r.clauses["7.5.3.1"]
    assert "finding-open" in codes(c)
    assert "open minor finding F-1, closed only on 2026-11-20 (after this date)" in sentences(c)
    assert "F-1" in r.gaps.open_findings
    # not firing: closed on the as-of date or before it is closed (here: without a verification)
    write(minimal_project, "content/findings/x.yaml",
          finding("F-1", "7.5.3.1", status="closed", extra="closed: 2026-11-01"))
    _, r = judge(minimal_project)
    assert "finding-open" not in codes(r.clauses["7.5.3.1"]) and "F-1" not in r.gaps.open_findings


def test_the_projection_to_an_audit_date_uses_the_closed_date(minimal_project: Path) -> None:
    write(minimal_project, "content/organisation.yaml", ORG + "audits:\n  stage1: 2026-11-10\n  stage2: 2026-12-10\n")
    majors(minimal_project, CLOSED_MAJOR.replace("2026-10-20", "2026-11-20").replace("2026-10-25", "2026-11-25"))
    _, r = judge(minimal_project)
    today = item(r, "stage2", "no-open-major")
    assert not today.passed and today.reason.code == "gate-major-open"
    assert describe(today.reason, True) == "open major finding(s): IA-2026-01"
    on_date = next(i for i in r.on_audit_date["stage2"].items if i.check == "no-open-major")
    assert on_date.passed and on_date.reason.code == "gate-no-major"


# --------------------------------------------------------------------------- findings: verification dates


def test_a_verification_before_closing_or_after_the_as_of_date_does_not_count(minimal_project: Path) -> None:
    write(minimal_project, "content/clauses/x.yaml", '- clause: "7.5"\n  status: implemented\n')
    for when in ("2026-10-01", "2026-11-05"):  # before closed 2026-10-15; after the as-of date
        write(minimal_project, "content/findings/x.yaml", finding(
            "F-1", "7.5.3.1", status="closed", extra=f"closed: 2026-10-15\nverification: {{date: {when}, effective: true}}"))
        _, r = judge(minimal_project)
        c = r.clauses["7.5.3.1"]
        assert "finding-unverified" in codes(c), when
        assert "minor finding F-1 closed without a verification that the action was effective" in sentences(c)
        assert not item(r, "stage2", "no-overdue-actions").passed
    # not firing: verified after closing, by the as-of date
    write(minimal_project, "content/findings/x.yaml", finding(
        "F-1", "7.5.3.1", status="closed", extra="closed: 2026-10-15\nverification: {date: 2026-10-20, effective: true}"))
    _, r = judge(minimal_project)
    assert not [x for x in r.clauses["7.5.3.1"].reasons if x.code == "finding-unverified" and "F-1" in x.findings]


# --------------------------------------------------------------------------- findings: what closes a major


def test_a_closed_major_counts_closed_only_with_root_cause_action_and_a_dated_verification(minimal_project) -> None:
    majors(minimal_project, CLOSED_MAJOR)
    _, r = judge(minimal_project)
    assert item(r, "stage2", "no-open-major").passed  # not firing: everything is there
    cases = {
        "root_cause": ("a root cause", CLOSED_MAJOR.replace(
            "root_cause: Suppliers could be set up without Purchasing approval.\n", "")),
        "action": ("a corrective action", CLOSED_MAJOR.replace(
            "corrective_action: ERP rights changed; all suppliers evaluated.\n", "")),
        "undated": ("an effective verification dated on or after closing and by this date",
                    CLOSED_MAJOR.replace("date: 2026-10-25, ", "")),
        "future": ("an effective verification dated on or after closing and by this date",
                   CLOSED_MAJOR.replace("2026-10-25", "2026-12-25")),
        "before-closing": ("an effective verification dated on or after closing and by this date",
                           CLOSED_MAJOR.replace("2026-10-25", "2026-10-01")),
    }
    for name, (lacks, text) in cases.items():
        majors(minimal_project, text)
        _, r = judge(minimal_project)
        gate = item(r, "stage2", "no-open-major")
        assert not gate.passed and gate.reason.code == "gate-major-open", name
        assert describe(gate.reason, True) == f"major finding IA-2026-01 closed without {lacks}: it counts as open"
        assert gate.clauses == ("8.4.1",)
    majors(minimal_project, "closed: 2026-10-20\nverification: {date: 2026-10-25, effective: true}")
    _, r = judge(minimal_project)
    assert describe(item(r, "stage2", "no-open-major").reason, True) == (
        "major finding IA-2026-01 closed without a root cause or a corrective action: it counts as open")


# --------------------------------------------------------------------------- findings: systemic minors


def test_three_open_minors_against_one_clause_count_as_a_major(minimal_project: Path) -> None:
    majors(minimal_project, CLOSED_MAJOR)
    minors = "".join(finding(f"M-{i}", "8.4.2") for i in (1, 2, 3))
    write(minimal_project, "content/findings/x.yaml", minors)
    _, r = judge(minimal_project)
    c = r.clauses["8.4.2"]
    assert c.state == "not-ready" and "systemic" in codes(c)
    assert ("systemic failure: 3 open minor findings against 8.4.2 (M-1, M-2, M-3); 3 or more against one "
            "requirement count as a major") in sentences(c)
    assert "systemic" not in codes(r.clauses["8.4.1"])
    gate = item(r, "stage2", "no-open-major")
    assert not gate.passed and gate.reason.code == "gate-major-open" and gate.clauses == ("8.4.2",)
    assert describe(gate.reason, True) == ("3 open minor findings against 8.4.2 (M-1, M-2, M-3): 3 or more count as "
                                           "a major (systemic)")
    # a withheld finding is not named, nor counted by grade, for an audience that may not see it
    assert Words(set(), set(), lambda t: t)(gate.reason) == "3 findings counting as an open major nonconformity"

    # sub-clauses add up to their parent: 2 on 8.4.1 and 1 on 8.4.3 are systemic at 8.4
    write(minimal_project, "content/findings/x.yaml",
          finding("M-1", "8.4.1") + finding("M-2", "8.4.1") + finding("M-3", "8.4.3"))
    _, r = judge(minimal_project)
    assert [x["clause"] for x in r.clauses["8.4.2"].reasons if x.code == "systemic"] == ["8.4"]

    # not firing: two minors; or systemic_minors: 4 in organisation.yaml
    write(minimal_project, "content/findings/x.yaml", finding("M-1", "8.4.2") + finding("M-2", "8.4.2"))
    _, r = judge(minimal_project)
    assert "systemic" not in codes(r.clauses["8.4.2"]) and item(r, "stage2", "no-open-major").passed
    write(minimal_project, "content/findings/x.yaml", minors)
    write(minimal_project, "content/organisation.yaml", ORG + "systemic_minors: 4\n")
    _, r = judge(minimal_project)
    assert "systemic" not in codes(r.clauses["8.4.2"]) and item(r, "stage2", "no-open-major").passed


# --------------------------------------------------------------------------- findings: the CB's areas of concern


def test_an_open_area_of_concern_from_the_certification_body_fails_stage2(minimal_project: Path) -> None:
    write(minimal_project, "content/findings/x.yaml",
          finding("CB-1", "6.2", grade="area-of-concern", source="certification-body"))
    _, r = judge(minimal_project)
    check = item(r, "stage2", "stage1-concerns-resolved")
    assert not check.passed and check.reason.code == "gate-concerns-open" and check.clauses == ("6.2",)
    assert describe(check.reason, True) == "area(s) of concern from the certification body still open: CB-1"
    # not firing: closed (the certification body's finding shows its stage 1 was held)
    write(minimal_project, "content/findings/x.yaml", finding(
        "CB-1", "6.2", grade="area-of-concern", status="closed", source="certification-body", extra="closed: 2026-10-30"))
    _, r = judge(minimal_project)
    check = item(r, "stage2", "stage1-concerns-resolved")
    assert check.passed and describe(check.reason, True) == "no area of concern from the certification body is open"
    # raised by someone else: not a concern from the certification body, and no stage 1 is held in this register
    write(minimal_project, "content/findings/x.yaml", finding("CB-1", "6.2", grade="area-of-concern",
                                                              source="internal-audit"))
    _, r = judge(minimal_project)
    check = item(r, "stage2", "stage1-concerns-resolved")
    assert not check.passed and check.reason.code == "gate-stage1-not-held"


# --------------------------------------------------------------------------- windows have a ceiling


def test_a_stretched_audit_window_is_used_as_twelve_months(minimal_project: Path) -> None:
    write(minimal_project, "evidence/performance/programme.yaml",
          'title: Audit programme\nkind: document\nclauses: ["9.2"]\ndate: 2026-01-10\n')
    write(minimal_project, "evidence/performance/internal-audit-2026.yaml",
          'title: Internal audit report 2024\nkind: record\nclauses: ["9.2.2"]\ncovers: ["4", "5", "6", "7", "8", '
          '"9", "10"]\ndate: 2024-09-22\n')
    write(minimal_project, "content/organisation.yaml", ORG + 'windows:\n  "9.2.2": 120\n')
    _, r = judge(minimal_project)
    check = item(r, "stage1", "internal-audit-performed")
    assert not check.passed and check.reason.code == "gate-planned-only" and check.reason["window"] == 12
    assert describe(check.reason, True) == (
        "planned, not yet performed: a plan is present (performance/programme), but no internal audit record mapped "
        "to 9.2.2 is dated within the last 12 months (since 2025-11-01)")
    assert not item(r, "stage2", "internal-audit-coverage").passed
    # not firing: a window may be shortened, and a recent audit passes within it
    write(minimal_project, "evidence/performance/internal-audit-2026.yaml",
          'title: Internal audit report 2026\nkind: record\nclauses: ["9.2.2"]\ncovers: ["4", "5", "6", "7", "8", '
          '"9", "10"]\ndate: 2026-09-22\n')
    write(minimal_project, "content/organisation.yaml", ORG + 'windows:\n  "9.2.2": 6\n')
    _, r = judge(minimal_project)
    assert item(r, "stage1", "internal-audit-performed").passed


def test_calibration_certificates_count_for_their_interval(minimal_project: Path) -> None:
    write(minimal_project, "content/organisation.yaml", ORG + "applies:\n  measurement_traceability: true\n")
    write(minimal_project, "content/clauses/x.yaml", '- clause: "7.1.5.2"\n  status: implemented\n')
    write(minimal_project, "evidence/support/calibration.yaml",
          'title: Calibration certificates\nkind: record\nclauses: ["7.1.5.2"]\ndate: 2019-03-01\n')
    _, r = judge(minimal_project)
    c = r.clauses["7.1.5.2"]
    assert c.state == "not-ready" and codes(c)[0] == "di-condition-no-evidence"
    assert sentences(c)[0].endswith("measurement traceability is declared to apply, but no current evidence is "
                                    "mapped to 7.1.5.2 to show it is controlled")
    write(minimal_project, "evidence/support/calibration.yaml",
          'title: Calibration certificates\nkind: record\nclauses: ["7.1.5.2"]\ndate: 2026-03-01\n')
    _, r = judge(minimal_project)
    assert codes(r.clauses["7.1.5.2"])[0] != "di-condition-no-evidence"  # not firing: within 12 months
    # the calibration interval is the clause's window: a six-month interval makes March too old
    write(minimal_project, "content/organisation.yaml", ORG + "applies:\n  measurement_traceability: true\n"
          'windows:\n  "7.1.5.2": 6\n')
    _, r = judge(minimal_project)
    assert codes(r.clauses["7.1.5.2"])[0] == "di-condition-no-evidence"


# --------------------------------------------------------------------------- exclusions and verified_by (validate)


def run(capsys, root: Path) -> tuple[int, list[str]]:
    code = main(["validate", "--root", str(root), "--as-of", AS_OF.isoformat()])
    return code, capsys.readouterr().out.splitlines()


def test_excluding_8_4_because_the_work_is_subcontracted_stops_the_build(minimal_project: Path, capsys) -> None:
    write(minimal_project, "content/clauses/operation.yaml", """\
        - clause: "8.3"
          status: not-applicable
          justification: We machine to customer drawings and hold no design responsibility.
        - clause: "8.4"
          status: not-applicable
          justification: Anodising is subcontracted, so supplier control is not our business.
        """)
    code, lines = run(capsys, minimal_project)
    assert code == 1
    assert [line.split(" ")[1] for line in lines[:-1]] == ["E408", "E421", "E422"]
    assert lines[1].startswith("content/clauses/operation.yaml:4:11: E421 clause '8.4' is excluded because the "
                               "work is outsourced ('subcontract')")
    assert lines[2].startswith("content/clauses/operation.yaml:4:11: E422 evidence contradicts the exclusion of "
                               "clause '8.4': operation/suppliers is mapped to it")


def test_verified_by_a_certification_body_audit_is_accepted(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/cb.yaml", 'id: CB-STAGE1\ntitle: Stage 1 report\nkind: record\n'
                                               'clauses: ["4.3"]\ndate: 2026-10-01\n')
    write(minimal_project, "content/clauses/x.yaml", '- clause: "6.2"\n  status: verified\n  verified_by: CB-STAGE1\n')
    code, lines = run(capsys, minimal_project)
    assert code == 1 and "E423 verified_by 'CB-STAGE1' is not an audit" in lines[0]
    write(minimal_project, "content/findings/x.yaml", finding(
        "CB-1", "6.2", grade="ofi", source="certification-body", extra="audit: CB-STAGE1"))
    assert run(capsys, minimal_project) == (0, ["no problems found"])


# --------------------------------------------------------------------------- the reasons reach readiness.json


def test_new_reasons_flow_to_readiness_json(minimal_project: Path) -> None:
    majors(minimal_project, CLOSED_MAJOR)
    write(minimal_project, "content/findings/x.yaml", "".join(finding(f"M-{i}", "8.4.2") for i in (1, 2, 3))
          + finding("CB-1", "6.2", grade="area-of-concern", source="certification-body"))
    project, r = judge(minimal_project)
    hashes = {doc: (len(data := (minimal_project / "evidence" / doc).read_bytes()), hashlib.sha256(data).hexdigest())
              for doc in project.documents}
    data = json.loads(readiness_json(build_site(project, r, "auditor", hashes=hashes).export))
    clause = next(c for c in data["clauses"] if c["number"] == "8.4.2")
    at = clause["reason_codes"].index("systemic")
    assert clause["reasons"][at] == ("systemic failure: 3 open minor findings against 8.4.2 (M-1, M-2, M-3); 3 or "
                                     "more against one requirement count as a major")
    stage2 = {i["check"]: i for i in data["gates"]["stage2"]["items"]}
    assert stage2["stage1-concerns-resolved"] == {
        "name": "Areas of concern from the stage 1 audit resolved", "check": "stage1-concerns-resolved",
        "passed": False, "reason": "area(s) of concern from the certification body still open: CB-1",
        "code": "gate-concerns-open"}
    assert stage2["no-open-major"]["code"] == "gate-major-open"


# --------------------------------------------------------------------------- the exclusion test, shown


def test_the_applicability_and_scope_pages_state_the_catalogs_exclusion_test(minimal_project: Path, tmp_path) -> None:
    from isoready.package.build import Options, build

    out = tmp_path / "site"
    result = build(Options(root=minimal_project, as_of=AS_OF, output=out, use_cache=False))
    assert result.ok
    test = load_catalog().exclusion_test
    assert "outsourcing a process is never a justification" in test
    shown = escape(test, quote=False).replace("'", "&#39;")  # as Jinja escapes it
    heading = 'The test every exclusion must pass <span class="ours">(our words)</span>'
    for page in ("applicability.html", "clauses/4.3.html"):
        html = (out / page).read_text(encoding="utf-8")
        assert heading in html and '<p class="exclusion-test">' + shown + "</p>" in html, page
    assert heading not in (out / "clauses/8.4.html").read_text(encoding="utf-8")  # only where the scope is


def test_the_gate_check_ids_are_the_ones_the_readiness_schema_lists(minimal_project: Path) -> None:
    from isoready.model import GATE_CHECKS
    from isoready.outputs.contract import readiness_schema

    _, r = judge(minimal_project)
    # every-site-audited judges a multi-site organisation only (sites:): a project of one site does not show it
    one_site = {stage: tuple(c for c in checks if c != "every-site-audited") for stage, checks in GATE_CHECKS.items()}
    assert {stage: tuple(i.check for i in g.items) for stage, g in r.gates.items()} == one_site
    import re

    # the schema names a check by pattern, so a third-party standard's own checks validate too
    listed = json.dumps(readiness_schema())
    pattern = re.search(r'"check": \{"type": "string", "pattern": "([^"]+)"', listed).group(1)
    assert all(re.fullmatch(pattern, check) for checks in GATE_CHECKS.values() for check in checks)
    assert not re.fullmatch(pattern, "Stage 1 / scope")
    doc = (Path(__file__).parents[2] / "docs" / "format.md").read_text(encoding="utf-8")
    assert all(f"`{check}`" in doc for checks in GATE_CHECKS.values() for check in checks)


def test_windows_120_with_an_audit_and_a_review_from_2018_pass_neither_gate(minimal_project: Path) -> None:
    """The issue's case: windows: {"9.2.2": 120, "9.3.3": 120} with an audit and a review from 2018."""
    write(minimal_project, "evidence/performance/programme.yaml",
          'title: Audit programme\nkind: document\nclauses: ["9.2"]\ndate: 2026-01-10\n')
    write(minimal_project, "evidence/performance/internal-audit-2026.yaml",
          'title: Internal audit report 2018\nkind: record\nclauses: ["9.2.2"]\ncovers: ["4", "5", "6", "7", "8", '
          '"9", "10"]\ndate: 2018-09-22\n')
    write(minimal_project, "evidence/performance/review.yaml",
          'title: Management review 2018\nkind: record\nclauses: ["9.3.3"]\ndate: 2018-10-02\n')
    write(minimal_project, "content/organisation.yaml", ORG + 'windows:\n  "9.2.2": 120\n  "9.3.3": 120\n')
    _, r = judge(minimal_project)
    for stage, check in (("stage1", "internal-audit-performed"), ("stage1", "management-review-performed"),
                         ("stage2", "internal-audit-coverage"), ("stage2", "management-review")):
        assert not item(r, stage, check).passed, check
    review = item(r, "stage1", "management-review-performed")
    assert review.reason.code == "gate-recurring-missing"
    assert describe(review.reason, True) == ("no management review record mapped to 9.3.3 dated within the last 12 "
                                             "months (since 2025-11-01)")
    # not firing: the same records within twelve months pass
    write(minimal_project, "evidence/performance/review.yaml",
          'title: Management review 2026\nkind: record\nclauses: ["9.3.3"]\ndate: 2026-10-02\n')
    _, r = judge(minimal_project)
    assert item(r, "stage1", "management-review-performed").passed


def test_excluding_8_5_2_while_traceability_is_declared_stops_the_build(minimal_project: Path, capsys) -> None:
    write(minimal_project, "content/organisation.yaml", ORG + "applies:\n  traceability: true\n")
    write(minimal_project, "content/clauses/x.yaml", '- clause: "8.5.2"\n  status: not-applicable\n'
                                                    '  justification: Parts need no identification.\n')
    code, lines = run(capsys, minimal_project)
    assert code == 1 and lines[0] == (
        "content/clauses/x.yaml:1:11: E420 clause '8.5.2' is excluded, but organisation.yaml declares 'applies: "
        "traceability: true' (8.5.2 Identification and traceability) (a requirement the organisation says applies "
        "cannot be excluded: give 8.5.2 a real status, or set 'traceability: false' if it does not apply)")
    write(minimal_project, "content/organisation.yaml", ORG + "applies:\n  traceability: false\n")
    code, lines = run(capsys, minimal_project)
    assert "E420" not in "\n".join(lines)  # not firing: declared false (W102 remains: rarely excludable)
