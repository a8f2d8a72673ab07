"""Issue 20, climate slice: the climate-change determination of Amendment 1:2024 (4.1, 4.2).

Each rule on a copy of the minimal fixture (valid on 2026-11-01) or of the demo, firing and not firing, with its
reason code and the sentence an auditor reads asserted. W180 is asserted exactly in test_validate.py.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest

from isoready.assess import assess
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project
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
    # stage 1 passes once the demo declares a legal register (issue 24's demo part); until then only the
    # legal-requirements check fails
    failing = [(i.check, i.reason.code) for i in r.gates["stage1"].items if not i.passed]
    legal = any(e.register == "legal" for e in project.evidence)
    assert failing == ([] if legal else [("legal-requirements", "gate-register-missing")])


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


# --------------------------------------------------------------------------- transition topics: keywords are not evidence

ALL_TOPICS = ("quality-culture-ethics, risks-and-opportunities, climate-change, planning-of-changes, "
              "strategic-direction, organizational-knowledge, management-review-inputs")


def test_why_bullet_keywords_one_slide_deck_tagged_with_every_topic_is_not_7_of_7(demo: Path):
    """Issue 20, Why: "One slide deck tagged with all seven topic keys gives 7 of 7 topics addressed"."""
    write(demo, "evidence/support/transition-deck.yaml", f"""
        title: ISO 9001:2026 awareness slide deck
        kind: document
        clauses: ["7.3"]
        topics: [{ALL_TOPICS}]
        """)
    project, diags = read_project(demo, load_catalog(), DEMO_AS_OF)
    t = assess(project, DEMO_AS_OF).transition
    state = {x.key: x for x in t.topics}
    # 7.3 is quality-culture-ethics' clause: the deck addresses that one only; the demo's own two records stay
    assert t.addressed == 3
    assert state["quality-culture-ethics"].evidence == ("support/transition-deck",)
    planning = state["planning-of-changes"]
    assert (planning.state, planning.reason.code, planning.reason.evidence) == (
        "gap", "topic-unmapped", ("support/transition-deck",))
    assert describe(planning.reason, True) == (
        "named by support/transition-deck, but not mapped to 6.3: a keyword is not evidence; map the record that "
        "addresses it to one of those clauses")
    # the climate topic is addressed by the context record on 4.1 and 4.2, not by the deck
    assert state["climate-change"].evidence == ("context/context-and-interested-parties",)
    # strategic-direction is a retired key (W182); each other key off its clauses is W181
    assert sorted(d.code for d in diags if d.path == "evidence/support/transition-deck.yaml") == ["W181"] * 5 + [
        "W182"]


def test_a_topic_record_on_its_clause_addresses_it_and_is_named(minimal_project: Path):
    context_project(minimal_project, topics="topics: [climate-change]")
    project, _ = read_project(minimal_project, load_catalog(), AS_OF)
    t = assess(project, AS_OF).transition
    climate = next(x for x in t.topics if x.key == "climate-change")
    assert (climate.state, climate.reason.code, climate.evidence) == ("addressed", "topic-addressed",
                                                                      ("context/issues",))
    assert describe(climate.reason, True) == "addressed by context/issues"


# --------------------------------------------------------------------------- the 2026 catalog, read by an auditor

from isoready.read.catalog import load_topics, only_code_repositories, parse_catalog  # noqa: E402
from isoready.views import build_site  # noqa: E402

FIXTURE_2026 = REPO / "tests" / "fixtures" / "edition2026"


def test_2026_titles_are_the_harmonized_structure_ones():
    c2026 = load_catalog("ISO 9001:2026")
    assert c2026["5.3"].title == "Organizational roles, responsibilities and authorities"
    assert (c2026["9.2.1"].title, c2026["9.2.1"].label) == ("General", None)
    assert (c2026["9.2.2"].title, c2026["9.2.2"].label) == ("Internal audit programme", None)
    assert {n: c2026[n].change for n in ("5.3", "9.2.1", "9.2.2")} == {
        "5.3": "unchanged", "9.2.1": "retitled", "9.2.2": "retitled"}
    assert not any(c2026[n].provisional for n in ("5.3", "9.2.1", "9.2.2"))
    # 2015 itself leaves 9.2.1 and 9.2.2 untitled: our labels stay there
    c2015 = load_catalog("ISO 9001:2015")
    assert c2015["9.2.1"].title is None and c2015["9.2.1"].label


def test_strategic_direction_is_no_new_2026_requirement_so_no_transition_gap():
    assert load_catalog("ISO 9001:2026")["5.2.1"].change == "unchanged"
    topics = load_topics()
    assert "strategic-direction" not in topics.keys
    assert [t.key for t in topics.retired] == ["strategic-direction"]
    assert "5.2.1 a)" in topics.retired[0].why


def test_a_policy_record_tagged_strategic_direction_is_no_gap_and_is_warned(minimal_project: Path):
    write(minimal_project, "evidence/leadership/policy-review.yaml", """
        title: Policy review
        kind: record
        clauses: ["5.2.1"]
        date: 2026-10-01
        topics: [strategic-direction]
        """)
    project, diags = read_project(minimal_project, load_catalog(), AS_OF)
    assert [d.code for d in diags] == ["W182"]
    t = assess(project, AS_OF).transition
    assert "strategic-direction" not in [x.key for x in t.topics]
    assert len(t.topics) == 6


ROW = """
standard: "X"
clauses:
  - number: "4"
    title: "Context"
    label: null
    parent: null
    about: "a"
    change: changed
    provisional: false
    sources: {sources}
"""


@pytest.mark.parametrize("sources, provisional", [
    ('["public repository file, code index id 1 (a note)"]', True),
    ('["someone/repo:docs/x.md@0123456789abcdef0123456789abcdef01234567 (a crosswalk)"]', True),
    ('["someone/repo:docs/x.md@0123456", "superseded: an older report"]', True),
    ('["someone/repo:docs/x.md@0123456", "https://www.example-cb.com/iso-9001-2026"]', False),
    ('["/work/shared/reference/iso9001-2015-research.yaml (revision_status)"]', False),
    ('[]', False),
])
def test_an_entry_resting_only_on_code_repositories_is_provisional(sources, provisional):
    catalog = parse_catalog(ROW.format(sources=sources))
    assert catalog["4"].provisional is provisional


def test_every_catalog_entry_on_code_repositories_alone_is_marked_provisional():
    for std in ("ISO 9001:2015", "ISO 9001:2026"):
        for c in load_catalog(std).clauses:
            if only_code_repositories(c.sources):
                assert c.provisional, (std, c.number)
    for t in load_topics().topics:
        if only_code_repositories(t.sources):
            assert t.provisional, t.key


PROVISIONAL_VERDICT = (" Judged against a provisional catalog: ISO 9001:2026 has {n} entries resting on drafts, "
                       "secondary summaries or code repositories only; confirm them against a licensed copy of the "
                       "standard.")


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_every_verdict_on_a_provisional_catalog_says_so_beside_it(audience):
    project, r = judge(FIXTURE_2026)
    n = sum(c.provisional for c in project.catalog.clauses)
    assert n > 0
    site = build_site(project, r, audience=audience, hashes=hashes(FIXTURE_2026, project))
    gates = site.models("index")[0].gates
    assert gates and all(g.verdict.endswith(PROVISIONAL_VERDICT.format(n=n)) for g in gates)
    assert all(g.summary.endswith("; on a provisional catalog") for g in gates)


def hashes(root: Path, project) -> dict:
    return {doc: (len(data := (root / "evidence" / doc).read_bytes()), hashlib.sha256(data).hexdigest())
            for doc in project.documents}


def test_a_verdict_on_a_catalog_with_no_provisional_entry_says_nothing_of_it(minimal_project: Path):
    project, r = judge(minimal_project)
    gates = build_site(project, r, hashes=hashes(minimal_project, project)).models("index")[0].gates
    assert gates and not any("provisional" in g.verdict or "provisional" in g.summary for g in gates)


# --------------------------------------------------------------------------- after migrate: new requirements need evidence

from isoready.cli.migrate import migrate  # noqa: E402


@pytest.fixture()
def demo2026(demo: Path) -> Path:
    code, _ = migrate(demo, "ISO 9001:2026")
    assert code == 1  # two things left to decide: the 10.3 assessment and one 6.1.2 record
    # decide them as the team would: the 10.3 assessment merges into 10.1's, the register covers both halves
    improvement = demo / "content/clauses/10-improvement.yaml"
    text = improvement.read_text(encoding="utf-8")
    improvement.write_text(text[:text.index('- clause: "10.3"')], encoding="utf-8")
    register = demo / "evidence/planning/risk-and-opportunity-register.yaml"
    register.write_text(register.read_text(encoding="utf-8").replace('"6.1.2"]', '"6.1.2", "6.1.3"]'),
                        encoding="utf-8")
    return demo


def leaf_reason(r, number: str):
    return next((x for x in r.clauses[number].reasons if x.code == "new-requirement-unevidenced"), None)


def test_why_bullet_migrate_does_not_make_new_2026_requirements_ready_on_2015_evidence(demo2026: Path):
    """Issue 20, Why: "migrate to 2026 makes the new 2026 requirements ready on 2015 evidence alone"."""
    project, diags = read_project(demo2026, load_catalog(), DEMO_AS_OF)
    assert not [d for d in diags if d.severity == "error"], [d.format() for d in diags]
    r = assess(project, DEMO_AS_OF)
    c = r.clauses["10.1"]
    assert c.state == "at-risk"
    x = leaf_reason(r, "10.1")
    assert x.evidence == ("improvement/continual-improvement-log",)
    assert describe(x, True) == (
        "changed in ISO 9001:2026: no evidence for the new requirement yet; 1 record mapped to it is not dated after "
        "a recorded move (improvement/continual-improvement-log); map a current record dated after the move (record "
        "the day of the move as migrated: in organisation.yaml)")
    x = leaf_reason(r, "5.1.1")
    assert r.clauses["5.1.1"].state == "at-risk" and x["topics"] == ("quality-culture-ethics",)
    # a changed leaf whose topic the evidence names (the climate record on 4.1 and 4.2) is not caught
    assert leaf_reason(r, "4.1") is None and r.clauses["4.1"].state == "ready"
    # unchanged leaves are not touched
    assert not any(x.code == "new-requirement-unevidenced" for n in ("8.4.1", "5.2.1", "5.3", "9.2.2")
                   for x in r.clauses[n].reasons)


def test_evidence_dated_after_the_recorded_move_or_naming_the_topic_shows_the_new_requirement(demo2026: Path):
    org = demo2026 / "content/organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "migrated: 2026-11-20\n", encoding="utf-8")
    write(demo2026, "evidence/improvement/improvement-review-2026-12.yaml", """
        title: Improvement review after the move to ISO 9001:2026
        kind: record
        clauses: ["10.1"]
        date: 2026-12-01
        """)
    write(demo2026, "evidence/leadership/culture-walk.yaml", """
        title: Quality culture walk by the Managing Director
        kind: record
        clauses: ["5.1.1"]
        date: 2026-10-02
        topics: [quality-culture-ethics]
        """)
    project, _ = read_project(demo2026, load_catalog(), DEMO_AS_OF)
    r = assess(project, DEMO_AS_OF)
    assert leaf_reason(r, "10.1") is None
    assert leaf_reason(r, "5.1.1") is None
    x = leaf_reason(r, "9.3.3")
    assert x is not None and describe(x, True).startswith(
        "changed in ISO 9001:2026: no evidence for the new requirement yet; 2 records mapped to it predate the move (")
    assert describe(x, True).endswith("; map a current record dated after 2026-11-20")


def test_a_recorded_move_never_counts_before_the_edition_was_published(demo2026: Path):
    org = demo2026 / "content/organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "migrated: 2025-01-01\n", encoding="utf-8")
    project, diags = read_project(demo2026, load_catalog(), DEMO_AS_OF)
    assert [d.code for d in diags if d.path == "content/organisation.yaml"] == ["W183"]
    r = assess(project, DEMO_AS_OF)
    # the improvement log dated 2026-11 is after the publication, so it counts; one from before would not
    assert leaf_reason(r, "10.1") is None
    assert leaf_reason(r, "7.1.5.2")["since"] == date(2026, 9, 16)


def test_a_2015_project_gets_no_new_requirement_reason(demo: Path):
    _, r = judge(demo, DEMO_AS_OF)
    assert not any(x.code == "new-requirement-unevidenced" for c in r.clauses.values() for x in c.reasons)


def test_the_2026_dashboard_keeps_a_what_changed_for_you_panel(demo2026: Path, tmp_path: Path):
    project, r = judge(demo2026, DEMO_AS_OF)
    site = build_site(project, r, hashes=hashes(demo2026, project))
    panel = site.models("index")[0].changed
    assert panel.heading == "What changed for you in ISO 9001:2026"
    numbers = [row.clause.text.split()[0] for row in panel.rows]
    assert numbers == ["4.1", "4.2", "5.1.1", "6.1.1", "6.3", "7.1.4", "7.1.5.2", "7.1.6", "7.3", "9.3.2", "9.3.3",
                       "10.1"]
    assert panel.figures == "3 of 12 new or changed requirements shown by evidence"
    improvement = panel.rows[-1]
    assert (improvement.clause.url, improvement.clause.note, improvement.state) == (
        "clauses/10.1.html", "Changed in ISO 9001:2026", "at-risk")
    assert improvement.reason == describe(leaf_reason(r, "10.1"), True)
    assert panel.rows[0].reason == "evidence for the new requirement is mapped"
    # the page shows it
    from isoready.package.build import Options, build
    out = tmp_path / "site"
    assert build(Options(root=demo2026, as_of=DEMO_AS_OF, output=out, commit="test", use_cache=False)).ok
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "What changed for you in ISO 9001:2026" in html and 'href="./clauses/10.1.html"' in html


def test_a_2015_dashboard_has_no_what_changed_panel(demo: Path):
    project, r = judge(demo, DEMO_AS_OF)
    assert build_site(project, r, hashes=hashes(demo, project)).models("index")[0].changed is None


# --------------------------------------------------------------------------- the reasons reach every output


def test_climate_reason_reaches_clause_page_gap_report_readiness_json_workbook_and_report(minimal_project: Path,
                                                                                         tmp_path: Path):
    import json

    from openpyxl import load_workbook

    from isoready.package.build import Options, build

    context_project(minimal_project)
    out = tmp_path / "site"
    assert build(Options(root=minimal_project, as_of=AS_OF, output=out, commit="test", use_cache=False)).ok
    import html
    import re

    for page in ("clauses/4.1.html", "gaps.html", "report.html"):  # report.html is what report.pdf prints
        text = html.unescape(re.sub(r"<[^>]+>", "", (out / page).read_text(encoding="utf-8")))
        assert CLIMATE_SENTENCE in text, page
    data = json.loads((out / "readiness.json").read_text(encoding="utf-8"))
    clause = next(c for c in data["clauses"] if c["number"] == "4.1")
    assert "climate-undetermined" in clause["reason_codes"] and CLIMATE_SENTENCE in clause["reasons"]
    context = next(i for i in data["gates"]["stage1"]["items"] if i["check"] == "context")
    assert (context["passed"], context["code"], context["reason"]) == (False, "gate-climate-undetermined",
                                                                       GATE_SENTENCE)
    cells = [str(c.value) for row in load_workbook(out / "checklist.xlsx")["Checklist"].iter_rows() for c in row]
    assert any(CLIMATE_SENTENCE in c for c in cells)


def test_migrate_records_the_day_of_the_move_and_2015_evidence_still_shows_nothing(demo: Path):
    code, lines = migrate(demo, "ISO 9001:2026", DEMO_AS_OF)
    assert lines[-1].endswith(", migrated: 2026-12-06 recorded; 2 left for you to decide (listed above)")
    assert "migrated: 2026-12-06\n" in (demo / "content/organisation.yaml").read_text(encoding="utf-8")
    improvement = demo / "content/clauses/10-improvement.yaml"
    text = improvement.read_text(encoding="utf-8")
    improvement.write_text(text[:text.index('- clause: "10.3"')], encoding="utf-8")
    project, r = judge(demo, DEMO_AS_OF)
    assert project.organisation.migrated == DEMO_AS_OF
    x = leaf_reason(r, "10.1")
    assert x["since"] == DEMO_AS_OF and describe(x, True) == (
        "changed in ISO 9001:2026: no evidence for the new requirement yet; 1 record mapped to it predates the move "
        "(improvement/continual-improvement-log); map a current record dated after 2026-12-06")


def test_readiness_json_carries_the_settings_the_verdict_rests_on(demo: Path, minimal_project: Path):
    """issue 20: readiness.json (and its schema, checked on every build by conftest) lists systemic_minors and
    climate_change, so a CB's tool reads the thresholds and the determination the verdict used."""
    from isoready.outputs.export import readiness_json
    import json

    project, r = judge(demo)
    data = json.loads(readiness_json(build_site(project, r, hashes=hashes(demo, project)).export))
    assert (data["systemic_minors"], data["climate_change"]) == (3, {"relevant": True, "decided": "2026-03-10"})
    org = minimal_project / "content" / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "systemic_minors: 2\n", encoding="utf-8")
    project, r = judge(minimal_project)
    data = json.loads(readiness_json(build_site(project, r, hashes=hashes(minimal_project, project)).export))
    assert (data["systemic_minors"], data["climate_change"]) == (2, None)
