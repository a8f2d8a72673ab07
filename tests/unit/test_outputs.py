"""Outputs never land in the sources, and validate and build agree on every output name (issue 19).

- every option that names an output path refuses the sources, .git and the project itself (one guard);
- a refused output creates nothing: no build cache, no temporary folder;
- a relative --root works for build, archive, validate and report when the project has a pelicanconf.py;
- files a user added to output/ by hand are named in a warning before the build replaces them;
- validate and build report the same diagnostic for every output-path collision, from the views' page plan.
"""

from __future__ import annotations

import os
import re
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
    monkeypatch.setattr("isoready.package.pdf.find_chromium", lambda: None)
    code, out, err = cli(capsys, "archive", "--root", "project", *AS_OF)
    assert code == 0, err
    zips = list((relative_project / "dist").glob("*.zip"))
    assert len(zips) == 1 and f"\nwrote {zips[0]} (" in out


def test_report_takes_a_relative_root_with_pelicanconf(relative_project: Path, capsys) -> None:
    from e2e_support import require  # skips locally without Chromium, fails under CI=true

    require(Path("/usr/bin/chromium").exists(), "Chromium not found at /usr/bin/chromium (apt-get install chromium)")
    code, out, err = cli(capsys, "report", "--root", "./project", *AS_OF)
    assert code == 0, err
    assert (relative_project / "output" / "report.pdf").is_file()
    assert len(list((relative_project / "dist").glob("*-report.pdf"))) == 1


# --------------------------------------------------------------------------- outputs never land in the sources


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


SRC = "a source of the project"
GIT = "the project's git folder"

#: (command line with ROOT in it, the path it names, the word for what it writes, the option, where, kind)
REFUSED = [
    ("report --pdf ROOT/content/organisation.yaml", "content/organisation.yaml", "the PDF", "--pdf", "lies inside",
     "content", SRC),
    ("report --pdf ROOT/pelicanconf.py", "pelicanconf.py", "the PDF", "--pdf", "is", "pelicanconf.py", SRC),
    ("report --pdf ROOT/link.pdf", "link.pdf", "the PDF", "--pdf", "lies inside", "content", SRC),  # a symlink
    ("report --output ROOT/theme/site", "theme/site", "the site", "--output", "lies inside", "theme", SRC),
    ("history --output ROOT/.git/config", ".git/config", "history.json", "--output", "lies inside", ".git", GIT),
    ("history --output ROOT/evidence/history.json", "evidence/history.json", "history.json", "--output",
     "lies inside", "evidence", SRC),
    ("validate --summary ROOT/content/summary.md", "content/summary.md", "the summary", "--summary", "lies inside",
     "content", SRC),
    ("build --force --output ROOT/pelicanconf.py", "pelicanconf.py", "the site", "--output", "is", "pelicanconf.py",
     SRC),
    ("build --output ROOT/.git/site", ".git/site", "the site", "--output", "lies inside", ".git", GIT),
    ("serve --output ROOT/evidence/preview", "evidence/preview", "the preview", "--output", "lies inside", "evidence",
     SRC),
    ("archive --dist ROOT/.git/objects", ".git/objects", "the archive", "--dist (default: ROOT/dist)", "lies inside",
     ".git", GIT),
]


@pytest.mark.parametrize("line,named,what,option,where,source,kind", REFUSED, ids=[r[0] for r in REFUSED])
def test_every_output_option_refuses_the_sources(minimal_project: Path, capsys, line, named, what, option, where,
                                                  source, kind) -> None:
    root = minimal_project
    shutil.copyfile(REPO / "pelicanconf.py", root / "pelicanconf.py")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[remote]\n\turl = https://token@example.com/x.git\n")
    (root / "link.pdf").symlink_to(root / "content" / "organisation.yaml")
    before = _snapshot(root)
    args = [a.replace("ROOT", str(root)) for a in line.split()]
    root_opt = ["--root", str(root)]
    extra = [] if args[0] == "history" else AS_OF
    code, out, err = cli(capsys, *args, *root_opt, *extra)
    target = str(root / named)
    assert (code, out, err) == (2, "", f"isoready: error: refusing to write {what} to {target}: it {where} "
                                       f"{root / source}, {kind}; choose another {option}\n")
    assert _snapshot(root) == before  # nothing overwritten, and nothing made: no .cache, no output, no dist
    assert sorted(p.name for p in root.iterdir()) == [".git", "content", "evidence", "link.pdf", "pelicanconf.py"]


@pytest.mark.parametrize("command", ["build", "report", "serve"])
def test_the_project_itself_or_a_folder_holding_it_is_refused_and_nothing_is_created(minimal_project: Path, capsys,
                                                                                     command) -> None:
    """'--output /' used to create the build cache (the history of a git project) before the refusal."""
    import subprocess

    root = minimal_project
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    for git in (["init", "-q"], ["add", "."], ["commit", "-qm", "start"]):
        subprocess.run(["git", *git], cwd=root, env=env, check=True, capture_output=True)
    for output in ("/", str(root), str(root.parent)):
        code, out, err = cli(capsys, command, "--root", str(root), "--output", output, *AS_OF)
        what = "the preview" if command == "serve" else "the site"
        assert (code, out, err) == (2, "", f"isoready: error: refusing to write {what} to {output}: it would replace "
                                           f"the project {root} itself; choose another --output\n")
        assert sorted(p.name for p in root.iterdir()) == [".git", "content", "evidence"]  # no .cache/
        assert not list(root.parent.glob(".*-build-*"))  # no temporary folder
    if command == "build":  # a folder that is not a site of ours is refused as early
        mine = root.parent / "mine"
        mine.mkdir()
        (mine / "notes.txt").write_text("mine\n")
        code, out, err = cli(capsys, "build", "--root", str(root), "--output", str(mine), *AS_OF)
        assert (code, out) == (2, "") and err.startswith(f"isoready: error: refusing to replace {mine}: it is not a site")
        assert sorted(p.name for p in root.iterdir()) == [".git", "content", "evidence"]
        assert [p.name for p in mine.iterdir()] == ["notes.txt"] and not list(root.parent.glob(".mine-build-*"))


def test_history_output_outside_the_sources_still_works(minimal_project: Path, capsys) -> None:
    code, out, err = cli(capsys, "history", "--root", str(minimal_project), "--output", str(minimal_project / "h.json"))
    assert code == 0 and (minimal_project / "h.json").is_file()


# --------------------------------------------------------------------------- validate and build agree on names

RECORD = 'title: T\nkind: record\nclauses: ["7.2"]\n'
URL = "url: https://example.com\n"
EXTRA_HINT = "(rename it or move it to another folder under content/extra/)"


def _extra_case(name: str, portal: str) -> str:
    return (f"content/extra/{name}:1:1: E320 extra file would replace the portal's own {portal} on macOS and Windows, "
            f"where {name} and {portal} are one name {EXTRA_HINT}")


#: (case, files to add (under the project root), the diagnostics both commands must print)
COLLISIONS = [
    ("document-page-beside-a-folder",
     {"evidence/support/a.yaml": RECORD + "file: m.md\n", "evidence/support/m.md": "# m\n",
      "evidence/support/b.yaml": RECORD + "file: m.md.html/x.pdf\n", "evidence/support/m.md.html/x.pdf": "x"},
     ["evidence/support/m.md.html/x.pdf:1:1: E324 document 'support/m.md.html/x.pdf' would be published as "
      "files/support/m.md.html/x.pdf, inside a folder files/support/m.md.html, which is the page of document "
      "'support/m.md' (evidence/support/m.md:1) (rename one of the two)"]),
    ("id-folder-ending-in-a-dot", {"evidence/support/m.yaml": RECORD + "id: support./minutes\n" + URL},
     ["evidence/support/m.yaml:1:1: E321 the page of evidence 'support./minutes' would be published as "
      "evidence/support./minutes.html: 'support.' ends in a dot or space, which Windows drops (rename it)"]),
    ("document-folder-ending-in-a-dot", {"evidence/support/a.yaml": RECORD + "file: 'old./a.pdf'\n",
                                         "evidence/support/old./a.pdf": "x"},
     ["evidence/support/old./a.pdf:1:1: E321 document 'old.' ends in a dot or space, which Windows drops "
      "(rename it)"]),
    ("ids-differing-in-case", {"evidence/support/Prüfmittel.yaml": RECORD + URL,
                               "evidence/support/prüfmittel.yaml": RECORD + URL},
     ["evidence/support/prüfmittel.yaml:1:1: E307 evidence id 'support/prüfmittel' differs only in letter case "
      "from 'support/Prüfmittel' (the two would overwrite each other on macOS and Windows; rename one)"]),
    ("documents-nfc-nfd", {"evidence/support/a.yaml": RECORD + "file: caf\u00e9.txt\n",
                           "evidence/support/caf\u00e9.txt": "x",
                           "evidence/support/b.yaml": RECORD + "file: cafe\u0301.txt\n",
                           "evidence/support/cafe\u0301.txt": "y"},
     ["evidence/support/caf\u00e9.txt:1:1: E307 document 'support/caf\u00e9.txt' differs only in Unicode "
      "normalisation (NFC/NFD) from 'support/cafe\u0301.txt' (the two would be one file on macOS; rename one)"]),
    ("extra-names-in-another-case",
     {"content/extra/INDEX.html": "x", "content/extra/README.TXT": "x", "content/extra/SHA256sums": "x",
      "content/extra/Manifest.json": "x", "content/extra/Search-Index.js": "x"},
     [_extra_case("INDEX.html", "index.html"), _extra_case("Manifest.json", "manifest.json"),
      _extra_case("README.TXT", "README.txt"), _extra_case("SHA256sums", "SHA256SUMS"),
      _extra_case("Search-Index.js", "search-index.js")]),
    # the old hand-kept list of the portal's names missed these: validate said nothing, build stopped late
    ("extra-names-the-old-list-missed",
     {"content/extra/history.json": "x", "content/extra/schema/readiness.schema.json": "x",
      "content/extra/Clauses/4.1.html": "x"},
     [f"content/extra/Clauses/4.1.html:1:1: E320 extra file would replace the portal's own Clauses/4.1.html "
      f"{EXTRA_HINT}",
      f"content/extra/history.json:1:1: E320 extra file would replace the portal's own history.json {EXTRA_HINT}",
      f"content/extra/schema/readiness.schema.json:1:1: E320 extra file would replace the portal's own "
      f"schema/readiness.schema.json {EXTRA_HINT}"]),
    ("extra-file-named-like-a-portal-folder", {"content/extra/Theme": "x", "content/extra/files": "x"},
     [f"content/extra/Theme:1:1: E320 extra file would replace the portal's own folder theme/ {EXTRA_HINT}",
      f"content/extra/files:1:1: E320 extra file would replace the portal's own folder files/ {EXTRA_HINT}"]),
    ("extra-file-inside-a-document-page", {"evidence/support/a.yaml": RECORD + "file: m.md\n",
                                           "evidence/support/m.md": "# m\n",
                                           "content/extra/files/support/m.md.html/x.txt": "x"},
     [f"content/extra/files/support/m.md.html/x.txt:1:1: E320 extra file would replace the portal's own "
      f"files/support/m.md.html/x.txt {EXTRA_HINT}"]),
]


@pytest.mark.parametrize("case,files,lines", COLLISIONS, ids=[c[0] for c in COLLISIONS])
def test_validate_and_build_report_the_same_collision(minimal_project: Path, capsys, case, files, lines) -> None:
    root = minimal_project
    site = root / "output"
    assert cli(capsys, "build", "--root", str(root), *AS_OF)[0] == 0
    before = _snapshot(site)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    count = f"{len(lines)} error{'s' if len(lines) > 1 else ''}, 0 warnings"
    code, out, err = cli(capsys, "validate", "--root", str(root), *AS_OF)
    assert (code, out.splitlines(), err) == (1, lines + [count], "")
    code, out, err = cli(capsys, "build", "--root", str(root), *AS_OF)
    assert (code, out.splitlines(), err) == (1, lines + [count], f"build stopped: {site} left unchanged\n")
    assert _snapshot(site) == before  # the previous site, byte for byte
    assert not list(root.glob(".output-build-*"))


def test_the_plan_names_every_file_a_build_writes(minimal_project: Path, capsys) -> None:
    """The plan is the pages the views made, not a list kept by hand: every file of a real build is in it."""
    import json
    from datetime import date

    from isoready.package.assemble import _Unhashed, planned
    from isoready.assess import assess
    from isoready.read.catalog import load_catalog
    from isoready.validate.project import read_project
    from isoready.views import build_site

    extra = minimal_project / "content" / "extra"
    extra.mkdir()
    (extra / "CNAME").write_text("portal.example.com\n")
    assert cli(capsys, "build", "--root", str(minimal_project), *AS_OF)[0] == 0
    written = {e["path"] for e in json.loads((minimal_project / "output" / "manifest.json").read_text())["files"]}
    project, _diags = read_project(minimal_project, load_catalog(), date(2026, 11, 1), 1 << 20)
    site = build_site(project, assess(project, date(2026, 11, 1)), audience="internal", hashes=_Unhashed())
    plan = {p.path for p in planned(site, project, ["CNAME"])}
    assert written - plan == set() and len(written) > 100


# --------------------------------------------------------------------------- files added to output/ by hand


W130_CNAME = ("output/CNAME:1:1: W130 file added to output/ by hand is not part of this build and is deleted with "
              "the previous site (move it to content/extra/CNAME: every build copies what is there)")
E320_CASE = ("content/extra/INDEX.html:1:1: E320 extra file would replace the portal's own index.html on macOS and "
             "Windows, where INDEX.html and index.html are one name (rename it or move it to another folder under "
             "content/extra/)")
E321_FOLDER = ("evidence/support/m.yaml:1:1: E321 the page of evidence 'support./minutes' would be published as "
               "evidence/support./minutes.html: 'support.' ends in a dot or space, which Windows drops (rename it)")
E324_DOCUMENT = ("evidence/support/m.md.html/x.pdf:1:1: E324 document 'support/m.md.html/x.pdf' would be published "
                 "as files/support/m.md.html/x.pdf, inside a folder files/support/m.md.html, which is the page of "
                 "document 'support/m.md' (evidence/support/m.md:1) (rename one of the two)")


def test_the_documented_lines_are_what_the_functions_print() -> None:
    assert [_w130("CNAME"), _extra_case("INDEX.html", "index.html")] == [W130_CNAME, E320_CASE]
    assert [c[2] for c in COLLISIONS if c[0] in ("id-folder-ending-in-a-dot", "document-page-beside-a-folder")] == [
        [E324_DOCUMENT], [E321_FOLDER]]


def _w130(rel: str) -> str:
    return (f"output/{rel}:1:1: W130 file added to output/ by hand is not part of this build and is deleted with the "
            f"previous site (move it to content/extra/{rel}: every build copies what is there)")


def test_files_added_to_output_by_hand_are_named_before_the_build_replaces_them(minimal_project: Path,
                                                                                 capsys) -> None:
    root, site = minimal_project, minimal_project / "output"
    assert cli(capsys, "build", "--root", str(root), *AS_OF)[0] == 0
    (site / "CNAME").write_text("portal.example.com\n")
    (site / "notes").mkdir()
    (site / "notes" / "todo.txt").write_text("ask the auditor\n")
    (site / "index.html").write_text("edited")  # a file of the build, edited: rebuilt, not the team's own
    # --strict: the warnings stop the build and the files stay
    code, out, err = cli(capsys, "build", "--root", str(root), "--strict", *AS_OF)
    assert (code, out.splitlines(), err) == (1, [_w130("CNAME"), _w130("notes/todo.txt"), "0 errors, 2 warnings"],
                                             f"build stopped: {site} left unchanged\n")
    assert (site / "CNAME").is_file() and (site / "index.html").read_text() == "edited"
    # a plain build says so, then replaces output/ as before
    code, out, err = cli(capsys, "build", "--root", str(root), *AS_OF)
    lines = out.splitlines()
    assert (code, lines[:3], err) == (0, [_w130("CNAME"), _w130("notes/todo.txt"), "0 errors, 2 warnings"], "")
    assert re.match(rf"built \d+ files into {re.escape(str(site))} ", lines[3]), lines[3]  # the count moves with the theme
    assert not (site / "CNAME").exists() and (site / "index.html").read_text() != "edited"
    # moved to content/extra/ as told: copied into every build, and no warning
    (root / "content" / "extra").mkdir()
    (root / "content" / "extra" / "CNAME").write_text("portal.example.com\n")
    code, out, err = cli(capsys, "build", "--root", str(root), *AS_OF)
    assert (code, out.splitlines()[0], err) == (0, "no problems found", "")
    again = cli(capsys, "build", "--root", str(root), *AS_OF)[1].splitlines()
    built = int(lines[3].split()[1])
    assert again[0] == "no problems found" and again[1].startswith(f"built {built + 1} files into "), "and CNAME"
    assert (site / "CNAME").read_text() == "portal.example.com\n"


# --------------------------------------------------------------------------- fuzz: the check against a file system


def _unzip_fails(paths: list[str]) -> bool:
    """Whether writing every path on a case-insensitive, normalising file system that drops a trailing dot or
    space and reserves CON, NUL, ... (Windows and macOS as an auditor unzips there) loses or refuses a file."""
    import unicodedata

    from isoready.validate.checks import WINDOWS_RESERVED

    tree: dict = {}
    for path in paths:
        node = tree
        parts = path.split("/")
        for i, part in enumerate(parts):
            if part.endswith((".", " ")) or part.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_RESERVED:
                return True
            key = unicodedata.normalize("NFC", part).casefold()
            last = i == len(parts) - 1
            if last:
                if key in node:
                    return True
                node[key] = None  # a file
            else:
                child = node.setdefault(key, {})
                if child is None:
                    return True
                node = child
    return False


def test_fuzz_the_plan_check_refuses_exactly_what_a_file_system_cannot_hold() -> None:
    from hypothesis import HealthCheck, example, given, settings
    from hypothesis import strategies as st

    from isoready.package.assemble import Planned, output_collisions

    portal = [Planned(p) for p in ("index.html", "README.txt", "evidence/a.html", "evidence/b/c.html",
                                   "files/m.md", "files/m.md.html", "theme/css/site.css")]
    # a few names that meet (letter case, NFC and NFD, a page beside its folder, dots, reserved) and random ones
    vocabulary = st.sampled_from(["a", "A", "\u00e4", "a\u0308", "\u00c4", "b", "B", "m.md", "M.md.html", "m.md.html",
                                  "c.html", "C.HTML", "x.", "y ", "con.txt", "b.html"])
    segment = vocabulary | st.text(alphabet="aAbBm.- \u00e4\u0308", min_size=1, max_size=4).filter(
        lambda s: s not in (".", ".."))
    path = st.lists(segment, min_size=1, max_size=3).map("/".join)
    top = st.sampled_from(["evidence", "files", "Files", "x", "EVIDENCE"])

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(top, path), min_size=1, max_size=4, unique=True))
    @example([("files", "\u00e4"), ("files", "a\u0308")])  # NFC and NFD
    @example([("x", "\u00e4/b"), ("x", "A\u0308")])  # a folder and a file, in another case and normalisation
    @example([("Files", "M.md.html/c")])  # inside the portal's own page, in another case
    @example([("evidence", "B")])  # the portal's own folder evidence/b/, as a file in another case
    @example([("x", "y /a")])  # a folder ending in a space
    def check(entries) -> None:
        team = [Planned(f"{t}/{p}", f"evidence/{t}/{p}", 1, f"document '{t}/{p}'") for t, p in entries]
        diags = output_collisions(portal + team)
        assert all(d.path in {p.where for p in team} for d in diags)  # told at a team's file, never nowhere
        # a diagnostic exactly when unzipping on Windows or macOS would lose or refuse a file
        assert bool(diags) == _unzip_fails([p.path for p in portal + team]), (entries, diags)

    check()


def test_build_judges_the_team_pages_with_the_rest(minimal_project: Path, capsys) -> None:
    """Team pages whose slugs differ only in letter case stop validate and the build alike, before anything is
    copied (the team-page rules, isoready/read/teampages.py, run in both); the plan-based check stands behind them."""
    root, site = minimal_project, minimal_project / "output"
    assert cli(capsys, "build", "--root", str(root), *AS_OF)[0] == 0
    before = _snapshot(site)
    pages = root / "content" / "pages"
    pages.mkdir()
    (pages / "a.md").write_text("Title: A\nSlug: About\n\nbody\n")
    (pages / "b.md").write_text("Title: B\nSlug: about\n\nbody\n")
    line = ("content/pages/b.md:2:1: E333 page would replace pages/about.html, which content/pages/a.md:2 writes too "
            "(in some letter case) (give each page its own Slug:)")
    assert cli(capsys, "validate", "--root", str(root), *AS_OF)[:2] == (1, f"{line}\n1 error, 0 warnings\n")
    code, out, err = cli(capsys, "build", "--root", str(root), *AS_OF)
    assert (code, out.splitlines(), err) == (1, [line, "1 error, 0 warnings"], f"build stopped: {site} left unchanged\n")
    assert _snapshot(site) == before and not list(root.glob(".output-build-*"))
