"""Readiness diff between two commits: what a change (a pull request, the months since an audit) did.

Both sides are read from the git objects (``gitdata.materialise``, never a checkout) and assessed; the
comparison is data (``ReadinessDiff``), worded here as text, Markdown (job summary, pull request comment)
or JSON (schema: ``DIFF_SCHEMA``, documented in docs/format.md).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Optional

from . import gitdata

DIFF_VERSION = 1
#: the hidden line a pull request comment carries, so the workflow updates its own comment
MARKER = "<!-- isoready-readiness-diff -->"
FIGURES = ("overall", "ready", "at_risk", "not_ready", "open_findings", "stale_evidence")


@dataclass(frozen=True)
class Side:
    """One end of a diff: a commit (or a working folder), its project and readiness."""

    ref: str
    commit: str  # full id; '' for a folder outside git
    project: Any
    readiness: Any
    blobs: dict  # path under evidence/ -> git blob id (or sha256 of the bytes outside git)
    errors: int = 0


@dataclass(frozen=True)
class ClauseChange:
    clause: str
    title: str
    before: str
    after: str
    reasons: tuple[str, ...]  # why it is in its new state, worded


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


@dataclass
class ReadinessDiff:
    before: dict  # ref, commit, as_of, figures
    after: dict
    clauses: list[ClauseChange] = field(default_factory=list)
    evidence: list[EvidenceChange] = field(default_factory=list)
    findings: list[FindingChange] = field(default_factory=list)
    gates: list[GateChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.clauses or self.evidence or self.findings or self.gates)

    def as_json(self) -> dict:
        return {"version": DIFF_VERSION, "before": self.before, "after": self.after,
                "clauses": [dataclasses.asdict(c) | {"reasons": list(c.reasons)} for c in self.clauses],
                "evidence": [dataclasses.asdict(e) | {"what": list(e.what)} for e in self.evidence],
                "findings": [dataclasses.asdict(f) for f in self.findings],
                "gates": [dataclasses.asdict(g) | {"failing": list(g.failing)} for g in self.gates]}


def _figures(side: Side) -> dict:
    from .history import figures

    f = figures(side.readiness, side.project, side.errors)
    return {k: f[k] for k in FIGURES}


def _record_fields(e: Any) -> tuple:
    """What a record says, without where it says it (moving a line is not a change)."""
    skip = {"loc", "review_loc", "date_loc", "source"}
    return tuple((f.name, getattr(e, f.name)) for f in dataclasses.fields(e) if f.name not in skip)


def compare(a: Side, b: Side, visible_evidence: Optional[set] = None,
            visible_findings: Optional[set] = None) -> ReadinessDiff:
    """The differences from ``a`` to ``b``. ``visible_*``: ids the audience may see (None: all)."""
    from .views import describe

    ra, rb = a.readiness, b.readiness
    out = ReadinessDiff(
        before={"ref": a.ref, "commit": a.commit, "as_of": ra.as_of.isoformat(), "figures": _figures(a)},
        after={"ref": b.ref, "commit": b.commit, "as_of": rb.as_of.isoformat(), "figures": _figures(b)})
    ev_ok = (lambda i: True) if visible_evidence is None else (lambda i: i in visible_evidence)
    f_ok = (lambda i: True) if visible_findings is None else (lambda i: i in visible_findings)
    catalog = b.project.catalog
    for number, res in rb.clauses.items():
        old = ra.clauses.get(number)
        if old is None or old.state != res.state:
            full = all(ev_ok(i) for r in res.reasons for i in r.evidence) and all(
                f_ok(i) for r in res.reasons for i in r.findings)
            clause = catalog[number]
            out.clauses.append(ClauseChange(number, clause.title or clause.label or "", old.state if old else "absent",
                                            res.state, tuple(describe(r, full) for r in res.reasons)))
    ea = {e.id: e for e in a.project.evidence}
    eb = {e.id: e for e in b.project.evidence}
    for i in sorted(set(ea) | set(eb)):
        if not ev_ok(i):
            continue
        if i not in ea:
            out.evidence.append(EvidenceChange(i, eb[i].title, "added"))
        elif i not in eb:
            out.evidence.append(EvidenceChange(i, ea[i].title, "removed"))
        else:
            what = []
            if _record_fields(ea[i]) != _record_fields(eb[i]):
                what.append("record")
            fa, fb = ea[i].file, eb[i].file
            if (fa or fb) and (fa != fb or a.blobs.get(fa) != b.blobs.get(fb)):
                what.append("document")
            if what:
                out.evidence.append(EvidenceChange(i, eb[i].title, "changed", tuple(what)))
    fa_ = {fr.finding.id: fr for fr in ra.findings}
    for fr in rb.findings:
        f = fr.finding
        if not f_ok(f.id):
            continue
        old = fa_.get(f.id)
        if f.is_open and (old is None or not old.finding.is_open):
            out.findings.append(FindingChange(f.id, f.grade, "opened"))
        elif not f.is_open and old is not None and old.finding.is_open:
            out.findings.append(FindingChange(f.id, f.grade, "closed"))
        if fr.overdue and not (old and old.overdue):
            out.findings.append(FindingChange(f.id, f.grade, "overdue"))
    for name in sorted(set(ra.gates) | set(rb.gates)):
        before = ra.gates[name].passed if name in ra.gates else None
        after = rb.gates[name].passed if name in rb.gates else None
        if before != after:
            failing = tuple(i.check for i in rb.gates[name].items if not i.passed) if name in rb.gates else ()
            out.gates.append(GateChange(name, before, after, failing))
    return out


# --------------------------------------------------------------------------- reading the two sides


def side_at(repo: gitdata.Repo, ref: str, as_of: Optional[date] = None, revisions: Any = None) -> Side:
    """The project at a commit, assessed as of ``as_of`` (default: the commit's own date)."""
    from .assess import assess
    from .catalog import load_catalog
    from .diagnostics import errors
    from .validate import read_project

    sha = gitdata.resolve(repo, ref)
    if sha is None:
        raise ValueError(f"'{ref}' names no commit, tag or branch of this repository")
    when = gitdata.commit_date(repo, sha)
    day = as_of or when
    tmp = Path(tempfile.mkdtemp(prefix="isoready-diff-"))
    try:
        gitdata.materialise(repo, sha, tmp)
        project, diags = read_project(tmp, load_catalog(), day)
        readiness = assess(project, day, _until(revisions, when))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Side(ref, sha, project, readiness, gitdata.blobs(repo, sha), len(errors(diags)))


def _until(revisions: Any, day: date) -> Any:
    """The revisions known on a day (commits dated later had not happened yet)."""
    if revisions is None:
        return None
    return {k: tuple(r for r in v if r.date <= day) for k, v in revisions.items()}


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


# --------------------------------------------------------------------------- words

STATE_WORDS = {"ready": "ready", "at-risk": "at risk", "not-ready": "not ready", "not-applicable": "not applicable",
               "absent": "absent"}
FIGURE_WORDS = {"overall": "Ready or at risk", "ready": "Ready", "at_risk": "At risk", "not_ready": "Not ready",
                "open_findings": "Open findings", "stale_evidence": "Stale evidence"}
GATE_WORDS = {"stage1": "Stage 1 gate", "stage2": "Stage 2 gate"}


def _fig(key: str, value: Any) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.0f}%" if key in ("overall", "ready", "at_risk", "not_ready") else str(value)


def _verdict(v: Optional[bool]) -> str:
    return "absent" if v is None else "pass" if v else "fail"


def _side_name(s: dict) -> str:
    short = s["commit"][:10]
    if short and s["commit"].startswith(s["ref"]):
        return short  # the ref is the commit id itself
    return f"{s['ref']} ({short})" if short else s["ref"]


def lines(d: ReadinessDiff, markdown: bool) -> list[str]:
    code = (lambda t: f"`{t}`") if markdown else (lambda t: t)
    out = []
    title = f"Readiness: {_side_name(d.before)} → {_side_name(d.after)}"
    out += [f"### {title}" if markdown else title, ""]
    fb, fa = d.before["figures"], d.after["figures"]
    if markdown:
        out += ["| | before | after |", "| --- | ---: | ---: |"]
        out += [f"| {FIGURE_WORDS[k]} | {_fig(k, fb[k])} | {_fig(k, fa[k])} |" for k in FIGURES]
    else:
        out += [f"{FIGURE_WORDS[k]}: {_fig(k, fb[k])} -> {_fig(k, fa[k])}" for k in FIGURES]
    out.append("")
    if d.empty:
        out.append("No change to readiness, evidence, findings or gates.")
        return out
    bullet = "- "
    if d.gates:
        out.append("**Gates**" if markdown else "Gates:")
        for g in d.gates:
            failing = f" (failing: {', '.join(code(c) for c in g.failing)})" if g.failing else ""
            out.append(f"{bullet}{GATE_WORDS.get(g.gate, g.gate)}: {_verdict(g.before)} → {_verdict(g.after)}{failing}")
        out.append("")
    if d.clauses:
        out.append("**Clauses whose state changed**" if markdown else "Clauses whose state changed:")
        for c in d.clauses:
            why = "; ".join(c.reasons)
            out.append(f"{bullet}{code(c.clause)} {c.title}: {STATE_WORDS[c.before]} → {STATE_WORDS[c.after]}"
                       + (f": {why}" if why else ""))
        out.append("")
    if d.evidence:
        out.append("**Evidence**" if markdown else "Evidence:")
        for e in d.evidence:
            what = f" ({' and '.join(e.what)})" if e.what else ""
            out.append(f"{bullet}{e.change}: {code(e.id)} {e.title}{what}")
        out.append("")
    if d.findings:
        out.append("**Findings**" if markdown else "Findings:")
        for f in d.findings:
            out.append(f"{bullet}{f.change}: {code(f.id)} ({f.grade})")
        out.append("")
    return out


def render(d: ReadinessDiff, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(d.as_json(), indent=2, sort_keys=True) + "\n"
    body = "\n".join(lines(d, fmt == "markdown")).rstrip("\n") + "\n"
    return (MARKER + "\n" + body) if fmt == "markdown" else body


_FIG = {"type": ["number", "integer", "null"]}
_SIDE = {"type": "object", "required": ["ref", "commit", "as_of", "figures"], "additionalProperties": False,
         "properties": {"ref": {"type": "string"}, "commit": {"type": "string"},
                        "as_of": {"type": "string", "format": "date"},
                        "figures": {"type": "object", "required": list(FIGURES), "additionalProperties": False,
                                    "properties": {k: _FIG for k in FIGURES}}}}
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
                           "before": {"enum": list(STATE_WORDS)}, "after": {"enum": list(STATE_WORDS)},
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
    },
}
