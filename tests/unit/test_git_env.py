"""One git environment (issue 23): every git process isoready starts runs with ``gitdata.git_env()``.

A spy on ``subprocess.Popen`` (which ``subprocess.run`` uses too) records each git process of a build with
history, of ``init`` and of ``validate --staged``. A decoy repository named in ``GIT_DIR``, as a hook's
environment may hold, must redirect none of them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from isoready import cli
from isoready.gitfacts import gitdata

from .test_history import git, make_register


@pytest.fixture
def git_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict]]:
    calls: list[tuple[list[str], dict]] = []

    class Spy(subprocess.Popen):
        def __init__(self, args, *rest, **kwargs) -> None:  # noqa: ANN001 (Popen's own signature)
            argv = [os.fspath(a) for a in ([args] if isinstance(args, (str, bytes, os.PathLike)) else args)]
            if Path(argv[0]).name == "git":
                calls.append((argv, kwargs.get("env")))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Spy)
    return calls


def decoy(tmp_path: Path) -> Path:
    """Another repository, with a commit of its own: what a stray GIT_DIR would point git at."""
    other = tmp_path / "decoy"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    (other / "x.txt").write_text("x\n", encoding="utf-8")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "decoy")
    return other


def test_every_git_process_of_a_build_with_history_uses_the_one_environment(tmp_path, monkeypatch, git_calls):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("ISOREADY_WORKERS", "1")
    monkeypatch.delenv("ISOREADY_COMMIT", raising=False)
    repo, shas = make_register(tmp_path)
    other = decoy(tmp_path)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # a hook's environment must not redirect the build
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    git_calls.clear()
    assert cli.main(["build", "--root", str(repo), "--as-of", "2026-11-05", "--audience", "internal"]) == 0
    built = json.loads((repo / "output/readiness.json").read_text(encoding="utf-8"))
    assert built["commit"] == shas["c3"][:12]  # the register's own commit, not the decoy's
    history = json.loads((repo / "output/history.json").read_text(encoding="utf-8"))
    assert [e["commit"] for e in history["entries"]] == [shas["c1"], shas["c2"], shas["c3"]]
    commands = {argv[1] if argv[1] != "-C" else argv[3] for argv, _ in git_calls}
    assert {"rev-parse", "status", "cat-file", "log"} <= commands  # the commit, dirty, history, revisions
    for argv, env in git_calls:
        assert env == gitdata.git_env(), argv
        assert "GIT_DIR" not in env and env["GIT_OPTIONAL_LOCKS"] == "0", argv


def test_init_and_validate_staged_use_it_too(tmp_path, monkeypatch, git_calls):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")
    other = decoy(tmp_path)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # init must make the new register's own repository
    root = tmp_path / "register"
    git_calls.clear()
    assert cli.main(["init", str(root), "--name", "Acme Ltd", "--yes"]) == 0
    assert (root / ".git").is_dir()
    assert git_calls and all(env == gitdata.git_env() for _, env in git_calls), git_calls
    monkeypatch.delenv("GIT_DIR")
    git(root, "add", "-A")
    monkeypatch.chdir(root)
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/index")  # relative, as git hands it to a hook
    git_calls.clear()
    assert cli.main(["validate", "--staged"]) == 0
    assert git_calls
    for argv, env in git_calls:
        assert env == gitdata.git_env(staged=True), argv
        assert env["GIT_INDEX_FILE"] == str(root / ".git/index") and env["GIT_OPTIONAL_LOCKS"] == "0", argv


def test_the_environment_drops_or_keeps_a_hooks_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in gitdata.HOOK_PATHS:
        monkeypatch.setenv(name, "rel/" + name.lower())
    reading = gitdata.git_env()
    assert not {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"} & set(reading)
    assert reading["GIT_OBJECT_DIRECTORY"] == "rel/git_object_directory"  # not a redirection: left alone
    staged = gitdata.git_env(staged=True)
    assert {name: staged[name] for name in gitdata.HOOK_PATHS} == {
        name: str(tmp_path / "rel" / name.lower()) for name in gitdata.HOOK_PATHS}
    assert reading["GIT_OPTIONAL_LOCKS"] == staged["GIT_OPTIONAL_LOCKS"] == "0"
