"""The command line: exit codes 0/1/2, --strict, --format github, SOURCE_DATE_EPOCH, and a failed build
that leaves the previous output exactly as it was."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from isoready.cli import main

REPO = Path(__file__).parents[2]
AS_OF = "2026-11-01"

BAD_RECORD = 'title: T\nkind: document\nclauses: [11.2]\nurl: "javascript:alert(%22x%22)"\n'
STALE_RECORD = 'title: T\nkind: document\nclauses: ["4.1"]\nreview_by: 2026-10-31\n'


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def tree(folder: Path) -> dict[str, str]:
    """Every file and folder under folder with a digest of its bytes: equal trees, equal dicts."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


# --------------------------------------------------------------------------- validate


def test_module_entry_point_on_the_minimal_fixture() -> None:
    """The documented command, exactly as a user runs it."""
    proc = subprocess.run([sys.executable, "-m", "isoready", "validate", "--root", "tests/fixtures/minimal",
                           "--as-of", AS_OF], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "no problems found\n", "")


def test_errors_exit_1(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/x.yaml", BAD_RECORD)
    assert main(["validate", "--root", str(minimal_project), "--as-of", AS_OF]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "evidence/x.yaml:3:11: E201 unknown clause '11.2' (did you mean '10.2'?)",
        "evidence/x.yaml:4:6: E305 url 'javascript:alert(%22x%22)' is not an http or https address "
        "(link to http:// or https:// only)",
        "2 errors, 0 warnings",
    ]


def test_warnings_exit_0_unless_strict(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/x.yaml", STALE_RECORD)
    stale = ("evidence/x.yaml:4:12: W103 evidence 'x' is stale: its review was due 2026-10-31 "
             "(review it and move review_by forward)")
    assert main(["validate", "--root", str(minimal_project), "--as-of", AS_OF]) == 0
    assert capsys.readouterr().out.splitlines() == [stale, "0 errors, 1 warning"]
    assert main(["validate", "--root", str(minimal_project), "--as-of", AS_OF, "--strict"]) == 1
    assert capsys.readouterr().out.splitlines() == [stale, "0 errors, 1 warning"]


def test_format_github(minimal_project: Path, capsys) -> None:
    write(minimal_project, "evidence/x.yaml", BAD_RECORD)
    write(minimal_project, "evidence/y.yaml", STALE_RECORD)
    assert main(["validate", "--root", str(minimal_project), "--as-of", AS_OF, "--format", "github"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "::error file=evidence/x.yaml,line=3,col=11,title=E201::unknown clause '11.2' (did you mean '10.2'?)",
        # '%' is escaped as '%25' in workflow commands
        "::error file=evidence/x.yaml,line=4,col=6,title=E305::url 'javascript:alert(%2522x%2522)' is not an "
        "http or https address (link to http:// or https:// only)",
        "::warning file=evidence/y.yaml,line=4,col=12,title=W103::evidence 'y' is stale: its review was due "
        "2026-10-31 (review it and move review_by forward)",
        "2 errors, 1 warning",
    ]


def test_format_github_prints_nothing_when_clean(minimal_project: Path, capsys) -> None:
    assert main(["validate", "--root", str(minimal_project), "--as-of", AS_OF, "--format", "github"]) == 0
    assert capsys.readouterr().out == ""


def test_source_date_epoch_sets_the_as_of_date(minimal_project: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1803254400")  # 2027-02-22, after QP-001's review date
    assert main(["validate", "--root", str(minimal_project)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "content/findings/internal-audit-2026.yaml:6:8: W104 finding 'IA-2026-01' is overdue: it was due "
        "2026-12-01 (close it, or agree a new due date)",
        "evidence/leadership/policies.yaml:7:14: W103 evidence 'QP-001' is stale: its review was due 2027-02-15 "
        "(review it and move review_by forward)",
        "0 errors, 2 warnings",
    ]
    # --as-of wins over the environment
    assert main(["validate", "--root", str(minimal_project), "--as-of", AS_OF]) == 0
    assert capsys.readouterr().out == "no problems found\n"


@pytest.mark.parametrize("args, env, message", [
    (["--as-of", "2026-13-45"], None, "isoready: error: --as-of must be a date written YYYY-MM-DD, not '2026-13-45'"),
    (["--max-yaml-bytes", "0"], None, "isoready: error: --max-yaml-bytes must be at least 1"),
    ([], "yesterday", "isoready: error: SOURCE_DATE_EPOCH must be a whole number of seconds, not 'yesterday'"),
], ids=["bad-as-of", "bad-max-bytes", "bad-epoch"])
def test_usage_errors_exit_2(args, env, message, minimal_project: Path, capsys, monkeypatch) -> None:
    if env:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", env)
    assert main(["validate", "--root", str(minimal_project), *args]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message + "\n")


def test_missing_root_exits_2(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nowhere"
    assert main(["validate", "--root", str(missing), "--as-of", AS_OF]) == 2
    assert capsys.readouterr().err == f"isoready: error: --root {missing} is not a folder\n"


def test_argparse_mistakes_exit_2_and_help_0(capsys) -> None:
    assert main(["frobnicate"]) == 2
    assert main(["validate", "--format", "xml"]) == 2
    assert main([]) == 2
    assert main(["--help"]) == 0
    assert "Exit codes: 0 clean, 1 problems found" in capsys.readouterr().out


# --------------------------------------------------------------------------- build


@pytest.fixture
def previous_output(tmp_path: Path) -> Path:
    out = tmp_path / "site"
    (out / "clauses").mkdir(parents=True)
    (out / "index.html").write_text("<p>the previous, good build</p>\n")
    (out / "clauses" / "4.1.html").write_bytes(b"\x00\x01 sentinel bytes\n")
    (out / "manifest.json").write_text('{"generator": "isoready", "files": []}\n')  # a site we built earlier
    return out


def _build(root: Path, out: Path, *args: str) -> int:
    return main(["build", "--root", str(root), "--as-of", AS_OF, "--output", str(out), *args])


def test_failed_build_leaves_output_unchanged(minimal_project: Path, previous_output: Path, capsys) -> None:
    write(minimal_project, "evidence/x.yaml", BAD_RECORD)
    before = tree(previous_output)
    assert _build(minimal_project, previous_output) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == "2 errors, 0 warnings"
    assert captured.err == f"build stopped: {previous_output} left unchanged\n"
    assert tree(previous_output) == before
    assert sorted(p.name for p in previous_output.parent.iterdir()) == ["project", "site"]  # no temp folders


def test_strict_build_with_warnings_leaves_output_unchanged(minimal_project: Path, previous_output: Path,
                                                            capsys) -> None:
    write(minimal_project, "evidence/x.yaml", STALE_RECORD)
    before = tree(previous_output)
    assert _build(minimal_project, previous_output, "--strict") == 1
    assert capsys.readouterr().out.splitlines()[-1] == "0 errors, 1 warning"
    assert tree(previous_output) == before


def test_build_of_the_minimal_fixture_replaces_output(minimal_project: Path, previous_output: Path,
                                                      capsys) -> None:
    assert _build(minimal_project, previous_output) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "no problems found"
    assert out[1].startswith("built ") and f"into {previous_output} " in out[1]
    assert (previous_output / "index.html").read_text() != "<p>the previous, good build</p>\n"
    assert (previous_output / "readiness.json").is_file()
    assert (previous_output / "files" / "context" / "scope.md").read_bytes() == \
        (minimal_project / "evidence" / "context" / "scope.md").read_bytes()


def test_build_never_replaces_a_folder_that_is_not_our_site(minimal_project: Path, tmp_path: Path, capsys) -> None:
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.txt").write_text("years of work\n")
    assert _build(minimal_project, precious) == 2
    assert "refusing to replace" in capsys.readouterr().err
    assert (precious / "chapter1.txt").read_text() == "years of work\n"
    assert not list(tmp_path.glob(".thesis-*"))


@pytest.mark.parametrize("target", ["evidence", "content", "."])
def test_clean_never_removes_sources(minimal_project: Path, capsys, target: str) -> None:
    before = sorted(p.relative_to(minimal_project) for p in minimal_project.rglob("*"))
    assert main(["clean", "--root", str(minimal_project), "--output", str(minimal_project / target)]) == 2
    assert "refusing to remove" in capsys.readouterr().err
    assert sorted(p.relative_to(minimal_project) for p in minimal_project.rglob("*")) == before


def test_clean_removes_a_site_we_built(minimal_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert _build(minimal_project, out) == 0
    assert main(["clean", "--root", str(minimal_project), "--output", str(out)]) == 0
    assert not out.exists()


def test_clean_leaves_look_alike_folders_and_empty_sources_alone(minimal_project: Path, tmp_path: Path, capsys) -> None:
    notes = minimal_project / ".output-old-notes"
    notes.mkdir()
    (notes / "important.txt").write_text("keep\n")
    (minimal_project / ".output-build-x").write_text("a file\n")
    assert main(["clean", "--root", str(minimal_project)]) == 0
    assert (notes / "important.txt").read_text() == "keep\n"
    assert (minimal_project / ".output-build-x").is_file()
    empty = minimal_project / "content" / "empty"
    empty.mkdir()
    assert main(["clean", "--root", str(minimal_project), "--output", str(empty)]) == 2
    assert empty.is_dir()


def test_a_symlinked_source_folder_is_protected_too(minimal_project: Path, tmp_path: Path, capsys) -> None:
    real = tmp_path / "evidence-data"
    (minimal_project / "evidence").rename(real)
    (minimal_project / "evidence").symlink_to(real)
    assert _build(minimal_project, real / "site") == 2
    assert "refusing to write the site" in capsys.readouterr().err
    assert not (real / "site").exists()


def test_markdown_that_cannot_render_in_bounded_time_is_w106(minimal_project: Path, capsys) -> None:
    (minimal_project / "evidence" / "brackets.yaml").write_text(
        'title: Brackets\nkind: record\nclauses: ["7.4"]\ndescription: "' + "[" * 16_000 + '"\n', encoding="utf-8")
    assert main(["validate", "--root", str(minimal_project), "--as-of", "2026-11-01"]) == 0
    assert 'evidence/brackets.yaml:4:14: W108 description will be shown as plain text: one paragraph holds more than 400 markup characters ([ ] ( ) < > * _ ` ! \\ &), which Markdown cannot render in bounded time (shorten it, split long runs of brackets or emphasis into paragraphs, or nest lists less deeply)' in capsys.readouterr().out.splitlines()
