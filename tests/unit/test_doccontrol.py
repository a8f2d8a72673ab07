"""Document control from git: revision history on evidence pages, 'changed since approval' as a rule."""

from __future__ import annotations

import dataclasses

import shutil
from datetime import date

import pytest

from isoready import cli
from isoready.assess import AT_RISK, READY, assess
from isoready.read.catalog import load_catalog
from isoready.gitfacts.gitdata import Revision, file_revisions, open_repo
from isoready.validate.project import read_project

from .test_history import FIXTURE, commit, make_register


@pytest.fixture
def register(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    return make_register(tmp_path)


def test_revisions_per_file_newest_first(register):
    repo, shas = register
    revs = file_revisions(open_repo(repo))
    assert [(r.sha, r.date.isoformat(), r.subject, r.author) for r in revs["evidence/context/scope.md"]] == [
        (shas["c3"], "2026-11-03", "Scope: add the Denholm annex; induction records", "Alice Quality"),
        (shas["c1"], "2026-10-01", "Start the register", "Alice Quality")]
    assert [r.sha for r in revs["evidence/context/scope.yaml"]] == [shas["c1"]]


def test_rule_is_pure_and_names_the_commit():
    project, _ = read_project(FIXTURE, load_catalog(), date(2026, 11, 3))
    project = dataclasses.replace(project, evidence=tuple(
        dataclasses.replace(e, approved=date(2026, 10, 1)) if e.id == "context/scope" else e
        for e in project.evidence))
    first = Revision("a" * 40, date(2026, 10, 1), "Alice", "Start")
    later = Revision("b" * 40, date(2026, 11, 2), "Bob", "Annex")
    assert assess(project, date(2026, 11, 3)).clauses["4.3"].state == READY  # no git facts: no judgement
    r = assess(project, date(2026, 11, 3), {"evidence/context/scope.md": (later, first)})
    assert r.clauses["4.3"].state == AT_RISK
    why = r.changed_since_approval["context/scope"]
    assert (why.code, why["commit"], why["date"], why["approved"]) == (
        "document-changed-since-approval", "bbbbbbbbbb", date(2026, 11, 2), date(2026, 10, 1))
    assert why in r.clauses["4.3"].reasons
    # the commit that first added the file after the approval date brought the approved version
    assert assess(project, date(2026, 11, 3), {"evidence/context/scope.md": (later,)}).clauses["4.3"].state == READY
    # judged as of a date before the change: not yet changed
    assert "context/scope" not in assess(project, date(2026, 11, 1),
                                         {"evidence/context/scope.md": (later, first)}).changed_since_approval


def test_evidence_page_shows_history_and_changed_since_approval(register, tmp_path):
    repo, shas = register
    out = tmp_path / "site"
    assert cli.main(["build", "--root", str(repo), "--as-of", "2026-11-03", "--audience", "internal",
                     "--output", str(out)]) == 0
    page = (out / "evidence/context/scope.html").read_text(encoding="utf-8")
    assert "Changed since approval: document context/scope changed since its approval on 2026-10-01: commit " \
           f"{shas['c3'][:10]} of 2026-11-03" in page
    assert '<time datetime="2026-10-01">2026-10-01</time> by Managing Director' in page
    assert "Register entry (evidence/context/scope.yaml): 1 commit, newest first" in page
    assert "Document (context/scope.md): 2 commits, newest first" in page
    assert f"<code>{shas['c3'][:10]}</code></td><td>Scope: add the Denholm annex; induction records</td>" \
           "<td>Alice Quality</td>" in page
    clause = (out / "clauses/4.3.html").read_text(encoding="utf-8")
    assert "changed since its approval" in clause


def test_author_only_in_internal_builds(register, tmp_path):
    repo, shas = register
    out = tmp_path / "site"
    assert cli.main(["build", "--root", str(repo), "--as-of", "2026-11-03", "--output", str(out)]) == 0
    page = (out / "evidence/context/scope.html").read_text(encoding="utf-8")
    assert "Scope: add the Denholm annex; induction records" in page
    assert "Alice Quality" not in page


def test_new_commit_reapproving_clears_the_flag(register, tmp_path):
    repo, _ = register
    scope = repo / "evidence/context/scope.yaml"
    scope.write_text(scope.read_text().replace("approved: 2026-10-01", "approved: 2026-11-05"), encoding="utf-8")
    commit(repo, "2026-11-05", "Re-approve the scope with the annex")
    out = tmp_path / "site"
    assert cli.main(["build", "--root", str(repo), "--as-of", "2026-11-05", "--output", str(out)]) == 0
    assert "Changed since approval" not in (out / "evidence/context/scope.html").read_text(encoding="utf-8")


def test_without_git_the_pages_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "unzipped"
    shutil.copytree(FIXTURE, plain)
    out = tmp_path / "site"
    assert cli.main(["build", "--root", str(plain), "--as-of", "2026-11-01", "--output", str(out)]) == 0
    assert "Revision history is not available: this build was made without git history" in (
        out / "evidence/context/scope.html").read_text(encoding="utf-8")
    assert "Readiness history is not available: this build has no git history" in (
        out / "index.html").read_text(encoding="utf-8")
    assert not (out / "history.json").exists()
