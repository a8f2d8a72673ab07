"""Readiness diff between two commits: what a change (a pull request, the months since an audit) did.

Both sides are read from the git objects (``snapshot.side_at``, never a checkout) and assessed; the
comparison is data (``ReadinessDiff``: states, ids, figures and ``Reason`` records, no words, no audience).
``diffwords`` words it for the ``isoready diff`` command: text, Markdown (job summary, pull request comment) or
JSON (schema: ``DIFF_SCHEMA``, documented in docs/format.md); ``views`` words the site's "since the last audit"
page, where the build's audience is applied.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Optional

from isoready.gitfacts import gitdata
from isoready.assess import Readiness, Reason
from isoready.read.catalog import edition_mapping
from isoready.model import FIGURES, Catalog, Project
from isoready.gitfacts.snapshot import Side, figures, side_at
from isoready.core.text import MAX_MARKDOWN_BYTES

DIFF_VERSION = 1
#: the hidden line a pull request comment carries, so the workflow updates its own comment
MARKER = "<!-- isoready-readiness-diff -->"
#: a clause's state on either side ("absent": the clause is not in that side's catalog)
STATES = ("ready", "at-risk", "not-ready", "not-applicable", "absent")


@dataclass(frozen=True)
class ClauseChange:
    clause: str
    title: str
    before: str  # one of STATES
    after: str
    reasons: tuple[Reason, ...]  # why it is in its new state (views word them for the audience)


@dataclass(frozen=True)
class EvidenceChange:
    id: str
    title: str
    change: str  # added | removed | changed
    what: tuple[str, ...] = ()  # record | document, for changed


@dataclass(frozen=True)
class FindingChange:
    id: str
    grade: str
    change: str  # opened | closed | overdue


@dataclass(frozen=True)
class GateChange:
    gate: str
    before: Optional[bool]
    after: Optional[bool]
    failing: tuple[str, ...] = ()  # check ids failing after


@dataclass(frozen=True)
class EditionChange:
    """The two sides follow different editions (``standard:`` changed): the clauses the move added, removed or
    split, from the catalogs and the edition mapping (package data), each with the clauses it relates to."""

    before: str  # the standard of each side, as organisation.yaml names it
    after: str
    added: tuple[tuple[str, tuple[str, ...]], ...] = ()  # new clause, the clauses of before it comes from
    removed: tuple[tuple[str, tuple[str, ...]], ...] = ()  # clause gone, the clauses of after that hold it
    split: tuple[tuple[str, tuple[str, ...]], ...] = ()  # clause of before, the clauses of after it became


def edition_change(old: Catalog, new: Catalog) -> Optional[EditionChange]:
    """None when both sides follow one edition."""
    if old.standard == new.standard:
        return None
    forward = edition_mapping().get((old.standard, new.standard), {})
    back = edition_mapping().get((new.standard, old.standard), {})
    added = tuple((n, back.get(n, ())) for n in new.by_number if n not in old)
    removed = tuple((n, tuple(t for t in forward.get(n, ()) if t in new)) for n in old.by_number if n not in new)
    split = tuple((n, forward[n]) for n in old.by_number if n in new and len(forward.get(n, ())) > 1)
    return EditionChange(old.standard, new.standard, added, removed, split)


@dataclass(frozen=True)
class ReadinessDiff:
    """Every difference from one side to the other, for every record: the audience is applied by views."""

    before: dict  # ref, commit, as_of, figures
    after: dict
    clauses: tuple[ClauseChange, ...] = ()
    evidence: tuple[EvidenceChange, ...] = ()
    findings: tuple[FindingChange, ...] = ()
    gates: tuple[GateChange, ...] = ()
    #: warnings about the commits read (W120, W121, W122: git input read as data); not part of the comparison
    warnings: tuple = ()
    edition: Optional[EditionChange] = None  # the two sides follow different editions
    standard: str = ""  # the standard the later side follows: its words word the reasons (views.StandardWords)

    @property
    def empty(self) -> bool:
        return not (self.clauses or self.evidence or self.findings or self.gates or self.edition)


def _figures(side: Side) -> dict:
    f = figures(side.readiness, side.project, side.errors)
    return {k: f[k] for k in FIGURES}


def _record_fields(e: Any) -> tuple:
    """What a record says, without where it says it (moving a line is not a change)."""
    skip = {"loc", "review_loc", "date_loc", "source"}
    return tuple((f.name, getattr(e, f.name)) for f in dataclasses.fields(e) if f.name not in skip)


def compare(a: Side, b: Side) -> ReadinessDiff:
    """The differences from ``a`` to ``b``, of every record (views leave out what an audience may not see)."""
    ra, rb = a.readiness, b.readiness
    clauses, evidence, findings, gates = [], [], [], []
    catalog = b.project.catalog
    for number, res in rb.clauses.items():
        old = ra.clauses.get(number)
        if old is None or old.state != res.state:
            clause = catalog[number]
            clauses.append(ClauseChange(number, clause.title or clause.label or "", old.state if old else "absent",
                                        res.state, tuple(res.reasons)))
    ea = {e.id: e for e in a.project.evidence}
    eb = {e.id: e for e in b.project.evidence}
    for i in sorted(set(ea) | set(eb)):
        if i not in ea:
            evidence.append(EvidenceChange(i, eb[i].title, "added"))
        elif i not in eb:
            evidence.append(EvidenceChange(i, ea[i].title, "removed"))
        else:
            what = []
            if _record_fields(ea[i]) != _record_fields(eb[i]):
                what.append("record")
            fa, fb = ea[i].file, eb[i].file
            if (fa or fb) and (fa != fb or a.blobs.get(fa) != b.blobs.get(fb)):
                what.append("document")
            if what:
                evidence.append(EvidenceChange(i, eb[i].title, "changed", tuple(what)))
    fa_ = {fr.finding.id: fr for fr in ra.findings}
    for fr in rb.findings:
        f = fr.finding
        old = fa_.get(f.id)
        if f.is_open and (old is None or not old.finding.is_open):
            findings.append(FindingChange(f.id, f.grade, "opened"))
        elif not f.is_open and old is not None and old.finding.is_open:
            findings.append(FindingChange(f.id, f.grade, "closed"))
        if fr.overdue and not (old and old.overdue):
            findings.append(FindingChange(f.id, f.grade, "overdue"))
    for name in sorted(set(ra.gates) | set(rb.gates)):
        before = ra.gates[name].passed if name in ra.gates else None
        after = rb.gates[name].passed if name in rb.gates else None
        if before != after:
            failing = tuple(i.check for i in rb.gates[name].items if not i.passed) if name in rb.gates else ()
            gates.append(GateChange(name, before, after, failing))
    return ReadinessDiff(
        before={"ref": a.ref, "commit": a.commit, "as_of": ra.as_of.isoformat(), "figures": _figures(a)},
        after={"ref": b.ref, "commit": b.commit, "as_of": rb.as_of.isoformat(), "figures": _figures(b)},
        clauses=tuple(clauses), evidence=tuple(evidence), findings=tuple(findings), gates=tuple(gates),
        warnings=tuple(sorted(set(a.warnings) | set(b.warnings))),
        edition=edition_change(a.project.catalog, b.project.catalog), standard=b.project.catalog.standard)


# --------------------------------------------------------------------------- the two comparisons we make


def diff_refs(root: Path, a: str, b: str, as_of: Optional[date] = None) -> ReadinessDiff:
    """``isoready diff A B``: both judged on ``as_of`` (default: each on its commit's date).

    Raises ValueError when there is no repository or a ref names nothing.
    """
    repo = gitdata.open_repo(Path(root))
    if repo is None:
        raise ValueError(f"{root} is not in a git repository with a commit (or git is not installed): "
                         "a diff compares two commits")
    revisions = gitdata.file_revisions(repo)
    return compare(side_at(repo, a, as_of, revisions), side_at(repo, b, as_of, revisions))


def since_last_audit(repo: gitdata.Repo, last_audit: str, project: Project, readiness: Readiness,
                     revisions: Any = None, max_markdown_bytes: int = MAX_MARKDOWN_BYTES,
                     standard: Optional[str] = None) -> ReadinessDiff:
    """The site's "since the last audit" comparison: the commit ``last_audit`` names (judged on its own date)
    against this build's project and readiness, with the documents as they are in the working tree now.

    ``standard``: another standard of an integrated system (``project`` and ``readiness`` are its).
    Raises ValueError when ``last_audit`` names no commit, tag or branch (a shallow clone may lack it).
    """
    before = side_at(repo, last_audit, None, revisions, max_markdown_bytes, standard)
    blobs = {d: gitdata.blob_id(repo.root / "evidence" / d) for d in project.documents}
    after = Side("this build", gitdata.resolve(repo, "HEAD") or "", project, readiness, blobs)
    return compare(before, after)


_FIG = {"type": ["number", "integer", "null"]}
_SIDE = {"type": "object", "required": ["ref", "commit", "as_of", "figures"], "additionalProperties": False,
         "properties": {"ref": {"type": "string"}, "commit": {"type": "string"},
                        "as_of": {"type": "string", "format": "date"},
                        "figures": {"type": "object", "required": list(FIGURES), "additionalProperties": False,
                                    "properties": {k: _FIG for k in FIGURES}}}}
_CLAUSE_MOVE = {"type": "object", "required": ["clause", "related"], "additionalProperties": False,
                "properties": {"clause": {"type": "string"},
                               "related": {"type": "array", "items": {"type": "string"},
                                           "description": "added: the clauses it comes from; removed: those that "
                                                          "hold it now; split: the clauses it became"}}}
DIFF_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "isoready-diff.schema.json",
    "title": "isoready readiness diff between two commits",
    "type": "object",
    "required": ["version", "before", "after", "clauses", "evidence", "findings", "gates"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": DIFF_VERSION},
        "before": _SIDE, "after": _SIDE,
        "clauses": {"type": "array", "items": {
            "type": "object", "required": ["clause", "title", "before", "after", "reasons"],
            "additionalProperties": False,
            "properties": {"clause": {"type": "string"}, "title": {"type": "string"},
                           "before": {"enum": list(STATES)}, "after": {"enum": list(STATES)},
                           "reasons": {"type": "array", "items": {"type": "string"}}}}},
        "evidence": {"type": "array", "items": {
            "type": "object", "required": ["id", "title", "change", "what"], "additionalProperties": False,
            "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                           "change": {"enum": ["added", "removed", "changed"]},
                           "what": {"type": "array", "items": {"enum": ["record", "document"]}}}}},
        "findings": {"type": "array", "items": {
            "type": "object", "required": ["id", "grade", "change"], "additionalProperties": False,
            "properties": {"id": {"type": "string"}, "grade": {"type": "string"},
                           "change": {"enum": ["opened", "closed", "overdue"]}}}},
        "gates": {"type": "array", "items": {
            "type": "object", "required": ["gate", "before", "after", "failing"], "additionalProperties": False,
            "properties": {"gate": {"type": "string"}, "before": {"type": ["boolean", "null"]},
                           "after": {"type": ["boolean", "null"]},
                           "failing": {"type": "array", "items": {"type": "string"}}}}},
        "edition": {"description": "present when the two sides follow different editions (standard: changed)",
                    "type": "object", "required": ["before", "after", "added", "removed", "split"],
                    "additionalProperties": False,
                    "properties": {"before": {"type": "string"}, "after": {"type": "string"},
                                   **{k: {"type": "array", "items": _CLAUSE_MOVE} for k in ("added", "removed",
                                                                                          "split")}}},
    },
}
