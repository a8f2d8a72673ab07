"""Git facts, read from the object database with plumbing commands (never a checkout).

Everything here runs ``git`` as a subprocess and fails soft: outside a repository, without git, or in a
shallow clone, the functions return ``None`` or empty results and the callers say "no history" instead
of failing. Nothing here ever writes to the working tree or the index.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

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


def _env() -> dict:
    env = dict(os.environ)
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # a hook's environment must not redirect us
        env.pop(key, None)
    env["GIT_OPTIONAL_LOCKS"] = "0"  # reading must not touch the index
    return env


def git(root: Path, *args: str, binary: bool = False, input: Optional[bytes] = None) -> Optional[bytes | str]:
    """git's output, or None when git is missing or the command fails."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=120, env=_env(), input=input)
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


_FORMAT = "%H%x1f%aI%x1f%an%x1f%s%x1e"


def _commits(text: str) -> list[Commit]:
    out = []
    for chunk in text.split("\x1e"):
        chunk = chunk.strip("\n")
        if not chunk:
            continue
        sha, when, author, subject = (chunk.split("\x1f") + ["", "", "", ""])[:4]
        out.append(Commit(sha, datetime.fromisoformat(when), author, subject))
    return out


def commits(repo: Repo, rev: str = "HEAD", since: Optional[str] = None) -> list[Commit]:
    """Commits that changed evidence/ or content/, oldest first (first parent; no merges' side branches).

    ``since``: a ref (commits after it) or a date YYYY-MM-DD (commits on or after it).
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
    return _commits(out or "")


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


def materialise(repo: Repo, sha: str, dest: Path) -> bool:
    """Write evidence/ and content/ of a commit into ``dest`` (from ``git archive``, never a checkout)."""
    present = [s for s in SOURCES if git(repo.root, "rev-parse", "-q", "--verify", f"{sha}:{repo.path(s)}")]
    if not present:
        return False
    data = git(repo.root, "archive", "--format=tar", sha, "--", *(repo.path(s) for s in present), binary=True)
    if data is None:
        return False
    dest = Path(dest)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = []
        for m in tar.getmembers():
            if repo.prefix and m.name.startswith(repo.prefix):
                m.name = m.name[len(repo.prefix):]
            members.append(m)
        tar.extractall(dest, members=members, filter="data")
    return True


def file_revisions(repo: Repo, paths: Iterable[str] = ()) -> Mapping[str, tuple[Revision, ...]]:
    """path (relative to the project) -> the commits that changed it, newest first, in one ``git log``.

    Covers every file under evidence/ (records and documents); renames are not followed.
    """
    out = git(repo.root, "log", "--no-renames", "--format=\x1e%H%x1f%aI%x1f%an%x1f%s", "--name-only", "HEAD",
              "--", repo.path("evidence"))
    if out is None:
        return {}
    result: dict[str, list[Revision]] = {}
    for chunk in out.split("\x1e"):
        if not chunk.strip():
            continue
        head, _, names = chunk.partition("\n")
        sha, when, author, subject = (head.split("\x1f") + ["", "", "", ""])[:4]
        rev = Revision(sha, datetime.fromisoformat(when).date(), author, subject)
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


def commit_date(repo: Repo, sha: str) -> date:
    out = git(repo.root, "log", "-1", "--format=%aI", sha) or ""
    return datetime.fromisoformat(out.strip()).date()


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
    """One long-lived ``git cat-file --batch``: objects by name, with trees and blobs remembered, so a
    history over hundreds of commits reads each object once and starts no process per commit."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=repo.root, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env())
        self.objects: dict[bytes, tuple[str, bytes]] = {}

    def read(self, name: str) -> Optional[tuple[str, bytes, bytes]]:
        """(type, bytes, id) of an object named like ``<commit>:<path>`` or by id; None when missing."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(name.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline()
        parts = header.split()
        if len(parts) != 3:
            return None
        data = self.proc.stdout.read(int(parts[2]))
        self.proc.stdout.read(1)
        return parts[1].decode(), data, parts[0]

    def obj(self, oid: bytes) -> tuple[str, bytes]:
        hit = self.objects.get(oid)
        if hit is None:
            got = self.read(oid.decode())
            hit = (got[0], got[1]) if got else ("missing", b"")
            self.objects[oid] = hit
        return hit

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.SubprocessError):
            self.proc.kill()


def _tree_entries(data: bytes):
    i = 0
    while i < len(data):
        space = data.index(b" ", i)
        nul = data.index(b"\0", space)
        mode, name = data[i:space], data[space + 1:nul]
        oid = data[nul + 1:nul + 21].hex().encode()
        i = nul + 21
        yield mode, name.decode("utf-8", "surrogateescape"), oid


def materialise_batch(batch: Batch, sha: str, dest: Path) -> bool:
    """``materialise`` through one long-lived cat-file process (the history's fast path)."""
    found = False
    for source in SOURCES:
        got = batch.read(f"{sha}:{batch.repo.path(source)}")
        if not got or got[0] != "tree":
            continue
        found = True
        stack = [(dest / source, got[1])]
        while stack:
            folder, data = stack.pop()
            folder.mkdir(parents=True, exist_ok=True)
            for mode, name, oid in _tree_entries(data):
                if "/" in name or name in (".", ".."):
                    continue
                target = folder / name
                if mode == b"40000":
                    stack.append((target, batch.obj(oid)[1]))
                elif mode == b"120000":
                    os.symlink(batch.obj(oid)[1].decode("utf-8", "surrogateescape"), target)
                elif mode in (b"100644", b"100755"):
                    target.write_bytes(batch.obj(oid)[1])
    return found
