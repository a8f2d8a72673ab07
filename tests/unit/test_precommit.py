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
    assert (hook["entry"], hook["language"], hook["pass_filenames"]) == ("isoready validate", "python", False)
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
