"""The transition to ISO 9001:2026: topics firing and not firing, the page, the dashboard panel,
readiness.json's ``transition`` key, and a project on the 2026 catalog end to end."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from isoready.assess import assess, transition
from isoready.read.catalog import load_catalog, load_topics
from isoready.outputs.export import readiness_dict
from isoready.model import Evidence, Organisation, Project, Transition
from isoready.package.build import Options, build
from isoready.views import PROVISIONAL_TEXT, build_site, describe

REPO = Path(__file__).resolve().parents[2]
FIXTURE_2026 = REPO / "tests" / "fixtures" / "edition2026"
AS_OF = date(2026, 11, 24)
C2015 = load_catalog("ISO 9001:2015")
C2026 = load_catalog("ISO 9001:2026")
# strategic-direction was retired (issue 20): 2015's 5.2.1 a) already asks for it, so it is no transition gap
KEYS = ["quality-culture-ethics", "risks-and-opportunities", "climate-change", "planning-of-changes",
        "organizational-knowledge", "management-review-inputs"]


def ev(id_: str, clauses=("4.1",), topics=(), audience="auditor", **kw) -> Evidence:
    return Evidence(id=id_, title=f"Record {id_}", kind=kw.pop("kind", "record"), clauses=tuple(clauses),
                    source="evidence/x.yaml", topics=tuple(topics), audience=audience, **kw)


def project(*evidence: Evidence, catalog=C2015, transition_dates=None) -> Project:
    org = Organisation(name="Org", standard=catalog.standard, transition=transition_dates)
    return Project(root=Path("."), organisation=org, catalog=catalog, evidence=evidence, assessments=(),
                   findings=(), documents=())


def states(result) -> dict[str, str]:
    return {t.key: t.state for t in result.topics}


def test_the_topics_are_the_contract_keys_in_the_data_order():
    assert list(load_topics().keys) == KEYS
    result = assess(project(), AS_OF).transition
    assert result.to == "ISO 9001:2026"
    assert [t.key for t in result.topics] == KEYS
    assert states(result) == dict.fromkeys(KEYS, "gap")
    assert {t.reason.code for t in result.topics} == {"topic-gap"}


def test_a_current_record_naming_a_topic_addresses_it():
    r = assess(project(ev("CULT-1", ("5.1.1",), ["quality-culture-ethics"], review_by=date(2027, 5, 1)),
                       ev("CTX", ("4.1", "4.2"), ["climate-change", "risks-and-opportunities"])), AS_OF).transition
    # CTX names risks-and-opportunities but sits on 4.1 and 4.2, not on the topic's 6.1: a keyword, no evidence
    assert states(r) == {**dict.fromkeys(KEYS, "gap"), "quality-culture-ethics": "addressed",
                         "climate-change": "addressed"}
    culture = r.topics[0]
    assert culture.evidence == ("CULT-1",) and culture.reason.code == "topic-addressed"
    risks = r.topics[1]
    assert (risks.reason.code, risks.reason.evidence, risks.evidence) == ("topic-unmapped", ("CTX",), ())
    assert describe(risks.reason, True) == ("named by CTX, but not mapped to 6.1: a keyword is not evidence; map "
                                            "the record that addresses it to one of those clauses")
    assert r.addressed == 2 and [g.key for g in r.gaps] == [KEYS[1], *KEYS[3:]]


def test_stale_or_future_records_do_not_address_a_topic():
    stale = ev("OLD", ("6.1",), ["risks-and-opportunities"], review_by=date(2026, 11, 23))
    future = ev("LATER", ("4.1",), ["climate-change"], date=date(2026, 11, 25))
    r = assess(project(stale, future), AS_OF).transition
    risks, climate = r.topics[1], r.topics[2]
    assert (risks.state, risks.reason.code, risks.reason["review_by"]) == ("gap", "topic-stale", date(2026, 11, 23))
    assert risks.evidence == ()
    assert (climate.state, climate.reason.code) == ("gap", "topic-gap")
    # on the record's review date itself it still counts
    assert states(assess(project(stale), date(2026, 11, 23)).transition)["risks-and-opportunities"] == "addressed"


def test_in_a_2015_project_the_clause_alone_does_not_address_the_2026_topic():
    """5.1.1 in 2015 holds the 2015 requirement: mapping to it says nothing about the quality-culture addition."""
    r = assess(project(ev("LEAD", ("5.1.1", "7.3", "6.1.1", "4.1"))), AS_OF).transition
    assert states(r) == dict.fromkeys(KEYS, "gap")


def test_in_a_2026_project_the_topic_clause_or_a_sub_clause_addresses_it_and_there_is_no_transition():
    p = project(ev("CULT", ("7.3",)), ev("OPP", ("6.1.3",)), catalog=C2026)
    assert assess(p, AS_OF).transition is None
    r = transition(p, AS_OF)
    assert states(r)["quality-culture-ethics"] == "addressed"
    assert states(r)["risks-and-opportunities"] == "addressed"  # 6.1.3 is under the topic's 6.1
    assert states(r)["climate-change"] == "gap"


def test_countdown_to_the_deadline_and_the_transition_audit():
    dates = Transition(deadline=date(2029, 9, 16), audit=date(2028, 2, 22))
    r = assess(project(transition_dates=dates), AS_OF).transition
    assert (r.deadline, r.deadline_days, r.audit, r.audit_days) == (date(2029, 9, 16), 1027, date(2028, 2, 22), 455)
    panel = build_site(project(transition_dates=dates), assess(project(transition_dates=dates), AS_OF)) \
        .models("index")[0].transition
    assert [(c.text, c.note) for c in panel.countdowns] == [
        ("Transition deadline", "2029-09-16 (in 1027 days)"), ("Transition audit", "2028-02-22 (in 455 days)")]


def test_without_dates_the_panel_gives_the_reported_default_to_confirm():
    p = project()
    panel = build_site(p, assess(p, AS_OF)).models("index")[0].transition
    assert [(c.text, c.note) for c in panel.countdowns] == [
        ("Transition deadline", "not set: reported about three years after publication, around September 2029 "
                                "(2029-09-16); confirm with your certification body and record it under transition: "
                                "in organisation.yaml"),
        ("Transition audit", "not planned yet")]


def test_panel_counts_topics_and_links_each_gap_to_the_transition_page():
    p = project(ev("CTX", ("4.1",), ["climate-change"]))
    site = build_site(p, assess(p, AS_OF))
    panel = site.models("index")[0].transition
    assert (panel.heading, panel.figures, panel.addressed, panel.total) == (
        "Ready for ISO 9001:2026?", "1 of 6 topics addressed", 1, 6)
    assert [(g.url, g.note) for g in panel.gaps] == [(f"transition.html#topic-{k}", k) for k in KEYS if
                                                      k != "climate-change"]
    page = site.models("transition")[0]
    assert [t.anchor for t in page.topics] == [f"topic-{k}" for k in KEYS]
    climate = page.topics[2]
    assert (climate.state_label, climate.reason, [e.note for e in climate.evidence]) == (
        "Addressed", "addressed by CTX", ["CTX"])
    assert [c.text for c in climate.clauses] == ["4.1", "4.2"]
    assert climate.clauses[0].note == C2026["4.1"].name
    # the transition page speaks to an auditor (issue 21): what the register shows, not what to add to a file;
    # the team's instruction stays in readiness.json (and the dashboard's panel links to the topic)
    assert page.topics[0].reason == "no current record mapped to its clauses addresses it"
    gap = assess(p, AS_OF).transition.topics[0].reason
    assert describe(gap, True) == ("no current evidence names it: add 'topics: [quality-culture-ethics]' to the "
                                   "records that address it")
    provisional = {t.key: t.provisional_text for t in page.topics}
    assert provisional["organizational-knowledge"] == PROVISIONAL_TEXT == "provisional: from the FDIS and secondary sources"
    assert provisional["quality-culture-ethics"] == ""
    assert all(t.look_for for t in page.topics)


def test_withheld_evidence_never_appears_but_the_state_does_not_change():
    p = project(ev("SECRET-7", ("5.1.1",), ["quality-culture-ethics"], audience="internal"),
                ev("OPEN-1", ("4.1",), ["climate-change"], audience="public"))
    r = assess(p, AS_OF)
    public = build_site(p, r, audience="public")
    topic = public.models("transition")[0].topics[0]
    assert (topic.state, topic.evidence, topic.reason, topic.hidden_text) == (
        "addressed", (), "addressed by 1 record", "1 record not shown in this build.")
    out = readiness_dict(public.export)["transition"]
    assert out["topics"][0] == {"key": "quality-culture-ethics", "clauses": ["5.1.1", "7.3"], "state": "addressed",
                                "provisional": False, "evidence": [], "reason": "addressed by 1 record",
                                "code": "topic-addressed"}
    assert "SECRET-7" not in json.dumps(readiness_dict(public.export))
    internal = readiness_dict(build_site(p, r, audience="internal").export)["transition"]
    assert internal["topics"][0]["evidence"] == ["SECRET-7"]


def test_the_transition_key_of_a_2015_project():
    dates = Transition(deadline=date(2029, 9, 16), audit=date(2028, 2, 22))
    p = project(ev("CTX", ("4.1",), ["climate-change"]), transition_dates=dates)
    out = readiness_dict(build_site(p, assess(p, AS_OF)).export)
    t = out["transition"]
    assert (t["to"], t["deadline"], t["audit"], t["addressed"], t["total"]) == (
        "ISO 9001:2026", "2029-09-16", "2028-02-22", 1, 6)
    assert [x["key"] for x in t["topics"]] == KEYS
    assert [x["state"] for x in t["topics"]] == ["gap", "gap", "addressed", "gap", "gap", "gap"]
    assert t["topics"][2]["evidence"] == ["CTX"] and t["topics"][2]["clauses"] == ["4.1", "4.2"]
    assert readiness_dict(build_site(project(), assess(project(), AS_OF)).export)["transition"]["deadline"] is None


# --------------------------------------------------------------------------- a project on the 2026 catalog


@pytest.fixture(scope="module")
def site2026(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("e2026") / "site"
    result = build(Options(root=FIXTURE_2026, as_of=AS_OF, output=out, commit="test", use_cache=False))
    assert result.ok and result.diagnostics == [], result.diagnostics
    return out


def test_a_2026_project_builds_on_its_catalog(site2026: Path):
    data = json.loads((site2026 / "readiness.json").read_text(encoding="utf-8"))
    assert data["standard"] == "ISO 9001:2026" and data["amendments"] == []
    assert data["transition"] is None
    assert [c["number"] for c in data["clauses"]] == [c.number for c in C2026.clauses]
    assert "6.1.3" in [c["number"] for c in data["clauses"]] and "10.3" not in [c["number"] for c in data["clauses"]]
    assert (site2026 / "clauses" / "6.1.3.html").is_file() and not (site2026 / "clauses" / "10.3.html").exists()
    assert not (site2026 / "transition.html").exists()
    index = (site2026 / "index.html").read_text(encoding="utf-8")
    assert "transition-panel" not in index and "ISO 9001:2015" not in index
    assert "<h1>Clauses of ISO 9001:2026</h1>" in (site2026 / "clauses.html").read_text(encoding="utf-8")


def test_the_rules_work_on_2026_clause_numbers(site2026: Path):
    data = json.loads((site2026 / "readiness.json").read_text(encoding="utf-8"))
    clauses = {c["number"]: c for c in data["clauses"]}
    assert clauses["6.1.3"]["state"] == "not-ready"  # in-progress, target 2027-01-31
    assert clauses["6.1.3"]["reason_codes"][0] == "status-not-done"
    assert clauses["6.1.2"]["state"] == "ready" and clauses["6.1.2"]["evidence"] == ["RR-2026"]
    assert clauses["10.1"]["evidence"] == ["CI-LOG"]
    # the internal audit and management review checks name their 2026 clauses
    assert "9.2.2" in json.dumps(data["gates"]["stage1"]) and "9.3.3" in json.dumps(data["gates"]["stage1"])


def test_2026_clause_pages_show_provisional_entries_and_change_badges(site2026: Path):
    page = (site2026 / "clauses" / "6.1.3.html").read_text(encoding="utf-8")
    assert '<span class="provisional">(provisional: from the FDIS and secondary sources)</span>' in page
    assert '<span class="badge change-split">Split in ISO 9001:2026</span>' in page
    assert "Where this entry's facts come from" in page
    unchanged = (site2026 / "clauses" / "8.4.1.html").read_text(encoding="utf-8")
    assert "provisional: from the FDIS" not in unchanged and "badge change-" not in unchanged
    # the parent's sub-clause table and the clauses index mark provisional entries too
    assert page.count("provisional: from the FDIS") == 1
    parent = (site2026 / "clauses" / "6.1.html").read_text(encoding="utf-8")
    assert parent.count("provisional: from the FDIS and secondary sources") == 3  # 6.1.1, 6.1.2, 6.1.3
    assert '<span class="badge change-changed">Changed in ISO 9001:2026</span>' in parent
    index = (site2026 / "clauses.html").read_text(encoding="utf-8")
    assert index.count("provisional: from the FDIS and secondary sources") == sum(
        c.provisional for c in C2026.clauses)


def test_2015_pages_carry_no_edition_badges():
    p = project(ev("X", ("6.1.2",)))
    site = build_site(p, assess(p, AS_OF))
    c = {v.number: v for v in site.models("clause")}["6.1.2"]
    assert (c.provisional, c.change, c.change_label, c.sources) == (False, "", "", ())
