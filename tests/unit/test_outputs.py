"""Outputs never land in the sources, and validate and build agree on every output name (issue 19).

- every option that names an output path refuses the sources, .git and the project itself (one guard);
- a refused output creates nothing: no build cache, no temporary folder;
- a relative --root works for build, archive, validate and report when the project has a pelicanconf.py;
- files a user added to output/ by hand are named in a warning before the build replaces them;
- validate and build report the same diagnostic for every output-path collision, from the views' page plan.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from isoready.cli import main

REPO = Path(__file__).parents[2]
AS_OF = ["--as-of", "2026-11-01"]


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --------------------------------------------------------------------------- a relative --root with pelicanconf.py


@pytest.fixture
def relative_project(tmp_path: Path, monkeypatch) -> Path:
    """The project at <tmp>/x/project with the repository's pelicanconf.py; the cwd is <tmp>/x."""
    root = tmp_path / "x" / "project"
    shutil.copytree(REPO / "tests" / "fixtures" / "minimal", root)
    shutil.copyfile(REPO / "pelicanconf.py", root / "pelicanconf.py")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "x")
    return root


# Pelican reads PATH relative to pelicanconf.py's folder: a relative root used to be counted twice
# (x/project/x/project/content), an internal error; '../project' from a sibling happened to work.
@pytest.mark.parametrize("cwd,root", [("x", "project"), ("x", "./project"), ("elsewhere", "../x/project")])
def test_build_and_validate_take_a_relative_root_with_pelicanconf(relative_project: Path, capsys, monkeypatch,
                                                                  cwd, root) -> None:
    monkeypatch.chdir(relative_project.parents[1] / cwd)
    code, out, err = cli(capsys, "validate", "--root", root, *AS_OF)
    assert (code, out, err) == (0, "no problems found\n", "")
    code, out, err = cli(capsys, "build", "--root", root, *AS_OF)
    assert (code, err) == (0, ""), err
    assert out.startswith("no problems found\nbuilt ") and f" into {relative_project / 'output'} for the auditor" in out
    assert (relative_project / "output" / "index.html").is_file()


def test_archive_takes_a_relative_root_with_pelicanconf(relative_project: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/nonexistent")  # no PDF: this is about the root, not the printer
    monkeypatch.setattr("isoready.pdf.find_chromium", lambda: None)
    code, out, err = cli(capsys, "archive", "--root", "project", *AS_OF)
    assert code == 0, err
    zips = list((relative_project / "dist").glob("*.zip"))
    assert len(zips) == 1 and f"\nwrote {zips[0]} (" in out


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Chromium to print")
def test_report_takes_a_relative_root_with_pelicanconf(relative_project: Path, capsys) -> None:
    code, out, err = cli(capsys, "report", "--root", "./project", *AS_OF)
    assert code == 0, err
    assert (relative_project / "output" / "report.pdf").is_file()
    assert len(list((relative_project / "dist").glob("*-report.pdf"))) == 1
