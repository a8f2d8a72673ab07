"""Issue 20, auditcert slice: internal audit coverage and the certificate are cross-examined, not believed.

Each rule fires and does not fire, with its reason code and the sentence an auditor reads asserted; the Why
bullets are applied to a copy of the demo (content/ and evidence/ at the repository root, as-of 2026-12-06).
The diagnostics (W175-W179) are asserted exactly in test_validate.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest

from isoready.gitfacts import gitdata
from isoready.package.assemble import _Unhashed
from isoready.assess import assess, auditor_names, in_place_since
from isoready.read.catalog import load_catalog
from isoready.outputs.export import readiness_json
from isoready.model import Assessment
from isoready.validate.project import read_project
from isoready.views import build_site as _build_site, describe

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 1)  # the minimal fixture
DEMO_AS_OF = date(2026, 12, 6)


def build_site(project, r, audience: str = "auditor"):
    return _build_site(project, r, audience, hashes=_Unhashed())


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")


def judge(root: Path, as_of: date = AS_OF, status_log=None):
    project, diags = read_project(root, load_catalog(), as_of)
    assert not [d for d in diags if d.severity == "error"], [d.format() for d in diags]
    return project, assess(project, as_of, None, status_log)


def item(r, stage: str, check: str):
    return next(i for i in r.gates[stage].items if i.check == check)


def notes(r, clause: str) -> list[tuple[str, str]]:
    return [(x.code, describe(x, True)) for x in r.clauses[clause].reasons
            if x.code in ("audited-before-in-place", "auditor-own-work")]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    for folder in ("content", "evidence"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


AUDIT = "evidence/performance/internal-audit-2026.yaml"


# --------------------------------------------------------------------------- timing: since:


def test_an_audit_before_the_clause_was_in_place_does_not_cover_it(minimal_project: Path) -> None:
    write(minimal_project, "content/clauses/x.yaml", '- clause: "7.5"\n  status: implemented\n  since: 2026-10-01\n')
    _, r = judge(minimal_project)
    cov = r.coverage
    assert set(cov.uncovered) == {"7.5.1", "7.5.2", "7.5.3.1", "7.5.3.2"}
    assert cov.before["7.5.1"] == ("performance/internal-audit-2026",)
    assert notes(r, "7.5.1") == [("audited-before-in-place",
                                  "not covered by internal audit: the audit (performance/internal-audit-2026 of "
                                  "2026-09-22) was held before it was in place (since 2026-10-01, from its "
                                  "assessment's since:)")]
    assert r.clauses["7.5.1"].state == "at-risk"  # a note: the state is what it was (no evidence on 7.5.1)
    check = item(r, "stage2", "internal-audit-coverage")
    assert not check.passed and check.reason.code == "gate-coverage-gap"
    assert describe(check.reason, True).endswith(
        "; audited only before they were in place: 7.5.1, 7.5.2, 7.5.3.1, 7.5.3.2")


def test_an_audit_on_or_after_the_date_in_place_covers_it(minimal_project: Path) -> None:
    write(minimal_project, "content/clauses/x.yaml", '- clause: "7.5"\n  status: implemented\n  since: 2026-09-22\n')
    _, r = judge(minimal_project)
    assert r.coverage.uncovered == () and r.coverage.before == {}
    assert notes(r, "7.5.1") == []
    assert r.coverage.in_place["7.5.1"] == (date(2026, 9, 22), "since")
    assert item(r, "stage2", "internal-audit-coverage").reason.code == "gate-coverage-ok"


def test_the_coverage_page_says_when_no_timing_check_could_be_made(minimal_project: Path) -> None:
    project, r = judge(minimal_project)
    page = build_site(project, r).pages
    cov = next(p for p in page if p.path == "coverage.html").model
    assert cov.timing == ("No timing check could be made: no assessment gives 'since:' and git shows no commit "
                          "changing a status to implemented, so an audit held before a process existed would still "
                          "count here.")
    write(minimal_project, "content/clauses/x.yaml", '- clause: "7.5"\n  status: implemented\n  since: 2026-09-01\n')
    project, r = judge(minimal_project)
    cov = next(p for p in build_site(project, r).pages if p.path == "coverage.html").model
    assert cov.timing.startswith("Timing checked for 4 of 59 applicable clauses (from 'since:' or git); no timing "
                                 "check could be made for 55: 4.1, 4.2,")


# --------------------------------------------------------------------------- timing: from git


def _git(root: Path, *args: str, day: str = "2026-01-01") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T12:00:00+00:00", "GIT_COMMITTER_DATE": f"{day}T12:00:00+00:00",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def test_git_dates_the_commit_that_made_a_clause_implemented(minimal_project: Path) -> None:
    root = minimal_project
    _git(root, "init", "-q")
    write(root, "content/clauses/x.yaml", '- clause: "7.5"\n  status: in-progress\n')
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "start", day="2026-06-01")
    write(root, "content/clauses/x.yaml", '- clause: "7.5"\n  status: implemented\n')
    _git(root, "commit", "-qam", "7.5 in place", day="2026-10-10")
    log = gitdata.assessment_statuses(gitdata.open_repo(root))
    assert log["7.5"] == ((date(2026, 6, 1), "in-progress"), (date(2026, 10, 10), "implemented"))
    assert log["4.3"] == ((date(2026, 6, 1), "implemented"), (date(2026, 10, 10), "implemented"))
    _, r = judge(root, status_log=log)
    assert "7.5.1" in r.coverage.uncovered
    assert notes(r, "7.5.1") == [("audited-before-in-place",
                                  "not covered by internal audit: the audit (performance/internal-audit-2026 of "
                                  "2026-09-22) was held before it was in place (since 2026-10-10, from git: the "
                                  "commit that made it implemented)")]
    # 4.3 was implemented in the register's first commit: that says when it was written down, not since when
    assert "4.3" in r.coverage.untimed and "4.3" not in r.coverage.uncovered
    # judged before the commit, the commit is not yet known: no timing check
    _, before = judge(root, as_of=date(2026, 10, 1), status_log=log)
    assert "7.5.1" not in before.coverage.uncovered and "7.5.1" in before.coverage.untimed


def test_in_place_since_takes_the_latest_move_to_done() -> None:
    a = Assessment("7.5", "implemented", "x.yaml")
    log = {"7.5": ((date(2026, 1, 1), "planned"), (date(2026, 2, 1), "implemented"), (date(2026, 3, 1), "in-progress"),
                   (date(2026, 4, 1), "implemented"), (date(2026, 5, 1), "implemented"))}
    assert in_place_since(a, log, date(2026, 12, 1)) == (date(2026, 4, 1), "git")
    assert in_place_since(a, log, date(2026, 2, 15)) == (date(2026, 2, 1), "git")  # the later commits not yet known
    assert in_place_since(a, log, date(2026, 3, 15)) is None  # back in progress then
    assert in_place_since(a, {"7.5": ((date(2026, 1, 1), "implemented"),)}, date(2026, 12, 1)) is None
    assert in_place_since(Assessment("7.5", "implemented", "x.yaml", since=date(2025, 5, 5)), log,
                          date(2026, 12, 1)) == (date(2025, 5, 5), "since")


# --------------------------------------------------------------------------- independence


def test_an_auditor_does_not_cover_their_own_work(minimal_project: Path) -> None:
    edit(minimal_project / AUDIT, "date: 2026-09-22", "date: 2026-09-22\nauditor: Quality Manager")
    project, r = judge(minimal_project)
    said = ("not covered by internal audit: its owner, Quality Manager, audited it (performance/internal-audit-2026); "
            "auditors do not audit their own work")
    site = build_site(project, r)
    gaps = next(p for p in site.pages if p.path == "gaps.html").model
    assert [row.reasons for row in gaps.rows if row.clause.number == "4.3"] == [
        ("declared implemented; no gap, stale evidence or open nonconformity", said)]  # ready, yet a gap row
    out = json.loads(readiness_json(site.export))
    clause = next(c for c in out["clauses"] if c["number"] == "4.3")
    assert (clause["state"], clause["reason_codes"][-1], clause["reasons"][-1]) == ("ready", "auditor-own-work", said)
    assert r.coverage.uncovered == ("4.3",)  # 4.3's owner is the Quality Manager
    assert notes(r, "4.3") == [("auditor-own-work", "not covered by internal audit: its owner, Quality Manager, "
                                                   "audited it (performance/internal-audit-2026); auditors do not "
                                                   "audit their own work")]
    check = item(r, "stage2", "internal-audit-coverage")
    assert not check.passed
    assert describe(check.reason, True) == (
        "1 of 59 applicable clauses not covered by an internal audit within the window: 4.3 (list audited clauses "
        "under 'covers' on the audit records); audited only by their own owner: 4.3")


def test_an_independent_auditor_covers_it(minimal_project: Path) -> None:
    edit(minimal_project / AUDIT, "date: 2026-09-22", "date: 2026-09-22\nauditor: External consultant (lead); Managing Director")
    _, r = judge(minimal_project)
    assert r.coverage.uncovered == () and r.coverage.own == {}
    assert notes(r, "4.3") == []


def test_auditor_names() -> None:
    assert auditor_names("External consultant (lead); Quality Manager,  operations   manager") == (
        "external consultant", "quality manager", "operations manager")
    assert auditor_names(None) == ()


# --------------------------------------------------------------------------- an audit with empty covers


def test_an_audit_with_empty_covers_is_not_listed_as_contributing(minimal_project: Path) -> None:
    write(minimal_project, "evidence/performance/walk-round.yaml", """
        title: Walk-round
        kind: record
        clauses: ["9.2.2"]
        date: 2026-10-15
        """)
    project, r = judge(minimal_project)
    assert r.coverage.audits == ("performance/internal-audit-2026",)
    assert r.coverage.empty == ("performance/walk-round",)
    cov = next(p for p in build_site(project, r).pages if p.path == "coverage.html").model
    assert [a.url for a in cov.audits] == ["evidence/performance/internal-audit-2026.html"]
    assert cov.empty_text == "Not counted, listing no clauses under 'covers': performance/walk-round."
    # the only audit lists nothing: the coverage check names it instead of saying no audit was held
    (minimal_project / AUDIT).unlink()
    _, r = judge(minimal_project)
    check = item(r, "stage2", "internal-audit-coverage")
    assert not check.passed and check.reason.code == "gate-coverage-gap"
    assert describe(check.reason, True).endswith("; audit records listing no clauses under 'covers': "
                                                 "performance/walk-round")


def test_without_empty_audits_the_page_says_nothing_about_them(minimal_project: Path) -> None:
    project, r = judge(minimal_project)
    assert r.coverage.empty == ()
    cov = next(p for p in build_site(project, r).pages if p.path == "coverage.html").model
    assert cov.empty_text == ""


# --------------------------------------------------------------------------- the Why bullets, on the demo


def test_demo_an_audit_held_before_the_process_existed_no_longer_covers_it(demo: Path) -> None:
    _, r = judge(demo, DEMO_AS_OF)
    assert "8.2.4" in r.coverage.uncovered  # the demo's own case: in place since 2026-10-05
    edit(demo / "content/clauses/8-operation.yaml", "  since: 2026-10-05\n", "")
    _, r = judge(demo, DEMO_AS_OF)
    assert "8.2.4" not in r.coverage.uncovered  # without since: (and no git), the September audit counted
    edit(demo / "content/clauses/6-planning.yaml", '- clause: "6.2"\n  status: implemented\n',
         '- clause: "6.2"\n  status: implemented\n  since: 2026-11-20\n')
    _, r = judge(demo, DEMO_AS_OF)
    assert {"6.2.1", "6.2.2"} <= set(r.coverage.uncovered)
    assert notes(r, "6.2.1")[0][0] == "audited-before-in-place"
    assert not item(r, "stage2", "internal-audit-coverage").passed


def test_demo_one_walk_round_by_the_quality_manager_covers_only_what_others_own(demo: Path) -> None:
    # both audits become walk-rounds by the Quality Manager alone, covering everything
    edit(demo / "evidence/performance/internal-audit-report-2026-09.yaml",
         'auditor: "External consultant (lead)"',
         "auditor: Quality Manager")
    edit(demo / "evidence/performance/internal-audit-report-2026-09.yaml", 'covers: ["4", "5", "6.1", "6.2", "7", "8.2", '
         '"8.4", "8.5", "8.6", "8.7", "9", "10"]', 'covers: ["4", "5", "6", "7", "8", "9", "10"]')
    edit(demo / "evidence/performance/internal-audit-report-2026-11.yaml",
         'auditor: "External consultant (lead); Quality Manager"', "auditor: Quality Manager")
    _, r = judge(demo, DEMO_AS_OF)
    own = set(r.coverage.own)
    assert {"4.3", "8.6", "9.2.2", "10.2.1"} <= own  # the Quality Manager's own clauses
    assert notes(r, "8.6") == [("auditor-own-work", "not covered by internal audit: its owner, Quality Manager, "
                                                   "audited it (performance/internal-audit-report-2026-09); auditors "
                                                   "do not audit their own work")]
    assert "5.1.1" not in r.coverage.uncovered  # the Managing Director's: covered
    check = item(r, "stage2", "internal-audit-coverage")
    assert not check.passed and "audited only by their own owner: 4.3," in describe(check.reason, True)


# --------------------------------------------------------------------------- certificate and edition


CERT = "certificate:\n  number: NCS-Q-0001\n  issued: {issued}\n  expires: {expires}\n"


def dashboard(project, r):
    return next(p for p in build_site(project, r, audience="public").pages if p.path == "index.html").model


def test_demo_a_certificate_issued_in_the_future_is_never_claimed(demo: Path) -> None:
    with (demo / "content/organisation.yaml").open("a", encoding="utf-8") as fh:
        fh.write(CERT.format(issued="2027-04-01", expires="2029-03-31"))
    project, r = judge(demo, DEMO_AS_OF)
    page = dashboard(project, r)
    assert page.certification == "Not yet certified to ISO 9001:2015: the certificate recorded is issued only on 2027-04-01."
    assert "Certified" not in page.certification
    assert r.certificate.state == "not-yet-valid" and r.certificate.reason.code == "certificate-not-yet-valid"
    assert describe(r.certificate.reason, True) == ("not yet certified: the certificate recorded is issued only on "
                                                    "2027-04-01, after this date")
    assert page.certification_plan.startswith("Audits booked with Northgate Certification Services: stage 1")


def test_demo_an_expired_certificate_is_never_claimed(demo: Path) -> None:
    with (demo / "content/organisation.yaml").open("a", encoding="utf-8") as fh:
        fh.write(CERT.format(issued="2023-01-06", expires="2026-01-05"))  # eleven months ago
    project, r = judge(demo, DEMO_AS_OF)
    page = dashboard(project, r)
    assert page.certification == "Not certified to ISO 9001:2015: the certificate expired on 2026-01-05."
    assert r.certificate.state == "expired" and r.certificate.reason.code == "certificate-expired"
    assert describe(r.certificate.reason, True) == "certificate expired on 2026-01-05: not certified on this date"
    out = json.loads(readiness_json(build_site(project, r, audience="public").export))
    assert out["certificate"] == {"state": "expired", "reason": "certificate expired on 2026-01-05: not certified "
                                  "on this date", "code": "certificate-expired", "transition": None}


def test_a_valid_certificate_is_claimed(demo: Path) -> None:
    with (demo / "content/organisation.yaml").open("a", encoding="utf-8") as fh:
        fh.write(CERT.format(issued="2026-03-02", expires="2029-03-01"))
    project, r = judge(demo, DEMO_AS_OF)
    assert r.certificate.state == "valid" and r.certificate.reason.code == "certificate-valid"
    assert r.certificate.transition is None  # expires before the deadline
    assert dashboard(project, r).certification == (
        "Certified to ISO 9001:2015 by Northgate Certification Services: certificate NCS-Q-0001, issued 2026-03-02, "
        "expires 2029-03-01.")


def test_a_2015_certificate_outliving_the_transition_says_by_when_it_must_move(demo: Path) -> None:
    with (demo / "content/organisation.yaml").open("a", encoding="utf-8") as fh:
        fh.write(CERT.format(issued="2026-03-02", expires="2030-03-01"))
    project, r = judge(demo, DEMO_AS_OF)
    past = r.certificate.transition
    assert past.code == "certificate-past-transition"
    text = ("the ISO 9001:2015 certificate expires on 2030-03-01, after organisation.yaml's transition deadline of "
            "2029-09-16: it must move to ISO 9001:2026 by 2029-09-16, or it ends then")
    assert describe(past, True) == text
    page = next(p for p in build_site(project, r).pages if p.path == "transition.html").model
    # the transition page speaks to an auditor (issue 21): the organisation's deadline, not a file's
    assert page.certificate_text == ("The ISO 9001:2015 certificate expires on 2030-03-01, after the organisation's "
                                     "transition deadline of 2029-09-16: it must move to ISO 9001:2026 by 2029-09-16, "
                                     "or it ends then.")
    # without the organisation's own deadline, the edition data's, with its confidence
    edit(demo / "content/organisation.yaml", "  deadline: 2029-09-16", "")
    _, r = judge(demo, DEMO_AS_OF)
    assert describe(r.certificate.transition, True) == (
        "the ISO 9001:2015 certificate expires on 2030-03-01, after the reported transition deadline (low "
        "confidence; confirm with your certification body) of 2029-09-16: it must move to ISO 9001:2026 by "
        "2029-09-16, or it ends then")


def test_demo_a_stage_2_to_2015_after_new_certifications_must_use_2026_warns(demo: Path) -> None:
    edit(demo / "content/organisation.yaml", "  stage1: 2027-01-19\n  stage2: 2027-03-02",
         "  stage1: 2028-02-01\n  stage2: 2028-04-11")
    project, r = judge(demo, DEMO_AS_OF)
    check = item(r, "stage2", "edition-accepted")
    assert check.passed  # the date is provisional (low confidence): a warning, not a failure
    assert check.reason.code == "gate-edition-provisional"
    assert describe(check.reason, True) == (
        "warning: stage 2 to ISO 9001:2015 on 2028-04-11, on or after the date new certifications must use "
        "ISO 9001:2026 (2028-03-01, reported as 2028-03; low confidence; sources: "
        "https://iaf.nu/resolutions/transitional-arrangements-for-the-iso-90012015-and-iso-140012015/). The date is "
        "provisional, so this check warns but does not fail: confirm with your certification body, or book the "
        "stage 2 to ISO 9001:2026")
    out = json.loads(readiness_json(build_site(project, r).export))
    assert [i["code"] for i in out["gates"]["stage2"]["items"] if i["check"] == "edition-accepted"] == [
        "gate-edition-provisional"]


def test_a_stage_2_before_the_date_passes_plainly(demo: Path) -> None:
    _, r = judge(demo, DEMO_AS_OF)
    check = item(r, "stage2", "edition-accepted")
    assert check.passed and check.reason.code == "gate-edition-ok"
    assert describe(check.reason, True) == ("stage 2 to ISO 9001:2015 on 2027-03-02, before new certifications must "
                                            "use ISO 9001:2026 (from 2028-03-01, reported)")


def test_a_confirmed_date_fails_the_check(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from isoready.assess import editions as assess_module  # the module that reads the transition dates
    from isoready.read.catalog import load_topics

    topics = load_topics()
    confirmed = replace(topics, dates=replace(topics.dates, new_certificates_provisional=False,
                                              new_certificates_confidence="high"))
    monkeypatch.setattr(assess_module, "load_topics", lambda: confirmed)
    edit(demo / "content/organisation.yaml", "  stage1: 2027-01-19\n  stage2: 2027-03-02",
         "  stage1: 2028-02-01\n  stage2: 2028-04-11")
    _, r = judge(demo, DEMO_AS_OF)
    check = item(r, "stage2", "edition-accepted")
    assert not check.passed and check.reason.code == "gate-edition-refused"
    assert describe(check.reason, True).endswith(": book the stage 2 to ISO 9001:2026")
