"""The newcomer path: --version, the README's word on the demo's warnings, and .venv kept out of git."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import entry_points
from importlib.metadata import version as dist_version
from pathlib import Path

import pytest

import isoready
from isoready.cli import main

REPO = Path(__file__).resolve().parents[2]
VERSION_LINE = re.compile(r"isoready \d+(\.\d+)*([.+-]\S*)?\n")


def test_module_version_prints_the_package_metadata_version_and_exits_0() -> None:
    proc = subprocess.run([sys.executable, "-m", "isoready", "--version"], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"isoready {dist_version('isoready')}\n"
    assert VERSION_LINE.fullmatch(proc.stdout)
    assert proc.stderr == ""


def test_console_script_version(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`isoready --version`: the installed script is isoready.cli:main, whose return value is the exit code."""
    (script,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "isoready"]
    assert script.value == "isoready.cli:main"
    monkeypatch.setattr(sys, "argv", ["isoready", "--version"])
    assert script.load()() == 0
    assert capsys.readouterr().out == f"isoready {dist_version('isoready')}\n"


def test_version_without_package_metadata(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Run from a checkout that was never installed: a plain answer, not a traceback."""
    import importlib.metadata as md

    def missing(name: str) -> str:
        raise md.PackageNotFoundError(name)

    monkeypatch.setattr(md, "version", missing)
    assert isoready.version() == "0+unknown"
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "isoready 0+unknown\n"


def test_version_is_listed_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "--version" in capsys.readouterr().out


def test_venv_is_ignored() -> None:
    """The README tells newcomers to create .venv in the repository: git must not offer to commit it."""
    proc = subprocess.run(["git", "check-ignore", "--no-index", "-q", ".venv/bin/python"], cwd=REPO,
                          capture_output=True, text=True, timeout=30)
    if proc.returncode == 128:  # not a git checkout (an sdist): read the file instead
        assert ".venv/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    else:
        assert proc.returncode == 0, ".venv/ is not in .gitignore"


def test_readme_explains_every_warning_the_demo_prints() -> None:
    """The untouched demo validates with warnings and no errors, and the README says near the two commands
    that they are intended and what each kind of warning (by its code) shows."""
    proc = subprocess.run([sys.executable, "-m", "isoready", "validate", "--root", ".", "--as-of", "2026-12-01"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = re.search(r"^0 errors, (\d+) warnings?$", proc.stdout, re.M)
    assert summary, proc.stdout
    codes = set(re.findall(r": (W\d{3}) ", proc.stdout))
    assert codes, "the demo is meant to show warnings; if it no longer does, update the README paragraph"

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Two commands")
    section = readme[start:readme.index("\n## ", start + 1)]
    assert "warnings are intended" in section
    for code in codes:
        assert f"`{code}`" in section, f"the demo prints {code} but the README does not say what it shows"
