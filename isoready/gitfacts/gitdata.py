"""Git facts, read from the object database with plumbing commands (never a checkout).

Everything here runs ``git`` as a subprocess and fails soft: outside a repository, without git, or in a
shallow clone, the functions return ``None`` or empty results and the callers say "no history" instead
of failing. Nothing here ever writes to the working tree or the index.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from isoready.core.diagnostics import Diagnostic
from isoready.core.load import MAX_BYTES, parse_text  # the read stage's safe YAML parser (depth and node limits)

SOURCES = ("evidence", "content")  # the folders a register's readiness depends on


@dataclass(frozen=True)
class Revision:
    """One commit that changed a file: the facts document control shows and judges."""

    sha: str
    date: date  # the author date (GIT_AUTHOR_DATE): when the change was made
    author: str
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:10]


@dataclass(frozen=True)
class Commit:
    sha: str
    when: datetime  # author date, with its offset
    author: str
    subject: str

    @property
    def date(self) -> date:
        return self.when.date()

    @property
    def short(self) -> str:
        return self.sha[:10]


#: what a hook's environment may hold that points git at another repository, work tree, index or object store
HOOK_PATHS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


def git_env(*, staged: bool = False) -> dict[str, str]:
    """The one environment every git process isoready starts runs with (history, the build's commit, init,
    ``validate --staged``): the caller's environment, where reading never takes git's optional locks (so it
    never rewrites the index).

    By default git finds the repository from its working folder alone: ``GIT_DIR``, ``GIT_WORK_TREE`` and
    ``GIT_INDEX_FILE`` from a hook's environment are dropped, so they cannot redirect us. With ``staged`` (the
    pre-commit hook checks the index git hands it, ``git commit -a`` sets its own) they are kept, and each of
    ``HOOK_PATHS`` that is relative is made absolute, as git runs elsewhere than where the hook started."""
    env = dict(os.environ)
    for key in HOOK_PATHS:
        if staged:
            if env.get(key) and not os.path.isabs(env[key]):
                env[key] = os.path.abspath(env[key])
        elif key != "GIT_OBJECT_DIRECTORY":
            env.pop(key, None)
    env["GIT_OPTIONAL_LOCKS"] = "0"  # reading must not touch the index
    return env


def git(root: Path, *args: str, binary: bool = False, input: Optional[bytes] = None) -> Optional[bytes | str]:
    """git's output, or None when git is missing or the command fails."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=120, env=git_env(), input=input)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout if binary else proc.stdout.decode("utf-8", "replace")


@dataclass(frozen=True)
class Repo:
    """A project inside a git work tree: where git lives and the project's folder within it."""

    root: Path  # the project folder
    prefix: str  # the project folder relative to the top of the work tree, '' or ending in '/'

    def path(self, rel: str) -> str:
        return self.prefix + rel


def open_repo(root: Path) -> Optional[Repo]:
    """The repository holding ``root``, or None (no git, not a repository, or no commit yet)."""
    root = Path(root)
    if not root.is_dir():
        return None
    out = git(root, "rev-parse", "--show-prefix", "--verify", "-q", "HEAD")
    if out is None:
        return None
    lines = out.splitlines()
    return Repo(root, lines[0] if len(lines) > 1 else "")


def resolve(repo: Repo, ref: str) -> Optional[str]:
    """The full commit id a tag, branch or commit names, or None."""
    if not ref or ref.startswith("-"):
        return None
    out = git(repo.root, "rev-parse", "--verify", "-q", ref + "^{commit}")
    return out.strip() if out else None


#: the author date as git stores it: seconds since 1970 and the time zone as written (``+0200``); never
#: ``%aI``, which git prints for any year and offset (``33658-09-27``, ``+99:00``) and Python cannot parse
_FORMAT = "%H%x1f%at%x1f%ai%x1f%an%x1f%s%x1e"
YEARS = (1900, 9999)  # the as-of dates a build accepts; a commit dated outside them is left out
_ZONE = re.compile(r"([+-])(\d\d)(\d\d)")


def when_of(sha: str, stamp: str, shown: str) -> tuple[Optional[datetime], Optional[Diagnostic]]:
    """A commit's author date from ``%at`` and ``%ai``, and the W122 warning when git holds an odd one.

    A time zone out of range (``+9900``, ``-9959``, minutes over 59) is read as UTC; a date outside the years
    1900-9999 (a timestamp of a year 33658, one that overflows) gives None: the commit is left out.
    """
    short = sha[:10]
    zone_text = shown.rsplit(" ", 1)[-1] if shown.strip() else "+0000"
    m = _ZONE.fullmatch(zone_text)
    note = None
    zone = timezone.utc
    if m and int(m[3]) < 60 and int(m[2]) * 60 + int(m[3]) < 24 * 60:
        zone = timezone((-1 if m[1] == "-" else 1) * timedelta(hours=int(m[2]), minutes=int(m[3])))
    else:
        note = _odd_date(short, f"has an author time zone '{zone_text}' outside -2359..+2359: its date is read in UTC",
                         "")
    try:
        when = datetime.fromtimestamp(int(stamp), zone)
    except (ValueError, OverflowError, OSError):
        when = None
    if when is None or not YEARS[0] <= when.year <= YEARS[1]:
        return None, _odd_date(short, f"has an author date outside the years {YEARS[0]}-{YEARS[1]} "
                                      f"('{shown.strip()}'), which no as-of date can hold",
                               "history leaves the commit out; diff judges it on 9999-12-31 unless --as-of is given")
    return when, note


def _odd_date(short: str, what: str, hint: str) -> Diagnostic:
    return Diagnostic(short, 1, 1, "W122", f"commit {short} {what}",
                      hint or "git stores such dates, but fsck flags them; rewrite the commit, or ignore this warning")


def _commits(text: str, notes: Optional[list] = None) -> list[Commit]:
    out = []
    for chunk in text.split("\x1e"):
        chunk = chunk.strip("\n")
        if not chunk:
            continue
        sha, stamp, shown, author, subject = (chunk.split("\x1f") + ["", "", "", "", ""])[:5]
        when, note = when_of(sha, stamp, shown)
        if note is not None and notes is not None:
            notes.append(note)
        if when is not None:
            out.append(Commit(sha, when, author, subject))
    return out


def commits(repo: Repo, rev: str = "HEAD", since: Optional[str] = None, notes: Optional[list] = None) -> list[Commit]:
    """Commits that changed evidence/ or content/, oldest first (first parent; no merges' side branches).

    ``since``: a ref (commits after it) or a date YYYY-MM-DD (commits on or after it). ``notes`` collects
    a W122 warning for each commit with an odd date (left out, or read in UTC).
    """
    args = ["log", "--first-parent", "--reverse", f"--format={_FORMAT}"]
    if since and _is_date(since):
        args.append(f"--since={since}T00:00:00")
        span = rev
    elif since:
        start = resolve(repo, since)
        if start is None:
            raise ValueError(f"'{since}' is neither a date YYYY-MM-DD nor a commit, tag or branch of this repository")
        span = f"{start}..{rev}"
    else:
        span = rev
    out = git(repo.root, *args, span, "--", *(repo.path(s) for s in SOURCES))
    return _commits(out or "", notes)


def _is_date(text: str) -> bool:
    try:
        return len(text) == 10 and bool(date.fromisoformat(text))
    except ValueError:
        return False


def tree_key(repo: Repo, sha: str) -> str:
    """The tree ids of evidence/ and content/ at a commit: equal keys, equal inputs."""
    out = git(repo.root, "rev-parse", *(f"{sha}:{repo.path(s)}" for s in SOURCES)) or ""
    ids = out.split()
    if len(ids) != len(SOURCES):  # a folder missing at that commit: ask one by one
        ids = [(git(repo.root, "rev-parse", "-q", "--verify", f"{sha}:{repo.path(s)}") or "-").strip() or "-"
               for s in SOURCES]
    return ":".join(ids)


def tree_keys(repo: Repo, shas: Sequence[str]) -> dict[str, str]:
    """tree_key for many commits in one ``git cat-file --batch-check`` run."""
    if not shas:
        return {}
    lines = "".join(f"{sha}:{repo.path(s)}\n" for sha in shas for s in SOURCES).encode()
    out = git(repo.root, "cat-file", "--batch-check=%(objectname)", input=lines)
    if out is None:
        return {sha: tree_key(repo, sha) for sha in shas}
    ids = [line.split()[0] if not line.endswith("missing") else "-" for line in out.splitlines()]
    return {sha: ":".join(ids[i * len(SOURCES):(i + 1) * len(SOURCES)]) for i, sha in enumerate(shas)}


def materialise(repo: Repo, sha: str, dest: Path) -> tuple[bool, list[Diagnostic]]:
    """Write evidence/ and content/ of a commit into ``dest``, read as data (``read_commit``), never a checkout."""
    batch = Batch(repo)
    try:
        return read_commit(batch, sha, dest)
    finally:
        batch.close()


def file_revisions(repo: Repo, paths: Iterable[str] = ()) -> Mapping[str, tuple[Revision, ...]]:
    """path (relative to the project) -> the commits that changed it, newest first, in one ``git log``.

    Covers every file under evidence/ (records and documents); renames are not followed.
    """
    out = git(repo.root, "log", "--no-renames", "--format=\x1e%H%x1f%at%x1f%ai%x1f%an%x1f%s", "--name-only", "HEAD",
              "--", repo.path("evidence"))
    if out is None:
        return {}
    result: dict[str, list[Revision]] = {}
    for chunk in out.split("\x1e"):
        if not chunk.strip():
            continue
        head, _, names = chunk.partition("\n")
        sha, stamp, shown, author, subject = (head.split("\x1f") + ["", "", "", "", ""])[:5]
        when, _ = when_of(sha, stamp, shown)
        if when is None:  # a date no calendar here holds: that revision is left out (history warns, W122)
            continue
        rev = Revision(sha, when.date(), author, subject)
        for name in names.splitlines():
            name = name.strip()
            if name and name.startswith(repo.prefix):
                result.setdefault(name[len(repo.prefix):], []).append(rev)
    return {k: tuple(v) for k, v in result.items()}


def is_shallow(repo: Repo) -> bool:
    out = git(repo.root, "rev-parse", "--is-shallow-repository")
    return (out or "").strip() == "true"


def tags(repo: Repo) -> dict[str, tuple[str, ...]]:
    """commit id -> the tags pointing at it (annotated tags peeled)."""
    out = git(repo.root, "for-each-ref", "--format=%(objectname) %(*objectname) %(refname:short)", "refs/tags")
    result: dict[str, list[str]] = {}
    for line in (out or "").splitlines():
        parts = line.split()
        if len(parts) == 3:
            result.setdefault(parts[1], []).append(parts[2])
        elif len(parts) == 2:
            result.setdefault(parts[0], []).append(parts[1])
    return {k: tuple(v) for k, v in result.items()}


def commit_date(repo: Repo, sha: str) -> tuple[Optional[date], Optional[Diagnostic]]:
    """A commit's author date (None when out of range) and the W122 warning of an odd one."""
    out = git(repo.root, "log", "-1", "--format=%H%x1f%at%x1f%ai", sha) or ""
    _, stamp, shown = (out.strip("\n").split("\x1f") + ["", "", ""])[:3]
    when, note = when_of(sha, stamp, shown)
    return (when.date() if when else None), note


def blobs(repo: Repo, sha: str) -> dict[str, str]:
    """path under evidence/ -> blob id at a commit (one ``git ls-tree``): equal ids, equal bytes."""
    base = repo.path("evidence/")
    out = git(repo.root, "ls-tree", "-r", "-z", sha, "--", base) or ""
    result = {}
    for item in out.split("\0"):
        meta, _, name = item.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and name.startswith(base):
            result[name[len(base):]] = parts[2]
    return result


def blob_id(path: Path) -> str:
    """The id git gives a file's bytes (so a working-tree file compares with a committed blob)."""
    import hashlib

    try:
        data = Path(path).read_bytes()
    except OSError:
        return ""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Batch:
    """One long-lived ``git cat-file --batch``: objects by name, so a history over hundreds of commits starts
    no process per commit.

    Memory stays bounded whatever the history holds: trees (small) are remembered up to ``TREE_CACHE`` bytes;
    a blob is never held whole, but streamed in ``CHUNK``-sized pieces into a private store on disk, once,
    and hard-linked (or copied) from there into each commit's folder.
    """

    CHUNK = 1 << 16
    TREE_CACHE = 16 << 20
    LINK_MAX = 4096  # a symlink's target longer than this is not a path anyone meant

    def __init__(self, repo: Repo, store: Optional[Path] = None) -> None:
        """``store``: the folder for the blobs (made here, removed by ``close``); default a new temporary one.
        A history's worker processes get folders inside one their parent removes, whatever becomes of them."""
        self.repo = repo
        self.proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=repo.root, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env())
        self.trees: dict[bytes, bytes] = {}
        self._tree_bytes = 0
        self.store_at = store
        self.store: Optional[Path] = None  # blob id -> file, made on first use
        self.stored: set[bytes] = set()

    def _ask(self, name: bytes) -> Optional[tuple[bytes, str, int]]:
        """Ask for an object: its (id, type, size), its bytes still to read; None when missing."""
        assert self.proc.stdin and self.proc.stdout
        if b"\n" in name:
            return None
        self.proc.stdin.write(name + b"\n")
        self.proc.stdin.flush()
        parts = self.proc.stdout.readline().split()
        if len(parts) != 3 or not parts[2].isdigit():
            return None
        return parts[0], parts[1].decode("ascii", "replace"), int(parts[2])

    def _drain(self, size: int, sink=None) -> None:
        assert self.proc.stdout
        left = size
        while left > 0:
            piece = self.proc.stdout.read(min(self.CHUNK, left))
            if not piece:
                raise OSError("git cat-file stopped early")
            if sink is not None:
                sink(piece)
            left -= len(piece)
        self.proc.stdout.read(1)  # the newline after the object

    def read(self, name: str, limit: Optional[int] = None, want: Optional[str] = None
             ) -> Optional[tuple[str, bytes, bytes]]:
        """(type, bytes, id) of an object named like ``<commit>:<path>`` or by id; None when missing, (with
        ``limit``) larger than that, or (with ``want``) of another type: such bytes are skipped, never held."""
        head = self._ask(name.encode("utf-8", "surrogateescape"))
        if head is None:
            return None
        oid, kind, size = head
        if (limit is not None and size > limit) or (want is not None and kind != want):
            self._drain(size)
            return None
        pieces: list[bytes] = []
        self._drain(size, pieces.append)
        return kind, b"".join(pieces), oid

    def tree(self, oid: bytes) -> Optional[bytes]:
        """A tree's bytes, or None when the object is not a tree."""
        hit = self.trees.get(oid)
        if hit is None:
            got = self.read(oid.decode("ascii"), want="tree")
            if got is None:
                return None
            hit = got[1]
            if self._tree_bytes + len(hit) > self.TREE_CACHE:
                self.trees.clear()
                self._tree_bytes = 0
            self.trees[oid] = hit
            self._tree_bytes += len(hit)
        return hit

    def blob_file(self, oid: bytes) -> Optional[Path]:
        """The file in the store holding a blob's bytes (streamed there once), or None when not a blob."""
        if self.store is None:
            if self.store_at is not None:
                self.store_at.mkdir(parents=True, exist_ok=True)
                self.store = self.store_at
            else:
                self.store = Path(tempfile.mkdtemp(prefix="isoready-blobs-"))
        path = self.store / oid.decode("ascii")
        if oid in self.stored:
            return path
        head = self._ask(oid)
        if head is None:
            return None
        _, kind, size = head
        if kind != "blob":
            self._drain(size)
            return None
        with open(path, "wb") as fh:
            self._drain(size, fh.write)
        self.stored.add(oid)
        return path

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.SubprocessError):
            self.proc.kill()
        if self.store is not None:
            shutil.rmtree(self.store, ignore_errors=True)
            self.store = None
            self.stored.clear()


def _tree_entries(data: bytes):
    """(mode, name, id) of each entry of a tree object; ValueError when the bytes are not a tree."""
    i = 0
    while i < len(data):
        space = data.index(b" ", i)
        nul = data.index(b"\0", space)
        mode, name = data[i:space], data[space + 1:nul]
        if nul + 21 > len(data):
            raise ValueError("truncated tree")
        oid = data[nul + 1:nul + 21].hex().encode()
        i = nul + 21
        yield mode, name.decode("utf-8", "surrogateescape"), oid


#: files and folders read from one commit at most (a register of 100,000 records holds about 200,000)
MAX_ENTRIES = 1_000_000


def _kind(mode: bytes) -> Optional[str]:
    """What a tree entry's mode makes it: tree, blob (any regular file mode git has written), link, module."""
    if mode in (b"40000", b"040000"):
        return "tree"
    if mode == b"120000":
        return "link"
    if mode == b"160000":
        return "module"
    if len(mode) == 6 and mode.startswith(b"100") and mode.isdigit():
        return "blob"
    return None


def read_commit(batch: Batch, sha: str, dest: Path) -> tuple[bool, list[Diagnostic]]:
    """Write evidence/ and content/ as a commit holds them into ``dest``, reading git's objects as data.

    Returns (whether either folder exists at the commit, warnings). Nothing is ever written outside ``dest``
    and no symlink is ever made: every name is one plain path segment, written with ``O_EXCL|O_NOFOLLOW``
    under folders made here. A tree entry that cannot be read safely (a duplicate name, as in a tree holding
    a symlink ``x`` and a folder ``x/``; ``.``, ``..``, ``/`` or an empty name; an unknown mode; an object of
    the wrong type) is skipped with W121. A symlink is data: one that leads, inside the commit, to a file of
    the same folder (evidence/ or content/) is written as a copy of that file's bytes; one leading outside
    (an absolute target, ``..`` past the folder) is skipped with W120, so that file is missing at that
    commit, as a build would refuse it; one leading to a folder or nowhere is missing too.
    """
    dest = Path(dest)
    short = sha[:10]
    notes: list[Diagnostic] = []
    found = False
    budget = MAX_ENTRIES  # a tree naming one subtree many times over grows exponentially with its depth

    def note(code: str, rel: str, what: str, hint: str) -> None:
        notes.append(Diagnostic(rel, 1, 1, code, f"at commit {short}: {what}", hint))

    for source in SOURCES:
        top = batch.read(f"{sha}:{batch.repo.path(source)}", want="tree")
        if not top or top[0] != "tree":
            continue
        found = True
        if budget < 0:
            continue
        entries: dict[str, tuple[str, bytes]] = {source: ("tree", top[2])}
        stack = [(source, top[1])]
        while stack:
            folder, data = stack.pop()
            try:
                listed = list(_tree_entries(data))
            except ValueError:
                note("W121", folder, "the folder's tree object is malformed: its content is skipped",
                     "git fsck names the broken object")
                continue
            count = Counter(name for _, name, _ in listed)
            budget -= len(listed)
            if budget < 0:
                note("W121", folder, f"the commit holds more than {MAX_ENTRIES:,} files and folders: the rest "
                                     "are skipped", "git fsck names the objects; a register is far smaller")
                stack.clear()
                break
            for mode, name, oid in listed:
                rel = f"{folder}/{name}"
                if count[name] > 1:
                    note("W121", rel, "the folder holds this name twice (git fsck: duplicateEntries): "
                                      "every entry of that name is skipped", "rewrite the commit without the clash")
                    count[name] = -1  # reported once
                    continue
                if count[name] < 0:
                    continue
                if name in ("", ".", "..") or "/" in name or "\0" in name:
                    note("W121", folder, f"the folder holds an entry named {name!r}, which no file system path "
                                         "may hold: it is skipped", "rewrite the commit without it")
                    continue
                kind = _kind(mode)
                if kind is None:
                    note("W121", rel, f"unknown file mode {mode.decode('ascii', 'replace')!r}: skipped",
                         "git fsck names the entry; rewrite the commit")
                    continue
                if kind == "module":  # a submodule: nothing of it is in this repository
                    continue
                if kind == "tree":
                    sub = batch.tree(oid)
                    if sub is None:
                        note("W121", rel, "a folder entry that is not a tree object: skipped",
                             "git fsck names the broken object")
                        continue
                    stack.append((rel, sub))
                entries[rel] = (kind, oid)
        for rel in sorted(entries):
            kind, oid = entries[rel]
            target = dest / rel
            if kind == "tree":
                try:
                    target.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    note("W121", rel, f"the folder cannot be made here ({exc.strerror}): skipped", "")
                continue
            if kind == "link":
                oid_ = _follow(batch, entries, source, rel, oid, note)
                if oid_ is None:
                    continue
                oid = oid_
            _write_blob(batch, oid, target, rel, note)
    return found, notes


def _follow(batch: Batch, entries: dict, source: str, rel: str, oid: bytes, note) -> Optional[bytes]:
    """The blob a symlink entry leads to inside ``source`` at that commit, or None (missing there)."""
    at = rel
    for _ in range(8):
        got = batch.read(oid.decode("ascii"), limit=Batch.LINK_MAX, want="blob")
        if got is None or got[0] != "blob":
            return None
        link = got[1].decode("utf-8", "surrogateescape")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(at), link))
        if link.startswith("/") or "\0" in link or not joined.startswith(source + "/"):
            note("W120", rel, f"symlink to {link!r} leads outside {source}/: read as a missing file",
                 "commit the file itself, not a link to it")
            return None
        hit = entries.get(joined)
        if hit is None or hit[0] == "tree":
            return None
        if hit[0] == "blob":
            return hit[1]
        at, oid = joined, hit[1]
    return None


def _write_blob(batch: Batch, oid: bytes, target: Path, rel: str, note) -> None:
    """A blob's bytes as a new regular file (never through a symlink, never over an existing file)."""
    try:
        source = batch.blob_file(oid)
        if source is None:
            note("W121", rel, "a file entry that is not a blob object: skipped", "git fsck names the broken object")
            return
        if not target.parent.is_dir() or target.parent.is_symlink():
            return
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
            fd = os.open(target, flags, 0o644)
            with os.fdopen(fd, "wb") as out, open(source, "rb") as fh:
                shutil.copyfileobj(fh, out, Batch.CHUNK)
    except OSError as exc:
        note("W121", rel, f"the file cannot be written here ({exc.strerror or exc}): skipped", "")


def assessment_statuses(repo: Repo) -> Mapping[str, tuple[tuple[date, str], ...]]:
    """clause -> (commit date, the status its assessment had at that commit, "" when none), oldest first, for
    every commit that changed content/clauses/ (assess uses it to tell since when a clause has been
    implemented). The files are read as blobs (``git cat-file --batch``) and parsed as data; a file that is too
    large, unreadable or not a list of assessments gives no status, and fails nothing."""
    folder = repo.path("content/clauses")
    out = git(repo.root, "log", "--no-renames", "--reverse", "--format=\x1e%H%x1f%at%x1f%ai", "HEAD", "--", folder)
    if not out:
        return {}
    commits: list[tuple[str, date]] = []
    for chunk in out.split("\x1e"):
        sha, stamp, shown = (chunk.strip().split("\x1f") + ["", "", ""])[:3]
        when, _ = when_of(sha, stamp, shown)
        if sha and when is not None:
            commits.append((sha, when.date()))
    result: dict[str, list[tuple[date, str]]] = {}
    for sha, day in commits:
        listing = git(repo.root, "ls-tree", "-r", "-z", sha, "--", folder + "/") or ""
        names = []
        for item in listing.split("\0"):
            meta, _, name = item.partition("\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == "blob" and name.lower().endswith((".yaml", ".yml")):
                if parts[2].isalnum():
                    names.append(parts[2])
        seen: dict[str, str] = {}
        if names:
            data = git(repo.root, "cat-file", "--batch", binary=True, input="".join(f"{n}\n" for n in names).encode())
            pos = 0
            while isinstance(data, bytes) and pos < len(data):
                end = data.find(b"\n", pos)
                if end < 0:
                    break
                head = data[pos:end].split()
                if len(head) != 3 or head[1] != b"blob":
                    pos = end + 1
                    continue
                size = int(head[2])
                body = data[end + 1:end + 1 + size]
                pos = end + 1 + size + 1
                if size > MAX_BYTES:
                    continue
                value, _ = parse_text(body.decode("utf-8", "replace"), "content/clauses")
                for row in value if isinstance(value, list) else ():
                    if isinstance(row, dict) and isinstance(row.get("clause"), str) and isinstance(
                            row.get("status"), str):
                        seen.setdefault(str(row["clause"]), str(row["status"]))
        for clause in set(seen) | set(result):
            result.setdefault(clause, []).append((day, seen.get(clause, "")))
    return {k: tuple(v) for k, v in result.items()}
