"""pre-commit stops a broken evidence file at commit time, on a real git repository holding a register made by
``isoready init``, with pre-commit from PyPI and no network: the register's hook is ``repo: local`` with
``language: system`` (the isoready installed beside these tests), and it is the same hook, field for field, as
the one this repository offers in .pre-commit-hooks.yaml (``repo: <this repository>``, ``language: python``,
which makes pre-commit build its own environment with pip, so it needs the network the tests do not use)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from isoready import cli

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / ".pre-commit-hooks.yaml"

def test_the_hook_this_repository_offers() -> None:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["isoready-validate"]
    hook = hooks[0]
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "isoready-validate", "isoready validate --staged", "python", False)  # the id is a contract: never rename
    files = re.compile(hook["files"])
    assert files.search("evidence/qa/policy.yaml") and files.search("content/clauses/4-context.yaml")
    assert files.search("evidence/qa/policy.pdf")  # a changed document is checked too (W101, hashes)
    assert not files.search("README.md") and not files.search(".github/workflows/portal.yml")


class Register:
    """A git repository made by ``isoready init``, with pre-commit installed in it."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        bindir = str(Path(sys.executable).parent)  # where pip put the isoready command beside this Python
        self.env = {**os.environ, "PRE_COMMIT_HOME": str(home / "pre-commit"), "HOME": str(home),
                    "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
                    "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),  # this checkout's code
                    "GIT_AUTHOR_NAME": "Quality Manager", "GIT_AUTHOR_EMAIL": "qm@example.com",
                    "GIT_COMMITTER_NAME": "Quality Manager", "GIT_COMMITTER_EMAIL": "qm@example.com",
                    "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1", "TERM": "dumb"}
        self.env.pop("GIT_DIR", None)
        self.env.pop("PRE_COMMIT_COLOR", None)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=240)

    def commit(self, message: str, *paths: str) -> subprocess.CompletedProcess:
        self.run("git", "add", "--", *(paths or (".",)))
        proc = self.run("git", "commit", "-m", message)
        proc.stdout += proc.stderr
        return proc

    def commits(self) -> list[str]:
        return self.run("git", "log", "--format=%s").stdout.splitlines()

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (self.root / rel).write_text(text, encoding="utf-8")


@pytest.fixture
def register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Register:
    import pre_commit  # noqa: F401  (in the test extra: pip install -e '.[test]')

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")  # 2026-11-01
    root = tmp_path / "register"
    assert cli.main(["init", str(root), "--name", "Acme Ltd", "--yes"]) == 0
    reg = Register(root, tmp_path / "home")
    if shutil.which("isoready", path=reg.env["PATH"]) is None:  # a checkout never installed: same code, by module
        text = (root / ".pre-commit-config.yaml").read_text(encoding="utf-8")
        reg.write(".pre-commit-config.yaml", text.replace("entry: isoready validate",
                                                          f"entry: {sys.executable} -m isoready validate"))
    assert reg.run("git", "init", "-q").returncode == 0
    install = reg.run(sys.executable, "-m", "pre_commit", "install")
    assert install.returncode == 0 and "pre-commit installed at .git/hooks/pre-commit" in install.stdout, install
    first = reg.commit("Start the evidence register")
    assert first.returncode == 0, first.stdout
    assert re.search(r"^isoready validate\.+Passed$", first.stdout, re.M), first.stdout
    return reg


def test_a_broken_file_fails_the_commit_and_a_good_one_passes(register: Register) -> None:
    register.write("evidence/quality/policy.yaml", 'title: Quality policy\nkind: memo\nclauses: ["5.2"]\n')
    bad = register.commit("Add the quality policy", "evidence/quality/policy.yaml")
    assert bad.returncode == 1
    assert re.search(r"^isoready validate\.+Failed$", bad.stdout, re.M), bad.stdout
    assert "- hook id: isoready-validate\n- exit code: 1\n" in bad.stdout
    assert ("evidence/quality/policy.yaml:2:7: E204 unknown kind 'memo' (use one of: document, record)\n"
            "1 error, 0 warnings\n") in bad.stdout
    assert register.commits() == ["Start the evidence register"]  # nothing committed

    register.write("evidence/quality/policy.yaml", 'title: Quality policy\nkind: document\nclauses: ["5.2"]\n')
    good = register.commit("Add the quality policy", "evidence/quality/policy.yaml")
    assert good.returncode == 0, good.stdout
    assert re.search(r"^isoready validate\.+Passed$", good.stdout, re.M), good.stdout
    assert register.commits() == ["Add the quality policy", "Start the evidence register"]


def test_a_broken_reference_between_files_is_caught(register: Register) -> None:
    """The whole register is validated, not only the staged file: a clause file naming evidence that does not
    exist fails, although the YAML of the changed file is well formed."""
    text = (register.root / "content/clauses/5-leadership.yaml").read_text(encoding="utf-8")
    register.write("content/clauses/5-leadership.yaml", text.replace(
        '- clause: "5.1.1"  # General\n  status: not-started\n',
        '- clause: "5.1.1"  # General\n  status: implemented\n  evidence: [quality/policy]\n'))
    bad = register.commit("5.1.1 implemented")
    assert bad.returncode == 1
    assert re.search(r"^content/clauses/5-leadership\.yaml:\d+:\d+: E\d+ .*'quality/policy'", bad.stdout, re.M), \
        bad.stdout
    assert len(register.commits()) == 1


def test_changes_outside_the_register_skip_the_hook(register: Register) -> None:
    register.write("README.md", "# Acme Ltd\n\nOur register.\n")
    done = register.commit("README", "README.md")
    assert done.returncode == 0
    assert re.search(r"^isoready validate\.+\(no files to check\)Skipped$", done.stdout, re.M), done.stdout


def test_strict_args_stop_warnings_too(register: Register) -> None:
    stale = 'title: Quality policy\nkind: document\nclauses: ["5.2"]\nreview_by: 2026-01-31\n'
    register.write("evidence/quality/policy.yaml", stale)
    assert register.commit("Policy (review overdue)").returncode == 0  # a warning does not stop a commit
    config = (register.root / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    register.write(".pre-commit-config.yaml", config.replace("        pass_filenames: false\n",
                                                             "        pass_filenames: false\n"
                                                             "        args: [--strict]\n"))
    register.write("evidence/quality/policy.yaml", stale.replace("Quality policy", "Quality policy (signed)"))
    strict = register.commit("Strict from now on")
    assert strict.returncode == 1
    assert ("evidence/quality/policy.yaml:4:12: W103 evidence 'quality/policy' is stale: its review was due "
            "2026-01-31") in strict.stdout
    assert len(register.commits()) == 2


def test_a_fix_made_only_in_the_working_tree_does_not_pass_the_commit(register: Register) -> None:
    register.write("evidence/quality/policy.yaml", 'title: Quality policy\nkind: memo\nclauses: ["5.2"]\n')
    register.run("git", "add", "evidence/quality/policy.yaml")
    register.write("evidence/quality/policy.yaml", 'title: Quality policy\nkind: document\nclauses: ["5.2"]\n')
    bad = register.commit("Add the quality policy (fixed, but not staged)", "content")  # stages nothing more
    assert bad.returncode == 1, bad.stdout
    assert "evidence/quality/policy.yaml:2:7: E204 unknown kind 'memo'" in bad.stdout
    assert register.commits() == ["Start the evidence register"]
    assert "kind: document" in (register.root / "evidence/quality/policy.yaml").read_text(encoding="utf-8")


def test_a_broken_edit_left_unstaged_does_not_stop_a_good_commit(register: Register) -> None:
    register.write("evidence/quality/policy.yaml", 'title: Quality policy\nkind: document\nclauses: ["5.2"]\n')
    register.run("git", "add", "evidence/quality/policy.yaml")
    register.write("evidence/quality/policy.yaml", 'title: Quality policy\nkind: memo\nclauses: ["5.2"]\n')
    good = register.commit("Add the quality policy", "content")
    assert good.returncode == 0, good.stdout
    assert register.commits() == ["Add the quality policy", "Start the evidence register"]
    assert "kind: memo" in (register.root / "evidence/quality/policy.yaml").read_text(encoding="utf-8")  # untouched


def test_a_file_never_added_neither_rescues_nor_stops_the_commit(register: Register) -> None:
    """pre-commit sets aside unstaged edits of tracked files, but not untracked files: those are the staged
    tree's business too. A clause naming evidence that exists only untracked fails; a broken untracked file
    stops nothing."""
    register.write("evidence/quality/policy.yaml", 'title: Quality policy\nkind: document\nclauses: ["5.2"]\n')
    text = (register.root / "content/clauses/5-leadership.yaml").read_text(encoding="utf-8")
    register.write("content/clauses/5-leadership.yaml", text.replace(
        '- clause: "5.1.1"  # General\n  status: not-started\n',
        '- clause: "5.1.1"  # General\n  status: implemented\n  evidence: [quality/policy]\n'))
    bad = register.commit("5.1.1 implemented", "content/clauses/5-leadership.yaml")
    assert bad.returncode == 1, bad.stdout
    assert re.search(r"^content/clauses/5-leadership\.yaml:\d+:\d+: E\d+ .*'quality/policy'", bad.stdout, re.M), \
        bad.stdout
    register.write("evidence/quality/draft.yaml", "title: [unfinished\n")  # untracked, and not YAML yet
    good = register.commit("5.1.1 implemented", "content/clauses/5-leadership.yaml",
                           "evidence/quality/policy.yaml")
    assert good.returncode == 0, good.stdout
    assert register.commits() == ["5.1.1 implemented", "Start the evidence register"]


def git_project(tmp_path: Path, sub: str = "") -> Path:
    """A git repository whose project sits at ``sub`` inside it, with its first commit."""
    repo = tmp_path / "repo"
    root = repo / sub if sub else repo
    env = {**os.environ, "GIT_AUTHOR_NAME": "Q", "GIT_AUTHOR_EMAIL": "q@example.com", "GIT_COMMITTER_NAME": "Q",
           "GIT_COMMITTER_EMAIL": "q@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, env=env, check=True, capture_output=True)
    # init sees the repository around it and makes no second one inside
    assert cli.main(["init", str(root), "--name", "Acme Ltd", "--yes"]) == 0
    assert sorted(p.name for p in repo.rglob(".git")) == [".git"]
    for args in (("add", "."), ("commit", "-q", "-m", "start")):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    return root


def test_validate_staged_checks_the_index_of_a_project_in_a_subfolder(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")
    root = git_project(tmp_path, "qms")
    capsys.readouterr()
    policy = root / "evidence/quality/policy.yaml"
    policy.parent.mkdir(parents=True)
    policy.write_text('title: Quality policy\nkind: memo\nclauses: ["5.2"]\n', encoding="utf-8")
    subprocess.run(["git", "add", str(policy)], cwd=root, check=True)
    policy.write_text('title: Quality policy\nkind: document\nclauses: ["5.2"]\n', encoding="utf-8")
    before = sorted(p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith("isoready-staged-"))
    assert cli.main(["validate", "--root", str(root), "--as-of", "2026-11-01"]) == 0
    assert capsys.readouterr().out == "no problems found\n"
    assert cli.main(["validate", "--staged", "--root", str(root), "--as-of", "2026-11-01"]) == 1
    assert capsys.readouterr().out == ("evidence/quality/policy.yaml:2:7: E204 unknown kind 'memo' (use one of: "
                                       "document, record)\n1 error, 0 warnings\n")
    after = sorted(p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith("isoready-staged-"))
    assert after == before  # the checkout of the index is gone
    assert "kind: document" in policy.read_text(encoding="utf-8")


def test_validate_staged_reads_the_index_git_names(tmp_path: Path, monkeypatch, capsys) -> None:
    """``git commit -a`` and ``git commit PATH`` hand hooks another index in GIT_INDEX_FILE (relative)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")
    root = git_project(tmp_path)
    capsys.readouterr()
    org = root / "content/organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    shutil.copy(root / ".git/index", root / ".git/other-index")
    subprocess.run(["git", "add", "content/organisation.yaml"], cwd=root, check=True,
                   env={**os.environ, "GIT_INDEX_FILE": ".git/other-index"})
    monkeypatch.chdir(root)
    assert cli.main(["validate", "--staged"]) == 0  # the usual index: unchanged
    capsys.readouterr()
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/other-index")
    assert cli.main(["validate", "--staged"]) == 1
    assert "content/organisation.yaml:" in capsys.readouterr().out


def test_validate_staged_outside_a_repository_is_a_usage_error(tmp_path: Path, capsys) -> None:
    root = tmp_path / "r"
    assert cli.main(["init", str(root), "--name", "Acme Ltd", "--yes"]) == 0
    shutil.rmtree(root / ".git")  # init made the register a repository: a register copied without its .git
    capsys.readouterr()
    assert cli.main(["validate", "--staged", "--root", str(root)]) == 2
    assert capsys.readouterr().err == (f"isoready: error: --staged validates what git has staged, but {root} is not "
                                       "inside a git working tree\n")
