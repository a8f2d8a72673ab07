"""Command-line edges: strict dates, user path mistakes, annotation escaping, paths with spaces."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from isoready.cli import main
from isoready.core.diagnostics import Diagnostic

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["20261124", "2026-W48-2", "2026-11-24T00:00", "24/11/2026", "2026-02-30"])
def test_as_of_must_be_written_yyyy_mm_dd(minimal_project, capsys, value):
    assert main(["validate", "--root", str(minimal_project), "--as-of", value]) == 2
    assert f"--as-of must be a date written YYYY-MM-DD, not '{value}'" in capsys.readouterr().err


def test_unwritable_summary_is_a_usage_error_not_an_internal_one(minimal_project, capsys):
    assert main(["validate", "--root", str(minimal_project), "--as-of", "2026-11-01",
                 "--summary", "/nonexistent/dir/summary.md"]) == 2
    err = capsys.readouterr().err
    assert "isoready: error: No such file or directory: /nonexistent/dir/summary.md" in err
    assert "internal error" not in err


def test_archive_into_a_file_is_a_usage_error(minimal_project, tmp_path, capsys):
    blocker = tmp_path / "dist"
    blocker.write_text("a file, not a folder\n")
    assert main(["archive", "--root", str(minimal_project), "--as-of", "2026-11-01", "--dist", str(blocker)]) == 2
    assert "internal error" not in capsys.readouterr().err


def test_github_annotations_escape_property_values():
    d = Diagnostic("evidence/a,b:c.yaml", 3, 4, "E201", "unknown clause '8.30'", "did you mean '8.3'?")
    assert d.github() == ("::error file=evidence/a%2Cb%3Ac.yaml,line=3,col=4,title=E201::"
                          "unknown clause '8.30' (did you mean '8.3'?)")


def test_invoke_tasks_work_in_a_folder_whose_path_has_spaces(tmp_path):
    project = tmp_path / "with space" / "my project"
    shutil.copytree(REPO / "tests" / "fixtures" / "minimal", project)
    shutil.copy(REPO / "tasks.py", project / "tasks.py")
    proc = subprocess.run([sys.executable, "-m", "invoke", "validate", "--as-of", "2026-11-01"], cwd=project,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no problems found" in proc.stdout
    out = tmp_path / "site with space"
    proc = subprocess.run([sys.executable, "-m", "invoke", "build", "--as-of", "2026-11-01", "--output", str(out)],
                          cwd=project, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "index.html").is_file()


def test_a_theme_that_does_not_fit_is_a_clear_error(minimal_project, tmp_path, capsys):
    shutil.copytree(REPO / "isoready" / "theme", minimal_project / "theme")
    page = minimal_project / "theme" / "templates" / "findings.html"
    page.write_text(page.read_text().replace("{% block content %}", "{% block content %}{{ site.no_such_field }}"))
    assert main(["build", "--root", str(minimal_project), "--as-of", "2026-11-01", "--output",
                 str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "isoready: error: theme template problem" in err and "no_such_field" in err
    assert "internal error" not in err and not (tmp_path / "site").exists()
