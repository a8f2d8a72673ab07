"""Stage 3, validate: read a project and check it whole, collecting every problem.

The work is done by one module per job: ``reader`` (walk, parse, cache, parallel), ``schema`` (the keys
and types of every file), ``records`` (one file's values become records) and ``checks`` (across
records). This module joins them, and keeps the names other code and older tests import from here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional

from isoready.validate.checks import check_exclusions, check_records
from isoready.core.diagnostics import Collector, Diagnostic
from isoready.read.integrated import project_for
from isoready.core.load import MAX_BYTES
from isoready.model import Catalog, Project
from isoready.read.reader import ParseCache, markdown_documents_kept, read
from isoready.validate.redact import withheld_names_in_documents
from isoready.read.records import (realpath, CLAUSES_DIR, EVIDENCE_DIR, FINDINGS_DIR, ORGANISATION_FILE, EvidenceFileResult,
    assessments_from_file, evidence_from_file, findings_from_file, organisation_from)
from isoready.read.schema import Fields, check_clause, parse_date  # noqa: F401
from isoready.core.text import MAX_MARKDOWN_BYTES
from isoready.read.options import MAX_REGISTER_BYTES, MAX_REGISTER_ROWS


def read_project(root: Path, catalog: Catalog, as_of: date, max_bytes: int = MAX_BYTES,
                 known: Optional[dict] = None,
                 max_markdown_bytes: int = MAX_MARKDOWN_BYTES,
                 integrated: bool = False, max_register_rows: int = MAX_REGISTER_ROWS,
                 max_register_bytes: int = MAX_REGISTER_BYTES,
                 on_read: Optional[Callable[[Any], None]] = None) -> tuple[Project, list[Diagnostic]]:
    """Load, type and check a whole project. Always returns a Project (possibly partial) and every diagnostic.

    ``catalog`` is the default edition's; a project whose organisation.yaml names another ``standard:`` is
    read and checked against that edition's catalog, which becomes ``Project.catalog``.

    ``known`` (the build cache's per-file results) is used and then updated in place: evidence files whose
    bytes and referenced documents are unchanged are not parsed again. Every cross-file check still runs.

    ``max_markdown_bytes`` (``Options.max_markdown_bytes``) is the Markdown size limit W108 and W110 judge by:
    the one the pages render under.

    ``max_register_rows``, ``max_register_bytes`` (``Options``): the limits of a register's file (E352, E353).

    ``on_read(organisation)``: called once every file is read, before the checks (a build starts compiling its
    templates then, in another process, in the organisation's language).

    A project of several standards (``standards:``) is returned as its primary standard sees it, so every stage
    downstream works unchanged; ``integrated=True`` returns the whole project, its clause references qualified
    (``14001:6.1.2``, ``hs:7.5``), to be seen per standard through ``integrated.project_for``.
    """
    root = Path(root)
    found = read(root, catalog, max_bytes, known, max_markdown_bytes, max_register_rows, max_register_bytes)
    if on_read is not None:
        on_read(found.organisation)
    out = Collector()
    out.items = found.diagnostics
    evidence, assessments, findings = check_records(found.evidence, found.assessments, found.findings,
                                                    found.documents, found.catalog, as_of, out,
                                                    organisation=found.organisation, unread=found.unread, hold_from=0)
    project = Project(root=root, organisation=found.organisation, catalog=found.catalog, evidence=tuple(evidence),
                      assessments=tuple(assessments), findings=tuple(findings), documents=tuple(found.documents),
                      standards=found.organisation.standards,
                      registers={e.id: found.registers[e.id] for e in evidence if e.id in found.registers})
    for standard in project.standards[1:]:  # an integrated system: each other standard's exclusions, judged by it
        view = project_for(project, standard)
        own = Collector()
        check_exclusions(list(view.assessments), list(view.evidence), view.catalog, own,
                         applies=view.organisation.applies, as_of=as_of)
        out.items.extend(replace(d, message=f"{standard}: {d.message}") for d in own.items)
    if not integrated:
        project = project_for(project, project.standard)
    memo = known.documents.setdefault("W110", {}) if isinstance(known, ParseCache) else None  # serve's, in memory
    out.items.extend(withheld_names_in_documents(project, max_markdown_bytes, memo))  # W110
    return project, out.items


def prime_documents(project: Project, known: ParseCache, max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> None:
    """Fill ``known``'s per-document results (W108, W110) for ``project`` (as ``read_project`` returned it) the way
    ``read_project`` does: a long-lived process (``serve``) primes them after its first build, which read
    through the build cache, so that its first update reads only the documents that moved, as every later one."""
    realpath.cache_clear()  # folders resolved afresh, as each read does
    markdown_documents_kept(project.root, list(project.evidence), max_markdown_bytes, known)
    withheld_names_in_documents(project, max_markdown_bytes, known.documents.setdefault("W110", {}))


__all__ = ["read_project", "prime_documents", "EVIDENCE_DIR", "CLAUSES_DIR", "FINDINGS_DIR", "ORGANISATION_FILE", "Collector",
           "evidence_from_file", "assessments_from_file", "findings_from_file", "organisation_from"]
