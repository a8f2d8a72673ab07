"""Readiness history: the project evaluated at each selected commit, from the git objects.

Each commit's evidence/ and content/ are written into a temporary folder from git's objects, read as data
(``gitdata.read_commit``: never a checkout, no symlink followed or made, blobs streamed, so the working tree
and the index are not touched and memory does not grow with the history), then read, checked and assessed
exactly as a build would, as of the commit's own date. Results are cached in ``.cache/isoready/history.json``
by the tree ids of evidence/ and content/ and the date, so a rerun evaluates only trees it has not seen.

Tags are data too: only those that name an audit count (``audit-*``, or the ref ``last_audit:`` names), so
tagging an older commit for another reason changes no byte of a build.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Optional

from isoready.gitfacts import gitdata
from isoready.core import parallel
from isoready.assess import assess_today
from isoready.read.catalog import load_catalog
from isoready.core.diagnostics import Collector, Diagnostic, errors
from isoready.gitfacts.diff import ReadinessDiff
from isoready.model import HISTORY_VERSION
from isoready.read.reader import read_organisation
from isoready.gitfacts.snapshot import figures, read_as
from isoready.core.text import MAX_MARKDOWN_BYTES

CACHE_VERSION = 2  # 2: commits read as data (gitdata.read_commit), with their warnings
#: the tags a history shows (besides the one ``last_audit:`` names): docs/workflow.md tells teams to tag audits so
AUDIT_TAGS = "audit-*"
CACHE_FILE = Path(".cache") / "isoready" / "history.json"
EVERY = ("commit", "day", "week")
PARALLEL_MIN = 8  # commits to evaluate; below this one process is quicker than forking


@dataclass(frozen=True)
class History:
    entries: list[dict]
    evaluated: int  # commits evaluated this run (the others came from the cache)
    available: bool = True  # False: no git, no commit, or no history to read
    note: str = ""  # why history is absent, in words
    #: W120-W122 about the commits read (odd dates, symlinks leading outside, unsafe tree entries)
    warnings: tuple = ()

    def until(self, as_of: date) -> "History":
        """The commits made on or before ``as_of``: a portal judged as of a day knows nothing of later ones (a
        build with an earlier ``--as-of`` than its commits, or a clock behind the committer's)."""
        kept = [e for e in self.entries if e["date"] <= as_of.isoformat()]
        if len(kept) == len(self.entries):
            return self
        note = self.note or ("" if kept else f"no commit on or before {as_of.isoformat()} changes evidence/ or content/")
        return replace(self, entries=kept, note=note)

    def as_json(self) -> dict:
        return {"version": HISTORY_VERSION, "available": self.available, "note": self.note,
                "entries": self.entries}


def select(commits: list[gitdata.Commit], every: str) -> list[gitdata.Commit]:
    """One commit per commit, per day or per ISO week: the last of each period."""
    if every == "commit":
        return commits
    key = (lambda c: c.date) if every == "day" else (lambda c: tuple(c.date.isocalendar()[:2]))
    last: dict[Any, gitdata.Commit] = {}
    for c in commits:
        last[key(c)] = c
    return sorted(last.values(), key=lambda c: commits.index(c))


def evaluate_tree(folder: Path, as_of: date, revisions: Any = None,
                  max_markdown_bytes: int = MAX_MARKDOWN_BYTES, standard: Optional[str] = None) -> dict:
    """Read, check and assess a materialised project as of a date (what a build at that commit computes).
    ``standard``: another standard of an integrated system, judged as its portal judges it
    (``project_for``); absent at a commit whose project did not follow it yet."""
    project, followed, diags = read_as(folder, as_of, max_markdown_bytes, standard)
    if not followed:  # the project did not follow it yet at that commit
        return {"absent": True}
    return figures(assess_today(project, as_of, revisions), project, len(errors(diags)))


_BATCH: dict[int, gitdata.Batch] = {}  # one cat-file process per (worker) process


def _evaluate_job(commit: gitdata.Commit) -> dict:
    repo, revisions, store, max_markdown_bytes, standard = parallel.shared()
    batch = _BATCH.get(os.getpid())
    if batch is None:
        batch = _BATCH[os.getpid()] = gitdata.Batch(repo, store / str(os.getpid()))
    tmp = Path(tempfile.mkdtemp(prefix="isoready-history-"))
    try:
        found, notes = gitdata.read_commit(batch, commit.sha, tmp)
        if not found:
            return {"absent": True}
        result = evaluate_tree(tmp, commit.date, revisions, max_markdown_bytes, standard)
        if notes:
            result["warnings"] = [[d.path, d.line, d.column, d.code, d.message, d.hint] for d in notes]
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _close_batches() -> None:
    for pid, batch in list(_BATCH.items()):
        if pid == os.getpid():
            batch.close()
        del _BATCH[pid]


def load_cache(root: Path) -> dict:
    try:
        data = json.loads((root / CACHE_FILE).read_text(encoding="utf-8"))
        if data.get("version") == CACHE_VERSION and isinstance(data.get("trees"), dict):
            return data["trees"]
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def save_cache(root: Path, trees: dict) -> None:
    path = root / CACHE_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"version": CACHE_VERSION, "trees": trees}, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a cache that cannot be written only costs time next run
        pass


def audit_tags(names: tuple[str, ...], last_audit: Optional[str]) -> list[str]:
    """The tags a history keeps: those matching ``AUDIT_TAGS`` and the one ``last_audit`` names, sorted."""
    return sorted(n for n in names if fnmatchcase(n, AUDIT_TAGS) or (last_audit and n == last_audit))


def _last_audit(root: Path) -> Optional[str]:
    """``last_audit:`` of content/organisation.yaml, read alone (None when absent or unreadable)."""
    try:
        value = read_organisation(root, load_catalog(), 1 << 20, Collector()).last_audit
    except Exception:  # a broken file is validate's to report; the history only shows fewer tags
        return None
    return value if isinstance(value, str) else None


def history(root: Path, since: Optional[str] = None, every: str = "commit", rev: str = "HEAD",
            use_cache: bool = True, last_audit: Optional[str] = None,
            max_markdown_bytes: int = MAX_MARKDOWN_BYTES, standard: Optional[str] = None) -> History:
    """The readiness history of the project at ``root``; never raises for a missing git or repository.

    ``standard``: the history of another standard of an integrated system, each commit's project seen as
    that standard sees it (``integrated.project_for``); cached apart from the primary standard's.

    ``last_audit``: the ref organisation.yaml names (read from there when None), whose tag is kept besides
    the ``audit-*`` tags. Raises ValueError for a ``since`` that names nothing (a usage mistake), and for
    nothing else. Each commit is read under ``max_markdown_bytes`` (the build's ``Options.max_markdown_bytes``).
    """
    root = Path(root)
    repo = gitdata.open_repo(root)
    if repo is None:
        return History([], 0, False, "no git history: the register is not in a git repository (or git is "
                                     "not installed), so readiness history is not available")
    notes: list[Diagnostic] = []
    commits = select(gitdata.commits(repo, rev, since, notes), every)
    keys = gitdata.tree_keys(repo, [c.sha for c in commits])
    trees = load_cache(root) if use_cache else {}
    suffix = f"@{standard}" if standard is not None else ""  # the primary standard's keys are as they were

    def key_of(c: gitdata.Commit) -> str:
        return f"{keys[c.sha]}@{c.date.isoformat()}{suffix}"

    todo = []
    for c in commits:
        key = key_of(c)
        if key not in trees and c not in todo:
            todo.append(c)
    evaluated = 0
    if todo:
        revisions = gitdata.file_revisions(repo)
        store = Path(tempfile.mkdtemp(prefix="isoready-blobs-"))  # each process's blobs, in a folder of its own
        try:
            results = parallel.pmap(_evaluate_job, todo, min_parallel=PARALLEL_MIN,
                                    shared=(repo, revisions, store, max_markdown_bytes, standard))
        finally:
            _close_batches()
            shutil.rmtree(store, ignore_errors=True)  # the workers' too, however they ended
        for c, result in zip(todo, results):
            trees[key_of(c)] = result
        evaluated = len(todo)
        if use_cache:
            save_cache(root, trees)
    entries = []
    for c in commits:
        result = trees[key_of(c)]
        if result.get("absent"):
            continue
        notes += [Diagnostic(*w) for w in result.get("warnings", ())]
        entries.append({"commit": c.sha, "short": c.short, "date": c.date.isoformat(), "subject": c.subject,
                        "tags": [], **{k: v for k, v in result.items() if k != "warnings"}})
    tags = gitdata.tags(repo)
    if last_audit is None:
        last_audit = _last_audit(root)
    for e in entries:
        e["tags"] = audit_tags(tags.get(e["commit"], ()), last_audit)
    note = "" if entries else "no commit changes evidence/ or content/ in the range asked for"
    if entries and gitdata.is_shallow(repo):
        note = "a shallow clone: only the commits fetched are shown (fetch with fetch-depth: 0 for all)"
    return History(entries, evaluated, True, note, tuple(sorted(set(notes))))


_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
HISTORY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "history.schema.json",
    "title": "isoready readiness history (history.json)",
    "type": "object",
    "required": ["version", "available", "note", "entries"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": HISTORY_VERSION},
        "available": {"type": "boolean", "description": "false without git: then entries is empty"},
        "note": {"type": "string"},
        "last_audit": {"type": ["string", "null"]},
        "entries": {"type": "array", "items": {
            "type": "object",
            "required": ["commit", "short", "date", "subject", "tags", "overall", "ready", "at_risk", "not_ready",
                         "leaves_applicable", "by_main", "gates", "open_findings", "stale_evidence", "errors"],
            "additionalProperties": False,
            "properties": {
                "commit": {"type": "string", "pattern": "^[0-9a-f]{40,64}$"},
                "short": {"type": "string"},
                "date": {"type": "string", "format": "date"},
                "subject": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "overall": _SHARE, "ready": _SHARE, "at_risk": _SHARE, "not_ready": _SHARE,
                "leaves_applicable": {"type": "integer", "minimum": 0},
                "by_main": {"type": "object", "additionalProperties": {
                    "type": "object", "required": ["ready", "at_risk", "not_ready"], "additionalProperties": False,
                    "properties": {"ready": _SHARE, "at_risk": _SHARE, "not_ready": _SHARE}}},
                "gates": {"type": "object", "additionalProperties": {"type": "boolean"}},
                "open_findings": {"type": ["integer", "null"], "minimum": 0,
                                  "description": "null in a public build that does not publish findings"},
                "stale_evidence": {"type": "integer", "minimum": 0},
                "errors": {"type": "integer", "minimum": 0,
                           "description": "validation errors at that commit (a build there would have stopped)"},
            }}},
    },
}


# --------------------------------------------------------------------------- the facts a site build uses


@dataclass(frozen=True)
class GitFacts:
    """What git tells a build, gathered by the package stage (``assemble.assess_with_git``) and handed to
    views as data: revisions per file (document control), the history, the comparison with the last audit.

    ``available`` False (a zip of the register, no git, CI without history): every page says the facts are
    absent; nothing fails.
    """

    available: bool
    revisions: Any = None  # path relative to the project -> tuple[gitdata.Revision, ...], newest first
    history: Optional[History] = None
    last_audit: Optional[str] = None  # the ref organisation.yaml names
    #: this build against the last audit's commit; None without last_audit or when it names nothing
    since: Optional[ReadinessDiff] = None
    #: warnings about the commits read (W120-W122), which a build reports and never stops for
    warnings: tuple = ()


NO_GIT = GitFacts(False)
