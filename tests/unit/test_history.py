"""Readiness history from git: real repositories made here, with dated commits.

Proves: the figures per commit are those a build at that commit gives; the cache is reused (a rerun
evaluates nothing, one new commit evaluates one); the working tree and the index are never touched;
without git the history is absent and nothing fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from isoready import cli
from isoready.gitfacts.history import history, select

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"


def git(repo: Path, *args: str, day: str = "2026-03-01") -> str:
    env = dict(os.environ, GIT_AUTHOR_DATE=f"{day}T10:00:00+00:00", GIT_COMMITTER_DATE=f"{day}T10:00:00+00:00",
               GIT_AUTHOR_NAME="Alice Quality", GIT_AUTHOR_EMAIL="alice@example.com",
               GIT_COMMITTER_NAME="Alice Quality", GIT_COMMITTER_EMAIL="alice@example.com",
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, day: str, subject: str) -> str:
    git(repo, "add", "-A", day=day)
    git(repo, "commit", "-q", "-m", subject, day=day)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def make_register(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The minimal register with three dated commits and an audit tag on the second.

    c1 2026-10-01: the register; the scope document is approved on 2026-10-01.
    c2 2026-10-21: the major finding IA-2026-01 is closed (tagged audit-2026-10).
    c3 2026-11-03: the scope document's text changes after its approval; a record is added.
    """
    repo = tmp_path / "register"
    shutil.copytree(FIXTURE, repo)
    git(repo, "init", "-q", "-b", "main")
    (repo / ".gitignore").write_text("output/\n.cache/\n", encoding="utf-8")  # as `isoready init` writes it
    edit(repo / "evidence/context/scope.yaml", "owner: Quality Manager\n",
         "owner: Quality Manager\napproved_by: Managing Director\napproved: 2026-10-01\n")
    shas = {"c1": commit(repo, "2026-10-01", "Start the register")}
    edit(repo / "content/findings/internal-audit-2026.yaml",
         "  status: open\n  raised: 2026-09-22\n  due: 2026-12-01\n",
         "  status: closed\n  raised: 2026-09-22\n  due: 2026-12-01\n  closed: 2026-10-20\n")
    shas["c2"] = commit(repo, "2026-10-21", "Close IA-2026-01: suppliers evaluated")
    git(repo, "tag", "audit-2026-10", day="2026-10-21")
    with open(repo / "evidence/context/scope.md", "a", encoding="utf-8") as fh:
        fh.write("\nThe Denholm annex is included from November.\n")
    (repo / "evidence/support/induction.yaml").write_text(
        "title: Induction records 2026\nkind: record\nclauses: [\"7.2\"]\ndate: 2026-11-02\n", encoding="utf-8")
    shas["c3"] = commit(repo, "2026-11-03", "Scope: add the Denholm annex; induction records")
    return repo, shas


def tree_state(repo: Path) -> dict:
    """Every file of the working tree and the index, by content and modification time."""
    out = {}
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo).as_posix()
        if path.is_file() and not rel.startswith((".cache/", ".git/objects/", ".git/logs/")):
            out[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return out


@pytest.fixture
def register(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("ISOREADY_WORKERS", "1")
    return make_register(tmp_path)


def build_figures(tmp_path: Path, repo: Path, sha: str, day: date) -> dict:
    """What a real build says at a commit: a clone checked out there, built, its readiness.json read."""
    clone = tmp_path / f"clone-{sha[:7]}"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True, capture_output=True)
    subprocess.run(["git", "-c", "advice.detachedHead=false", "checkout", "-q", sha], cwd=clone, check=True,
                   capture_output=True)
    assert cli.main(["build", "--root", str(clone), "--as-of", day.isoformat(), "--audience", "internal"]) == 0
    return json.loads((clone / "output" / "readiness.json").read_text(encoding="utf-8"))


def test_figures_per_commit_match_a_build_at_that_commit(register, tmp_path):
    repo, shas = register
    h = history(repo)
    assert [e["commit"] for e in h.entries] == [shas["c1"], shas["c2"], shas["c3"]]
    assert [e["date"] for e in h.entries] == ["2026-10-01", "2026-10-21", "2026-11-03"]
    assert h.entries[1]["tags"] == ["audit-2026-10"]
    for entry in h.entries:
        built = build_figures(tmp_path, repo, entry["commit"], date.fromisoformat(entry["date"]))
        r = built["readiness"]
        assert entry["overall"] == round(r["overall"], 4)
        assert entry["ready"] == round(r["ready_share"], 4)
        assert entry["at_risk"] == round(r["at_risk_share"], 4)
        assert entry["not_ready"] == round(r["not_ready_share"], 4)
        assert entry["gates"] == {k: g["passed"] for k, g in built["gates"].items()}
        assert entry["open_findings"] == sum(f["status"] == "open" for f in built["findings"])
        assert entry["stale_evidence"] == sum(e["stale"] for e in built["evidence"])
        for number, share in r["by_main_clause"].items():
            got = entry["by_main"][number]
            assert (None if share is None else round(share, 4)) == (
                None if got["ready"] is None else round(got["ready"] + got["at_risk"], 4))
    # closing the major finding shows in the figures; the changed document puts 4.3 at risk in c3. On c1's date
    # (2026-10-01) the minor IA-2026-02, "closed: 2026-10-15", is still open: a closure counts from its date
    assert h.entries[0]["open_findings"] == 2 and h.entries[1]["open_findings"] == 0
    assert h.entries[2]["by_main"]["4"]["at_risk"] > h.entries[1]["by_main"]["4"]["at_risk"]


def test_cache_is_reused_and_only_new_commits_are_evaluated(register):
    repo, shas = register
    first = history(repo)
    assert first.evaluated == 3
    assert (repo / ".cache/isoready/history.json").is_file()
    again = history(repo)
    assert again.evaluated == 0 and again.entries == first.entries
    (repo / "content/pages").mkdir(exist_ok=True)
    (repo / "content/pages/about.md").write_text("Title: About\n\nAbout us.\n", encoding="utf-8")
    commit(repo, "2026-11-16", "About page")
    third = history(repo)
    assert third.evaluated == 1
    assert [e["date"] for e in third.entries] == ["2026-10-01", "2026-10-21", "2026-11-03", "2026-11-16"]
    assert third.entries[:3] == first.entries


def test_working_tree_and_index_untouched(register):
    repo, _ = register
    (repo / "evidence/draft.yaml").write_text("title: Draft, not committed\n", encoding="utf-8")  # a local edit
    status = git(repo, "status", "--porcelain")  # (git status itself may refresh the index: before hashing)
    before = tree_state(repo)
    assert cli.main(["history", "--root", str(repo), "--output", str(repo.parent / "h.json")]) == 0
    assert cli.main(["diff", "audit-2026-10", "HEAD", "--root", str(repo)]) == 0
    assert tree_state(repo) == before
    assert git(repo, "status", "--porcelain") == status


def test_since_and_every(register):
    repo, shas = register
    assert [e["commit"] for e in history(repo, since="audit-2026-10").entries] == [shas["c3"]]
    assert [e["commit"] for e in history(repo, since="2026-10-15").entries] == [shas["c2"], shas["c3"]]
    commit_same_day = repo / "content/pages"
    commit_same_day.mkdir(exist_ok=True)
    (commit_same_day / "a.md").write_text("Title: A\n\nA.\n", encoding="utf-8")
    late = commit(repo, "2026-11-03", "Same day, later")
    daily = history(repo, every="day").entries
    assert [e["commit"] for e in daily] == [shas["c1"], shas["c2"], late]
    assert len(history(repo, every="week").entries) == 3
    with pytest.raises(ValueError, match="'nope' is neither a date"):
        history(repo, since="nope")


def test_cli_history_json_and_usage_errors(register, capsys):
    repo, _ = register
    out = repo.parent / "history.json"
    assert cli.main(["history", "--root", str(repo), "--output", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["available"] is True and len(data["entries"]) == 3
    assert set(data["entries"][0]) >= {"commit", "date", "overall", "ready", "at_risk", "not_ready", "by_main",
                                       "gates", "open_findings", "stale_evidence"}
    import jsonschema

    from isoready.gitfacts.history import HISTORY_SCHEMA
    jsonschema.validate(data, HISTORY_SCHEMA)
    capsys.readouterr()
    assert cli.main(["history", "--root", str(repo), "--since", "nope"]) == 2
    assert "--since: 'nope' is neither a date YYYY-MM-DD nor a commit" in capsys.readouterr().err


def test_without_git_history_is_absent_never_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "zip-of-register"
    shutil.copytree(FIXTURE, plain)
    h = history(plain)
    assert not h.available and h.entries == [] and "not in a git repository" in h.note
    assert cli.main(["history", "--root", str(plain)]) == 0
    assert "readiness history is not available" in capsys.readouterr().err
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))  # git not installed at all
    assert not history(plain).available


def test_select_keeps_the_last_commit_of_each_period():
    from datetime import datetime

    from isoready.gitfacts.gitdata import Commit

    cs = [Commit(str(i), datetime.fromisoformat(d), "a", "s") for i, d in enumerate(
        ["2026-01-05T09:00:00+00:00", "2026-01-05T17:00:00+00:00", "2026-01-07T09:00:00+00:00",
         "2026-01-12T09:00:00+00:00"])]
    assert [c.sha for c in select(cs, "commit")] == ["0", "1", "2", "3"]
    assert [c.sha for c in select(cs, "day")] == ["1", "2", "3"]
    assert [c.sha for c in select(cs, "week")] == ["2", "3"]


def test_site_has_history_json_and_a_trend_chart_marking_the_last_audit(register, tmp_path):
    repo, shas = register
    edit(repo / "content/organisation.yaml", "name: Example Works Ltd\n",
         "name: Example Works Ltd\nlast_audit: audit-2026-10\n")
    commit(repo, "2026-11-04", "Name the last audit")
    out = tmp_path / "site"
    assert cli.main(["build", "--root", str(repo), "--as-of", "2026-11-04", "--output", str(out)]) == 0
    import jsonschema

    from isoready.gitfacts.history import HISTORY_SCHEMA
    data = json.loads((out / "history.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, HISTORY_SCHEMA)
    assert [e["date"] for e in data["entries"]] == ["2026-10-01", "2026-10-21", "2026-11-03", "2026-11-04"]
    assert all(e["subject"] == "" for e in data["entries"])  # commit subjects only in internal builds
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<svg viewBox="0 0 640 ' in index and 'aria-labelledby="trend-title-wide"' in index
    assert '<svg viewBox="0 0 340 ' in index and 'aria-labelledby="trend-title-narrow"' in index
    assert "Readiness over 4 commits from 2026-10-01 to 2026-11-04" in index
    assert "Last audit (audit-2026-10) marked." in index
    assert f"<td><code>{shas['c2'][:10]}</code></td>" in index and "<td>audit-2026-10</td>" in index
    assert "history.json" in json.loads((out / "manifest.json").read_text())["files"].__repr__()


def test_a_portal_as_of_a_day_shows_no_commit_made_after_it(register, tmp_path):
    """Built with --as-of before some commits (reproducing an earlier portal, or a clock behind the committer's),
    the trend and history.json end at the as-of date: 'today' on the chart is never left of a data point."""
    repo, _shas = register
    out = tmp_path / "site"
    assert cli.main(["build", "--root", str(repo), "--as-of", "2026-10-25", "--output", str(out)]) == 0
    data = json.loads((out / "history.json").read_text(encoding="utf-8"))
    assert [e["date"] for e in data["entries"]] == ["2026-10-01", "2026-10-21"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Readiness over 2 commits from 2026-10-01 to 2026-10-21" in index
    assert "2026-11-03" not in index
    early = tmp_path / "early"
    assert cli.main(["build", "--root", str(repo), "--as-of", "2026-09-30", "--output", str(early)]) == 0
    data = json.loads((early / "history.json").read_text(encoding="utf-8"))
    assert (data["entries"], data["note"]) == ([], "no commit on or before 2026-09-30 changes evidence/ or content/")
