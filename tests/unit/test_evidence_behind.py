"""Issue 20, evidence slice: evidence behind every ready leaf, the management review's own inputs, and stage 2
remembering stage 1's documents.

Each rule is tested firing and not firing, with its reason code and the sentence an auditor reads, on a copy of
the minimal fixture (valid on 2026-11-01) or of the demo (as of 2026-12-06). The issue's "Why" cases are applied
to a copy of the demo, one at a time.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest

from isoready.assess import assess
from isoready.read.catalog import load_catalog
from isoready.outputs.export import readiness_json
from isoready.model import REVIEW_INPUTS
from isoready.validate.project import read_project
from isoready.views import build_site, describe

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 1)
DEMO_AS_OF = date(2026, 12, 6)
ORG = "name: Example Works Ltd\nscope: Machining of aluminium parts to customer drawings.\n"
MINUTES = "evidence/performance/management-review-minutes-2026-11.yaml"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")


def judge(root: Path, as_of: date = AS_OF):
    project, diags = read_project(root, load_catalog(), as_of)
    assert not [d for d in diags if d.severity == "error"], [d.format() for d in diags]
    return project, assess(project, as_of)


def item(gate, check: str):
    return next(i for i in gate.items if i.check == check)


def codes(clause) -> list[str]:
    return [x.code for x in clause.reasons]


def sentences(clause) -> list[str]:
    return [describe(x, True) for x in clause.reasons]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A writable copy of the demo register (content/ and evidence/ at the repository root)."""
    root = tmp_path / "demo"
    for part in ("content", "evidence"):
        shutil.copytree(REPO / part, root / part)
    return root


# --------------------------------------------------------------------------- evidence behind every ready leaf


def test_a_document_alone_on_a_parent_is_documented_not_shown_in_operation(minimal_project: Path) -> None:
    write(minimal_project, "content/clauses/x.yaml", '- clause: "7.1"\n  status: implemented\n')
    write(minimal_project, "evidence/support/manual.yaml",
          'id: QM-1\ntitle: Quality manual\nkind: document\nclauses: ["7.1"]\ndate: 2026-01-10\n')
    _, r = judge(minimal_project)
    c = r.clauses["7.1.1"]
    assert c.state == "at-risk" and codes(c) == ["parent-document-only"]
    assert sentences(c) == ["declared implemented, but documented, not shown in operation: only a document on 7.1 "
                            "(QM-1) is behind it; map a record or evidence to the clause itself"]
    # not firing: a current record on the parent shows it in operation
    write(minimal_project, "evidence/support/review.yaml",
          'id: RES-1\ntitle: Resource review 2026\nkind: record\nclauses: ["7.1"]\ndate: 2026-09-01\n')
    _, r = judge(minimal_project)
    assert r.clauses["7.1.1"].state == "ready" and "parent-document-only" not in codes(r.clauses["7.1.1"])
    # not firing either: evidence on the leaf itself, the document staying on the parent
    (minimal_project / "evidence/support/review.yaml").unlink()
    write(minimal_project, "evidence/support/infra.yaml",
          'id: INF-1\ntitle: Infrastructure plan\nkind: document\nclauses: ["7.1.3"]\ndate: 2026-01-10\n')
    _, r = judge(minimal_project)
    assert r.clauses["7.1.3"].state == "ready" and codes(r.clauses["7.1.1"]) == ["parent-document-only"]


def test_one_quality_manual_mapped_to_4_to_10_makes_no_leaf_ready(demo: Path) -> None:
    """The issue's case: one quality manual mapped to clauses 4-10 made all 59 leaves ready."""
    for folder in ("evidence", "content/clauses", "content/findings"):
        shutil.rmtree(demo / folder)
    write(demo, "evidence/manual.yaml", 'id: QM\ntitle: Quality manual\nkind: document\n'
                                        'clauses: ["4", "5", "6", "7", "8", "9", "10", "4.3"]\ndate: 2026-01-10\n')
    write(demo, "content/clauses/all.yaml", "".join(f'- clause: "{n}"\n  status: implemented\n'
                                                    for n in ("4", "5", "6", "7", "8.1", "8.2", "8.4", "8.5",
                                                              "8.6", "8.7", "9", "10"))
          + '- clause: "8.3"\n  status: not-applicable\n  justification: We hold no design responsibility.\n')
    project, r = judge(demo, DEMO_AS_OF)
    leaves = {n: c for n, c in r.clauses.items() if project.catalog[n].is_leaf and c.applicable}
    # only 4.3, where the manual states the scope (and the exclusion), has it mapped to the leaf itself
    assert len(leaves) == 59 and [n for n, c in leaves.items() if c.state == "ready"] == ["4.3"]
    assert codes(r.clauses["7.1.1"]) == ["parent-document-only"]
    assert "only a document on 7 (QM) is behind it" in sentences(r.clauses["7.1.1"])[0]
    check = item(r.gates["stage2"], "evidence-behind-every-clause")
    assert not check.passed and "7.1.1" in check.clauses and check.reason.code == "gate-evidence-missing"
    assert "7.1.1 (a document on a clause above only)" in describe(check.reason, True)


# --------------------------------------------------------------------------- stage 2: evidence-behind-every-clause


def test_stage2_fails_while_leaves_are_at_risk_for_having_no_evidence(demo: Path) -> None:
    """The issue's case: stage 2 passed with leaves at risk for having no evidence (the demo has three)."""
    _, r = judge(demo, DEMO_AS_OF)
    check = item(r.gates["stage2"], "evidence-behind-every-clause")
    assert not check.passed and check.reason.code == "gate-evidence-missing"
    assert check.clauses == ("7.1.1", "7.4", "8.2.1", "9.3.2")
    assert describe(check.reason, True) == (
        "4 of 59 applicable clauses without evidence behind them: 7.1.1 (no evidence), 7.4 (no evidence), "
        "8.2.1 (no evidence), 9.3.2 (review inputs missing)")
    assert r.clauses["7.1.1"].state == "at-risk"  # at risk, not ready: all-clauses-ready alone did not see it


def test_stage2_evidence_behind_every_clause_passes_when_each_leaf_has_its_own(minimal_project: Path) -> None:
    write(minimal_project, "content/clauses/x.yaml", '- clause: "7.5"\n  status: implemented\n')
    _, r = judge(minimal_project)
    check = item(r.gates["stage2"], "evidence-behind-every-clause")
    assert not check.passed and check.clauses == ("7.5.1", "7.5.2", "7.5.3.1", "7.5.3.2", "9.3.2")
    assert describe(check.reason, True) == (
        "5 of 59 applicable clauses without evidence behind them: 7.5.1 (no evidence), 7.5.2 (no evidence), "
        "7.5.3.1 (no evidence), 7.5.3.2 (no evidence), 9.3.2 (no management review in the window)")
    write(minimal_project, "evidence/support/docs.yaml", "".join(
        f'- id: D-{n}\n  title: Document control {n}\n  kind: record\n  clauses: ["{n}"]\n  date: 2026-09-01\n'
        for n in ("7.5.1", "7.5.2", "7.5.3.1", "7.5.3.2")))
    write(minimal_project, "evidence/performance/review.yaml",
          'id: MR\ntitle: Management review minutes\nkind: record\nclauses: ["9.3.3"]\ndate: 2026-10-01\n'
          f"inputs: [{', '.join(REVIEW_INPUTS)}]\n")
    _, r = judge(minimal_project)
    check = item(r.gates["stage2"], "evidence-behind-every-clause")
    assert check.passed and check.reason.code == "gate-evidence-behind"
    assert describe(check.reason, True) == "every one of the 59 applicable clauses has evidence of its own behind it"


# --------------------------------------------------------------------------- management review


def minutes_without_inputs(root: Path) -> None:
    path = root / MINUTES
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\ninputs: \[[^\]]*\]\n", "\n", text), encoding="utf-8")


def test_minutes_without_inputs_make_9_3_2_not_ready_and_fail_the_review_check(demo: Path) -> None:
    """The issue's case: minutes without inputs: left 9.3.2 only at risk, and both gates passed."""
    _, r = judge(demo, DEMO_AS_OF)
    assert item(r.gates["stage2"], "management-review").passed  # not firing: the demo's minutes list inputs
    assert "review-inputs-unknown" not in codes(r.clauses["9.3.2"])
    minutes_without_inputs(demo)
    _, r = judge(demo, DEMO_AS_OF)
    c = r.clauses["9.3.2"]
    assert c.state == "not-ready" and codes(c)[0] == "review-inputs-unknown"
    sentence = ("the management review minutes performance/management-review-minutes-2026-11 of 2026-11-19 list no "
                "inputs: nothing shows what the review considered (list them under inputs: in the minutes' record)")
    assert sentences(c)[0] == sentence
    check = item(r.gates["stage2"], "management-review")
    assert not check.passed and check.reason.code == "review-inputs-unknown"
    assert check.reason.evidence == ("performance/management-review-minutes-2026-11",)
    assert describe(check.reason, True) == sentence
    assert "9.3.2" in item(r.gates["stage2"], "all-clauses-ready").clauses


def test_a_tick_list_beside_the_minutes_adds_nothing(demo: Path) -> None:
    """The issue's case: an agenda tick list listing all twelve inputs made 9.3.2 ready while the minutes list
    three."""
    path = demo / MINUTES
    path.write_text(re.sub(r"\ninputs: \[[^\]]*\]\n", "\ninputs: [previous-actions, changes, objectives]\n",
                           path.read_text(encoding="utf-8")), encoding="utf-8")
    write(demo, "evidence/performance/review-tick-list.yaml",
          "title: Management review agenda tick list\nkind: record\nclauses: [\"9.3.2\"]\ndate: 2026-11-20\n"
          f"inputs: [{', '.join(REVIEW_INPUTS)}]\n")
    _, r = judge(demo, DEMO_AS_OF)
    assert r.review_inputs.review == "performance/management-review-minutes-2026-11"
    assert r.review_inputs.considered == ("previous-actions", "changes", "objectives")
    missing = next(x for x in r.clauses["9.3.2"].reasons if x.code == "review-inputs-missing")
    assert len(missing["missing"]) == 9 and describe(missing, True).startswith(
        "the management review performance/management-review-minutes-2026-11 of 2026-11-19 does not show these "
        "inputs: customer satisfaction and feedback (c1), ")
    assert "9.3.2 (review inputs missing)" in describe(item(r.gates["stage2"], "evidence-behind-every-clause").reason,
                                                       True)


def test_the_review_is_a_record_on_9_3_and_an_agenda_document_is_never_it(minimal_project: Path) -> None:
    write(minimal_project, "content/clauses/x.yaml", '- clause: "9.3"\n  status: implemented\n')
    write(minimal_project, "evidence/performance/review.yaml",
          'id: MR\ntitle: Management review minutes\nkind: record\nclauses: ["9.3"]\ndate: 2026-10-01\n'
          f"inputs: [{', '.join(REVIEW_INPUTS)}]\n")
    write(minimal_project, "evidence/performance/agenda.yaml",
          'id: AG\ntitle: Review agenda\nkind: document\nclauses: ["9.3.2"]\ndate: 2026-10-20\ninputs: [changes]\n')
    _, r = judge(minimal_project)
    assert r.review_inputs.review == "MR" and r.review_inputs.missing == ()  # minutes mapped to 9.3 itself
    assert not {"review-inputs-missing", "review-inputs-unknown"} & set(codes(r.clauses["9.3.2"]))


# --------------------------------------------------------------------------- stage 2 remembers stage 1


def test_stage2_fails_when_policy_and_objectives_lapse_before_its_date(demo: Path) -> None:
    """The issue's case (the demo as it is): the policy (review 2027-02-15) and objectives (2027-01-31) lapse
    before stage 2 on 2027-03-02, the lapse list says so, and the projection to the stage 2 date now fails."""
    _, r = judge(demo, DEMO_AS_OF)
    assert item(r.gates["stage2"], "documents-current").passed  # today they are current
    on_date = item(r.on_audit_date["stage2"], "documents-current")
    assert not on_date.passed and on_date.reason.code == "gate-documents-lapsed"
    assert on_date.reason["documents"] == ("policy", "objectives")
    assert describe(on_date.reason, True).startswith(
        "not current on this date: Quality policy documented (5.2), Quality objectives documented (6.2)")
    lapsed = {x.evidence for x in r.lapses if x.kind == "review-due" and x.before == "stage2"}
    assert {"leadership/quality-policy", "planning/quality-objectives-2026"} <= lapsed


def test_documents_current_passes_when_they_stay_current_to_the_stage2_date(minimal_project: Path) -> None:
    write(minimal_project, "content/organisation.yaml", ORG + "audits:\n  stage2: 2027-01-10\n")
    write(minimal_project, "evidence/leadership/policies.yaml", """\
        - id: QP-001
          title: Quality policy (signed)
          kind: document
          clauses: ["5.2.1", "5.2.2"]
          date: 2026-02-15
          review_by: 2027-02-15
        - id: OBJ-001
          title: Quality objectives 2026
          kind: document
          clauses: ["6.2.1"]
          date: 2026-02-15
          review_by: 2027-02-15
        """)
    _, r = judge(minimal_project)
    today = item(r.gates["stage2"], "documents-current")
    on_date = item(r.on_audit_date["stage2"], "documents-current")
    # the minimal fixture lacks mandatory documents (4.4.2, 8.1, 8.5.1): named, both today and on the date
    assert not today.passed and not on_date.passed and on_date.reason["documents"] == ()
    assert "mandatory documents missing or past review: 4.4.2 (missing)" in describe(on_date.reason, True)
    for n, title in (("4.4.2", "Process descriptions"), ("8.1", "Operational plan"), ("8.5.1", "Work instructions")):
        write(minimal_project, f"evidence/doc-{n}.yaml",
              f'title: {title}\nkind: document\nclauses: ["{n}"]\ndate: 2026-02-15\nreview_by: 2027-06-30\n')
    _, r = judge(minimal_project)
    on_date = item(r.on_audit_date["stage2"], "documents-current")
    assert on_date.passed and on_date.reason.code == "gate-documents-current"
    assert describe(on_date.reason, True).startswith(
        "scope, policy, objectives and mandatory documents current on this date: ")
    # firing: the policy's review falls due before the stage 2 date
    write(minimal_project, "content/organisation.yaml", ORG + "audits:\n  stage2: 2027-03-01\n")
    _, r = judge(minimal_project)
    on_date = item(r.on_audit_date["stage2"], "documents-current")
    assert not on_date.passed and on_date.reason["documents"] == ("policy", "objectives")
    assert item(r.gates["stage2"], "documents-current").passed


# --------------------------------------------------------------------------- where the reasons are shown


def test_the_new_reasons_reach_readiness_json(demo: Path) -> None:
    minutes_without_inputs(demo)
    write(demo, "evidence/support/manual.yaml", 'id: QM\ntitle: Resource manual\nkind: document\nclauses: ["7.1"]\n'
                                                'date: 2026-01-10\nreview_by: 2027-06-30\n')
    project, r = judge(demo, DEMO_AS_OF)
    hashes = {doc: (len(data := (demo / "evidence" / doc).read_bytes()), hashlib.sha256(data).hexdigest())
              for doc in project.documents}
    data = json.loads(readiness_json(build_site(project, r, "auditor", hashes=hashes).export))
    clauses = {c["number"]: c for c in data["clauses"]}
    assert clauses["7.1.1"]["reason_codes"] == ["parent-document-only"]
    assert clauses["7.1.1"]["reasons"][0].startswith("declared implemented, but documented, not shown in operation")
    assert "review-inputs-unknown" in clauses["9.3.2"]["reason_codes"]
    stage2 = {i["check"]: i for i in data["gates"]["stage2"]["items"]}
    assert stage2["evidence-behind-every-clause"]["code"] == "gate-evidence-missing"
    assert stage2["evidence-behind-every-clause"]["name"] == "Evidence of its own behind every applicable clause"
    assert stage2["management-review"]["code"] == "review-inputs-unknown"
    assert stage2["documents-current"]["code"] == "gate-documents-current"


# --------------------------------------------------------------------------- the demo shows a systemic failure


def test_the_demo_shows_three_open_minors_against_7_1_5_1_as_systemic(demo: Path) -> None:
    """Issue 20 "Where the verdict is shown": the demo carries one systemic-minor case; stage 1 still passes."""
    _, r = judge(demo, DEMO_AS_OF)
    c = r.clauses["7.1.5.1"]
    assert "systemic" in codes(c)
    assert ("systemic failure: 3 open minor findings against 7.1.5.1 (IA-2026-03, IA-2026-06, IA-2026-07); 3 or "
            "more against one requirement count as a major") in sentences(c)
    check = item(r.gates["stage2"], "no-open-major")
    assert not check.passed and "7.1.5.1" in check.clauses
    # the demo's story: stage 1 passes (once it declares a legal register, issue 24's demo part), stage 2 fails
    legal = any(e.register == "legal" for e in _.evidence)
    assert [i.check for i in r.gates["stage1"].items if not i.passed] == ([] if legal else ["legal-requirements"])
    assert not r.gates["stage2"].passed
