"""Issue 20, climate slice: the climate-change determination of Amendment 1:2024 (4.1, 4.2).

Each rule on a copy of the minimal fixture (valid on 2026-11-01) or of the demo, firing and not firing, with its
reason code and the sentence an auditor reads asserted. W180 is asserted exactly in test_validate.py.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest

from isoready.assess import assess
from isoready.catalog import load_catalog
from isoready.validate import read_project
from isoready.views import describe

AS_OF = date(2026, 11, 1)
DEMO_AS_OF = date(2026, 12, 6)
REPO = Path(__file__).resolve().parents[2]
ORG = "name: Example Works Ltd\nscope: Machining of aluminium parts to customer drawings.\n"
CLIMATE_SENTENCE = (
    "no climate-change determination: since Amendment 1:2024 the organisation must decide whether climate change is "
    "a relevant issue; record it as current evidence mapped to 4.1 with 'topics: [climate-change]', or as "
    "'climate_change: {relevant: true or false, decided: YYYY-MM-DD}' in organisation.yaml")
GATE_SENTENCE = "the context (4.1, 4.2) is not understood: " + CLIMATE_SENTENCE


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


def context_project(root: Path, topics: str = "", org_extra: str = "", review_by: str = "2027-06-30") -> None:
    """4.1 and 4.2 implemented, with a context analysis on 4.1 and an interested-parties record on 4.2."""
    write(root, "content/organisation.yaml", ORG + org_extra)
    write(root, "content/clauses/climate.yaml", """
        - clause: "4.1"
          status: implemented
        - clause: "4.2"
          status: implemented
        """)
    write(root, "evidence/context/issues.yaml", f"""
        title: Context analysis
        kind: document
        clauses: ["4.1"]
        review_by: {review_by}
        {topics}
        """)
    write(root, "evidence/context/parties.yaml", """
        title: Interested parties
        kind: document
        clauses: ["4.2"]
        """)


def test_no_determination_puts_4_1_at_risk_and_fails_the_stage1_context_check(minimal_project: Path):
    context_project(minimal_project)
    _, r = judge(minimal_project)
    c = r.clauses["4.1"]
    assert c.state == "at-risk"
    assert [x.code for x in c.reasons] == ["climate-undetermined"]
    assert [describe(x, True) for x in c.reasons] == [CLIMATE_SENTENCE]
    assert r.clauses["4.2"].state == "ready"
    context = item(r, "stage1", "context")
    assert not context.passed and context.reason.code == "gate-climate-undetermined"
    assert describe(context.reason, True) == GATE_SENTENCE
    assert context.clauses == ("4.1",)


def test_a_current_record_with_the_topic_on_4_1_is_the_determination(minimal_project: Path):
    context_project(minimal_project, topics="topics: [climate-change]")
    _, r = judge(minimal_project)
    assert r.clauses["4.1"].state == "ready"
    assert [x.code for x in r.clauses["4.1"].reasons] == ["ready"]
    context = item(r, "stage1", "context")
    assert context.passed and context.reason.code == "gate-present"


def test_a_decision_in_organisation_yaml_is_the_determination_relevant_or_not(minimal_project: Path):
    for relevant in ("true", "false"):
        context_project(minimal_project, org_extra=f"climate_change:\n  relevant: {relevant}\n  decided: 2026-03-10\n")
        _, r = judge(minimal_project)
        assert r.clauses["4.1"].state == "ready", relevant
        assert item(r, "stage1", "context").passed


def test_a_decision_dated_after_the_date_judged_is_no_determination_yet(minimal_project: Path):
    context_project(minimal_project, org_extra="climate_change:\n  relevant: true\n  decided: 2026-12-01\n")
    _, r = judge(minimal_project)
    (x,) = r.clauses["4.1"].reasons
    assert x.code == "climate-undetermined"
    assert describe(x, True) == CLIMATE_SENTENCE.replace(
        "no climate-change determination", "no climate-change determination (the decision in organisation.yaml "
        "is dated 2026-12-01, after this date)")
    _, later = judge(minimal_project, date(2026, 12, 1))
    assert later.clauses["4.1"].state == "ready"


def test_the_topic_counts_only_on_4_1_and_only_while_current(minimal_project: Path):
    # a slide deck tagged climate-change but mapped elsewhere is not the context determination
    context_project(minimal_project)
    write(minimal_project, "evidence/support/deck.yaml", """
        title: Awareness slide deck
        kind: document
        clauses: ["7.3"]
        topics: [climate-change]
        """)
    _, r = judge(minimal_project)
    assert [x.code for x in r.clauses["4.1"].reasons] == ["climate-undetermined"]
    # the record on 4.1 past its review date is no current determination
    context_project(minimal_project, topics="topics: [climate-change]", review_by="2026-10-01")
    _, r = judge(minimal_project)
    assert [x.code for x in r.clauses["4.1"].reasons] == ["no-evidence", "climate-undetermined", "evidence-stale"]


# --------------------------------------------------------------------------- the demo


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    for name in ("evidence", "content"):
        shutil.copytree(REPO / name, root / name, symlinks=True)
    return root


def test_the_demo_records_the_determination_and_stage1_passes(demo: Path):
    project, r = judge(demo, DEMO_AS_OF)
    assert project.organisation.climate_change.relevant is True
    assert r.clauses["4.1"].state == "ready"
    assert r.gates["stage1"].passed


def test_why_bullet_climate_change_demo_without_a_determination_fails_stage1(demo: Path):
    """Issue 20, Why: "With no climate-change determination, 4.1 stays ready"."""
    org = demo / "content/organisation.yaml"
    text = org.read_text(encoding="utf-8")
    if "climate_change:" in text:
        org.write_text(text[:text.index("climate_change:")] + text[text.index("applies:"):], encoding="utf-8")
    record = demo / "evidence/context/context-and-interested-parties.yaml"
    lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
    record.write_text("".join(x for x in lines if not x.startswith("topics:")), encoding="utf-8")
    _, r = judge(demo, DEMO_AS_OF)
    assert r.clauses["4.1"].state == "at-risk"
    assert "climate-undetermined" in [x.code for x in r.clauses["4.1"].reasons]
    assert not r.gates["stage1"].passed
    context = item(r, "stage1", "context")
    assert not context.passed and describe(context.reason, True) == GATE_SENTENCE
