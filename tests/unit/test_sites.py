"""Sites in the register (issue 25): per-site states, the organisation as ready as its least ready site, coverage
per site, the every-site-audited gate check, the site diagnostics, readiness.json's sites and sampling."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from isoready.assess import assess
from isoready.cli import main
from isoready.read.catalog import load_catalog
from isoready.validate.project import read_project
from isoready.views import describe
from schema_check import readiness_errors

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "multi-site"
AS_OF = date(2026, 12, 6)


def _assess(root: Path):
    project, diagnostics = read_project(root, load_catalog("ISO 9001:2015"), AS_OF)
    assert [d for d in diagnostics if d.severity == "error"] == []
    return project, assess(project, AS_OF)


@pytest.fixture(scope="module")
def example():
    return _assess(EXAMPLE)


def _item(r, check):
    return next(i for i in r.gates["stage2"].items if i.check == check)


def test_each_site_is_judged_on_its_own_assessments(example) -> None:
    _, r = example
    by_site = {s.site: s.readiness for s in r.sites}
    assert list(by_site) == ["group-office", "denholm", "carlow", "brno", "tampere", "leeds"]
    # 8.5.1 is assessed once for the five established sites and once for Leeds, still bringing it in
    assert by_site["carlow"].clauses["8.5.1"].state == "ready"
    assert by_site["carlow"].clauses["8.5.1"].status == "implemented"
    assert by_site["leeds"].clauses["8.5.1"].state == "not-ready"
    assert by_site["leeds"].clauses["8.5.1"].status == "in-progress"
    # a finding raised at Brno weighs on Brno only
    assert by_site["brno"].clauses["8.6"].state == "not-ready"
    assert by_site["tampere"].clauses["8.6"].state != "not-ready"


def test_the_organisation_is_as_ready_as_its_least_ready_site_and_the_reason_names_it(example) -> None:
    _, r = example
    c = r.clauses["8.5.1"]
    assert c.state == "not-ready"
    assert (c.reasons[0].code, c.reasons[0]["sites"], c.reasons[0]["total"]) == ("site-state", ("leeds",), 6)
    assert describe(c.reasons[0], True) == ("not ready at 1 site (leeds) of the 6 where it applies: the "
                                           "organisation is as ready as its least ready site")
    assert r.clauses["8.6"].reasons[0]["sites"] == ("brno",)
    # the parent and the figures follow the leaves
    assert r.clauses["8.5"].state == "not-ready" and "8.5.1" in r.clauses["8.5"].reasons[0]["clauses"]
    assert r.state_counts["not-ready"] == 14


def test_coverage_counts_only_the_audits_of_the_site(example) -> None:
    _, r = example
    cov = {s.site: s.readiness.coverage for s in r.sites}
    assert cov["carlow"].audits == ("performance/internal-audit-carlow-2026-10",)
    assert cov["carlow"].uncovered == ()
    assert cov["leeds"].audits == ()  # the other plants' audits do not reach Leeds
    assert "performance/internal-audit-report-2026-09" in cov["denholm"].audits
    assert cov["denholm"].uncovered == ("6.3", "8.2.4")
    assert [s.site for s in r.sites if s.audited] == ["carlow", "brno", "tampere"]


def test_every_site_audited_fails_naming_the_sites(example) -> None:
    _, r = example
    item = _item(r, "every-site-audited")
    assert not item.passed
    assert item.reason["never"] == ("leeds",)
    assert describe(item.reason, True) == (
        "no internal audit within the window at leeds; at group-office, not covered: 6.3, 8.2.4; at denholm, not "
        "covered: 6.3, 8.2.4 (3 of 6 sites): every site, the central function included, needs its own internal "
        "audit before certification")


def test_a_major_at_one_site_fails_no_open_major_naming_the_site(example) -> None:
    _, r = example
    item = _item(r, "no-open-major")
    assert not item.passed
    assert ("BR-2026-01", ("brno",)) in item.reason["sites"]
    assert describe(item.reason, True).startswith(
        "open major finding(s): IA-2026-02 (at group-office), BR-2026-01 (at brno)")


def _tiny(root: Path, organisation: str, audits: str, clauses: str = "") -> Path:
    (root / "content" / "clauses").mkdir(parents=True)
    (root / "evidence" / "performance").mkdir(parents=True)
    (root / "content" / "organisation.yaml").write_text(organisation, encoding="utf-8")
    (root / "evidence" / "performance" / "audits.yaml").write_text(audits, encoding="utf-8")
    (root / "content" / "clauses" / "x.yaml").write_text(clauses or "[]\n", encoding="utf-8")
    return root


SITES = """name: Two Sites Ltd
sites:
  - {id: office, name: Office, central: true, employees: 5}
  - {id: plant, name: Plant, employees: 20}
"""
AUDIT = """- id: ia-{site}
  title: Internal audit {site}
  kind: record
  clauses: ["9.2.2"]
  date: 2026-10-01
  sites: [{site}]
  covers: ["4", "5", "6", "7", "8", "9", "10"]
"""


def test_every_site_audited_passes_when_each_site_has_its_audit(tmp_path: Path) -> None:
    root = _tiny(tmp_path / "both", SITES, AUDIT.format(site="office") + AUDIT.format(site="plant"))
    _, r = _assess(root)
    item = _item(r, "every-site-audited")
    assert item.passed and item.evidence == ("ia-office", "ia-plant")
    root = _tiny(tmp_path / "one", SITES, AUDIT.format(site="office"))
    _, r = _assess(root)
    item = _item(r, "every-site-audited")
    assert not item.passed and item.reason["never"] == ("plant",)
    # the same audit without sites: reaches every site
    root = _tiny(tmp_path / "all", SITES, AUDIT.format(site="office").replace("  sites: [office]\n", ""))
    assert _item(_assess(root)[1], "every-site-audited").passed


def test_a_project_of_one_site_is_judged_as_before(tmp_path: Path) -> None:
    root = _tiny(tmp_path / "single", "name: One Site Ltd\n", AUDIT.format(site="x").replace("  sites: [x]\n", ""))
    _, r = _assess(root)
    assert r.sites == ()
    assert "every-site-audited" not in [i.check for i in r.gates["stage2"].items]


def test_the_demo_has_no_site_keys_in_readiness_json(tmp_path: Path) -> None:
    assert main(["build", "--root", str(ROOT), "--as-of", "2026-12-06", "--output", str(tmp_path / "out"),
                 "--no-cache"]) == 0
    data = json.loads((tmp_path / "out" / "readiness.json").read_text(encoding="utf-8"))
    assert "sites" not in data and "sampling" not in data
    assert "every-site-audited" not in [i["check"] for i in data["gates"]["stage2"]["items"]]


def test_readiness_json_sites_and_sampling(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["build", "--root", str(EXAMPLE), "--as-of", "2026-12-06", "--output", str(out), "--no-cache"]) == 0
    data = json.loads((out / "readiness.json").read_text(encoding="utf-8"))
    assert readiness_errors(data) == []
    assert [list(s) for s in data["sites"]][0] == ["id", "name", "employees", "central", "readiness", "blockers"]
    sites = {s["id"]: s for s in data["sites"]}
    assert sites["group-office"]["central"] is True and sites["brno"]["employees"] == 52
    assert list(sites["leeds"]["readiness"]) == ["ready_share", "at_risk_share", "not_ready_share"]
    assert sites["leeds"]["readiness"]["not_ready_share"] == pytest.approx(13 / 59)
    assert "8.5.1" in [b["clause"] for b in sites["leeds"]["blockers"]]
    assert "8.5.1" not in [b["clause"] for b in sites["carlow"]["blockers"]]
    brno_86 = next(b for b in sites["brno"]["blockers"] if b["clause"] == "8.6")
    assert "finding-open" in brno_86["codes"]
    sampling = data["sampling"]
    assert list(sampling) == ["initial", "surveillance", "recertification", "method", "sites_likely", "audit_days",
                              "basis"]
    # IAF MD 1 for x = 5 sites besides the central function: ceil(sqrt 5), ceil(0.6 sqrt 5), ceil(0.8 sqrt 5)
    assert (sampling["initial"], sampling["surveillance"], sampling["recertification"]) == (3, 2, 2)
    assert (sampling["method"], sampling["basis"]) == ("sampling", "md1-sites-alike")
    initial = sampling["sites_likely"][0]
    assert initial["audit"] == "initial" and initial["picks"][0] == {"site": "group-office", "code": "central-function"}
    assert len(initial["picks"]) - 1 + initial["random_count"] == 3
    days = sampling["audit_days"]
    assert (days["effective_personnel"], days["band"], days["basis"]) == (198, [176, 275], "md5-qms-table")
    assert (days["stage1_plus_stage2"], days["surveillance"], days["recertification"]) == (9.0, 3.0, 6.0)


def _validate(root: Path, capsys) -> list[str]:
    code = main(["validate", "--root", str(root), "--as-of", "2026-12-06"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    return lines


def test_site_diagnostics(tmp_path: Path, capsys, monkeypatch) -> None:
    """The lines docs/diagnostics.md shows, exactly."""
    org = SITES + """  - {id: lab, name: Lab, central: true}
  - {id: plant, name: Plant again}
"""
    clauses = """- clause: "4.1"
  status: implemented
  sites: [office, plant]
- clause: "4.1"
  status: planned
  sites: [plant]
- clause: "4.2"
  status: implemented
  sites: [plnat]
"""
    root = _tiny(tmp_path / "p", org, AUDIT.format(site="office"), clauses)
    monkeypatch.chdir(root)
    assert _validate(Path("."), capsys) == [
        "content/clauses/x.yaml:4:11: E432 clause '4.1' assessed twice for site 'plant' (first in "
        "content/clauses/x.yaml:1) (keep one entry per clause and site; an entry without 'sites:' is for every site)",
        "content/clauses/x.yaml:9:11: E431 unknown site id 'plnat' (did you mean 'plant'?)",
        "content/organisation.yaml:5:10: E430 site 'lab' is a second central function (first: 'office') (mark one "
        "site 'central: true': the central function of IAF MD 1)",
        "content/organisation.yaml:6:10: E430 duplicate site id 'plant' (also on line 4) (give each site its own id)",
        "4 errors, 0 warnings",
    ]


def test_site_singular_is_refused_with_a_hint(tmp_path: Path, capsys, monkeypatch) -> None:
    root = _tiny(tmp_path / "p", "name: X\nsite: Denholm\n", AUDIT.format(site="x").replace("  sites: [x]\n", ""))
    monkeypatch.chdir(root)
    assert _validate(Path("."), capsys)[0] == ("content/organisation.yaml:2:1: E203 unknown key 'site' in "
                                               "organisation settings (did you mean 'sites'?)")


def test_the_contract_names_the_sampling_words_assess_uses() -> None:
    from isoready import assess as a
    from isoready.outputs import contract as c

    assert (c.CB_AUDITS, c.CB_METHODS, c.CB_BASES, c.CB_PICKS, c.CB_DAY_BASES) == (
        a.AUDITS, a.METHODS, a.BASES, a.PICK_CODES, a.DAY_BASES)


# ----------------------------------------------------------------- coverage per site across the organisation


def test_the_organisations_coverage_counts_no_audit_of_one_site_for_another(example) -> None:
    """Leeds has no audit of its own: no leaf is covered organisation-wide, however many other plants' audits
    reached it; 6.3 and 8.2.4 are not covered at the group office and Denholm either."""
    _, r = example
    cov = r.coverage
    assert len(cov.audits) == 5 and cov.uncovered == tuple(cov.leaves) and len(cov.leaves) == 59
    assert all(ids == () for ids in cov.leaves.values())
    assert cov.unaudited_at["8.5.1"] == ("leeds",)
    assert cov.unaudited_at["6.3"] == ("group-office", "denholm", "leeds")
    item = _item(r, "internal-audit-coverage")
    assert not item.passed and item.reason.code == "gate-coverage-gap"
    assert item.reason["leaves"] == cov.uncovered and "8.5.1" in item.clauses
    # a leaf brings a coverage note once, from its site or from the organisation
    assert [x.code for x in r.clauses["6.3"].reasons].count("coverage-planned") == 1
    # why an audit did not count comes from the sites where the leaf is not covered: 8.2.4's September audit
    # at the group office and Denholm was held before it was in place; 7.1.5.1 lacks only Leeds, which has no
    # audit, so the group office's own-work audit of it (covered there by another) is no reason here
    assert cov.before == {"8.2.4": ("performance/internal-audit-report-2026-09",)} and cov.own == {}
    assert "audited-before-in-place" in [x.code for x in r.clauses["8.2.4"].reasons]
    assert "auditor-own-work" not in [x.code for x in r.clauses["7.1.5.1"].reasons]


def test_the_coverage_page_shows_no_clause_covered_while_a_site_is_unaudited(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["build", "--root", str(EXAMPLE), "--as-of", "2026-12-06", "--output", str(out), "--no-cache"]) == 0
    page = (out / "coverage.html").read_text(encoding="utf-8")
    assert "0 of 59 applicable clauses covered by 5 internal audits" in page
    data = json.loads((out / "readiness.json").read_text(encoding="utf-8"))
    item = next(i for i in data["gates"]["stage2"]["items"] if i["check"] == "internal-audit-coverage")
    assert item["passed"] is False


def _coverage_of(tmp_path: Path, name: str, audits: str):
    _, r = _assess(_tiny(tmp_path / name, SITES, audits))
    return r.coverage, _item(r, "internal-audit-coverage"), _item(r, "every-site-audited")


def test_a_leaf_is_covered_only_when_each_site_has_its_own_audit(tmp_path: Path) -> None:
    cov, gate, sites = _coverage_of(tmp_path, "office-only", AUDIT.format(site="office"))
    assert cov.audits == ("ia-office",)
    assert not gate.passed and cov.uncovered == tuple(cov.leaves)
    assert set(cov.unaudited_at.values()) == {("plant",)}
    assert not sites.passed
    cov, gate, sites = _coverage_of(tmp_path, "both", AUDIT.format(site="office") + AUDIT.format(site="plant"))
    assert gate.passed and sites.passed and cov.uncovered == () and cov.unaudited_at == {}
    assert cov.leaves["8.5.1"] == ("ia-office", "ia-plant")


def test_an_audit_naming_no_site_counts_at_every_site(tmp_path: Path) -> None:
    cov, gate, sites = _coverage_of(tmp_path, "all", AUDIT.format(site="office").replace("  sites: [office]\n", ""))
    assert gate.passed and sites.passed and cov.leaves["8.5.1"] == ("ia-office",)
    # an audit of the plant that covers only clause 8 leaves the plant's other clauses uncovered there
    partial = AUDIT.format(site="office").replace("  sites: [office]\n", "").replace(
        'covers: ["4", "5", "6", "7", "8", "9", "10"]', 'covers: ["4", "5", "6", "7", "9", "10"]') + \
        AUDIT.format(site="plant").replace('covers: ["4", "5", "6", "7", "8", "9", "10"]', 'covers: ["8"]')
    cov, gate, sites = _coverage_of(tmp_path, "partial", partial)
    assert cov.uncovered == tuple(n for n in cov.leaves if n.startswith("8."))
    assert cov.unaudited_at["8.5.1"] == ("office",) and cov.leaves["4.1"] == ("ia-office",)
    assert not gate.passed and not sites.passed and sites.reason["partly"][0][0] == "office"


def test_an_audit_record_naming_an_unknown_site_is_refused(tmp_path: Path, capsys, monkeypatch) -> None:
    root = _tiny(tmp_path / "p", SITES, AUDIT.format(site="plnat"))
    monkeypatch.chdir(root)
    assert _validate(Path("."), capsys)[0] == (
        "evidence/performance/audits.yaml:6:11: E431 unknown site id 'plnat' (did you mean 'plant'?)")


def test_a_per_site_assessment_beside_one_for_every_site_is_assessed_twice(tmp_path: Path, capsys,
                                                                           monkeypatch) -> None:
    clauses = """- clause: "8.5.1"
  status: planned
  sites: [plant]
- clause: "8.5.1"
  status: implemented
"""
    root = _tiny(tmp_path / "p", SITES, AUDIT.format(site="office"), clauses)
    monkeypatch.chdir(root)
    assert _validate(Path("."), capsys)[0] == (
        "content/clauses/x.yaml:1:11: E432 clause '8.5.1' assessed twice for site 'plant' (first in "
        "content/clauses/x.yaml:4) (keep one entry per clause and site; an entry without 'sites:' is for every site)")


def test_site_projects_index_each_sites_records_as_site_project_filters_them(example) -> None:
    from isoready.assess import site_project, site_projects

    project, _ = example
    projects = site_projects(project)
    assert list(projects) == [s.id for s in project.organisation.sites]
    for site, p in projects.items():
        assert p == site_project(project, site)


# ----------------------------------------------------------------- new sites (added:) and the site-id fix


def test_site_added_and_site_id_diagnostics(tmp_path: Path, capsys, monkeypatch) -> None:
    """A bad or future ``added:`` and a bad site id: each a line with its fix (docs/diagnostics.md shows them)."""
    org = """name: Two Sites Ltd
sites:
  - {id: office, name: Office, central: true, added: 2026-13-01}
  - {id: North Plant, name: Plant}
  - {id: lab, name: Lab, added: 2027-01-10}
"""
    audit = AUDIT.format(site="office").replace("sites: [office]", "sites: [office, Lab]")
    root = _tiny(tmp_path / "p", org, audit)
    monkeypatch.chdir(root)
    assert _validate(Path("."), capsys) == [
        "content/organisation.yaml:3:54: E205 impossible added '2026-13-01' (write a real date as YYYY-MM-DD)",
        "content/organisation.yaml:4:10: E208 'North Plant' is not a valid site id (use lower-case letters, digits "
        "and '-', e.g. north-plant)",
        "content/organisation.yaml:5:33: W184 site 'lab' is added 2027-01-10, after the as-of date 2026-12-06: it is "
        "not part of the system yet, and counts as a new site (correct the date, or add the site once it joins)",
        "evidence/performance/audits.yaml:6:19: E208 'Lab' is not a valid site id (use lower-case letters, digits "
        "and '-', e.g. north-plant)",
        "3 errors, 1 warning",
    ]


def test_a_site_is_new_within_twelve_months_or_after_the_last_certification_audit() -> None:
    from isoready.assess import last_certification_audit, site_is_new
    from isoready.model import Organisation, Site, Transition

    org = Organisation("X")
    day = date(2026, 12, 6)
    assert not site_is_new(Site("a", "A"), org, day)  # no added: never new
    assert site_is_new(Site("a", "A", added=date(2025, 12, 7)), org, day)
    assert not site_is_new(Site("a", "A", added=date(2025, 12, 6)), org, day)  # twelve months to the day: not
    assert site_is_new(Site("a", "A", added=date(2027, 1, 10)), org, day)  # joins later (W184)
    certified = Organisation("X", audits={"stage1": date(2023, 1, 10), "stage2": date(2023, 3, 1)},
                             transition=Transition(audit=date(2024, 2, 1)))
    assert last_certification_audit(certified, day) == date(2024, 2, 1)
    assert site_is_new(Site("a", "A", added=date(2024, 6, 1)), certified, day)  # after the last CB audit
    assert not site_is_new(Site("a", "A", added=date(2024, 1, 1)), certified, day)
    booked = Organisation("X", audits={"stage1": date(2027, 1, 19)})  # not yet held: no certification audit
    assert last_certification_audit(booked, day) is None
    assert not site_is_new(Site("a", "A", added=date(2024, 6, 1)), booked, day)


def test_the_example_has_one_new_site_and_the_cb_plan_knows_it(example) -> None:
    from isoready.package.assemble import hash_documents
    from isoready.views.context import Context
    from isoready.views.multisite import site_facts

    project, _r = example
    assert [s.id for s in project.organisation.sites if s.added] == ["leeds"]
    facts = {f.id: f for f in site_facts(Context(project, _r, "auditor", "", hash_documents(project)))}
    assert [i for i, f in facts.items() if f.new] == ["leeds"]
    assert facts["leeds"].last_audit is None  # the one plant not yet audited
