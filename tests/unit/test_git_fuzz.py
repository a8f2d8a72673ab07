"""Hostile trees in commits, fuzzed (issue 19): history, diff and build read them as data.

One repository is made per test; each example commits a generated tree with git's plumbing (so it may hold
what ``git add`` never writes: duplicate names, a symlink beside a folder of its name, ``.``/``..``/``a/b``
names, symlinks to absolute paths or climbing out, odd modes, objects of the wrong type, evidence/ itself a
link or a file), slipped into main's history. Property: every command exits 0 or 1 (never the internal error's 2, never a traceback), and nothing
is written outside the project: the folder beside it stays as it was, and no temporary folder is left.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoready import cli

from .test_git_hostile import ls, obj, tree
from .test_history import git, make_register

RECORD = b'title: Fuzzed\nkind: record\nclauses: ["7.2"]\nfile: x\ndate: 2026-11-02\n'
NAMES = st.one_of(st.sampled_from(["x", "x", "leak.txt", "..", ".", "", "a/b", "/", ".git", "context", "scope.md",
                                   "X", "x.yaml", "...", "evidence"]),
                  st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), max_size=6))
MODES = st.sampled_from(["100644", "100644", "100755", "120000", "120000", "40000", "40000", "160000", "100664",
                         "644", "100000", "120644", "0"])


@st.composite
def targets(draw, outside: str) -> bytes:
    return draw(st.sampled_from([
        outside, outside + "/planted.yaml", "/etc/passwd", "../../outside", "../../../outside/planted.yaml",
        "context/scope.md", "x", "x/y", "../evidence/x", "..", ".", "", "a" * 5000, "context/../../..",
        "scope.md", "../content/organisation.yaml"])).encode()


@st.composite
def entries(draw, repo: Path, outside: str, depth: int = 0) -> list[tuple[str, str, str]]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        mode, name = draw(MODES), draw(NAMES)
        if mode.startswith("12"):
            oid = obj(repo, "blob", draw(targets(outside)))
        elif mode in ("40000", "0") and depth < 2 and draw(st.booleans()):
            oid = tree(repo, draw(entries(repo, outside, depth + 1)))
        elif mode == "160000":
            oid = "1" * 40  # a submodule's commit, not in this repository
        else:
            oid = obj(repo, "blob", draw(st.sampled_from([RECORD, b"\xff\xfe", b"", b"title: [unclosed\n"])))
        out.append((mode, name, oid))
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("gitfuzz")
    old = {k: os.environ.get(k) for k in ("GIT_CEILING_DIRECTORIES", "ISOREADY_WORKERS", "ISOREADY_COMMIT")}
    os.environ["GIT_CEILING_DIRECTORIES"] = str(base)
    os.environ["ISOREADY_WORKERS"] = "1"
    os.environ.pop("ISOREADY_COMMIT", None)
    repo, _ = make_register(base)
    outside = base / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("kept\n", encoding="utf-8")
    tmp = base / "tmp"
    tmp.mkdir()
    saved_tempdir, tempfile.tempdir = tempfile.tempdir, str(tmp)
    try:
        yield repo, outside, tmp
    finally:
        tempfile.tempdir = saved_tempdir
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (p.is_symlink(), p.is_file() and p.read_bytes())
            for p in folder.rglob("*")}


def cmd(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue() + err.getvalue()


def slip(repo: Path, hostile_tree: str) -> str:
    base = git(repo, "rev-parse", "base").strip()
    base_tree = git(repo, "rev-parse", "base^{tree}").strip()
    env_commit = "author A <a@b> 1792000000 +0000\ncommitter A <a@b> 1792000000 +0000\n"
    bad = obj(repo, "commit", f"tree {hostile_tree}\nparent {base}\n{env_commit}\nhostile\n".encode())
    top = obj(repo, "commit", f"tree {base_tree}\nparent {bad}\n{env_commit}\nrestore\n".encode())
    git(repo, "update-ref", "refs/heads/main", top)
    git(repo, "tag", "-f", "audit-fuzz", bad)
    return bad


def hostile_root(repo: Path, extra: list, where: str) -> str:
    """base's tree with ``extra`` added to evidence/ (or content/, or nested in evidence/context/)."""
    def add(treeish: str, items: list) -> str:
        return tree(repo, ls(repo, treeish) + items)

    if where == "replace":  # evidence/ itself becomes the first generated entry (a link, a blob, a module)
        mode, _, oid = extra[0]
        return tree(repo, [(mode if n == "evidence" else m, n, oid if n == "evidence" else o)
                           for m, n, o in ls(repo, "base^{tree}")])
    if where == "context":
        ctx = add("base:evidence/context", extra)
        ev = tree(repo, [(m, n, ctx if n == "context" else o) for m, n, o in ls(repo, "base:evidence")])
        new = {"evidence": ev}
    else:
        new = {where: add(f"base:{where}", extra)}
    return tree(repo, [(m, n, new.get(n, o)) for m, n, o in ls(repo, "base^{tree}")])


def check_nothing_escaped(world, before: dict) -> None:
    repo, outside, tmp = world
    assert snapshot(outside) == before
    assert sorted(p.name for p in tmp.iterdir()) == []
    assert sorted(p.name for p in repo.parent.iterdir()) == ["outside", "register", "tmp"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_history_and_diff_read_hostile_trees_as_data(world, data):
    repo, outside, tmp = world
    if not git(repo, "tag", "-l", "base").strip():
        git(repo, "tag", "base", "HEAD")
    extra = data.draw(entries(repo, str(outside)))
    where = data.draw(st.sampled_from(["evidence", "content", "context", "replace"]))
    bad = slip(repo, hostile_root(repo, extra, where))
    before = snapshot(outside)
    code, text = cmd("history", "--root", str(repo))
    assert code in (0, 1), text
    assert "Traceback" not in text and "internal error" not in text
    code, text = cmd("diff", bad, "HEAD", "--root", str(repo), "--format", "json")
    assert code in (0, 1), text
    assert "Traceback" not in text and "internal error" not in text
    check_nothing_escaped(world, before)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_build_with_a_hostile_last_audit_commit(world, data):
    """A build reads the history and the last audit's commit: a hostile one is warned about, never fatal."""
    repo, outside, tmp = world
    if not git(repo, "tag", "-l", "base").strip():
        git(repo, "tag", "base", "HEAD")
    extra = data.draw(entries(repo, str(outside)))
    slip(repo, hostile_root(repo, extra, data.draw(st.sampled_from(["evidence", "content", "context", "replace"]))))
    org = repo / "content/organisation.yaml"
    text = org.read_text(encoding="utf-8")
    if "last_audit:" not in text:
        org.write_text("last_audit: audit-fuzz\n" + text, encoding="utf-8")
    before = snapshot(outside)
    code, out = cmd("build", "--root", str(repo), "--as-of", "2026-11-20")
    assert code in (0, 1), out
    assert "Traceback" not in out and "internal error" not in out
    check_nothing_escaped(world, before)
