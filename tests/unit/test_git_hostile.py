"""Git input is data, never paths to follow (issue 19).

Commits are made here with git's plumbing (``hash-object --literally``, ``commit-tree``), so a tree can hold
what ``git add`` never writes: a symlink ``x`` beside a folder ``x/``, duplicate names, ``..``, symlinks
leading outside the project, odd modes; and commits with dates git stores but no calendar holds. Proves:
history, diff and build read such commits as data (exit 0 or 1, every oddity a warning naming the commit,
never a traceback), and write nothing outside their temporary folders; memory does not grow with the
documents committed; only audit tags reach a build's bytes; a file git ignores marks a build dirty.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from isoready import cli

from .test_history import commit, edit, git, make_register

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def register(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("ISOREADY_WORKERS", "1")
    monkeypatch.delenv("ISOREADY_COMMIT", raising=False)
    return make_register(tmp_path)


# --------------------------------------------------------------------------- plumbing


def obj(repo: Path, kind: str, data: bytes) -> str:
    """Write any object, even one fsck refuses (``--literally``), and return its id."""
    return subprocess.run(["git", "hash-object", "-w", "--literally", "-t", kind, "--stdin"], cwd=repo, input=data,
                          check=True, capture_output=True, env=dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null")
                          ).stdout.decode().strip()


def tree(repo: Path, entries: list[tuple[str, str, str]]) -> str:
    """A tree object from (mode, name, id) in the order given: duplicates and odd names allowed."""
    data = b"".join(mode.encode() + b" " + name.encode("utf-8", "surrogateescape") + b"\0" + bytes.fromhex(oid)
                    for mode, name, oid in entries)
    return obj(repo, "tree", data)


def ls(repo: Path, treeish: str) -> list[tuple[str, str, str]]:
    out = subprocess.run(["git", "ls-tree", "-z", treeish], cwd=repo, check=True, capture_output=True).stdout
    entries = []
    for item in out.split(b"\0"):
        if item:
            meta, _, name = item.partition(b"\t")
            mode, _, oid = meta.decode().split()
            entries.append((mode, name.decode("utf-8", "surrogateescape"), oid))
    return entries


def with_evidence(repo: Path, extra: list[tuple[str, str, str]], base: str = "HEAD") -> str:
    """base's root tree with ``extra`` entries appended to its evidence/ tree."""
    ev = tree(repo, ls(repo, f"{base}:evidence") + extra)
    return tree(repo, [(m, n, ev if n == "evidence" else o) for m, n, o in ls(repo, f"{base}^{{tree}}")])


def commit_tree(repo: Path, tree_id: str, parent: str, subject: str, author: str = "1792000000 +0000") -> str:
    """A commit with its author line as given (``<seconds> <zone>``, anything git stores)."""
    body = (f"tree {tree_id}\nparent {parent}\nauthor Alice Quality <alice@example.com> {author}\n"
            f"committer Alice Quality <alice@example.com> 1792000000 +0000\n\n{subject}\n").encode()
    return obj(repo, "commit", body)


def slip_in(repo: Path, hostile: str, tag: str = "") -> str:
    """Put ``hostile`` into main's history before a commit restoring HEAD's tree, so the working tree stays
    clean; tag it when asked. Returns the hostile commit's id."""
    head = git(repo, "rev-parse", "HEAD").strip()
    head_tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    bad = commit_tree(repo, hostile, head, "hostile tree")
    top = commit_tree(repo, head_tree, bad, "restore")
    git(repo, "update-ref", "refs/heads/main", top)
    if tag:
        git(repo, "tag", tag, bad)
    return bad


def files_outside(tmp_path: Path, repo: Path) -> set[str]:
    """Every path under tmp_path except the project (where .cache and output may be written)."""
    return {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
            if repo not in p.parents and p != repo}


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "isoready", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})), timeout=300)


# --------------------------------------------------------------------------- 1. a symlink and a folder of one name


def test_symlink_beside_a_folder_of_its_name_writes_nothing_outside(register, tmp_path):
    """The High finding: a tree with symlink x -> outside and folder x/ made history follow the link."""
    repo, _ = register
    outside = tmp_path / "outside"
    outside.mkdir()
    link = obj(repo, "blob", str(outside).encode())
    record = obj(repo, "blob", b"title: Pwned\nkind: record\nclauses: [\"7.2\"]\ndate: 2026-11-02\n")
    folder = tree(repo, [("100644", "pwned.yaml", record)])
    bad = slip_in(repo, with_evidence(repo, [("120000", "x", link), ("40000", "x", folder)]))
    (tmp_path / "tmp").mkdir()
    before = files_outside(tmp_path, repo)
    proc = run("history", "--root", str(repo), cwd=tmp_path, env={"TMPDIR": str(tmp_path / "tmp")})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert list(outside.iterdir()) == []
    assert files_outside(tmp_path, repo) == before  # the temporary folders are gone too
    expected = ("evidence/x:1:1: W121 at commit 1a2b3c4d5e: the folder holds this name twice (git fsck: "
                "duplicateEntries): every entry of that name is skipped (rewrite the commit without the clash)")
    assert expected.replace("1a2b3c4d5e", bad[:10]) in proc.stderr.splitlines()
    assert "5 commits" in proc.stderr  # the hostile commit is still in the history, without x


# --------------------------------------------------------------------------- 2. a symlink leading outside at last_audit


def test_symlink_outside_at_the_last_audit_tag_is_a_warning_not_a_stop(register, tmp_path):
    repo, _ = register
    secret = tmp_path / "secret.txt"
    secret.write_text("canary-secret-4711\n", encoding="utf-8")
    link = obj(repo, "blob", b"../../secret.txt")
    record = obj(repo, "blob", b"title: Leak\nkind: record\nclauses: [\"7.2\"]\nfile: leak.txt\ndate: 2026-11-02\n")
    bad = slip_in(repo, with_evidence(repo, [("120000", "leak.txt", link), ("100644", "leak.yaml", record)]),
                  tag="audit-2026-11")
    edit(repo / "content/organisation.yaml", "name:", "last_audit: audit-2026-11\nname:")
    commit(repo, "2026-11-20", "Name the last audit")
    expected = ("evidence/leak.txt:1:1: W120 at commit 1a2b3c4d5e: symlink to '../../secret.txt' leads outside "
                "evidence/: read as a missing file (commit the file itself, not a link to it)").replace(
        "1a2b3c4d5e", bad[:10])

    built = run("build", "--root", str(repo), "--as-of", "2026-11-20", "--audience", "internal", cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    assert expected in built.stdout.splitlines()
    site = repo / "output"
    assert (site / "since-last-audit.html").is_file()
    for path in site.rglob("*"):
        if path.is_file():
            assert b"canary-secret-4711" not in path.read_bytes(), path

    diffed = run("diff", "audit-2026-11", "HEAD", "--root", str(repo), "--format", "json", cwd=tmp_path)
    assert diffed.returncode == 0, diffed.stderr
    assert expected in diffed.stderr.splitlines()
    assert json.loads(diffed.stdout)["before"]["commit"] == bad
    assert "canary-secret-4711" not in diffed.stdout


def test_a_symlink_inside_its_folder_is_read_as_a_copy_of_its_target(register, tmp_path):
    """A link to a file of the same folder is data too: its target's bytes, never a link on disk."""
    from isoready.gitfacts import gitdata

    repo, _ = register
    link = obj(repo, "blob", b"context/scope.md")
    bad = slip_in(repo, with_evidence(repo, [("120000", "scope-copy.md", link)]))
    dest = tmp_path / "dest"
    found, notes = gitdata.materialise(gitdata.open_repo(repo), bad, dest)
    assert found and notes == []
    copy = dest / "evidence" / "scope-copy.md"
    assert not copy.is_symlink() and copy.read_bytes() == (repo / "evidence/context/scope.md").read_bytes()


def test_a_tree_bomb_is_read_up_to_a_bound(register, tmp_path, monkeypatch):
    """A folder naming one subtree twice, 16 levels deep, holds 65,536 paths from 17 objects: reading stops
    at the bound, with a warning."""
    from isoready.gitfacts import gitdata

    repo, _ = register
    monkeypatch.setattr(gitdata, "MAX_ENTRIES", 500)
    level = tree(repo, [("100644", "leaf.txt", obj(repo, "blob", b"x"))])
    for _ in range(16):
        level = tree(repo, [("40000", "a", level), ("40000", "b", level)])
    bad = slip_in(repo, with_evidence(repo, [("40000", "bomb", level)]))
    found, notes = gitdata.materialise(gitdata.open_repo(repo), bad, tmp_path / "dest")
    assert found
    assert sum(1 for _ in (tmp_path / "dest").rglob("*")) < 600
    assert [n.code for n in notes] == ["W121"]
    assert "holds more than 500 files and folders: the rest are skipped" in notes[0].message


# --------------------------------------------------------------------------- 3. odd dates


@pytest.mark.parametrize("author", ["1792000000 +9900", "1792000000 -9959", "1000000000000 +0000", "0 +0000"])
def test_odd_author_dates_are_reported_never_fatal(register, tmp_path, author):
    repo, _ = register
    head_tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    changed = with_evidence(repo, [("100644", "odd.yaml", obj(
        repo, "blob", b"title: Odd\nkind: record\nclauses: [\"7.2\"]\ndate: 2026-11-02\n"))])
    head = git(repo, "rev-parse", "HEAD").strip()
    odd = commit_tree(repo, changed, head, "odd date", author=author)
    top = commit_tree(repo, head_tree, odd, "restore")
    git(repo, "update-ref", "refs/heads/main", top)

    hist = run("history", "--root", str(repo), cwd=tmp_path)
    assert hist.returncode == 0, hist.stderr
    assert "--since" not in hist.stderr and "Traceback" not in hist.stderr
    zone = {"1792000000 +9900": "+9900", "1792000000 -9959": "-9959"}.get(author)
    if zone:
        line = ("1a2b3c4d5e:1:1: W122 commit 1a2b3c4d5e has an author time zone '+9900' outside -2359..+2359: its "
                "date is read in UTC (git stores such dates, but fsck flags them; rewrite the commit, or ignore "
                "this warning)")
        assert line.replace("1a2b3c4d5e", odd[:10]).replace("+9900", zone) in hist.stderr.splitlines()
    elif author.startswith("1000000000000"):
        line = ("1a2b3c4d5e:1:1: W122 commit 1a2b3c4d5e has an author date outside the years 1900-9999 "
                "('33658-09-27 01:46:40 +0000'), which no as-of date can hold (history leaves the commit out; "
                "diff judges it on 9999-12-31 unless --as-of is given)")
        assert line.replace("1a2b3c4d5e", odd[:10]) in hist.stderr.splitlines()
    else:  # 1970-01-01 is a date like any other
        assert "W122" not in hist.stderr

    diffed = run("diff", odd, "HEAD", "--root", str(repo), cwd=tmp_path)
    assert diffed.returncode == 0, diffed.stderr
    assert "Traceback" not in diffed.stderr
    built = run("build", "--root", str(repo), "--as-of", "2026-11-20", cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "internal error" not in built.stderr


# --------------------------------------------------------------------------- 4. memory


#: the peak resident memory of this process (VmHWM, in KiB): unlike getrusage's ru_maxrss, which Linux carries
#: over from the test process through fork and exec, it starts afresh with the program
MEASURE = """
import re, sys
from isoready.gitfacts.history import history
h = history(sys.argv[1], use_cache=False)
assert len(h.entries) >= 3, h
with open("/proc/self/status") as fh:
    print(re.search(r"VmHWM:\\s+(\\d+) kB", fh.read()).group(1))
"""


def test_history_memory_does_not_grow_with_the_documents_committed(register, tmp_path):
    """Six 8 MB scans over three commits: the history's peak memory grows by well under one scan's size
    over the same history with tiny scans (it held every blob ever read: +47 MB)."""
    if not Path("/proc/self/status").is_file():
        pytest.skip("measures VmHWM in /proc (Linux)")

    def peak(repo: Path, size: int) -> int:
        for n in range(3):
            folder = repo / "evidence" / "scans"
            folder.mkdir(exist_ok=True)
            for k in range(2):
                (folder / f"scan-{n}-{k}.pdf").write_bytes(os.urandom(size))
                (folder / f"scan-{n}-{k}.yaml").write_text(
                    f"title: Scan {n}-{k}\nkind: record\nclauses: [\"7.2\"]\nfile: scans/scan-{n}-{k}.pdf\n"
                    "date: 2026-11-02\n", encoding="utf-8")
            commit(repo, f"2026-11-1{n}", f"Scans {n}")
        out = subprocess.run(
            [sys.executable, "-c", MEASURE, str(repo)], capture_output=True, text=True, timeout=600,
            env=dict(os.environ, PYTHONPATH=str(ROOT), ISOREADY_WORKERS="1"))
        assert out.returncode == 0, out.stderr
        return int(out.stdout.split()[-1])

    repo, _ = register
    small_repo = tmp_path / "small"
    subprocess.run(["git", "clone", "-q", str(repo), str(small_repo)], check=True)
    small = peak(small_repo, 1000)
    big = peak(repo, 8_000_000)
    assert big - small < 6_000, (small, big)  # KiB: less than one scan


def test_parallel_history_leaves_no_temporary_folder(register, tmp_path):
    """Worker processes read commits too (8 or more to evaluate): their blob stores go with the run."""
    repo, _ = register
    for n in range(8):
        (repo / "evidence" / f"note-{n}.yaml").write_text(
            f"title: Note {n}\nkind: record\nclauses: [\"7.2\"]\ndate: 2026-11-02\n", encoding="utf-8")
        commit(repo, f"2026-11-{10 + n}", f"Note {n}")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = run("history", "--root", str(repo), cwd=tmp_path, env={"TMPDIR": str(tmp), "ISOREADY_WORKERS": "2"})
    assert proc.returncode == 0, proc.stderr
    assert "11 commits, 11 evaluated" in proc.stderr
    assert list(tmp.iterdir()) == []


# --------------------------------------------------------------------------- 5. tags


def archive_bytes(repo: Path, tmp_path: Path, name: str) -> bytes:
    dist = tmp_path / name
    assert cli.main(["archive", "--root", str(repo), "--as-of", "2026-11-20", "--dist", str(dist)]) == 0
    (target,) = dist.glob("*.zip")
    return target.read_bytes()


def test_an_unrelated_tag_on_an_older_commit_changes_no_byte_of_the_archive(register, tmp_path):
    repo, shas = register
    first = archive_bytes(repo, tmp_path, "a")
    git(repo, "tag", "v0.9-release-of-something", shas["c1"])
    git(repo, "tag", "-a", "-m", "a note", "wip", shas["c1"])
    assert archive_bytes(repo, tmp_path, "b") == first
    git(repo, "tag", "audit-2026-10-followup", shas["c1"])  # the documented pattern does count
    third = archive_bytes(repo, tmp_path, "c")
    assert third != first
    with zipfile.ZipFile(tmp_path / "c" / next((tmp_path / "c").glob("*.zip")).name) as z:
        history_json = next(n for n in z.namelist() if n.endswith("/history.json"))
        entries = json.loads(z.read(history_json))["entries"]
    assert [e["tags"] for e in entries] == [["audit-2026-10-followup"], ["audit-2026-10"], []]


# --------------------------------------------------------------------------- 6. git-ignored inputs


def test_a_git_ignored_document_marks_the_build_dirty_with_a_warning(register, tmp_path):
    repo, _ = register
    with open(repo / ".gitignore", "a", encoding="utf-8") as fh:
        fh.write("evidence/scans/\n")
    commit(repo, "2026-11-04", "Ignore scans")
    (repo / "evidence/scans").mkdir()
    (repo / "evidence/scans/audit.pdf").write_bytes(b"%PDF-1.4 ignored but published\n")
    (repo / "evidence/scans.yaml").write_text(
        "title: Scans\nkind: record\nclauses: [\"7.2\"]\nfile: scans/audit.pdf\ndate: 2026-11-02\n", encoding="utf-8")
    commit(repo, "2026-11-05", "Record the scans")
    proc = run("build", "--root", str(repo), "--as-of", "2026-11-20", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ("evidence/scans/audit.pdf:1:1: W123 git ignores this file, but the build reads it: the build is marked "
            "'<commit>-dirty', since the commit alone cannot rebuild it (commit it, or move it out of the "
            "register)") in proc.stdout.splitlines()
    manifest = json.loads((repo / "output/manifest.json").read_text(encoding="utf-8"))
    assert manifest["commit"].endswith("-dirty")
    head = git(repo, "rev-parse", "--short=12", "HEAD").strip()
    assert manifest["commit"] == head + "-dirty"
    strict = run("build", "--root", str(repo), "--as-of", "2026-11-20", "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "W123" in strict.stdout
    # committed (forced past .gitignore), the build is clean again
    git(repo, "add", "-f", "evidence/scans/audit.pdf")
    commit(repo, "2026-11-06", "Commit the scan")
    proc = run("build", "--root", str(repo), "--as-of", "2026-11-20", "--strict", cwd=tmp_path)
    assert proc.returncode == 0 and "W123" not in proc.stdout, proc.stdout
    assert not json.loads((repo / "output/manifest.json").read_text(encoding="utf-8"))["commit"].endswith("-dirty")


def test_hidden_ignored_files_the_reader_skips_do_not_mark_the_build_dirty(register, tmp_path):
    from isoready.package.assemble import ignored_inputs

    repo, _ = register
    with open(repo / ".gitignore", "a", encoding="utf-8") as fh:
        fh.write(".DS_Store\n*.swp\n")
    commit(repo, "2026-11-04", "Ignore editor files")
    (repo / "evidence/.DS_Store").write_bytes(b"x")
    (repo / "content/extra").mkdir(parents=True, exist_ok=True)
    (repo / "content/extra/notes.swp").write_bytes(b"x")
    assert ignored_inputs(repo) == ["content/extra/notes.swp"]
