"""Issue 21, defaults: competence records (7.2) count until their ``review_by``, or for 36 months without one
(the 12-month default gave false "not ready" results: a qualification stays valid until it expires).
Each rule firing and not firing on a copy of the minimal fixture (valid on 2026-11-01), with its reason code and
the sentence an auditor reads asserted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from textwrap import dedent

from isoready.assess import assess
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project
from isoready.views import describe

AS_OF = date(2026, 11, 1)
CAT = load_catalog()
WHAT = CAT["7.2"].documented_information[0].what


def training(root: Path, **fields: str) -> None:
    """The fixture's one 7.2 record, dated (and with a review date) as the test needs; 7.2 implemented."""
    lines = ["title: Training records (HR system)", "kind: record", 'clauses: ["7.2"]',
             "url: https://intranet.example.com/hr/training", "owner: HR Lead"]
    lines += [f"{k}: {v}" for k, v in fields.items()]
    (root / "evidence/support/training.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "content/clauses/competence.yaml").write_text(dedent("""\
        - clause: "7.2"
          status: implemented
        """), encoding="utf-8")


def judge(root: Path, as_of: date = AS_OF):
    project, diags = read_project(root, CAT, as_of)
    assert not [d for d in diags if d.severity == "error"], [d.format() for d in diags]
    return assess(project, as_of)


def competence(r):
    c = r.clauses["7.2"]
    return c, c.mandatory[0]


def test_a_competence_record_without_review_by_counts_for_36_months(minimal_project: Path) -> None:
    training(minimal_project, date="2024-05-02")  # 30 months old: past the 12 months of other records
    c, m = competence(judge(minimal_project))
    assert m.state == "present" and m.reason.code == "di-in-window" and m.window_months == 36
    assert c.state == "ready"
    assert describe(m.reason, True) == (f"7.2 {WHAT}: latest record support/training dated 2024-05-02, "
                                        "within 36 months")


def test_a_competence_record_without_review_by_older_than_36_months_is_a_gap(minimal_project: Path) -> None:
    training(minimal_project, date="2023-10-31")
    c, m = competence(judge(minimal_project))
    assert m.state == "out-of-window" and m.reason.code == "di-out-of-window" and c.state == "not-ready"
    assert describe(m.reason, True) == (f"7.2 {WHAT}: no record within the last 36 months "
                                        "(the latest is dated 2023-10-31)")


def test_a_competence_record_counts_until_its_review_by_however_old(minimal_project: Path) -> None:
    training(minimal_project, date="2021-03-01", review_by="2027-02-28")  # a five-year qualification
    c, m = competence(judge(minimal_project))
    assert m.state == "present" and m.reason.code == "di-until-review" and c.state == "ready"
    assert describe(m.reason, True) == (f"7.2 {WHAT}: latest record support/training dated 2021-03-01, "
                                        "valid until its review date 2027-02-28")
    assert describe(m.reason, False) == f"7.2 {WHAT}: a record valid until its review date"
    # the lapse list shows the day it stops counting, before the audit booked after it
    (minimal_project / "content/organisation.yaml").write_text(
        (minimal_project / "content/organisation.yaml").read_text(encoding="utf-8")
        + "audits:\n  stage1: 2027-04-01\n", encoding="utf-8")
    r = judge(minimal_project)
    closes = [x for x in r.lapses if x.kind == "window-closes" and x.clauses == ("7.2",)]
    assert [(x.date, x.evidence) for x in closes] == [(date(2027, 3, 1), "support/training")]


def test_a_competence_record_past_its_review_by_no_longer_counts(minimal_project: Path) -> None:
    training(minimal_project, date="2026-01-10", review_by="2026-10-31")  # recent, but the competence expired
    c, m = competence(judge(minimal_project))
    assert m.state == "out-of-window" and m.reason.code == "di-review-passed" and c.state == "not-ready"
    assert describe(m.reason, True) == (f"7.2 {WHAT}: no record still valid (support/training was valid "
                                        "until 2026-10-31)")
    assert describe(m.reason, False) == (f"7.2 {WHAT}: no record still valid (the latest record's review "
                                         "date has passed)")
    # on its review date it still counts
    assert competence(judge(minimal_project, date(2026, 10, 31)))[1].reason.code == "di-until-review"


def test_other_records_keep_their_12_month_window_and_review_by_does_not_extend_them(minimal_project: Path) -> None:
    (minimal_project / "evidence/operation/release.yaml").write_text(dedent("""\
        title: Release record
        kind: record
        clauses: ["8.6"]
        owner: QA
        date: 2025-06-01
        review_by: 2028-01-01
        """), encoding="utf-8")
    m = next(x for x in judge(minimal_project).mandatory if x.clause == "8.6")
    assert m.state == "out-of-window" and m.reason.code == "di-out-of-window" and m.window_months == 12


def test_the_competence_reason_flows_to_the_clause_page_gap_report_and_readiness_json(minimal_project: Path,
                                                                                      tmp_path: Path) -> None:
    import json

    from isoready.package.build import Options, build

    training(minimal_project, date="2021-03-01", review_by="2026-10-31")
    out = tmp_path / "site"
    assert build(Options(root=minimal_project, as_of=AS_OF, output=out, use_cache=False)).ok
    said = f"7.2 {WHAT}: no record still valid (support/training was valid until 2026-10-31)"
    data = json.loads((out / "readiness.json").read_text(encoding="utf-8"))
    clause = next(c for c in data["clauses"] if c["number"] == "7.2")
    item = clause["documented_information"][0]
    assert (item["code"], item["reason"], item["state"]) == ("di-review-passed", said, "out-of-window")
    assert "declared implemented, but " + said in clause["reasons"]
    html = said.replace("'", "&#39;")
    assert html in (out / "clauses" / "7.2.html").read_text(encoding="utf-8")
    assert html in (out / "gaps.html").read_text(encoding="utf-8")
