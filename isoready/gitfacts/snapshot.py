"""The project as a commit had it: read from the git objects, checked and assessed, and its headline figures.

Shared by the readiness diff (``diff.py``: two sides compared) and the readiness history (``history.py``:
one evaluation per commit), so neither imports the other. Data only: no words, no audience.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Optional

from isoready.gitfacts import gitdata
from isoready.assess import AT_RISK, NOT_READY, READY, Readiness, assess
from isoready.read.catalog import load_catalog
from isoready.core.diagnostics import errors
from isoready.model import Project
from isoready.read.integrated import organisation_for, project_for
from isoready.core.text import MAX_MARKDOWN_BYTES
from isoready.validate.project import read_project


@dataclass(frozen=True)
class Side:
    """One end of a diff: a commit (or a working folder), its project and readiness."""

    ref: str
    commit: str  # full id; '' for a folder outside git
    project: Project
    readiness: Readiness
    blobs: dict  # path under evidence/ -> git blob id (or sha256 of the bytes outside git)
    errors: int = 0
    #: warnings about the commit itself (W120 a symlink leading outside, W121 an unsafe tree entry, W122 an
    #: odd date): its files are read as data, and what cannot be read safely is missing there
    warnings: tuple = ()



def read_as(folder: Path, day: date, max_markdown_bytes: int, standard: Optional[str]) -> tuple[Any, bool, list]:
    """A materialised commit read and checked as one standard of an integrated system sees it (``standard``
    None: the primary's view, as a build reads it): (project, whether it followed ``standard`` then, problems).
    A project that did not follow it yet comes back whole, with False."""
    project, diags = read_project(folder, load_catalog(), day, max_markdown_bytes=max_markdown_bytes,
                                  integrated=standard is not None)
    if standard is None:
        return project, True, diags
    if standard not in project.standards:  # asked first: project_for hands a one-standard project back as it is
        return project, False, diags
    try:
        return project_for(project, standard), True, diags
    except KeyError:
        return project, False, diags

def side_at(repo: gitdata.Repo, ref: str, as_of: Optional[date] = None, revisions: Any = None,
            max_markdown_bytes: int = MAX_MARKDOWN_BYTES, standard: Optional[str] = None) -> Side:
    """The project at a commit, assessed as of ``as_of`` (default: the commit's own date); ``standard``: as
    another standard of an integrated system sees it (``integrated.project_for``).

    Raises ValueError when ``ref`` names no commit, tag or branch.
    """
    sha = gitdata.resolve(repo, ref)
    if sha is None:
        raise ValueError(f"'{ref}' names no commit, tag or branch of this repository")
    when, odd = gitdata.commit_date(repo, sha)
    notes = [odd] if odd else []
    if when is None:  # a date no as-of date can hold (year 33658): clamped to the last day one can
        when = date(gitdata.YEARS[1], 12, 31)
    day = as_of or when
    tmp = Path(tempfile.mkdtemp(prefix="isoready-diff-"))
    try:
        notes += gitdata.materialise(repo, sha, tmp)[1]
        project, followed, diags = read_as(tmp, day, max_markdown_bytes, standard)
        if not followed:  # the project did not follow the standard yet at that commit
            project = _not_followed(project, standard)
        readiness = assess(project, day, until(revisions, when))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Side(ref, sha, project, readiness, gitdata.blobs(repo, sha), len(errors(diags)), tuple(notes))


def _not_followed(project: Project, standard: str) -> Project:
    """The project at a commit made before it followed ``standard`` (14001 added after the 9001 audit): as that
    standard sees it, nothing of it was there yet."""
    return replace(project, organisation=organisation_for(project.organisation, standard, project.standard),
                   catalog=load_catalog(standard), evidence=(), assessments=(), findings=(), standards=(standard,))


def until(revisions: Any, day: date) -> Any:
    """The revisions known on a day (commits dated later had not happened yet)."""
    if revisions is None:
        return None
    return {k: tuple(r for r in v if r.date <= day) for k, v in revisions.items()}


def figures(readiness: Any, project: Any, errors: int) -> dict:
    """The numbers of one evaluation: what history.json keeps per commit, and a diff shows per side."""

    def share(x: Optional[float]) -> Optional[float]:
        return None if x is None else round(x, 4)

    mains = {}
    for clause in project.catalog.mains:
        r = readiness.clauses[clause.number]
        mains[clause.number] = {"ready": share(r.share(READY)), "at_risk": share(r.share(AT_RISK)),
                                "not_ready": share(r.share(NOT_READY))}
    return {
        "overall": share(readiness.overall),
        "ready": share(readiness.share(READY)), "at_risk": share(readiness.share(AT_RISK)),
        "not_ready": share(readiness.share(NOT_READY)),
        "leaves_applicable": readiness.leaves_applicable,
        "by_main": mains,
        "gates": {name: gate.passed for name, gate in readiness.gates.items()},
        "open_findings": sum(1 for f in readiness.findings if f.finding.is_open),
        "stale_evidence": len(readiness.stale_evidence),
        "errors": errors,
    }
