"""Readiness history: the project evaluated at each selected commit, from the git objects.

Each commit's evidence/ and content/ are written into a temporary folder with ``git archive`` (never a
checkout: the working tree and the index are not touched), then read, checked and assessed exactly as a
build would, as of the commit's own date. Results are cached in ``.cache/isoready/history.json`` by the
tree ids of evidence/ and content/ and the date, so a rerun evaluates only trees it has not seen.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Optional

from . import gitdata, parallel
from .assess import assess_today
from .catalog import load_catalog
from .diagnostics import errors
from .diff import ReadinessDiff
from .snapshot import figures
from .validate import read_project

HISTORY_VERSION = 1
CACHE_FILE = Path(".cache") / "isoready" / "history.json"
EVERY = ("commit", "day", "week")
PARALLEL_MIN = 8  # commits to evaluate; below this one process is quicker than forking


@dataclass(frozen=True)
class History:
    entries: list[dict]
    evaluated: int  # commits evaluated this run (the others came from the cache)
    available: bool = True  # False: no git, no commit, or no history to read
    note: str = ""  # why history is absent, in words

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


def evaluate_tree(folder: Path, as_of: date, revisions: Any = None) -> dict:
    """Read, check and assess a materialised project as of a date (what a build at that commit computes)."""
    project, diags = read_project(folder, load_catalog(), as_of)
    return figures(assess_today(project, as_of, revisions), project, len(errors(diags)))


_BATCH: dict[int, gitdata.Batch] = {}  # one cat-file process per (worker) process


def _evaluate_job(commit: gitdata.Commit) -> dict:
    repo, revisions = parallel.shared()
    batch = _BATCH.get(os.getpid())
    if batch is None:
        batch = _BATCH[os.getpid()] = gitdata.Batch(repo)
    tmp = Path(tempfile.mkdtemp(prefix="isoready-history-"))
    try:
        if not gitdata.materialise_batch(batch, commit.sha, tmp):
            return {"absent": True}
        return evaluate_tree(tmp, commit.date, revisions)
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
        if data.get("version") == HISTORY_VERSION and isinstance(data.get("trees"), dict):
            return data["trees"]
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def save_cache(root: Path, trees: dict) -> None:
    path = root / CACHE_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"version": HISTORY_VERSION, "trees": trees}, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a cache that cannot be written only costs time next run
        pass


def history(root: Path, since: Optional[str] = None, every: str = "commit", rev: str = "HEAD",
            use_cache: bool = True) -> History:
    """The readiness history of the project at ``root``; never raises for a missing git or repository.

    Raises ValueError for a ``since`` that names nothing (a usage mistake).
    """
    root = Path(root)
    repo = gitdata.open_repo(root)
    if repo is None:
        return History([], 0, False, "no git history: the register is not in a git repository (or git is "
                                     "not installed), so readiness history is not available")
    commits = select(gitdata.commits(repo, rev, since), every)
    keys = gitdata.tree_keys(repo, [c.sha for c in commits])
    trees = load_cache(root) if use_cache else {}
    todo = []
    for c in commits:
        key = f"{keys[c.sha]}@{c.date.isoformat()}"
        if key not in trees and c not in todo:
            todo.append(c)
    evaluated = 0
    if todo:
        revisions = gitdata.file_revisions(repo)
        try:
            results = parallel.pmap(_evaluate_job, todo, min_parallel=PARALLEL_MIN, shared=(repo, revisions))
        finally:
            _close_batches()
        for c, result in zip(todo, results):
            trees[f"{keys[c.sha]}@{c.date.isoformat()}"] = result
        evaluated = len(todo)
        if use_cache:
            save_cache(root, trees)
    entries = []
    for c in commits:
        result = trees[f"{keys[c.sha]}@{c.date.isoformat()}"]
        if result.get("absent"):
            continue
        entries.append({"commit": c.sha, "short": c.short, "date": c.date.isoformat(), "subject": c.subject,
                        "tags": [], **result})
    tags = gitdata.tags(repo)
    for e in entries:
        e["tags"] = sorted(tags.get(e["commit"], ()))
    note = "" if entries else "no commit changes evidence/ or content/ in the range asked for"
    if entries and gitdata.is_shallow(repo):
        note = "a shallow clone: only the commits fetched are shown (fetch with fetch-depth: 0 for all)"
    return History(entries, evaluated, True, note)


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


NO_GIT = GitFacts(False)
