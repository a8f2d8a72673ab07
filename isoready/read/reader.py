"""Stage 1, read: walk the project, parse every YAML file (``load``) and type it (``records``).

Evidence files are many, so they are read with the per-file cache the build passes in (``known``) and in
parallel (``parallel.pmap``, serial with ``ISOREADY_WORKERS=1``). The few content files are read in
order. Nothing here compares one record with another: that is ``checks``.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Optional

from isoready.core import parallel
from isoready.read.catalog import load_catalog
from isoready.read.integrated import combined
from isoready.core.diagnostics import Collector, Diagnostic
from isoready.core.load import (MAX_BYTES, Loc, YList, YMap, YStr, decode, is_yaml, load_file, parse_text,
    read_bytes, special_diagnostic, special_kind, walk, walk_names)
from isoready.model import DEFAULT_STANDARD, MARKDOWN_SUFFIXES, Assessment, Catalog, Evidence, Finding, Organisation
from isoready.read.records import (CLAUSES_DIR, EVIDENCE_DIR, FINDINGS_DIR, ORGANISATION_FILE,
    assessments_from_file, evidence_from_file, findings_from_file, markdown_documents, markdown_pages,
    organisation_from, real_file, realpath)
from isoready.read.options import MAX_REGISTER_BYTES, MAX_REGISTER_ROWS
from isoready.read.registers import read_registers
from isoready.read.teampages import page_problems
from isoready.core.text import MAX_MARKDOWN_BYTES

PARALLEL_FILES = 2000  # evidence files; below this, forking workers costs more than parsing in one process

#: what one evidence file yields, and what the build cache keeps of it: (records, diagnostics, entry), the entry
#: a new one (sha256, signature, records, diagnostics), or a cached entry's (sha256, signature) when that entry
#: holds for the bytes just read, or None (nothing read)
FileResult = tuple[list[Evidence], list[Diagnostic], Optional[tuple]]


class ParseCache(dict):
    """The per-file results a long-lived process (``serve``) keeps in memory between reads: what the build cache
    holds (file -> (sha256, file-system signature, records, diagnostics)), plus each file's ``stats`` (mtime,
    size, inode, and the Markdown limit) when it was last read. A file whose stats are unchanged is not even
    opened; one whose stats moved is read and its SHA-256 compared, as with the build cache. The documents a
    record points at are trusted until the owner reports a change to one (``forget``): serve's file watcher."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.stats: dict[str, tuple] = {}
        self.moved: set[str] = set()  # paths reported since the last read: a record pointing at one is read again
        self.registers: dict = {}  # registers.read_registers' results, by each register file's stats
        #: per-document checks' results (W108, W110), by check, then by the document's path ("evidence/x.md"),
        #: each with the ``document_key`` it was made for (and whatever else its check reads)
        self.documents: dict[str, dict] = {}

    def prime(self, root: Path, limit: int) -> None:
        """Take every cached file's stats now: for results just checked against the files' bytes (a build's).
        A file changed since then must be reported (``forget``): serve's watcher runs from before the build."""
        self.stats = {rel: key for rel in self if (key := _stat_key(Path(root) / rel, limit)) is not None}

    def same_bytes(self, root: Path, rel: str, limit: int) -> bool:
        """True when ``rel`` (a cached evidence file) still holds the bytes its result was made from; its stats
        are then taken again (a save without a change moves them)."""
        hit = self.get(rel)
        if not hit or len(hit) != 4:
            return False
        path = Path(root) / rel
        key = _stat_key(path, limit)
        try:
            data = path.read_bytes()
        except OSError:
            return False
        if key is None or hashlib.sha256(data).hexdigest() + _limit_tag(limit) != hit[0]:
            return False
        self.stats[rel] = key
        return True

    def forget(self, rel: str) -> None:
        """Never trust ``rel``'s stats again (a change was reported): its bytes are compared next time, and a
        record file pointing at it (a document added, changed, removed or made a symlink) is read again."""
        self.stats.pop(rel, None)
        self.moved.add(rel)
        for results in self.documents.values():
            results.pop(rel, None)


def _moved(moved: set[str], refs: list[str]) -> bool:
    """True when a reported path is one of ``refs`` or a folder above one (it may have become a symlink)."""
    return bool(moved) and any(ref == m or ref.startswith(m + "/") for ref in refs for m in moved)


def _stat_key(path: "Path | str", limit: int) -> Optional[tuple]:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):  # symlinks (E304) and anything but a plain file are judged afresh every time
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino, limit)


@dataclass
class Read:
    """Everything read from a project, before any check across records."""

    organisation: Organisation
    catalog: Catalog  # the edition the organisation chose (``standard:``)
    evidence: list[Evidence] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # every non-YAML file under evidence/, relative to it
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: the first error of each YAML file that could not be read or parsed, so defined nothing: checks across
    #: records that would read what it defines are skipped for this run (``checks.check_records``)
    unread: list[Diagnostic] = field(default_factory=list)
    registers: dict = field(default_factory=dict)  # evidence id -> model.Register (records with ``register:``)


def unread_error(diags: list[Diagnostic]) -> Optional[Diagnostic]:
    """The error that stopped a file from being read or parsed (its value is None), or None."""
    return next((d for d in sorted(diags) if d.code[:2] == "E1" and d.code != "E107"), None)


def read(root: Path, catalog: Catalog, max_bytes: int = MAX_BYTES, known: Optional[dict] = None,
         max_markdown_bytes: int = MAX_MARKDOWN_BYTES, max_register_rows: int = MAX_REGISTER_ROWS,
         max_register_bytes: int = MAX_REGISTER_BYTES) -> Read:
    """Read and type every file of a project; every problem becomes a diagnostic.

    ``known`` (the build cache's per-file results) is used and then updated in place: evidence files whose
    bytes and referenced documents are unchanged are not parsed again.
    """
    root = Path(root)
    out = Collector()
    unread: list[Diagnostic] = []
    realpath.cache_clear()  # folders may have become symlinks since the last run in this process
    organisation, catalog, out = _organisation(root, catalog, max_bytes, unread, max_markdown_bytes)
    evidence, documents = read_evidence(root, catalog, max_bytes, known, out, unread, max_markdown_bytes)
    registers, register_diags = read_registers(root, evidence, max_register_rows, max_register_bytes,
                                               getattr(known, "registers", None))  # serve keeps them
    out.items.extend(register_diags)
    out.items.extend(markdown_documents_kept(root, evidence, max_markdown_bytes, known)  # W108
                     + markdown_pages(root, max_markdown_bytes))
    out.items.extend(page_problems(root, max_markdown_bytes))  # team pages: metadata never a path, reST never reads a file
    assessments: list[Assessment] = []
    for rel, path in yaml_files(root, CLAUSES_DIR):
        items, diags = assessments_from_file(rel, load_yaml_file(path, rel, max_bytes, out, unread), catalog,
                                              max_markdown_bytes)
        assessments.extend(items)
        out.items.extend(diags)
    findings: list[Finding] = []
    for rel, path in yaml_files(root, FINDINGS_DIR):
        items, diags = findings_from_file(rel, load_yaml_file(path, rel, max_bytes, out, unread), catalog,
                                           max_markdown_bytes)
        findings.extend(items)
        out.items.extend(diags)
    return Read(organisation, catalog, evidence, assessments, findings, documents, out.items, unread, registers)


def _organisation(root: Path, catalog: Catalog, max_bytes: int, unread: Optional[list],
                  max_markdown_bytes: int) -> tuple[Organisation, Catalog, Collector]:
    """organisation.yaml, the catalog the project is read against (``catalog``, the default edition's, unless
    the project chose another edition or several standards) and the diagnostics so far."""
    out = Collector()
    organisation = read_organisation(root, catalog, max_bytes, out, unread, max_markdown_bytes)
    if organisation.standard != catalog.standard or len(organisation.standards) > 1:
        # the project chose another edition, or several standards: read it against those
        catalog = load_catalog(organisation.standard)
        if len(organisation.standards) > 1:
            catalog = combined(catalog, [load_catalog(s) for s in organisation.standards[1:]])
        out = Collector()
        organisation = read_organisation(root, catalog, max_bytes, out, max_markdown_bytes=max_markdown_bytes)
    return organisation, catalog, out


def read_ahead(root: Path, catalog: Catalog, max_bytes: int, max_markdown_bytes: int,
               put: Callable[[tuple[str, tuple]], None], stopping: Callable[[], bool]) -> None:
    """The per-file results (``evidence_file``'s build-cache entries: the SHA-256 of the bytes, the documents'
    signature, the records, the diagnostics) of the evidence files, in the order ``read`` reads them, each
    ``put`` as ``(relative path, entry)`` until ``stopping()``: made by another process while a build imports
    and sets up (``parallel.Ahead``). Handed to the build as its build cache's entries, each is used only for
    bytes with the same SHA-256 and documents with the same signature when ``read`` reads the file itself."""
    organisation, catalog, _out = _organisation(root, catalog, max_bytes, None, max_markdown_bytes)
    for path in walk_names(root / EVIDENCE_DIR):
        if stopping():
            return
        if is_yaml(os.path.basename(path)):
            _records, _diags, entry = evidence_file(path, root, catalog, max_bytes, {}, max_markdown_bytes)
            if entry is not None and len(entry) == 4:
                put((_rel(path, root), entry))


def document_key(path: str) -> Optional[tuple]:
    """What a per-document check's result holds for (``ParseCache.documents``): the document's real path (a
    folder made a symlink moves it) and its stats (mtime, size, inode, mode: its target's, through a
    symlink). None when it cannot be stat'ed: it is then judged afresh."""
    try:
        st = os.stat(path)
        return (real_file(path), st.st_mtime_ns, st.st_size, st.st_ino, st.st_mode)
    except (OSError, ValueError):
        return None


def markdown_documents_kept(root: Path, evidence: list[Evidence], limit: int, known: Optional[dict]) -> list[Diagnostic]:
    """W108 of every Markdown document, as ``records.markdown_documents`` judges them; a ``ParseCache`` keeps
    each document's result by its ``document_key`` and the limit, so only the documents that moved are read
    (``serve`` fills it after its first build: ``validate.project.prime_documents``)."""
    if not isinstance(known, ParseCache):
        return markdown_documents(root, evidence, limit)
    memo = known.documents.setdefault("W108", {})
    base = os.path.join(str(root), EVIDENCE_DIR)
    by_doc: dict[str, Evidence] = {}
    for e in evidence:
        if e.file and e.file.lower().endswith(MARKDOWN_SUFFIXES):
            by_doc.setdefault(e.file, e)
    keys = {doc: document_key(os.path.join(base, doc)) for doc in by_doc}
    fresh: dict[str, tuple] = {}
    todo = []
    for doc, key in keys.items():
        hit = memo.get(f"{EVIDENCE_DIR}/{doc}")
        if key is not None and hit is not None and hit[0] == (key, limit):
            fresh[f"{EVIDENCE_DIR}/{doc}"] = hit
        else:
            todo.append(doc)
    made: dict[str, list[Diagnostic]] = {f"{EVIDENCE_DIR}/{doc}": [] for doc in todo}
    for d in markdown_documents(root, [by_doc[doc] for doc in todo], limit):
        made[d.path].append(d)
    for doc in todo:
        if keys[doc] is not None:
            fresh[f"{EVIDENCE_DIR}/{doc}"] = ((keys[doc], limit), made[f"{EVIDENCE_DIR}/{doc}"])
    memo.clear()  # only this run's documents: the memo stays as large as the project
    memo.update(fresh)
    found = {**{rel: hit[1] for rel, hit in fresh.items()}, **made}
    return [d for rel in sorted(found) for d in found[rel]]  # in the documents' order, as markdown_documents


def load_yaml_file(path: Path, rel: str, max_bytes: int, out: Collector, unread: Optional[list] = None) -> Any:
    """One YAML file's value (None when it cannot be read or parsed), its diagnostics added to ``out`` and, when
    it did not read, the error that stopped it to ``unread`` (what holds later checks back: W190)."""
    value, diags = load_file(path, rel, max_bytes)
    out.items.extend(diags)
    stopped = unread_error(diags) if value is None else None
    if stopped is not None and unread is not None:
        unread.append(stopped)
    return value


def read_organisation(root: Path, catalog: Catalog, max_bytes: int, out: Collector,
                      unread: Optional[list] = None, max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> Organisation:
    path = root / ORGANISATION_FILE
    if not path.exists():
        out.add(Loc(ORGANISATION_FILE, 1, 1), "E410", "organisation settings file is missing",
                "create content/organisation.yaml with 'name:' and 'scope:'")
        return Organisation(name="Unnamed organisation")
    before = len(out.items)
    value = load_yaml_file(path, ORGANISATION_FILE, max_bytes, out, unread)
    if value is None and len(out.items) > before:
        return Organisation(name="Unnamed organisation")  # unreadable: already reported
    return organisation_from(value, ORGANISATION_FILE, catalog, out, root, max_markdown_bytes)


def yaml_files(root: Path, folder: str) -> list[tuple[str, Path]]:
    return [(p.relative_to(root).as_posix(), p) for p in walk(root / folder) if is_yaml(p.name)]


def read_evidence(root: Path, catalog: Catalog, max_bytes: int, known: Optional[dict],
                  out: Collector, unread: Optional[list] = None,
                  max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> tuple[list[Evidence], list[str]]:
    """Every evidence record (in file order) and every document file under evidence/."""
    evidence: list[Evidence] = []
    documents: list[str] = []
    yaml_paths: list[str] = []
    for path in walk_names(root / EVIDENCE_DIR):
        if is_yaml(os.path.basename(path)):
            yaml_paths.append(path)
        else:
            rel = _rel(path, root)
            try:
                kind = special_kind(os.stat(path).st_mode)
            except (OSError, ValueError):  # a dangling symlink: reported if a record points at it
                kind = None
            if kind:
                out.items.extend(special_diagnostic(rel, kind))  # never published, never opened
                continue
            documents.append(rel[len(EVIDENCE_DIR) + 1:])
    rels = [_rel(path, root) for path in yaml_paths]
    # keyed by the relative path, a str: hashing 10,000 Path objects was 0.5 s of a serve update (profiled)
    kept, todo, seen = _unchanged(root, yaml_paths, rels, known, max_markdown_bytes)
    # each path as the str it is: a Path per file was 10,000 parses of its parts for nothing (evidence_file takes both)
    done = iter(parallel.pmap(_evidence_job, [yaml_paths[i] for i in todo], min_parallel=PARALLEL_FILES,
                              shared=(root, catalog, max_bytes, known, max_markdown_bytes)))
    results = [kept[rel] if rel in kept else next(done) for rel in rels]  # todo is in file order
    fresh: dict = {}
    for rel, (records, diags, entry) in zip(rels, results):
        evidence.extend(records)
        out.items.extend(diags)
        stopped = unread_error(diags) if not records else None
        if stopped is not None and unread is not None:
            unread.append(stopped)
        old = known.get(rel) if known else None
        if entry is not None and old is not None and old[:2] == entry[:2]:  # the bytes the cache's entry was made of
            fresh[rel] = old
        elif entry is not None and len(entry) == 4:
            fresh[rel] = entry
        elif old is not None and rel in kept:  # vouched for by its stats (serve's ParseCache)
            fresh[rel] = old
        # else not read (unreadable, too large, a link leading out): no entry, so no digest of other bytes
    if known is not None:
        known.clear()
        known.update(fresh)
    if isinstance(known, ParseCache):
        known.stats = {rel: key for rel, key in seen.items() if rel in fresh}
    return evidence, documents


def _unchanged(root: Path, paths: list[str], rels: list[str], known: Optional[dict],
               limit: int) -> tuple[dict[str, FileResult], list[int], dict[str, tuple]]:
    """The files (by relative path) a ``ParseCache`` vouches for without reading them (stats and referenced
    documents unchanged), the positions of the files to read, and every file's stats taken before it is read
    (a later change moves them again)."""
    if not isinstance(known, ParseCache):
        return {}, list(range(len(paths))), {}
    kept: dict[str, FileResult] = {}
    todo: list[int] = []
    seen: dict[str, tuple] = {}
    for i, (path, rel) in enumerate(zip(paths, rels)):
        key = _stat_key(path, limit)
        hit = known.get(rel)
        if key is not None:
            seen[rel] = key
        # the documents it points at: trusted unless a change to one was reported (resolving every record's
        # documents again was 3 s of a serve update at 10,000 records, profiled)
        if key is not None and known.stats.get(rel) == key and hit and len(hit) == 4 and \
                not _moved(known.moved, [s[0] for s in hit[1]]):
            kept[rel] = (list(hit[2]), list(hit[3]), None)
        else:
            todo.append(i)
    known.moved = set()
    return kept, todo, seen


def _evidence_job(path: "Path | str") -> FileResult:
    root, catalog, max_bytes, known, max_markdown_bytes = parallel.shared()
    return evidence_file(path, root, catalog, max_bytes, known, max_markdown_bytes)


def evidence_file(path: "Path | str", root: Path, catalog: Catalog, max_bytes: int = MAX_BYTES,
                  known: Optional[dict] = None, max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> FileResult:
    """Everything about one evidence YAML file: safety, parse, records, their diagnostics.

    ``known`` (from the build cache) maps a file to (sha256, file-system signature, records, diagnostics)
    of an earlier run: when the bytes and the signature are the same, that result is reused.
    """
    rel = _rel(path, root)
    if os.path.islink(path) and not _inside(path, root / EVIDENCE_DIR):
        return [], [Diagnostic(rel, 1, 1, "E304", "this YAML file is a symlink leading outside evidence/",
                               "copy the record into evidence/ instead of linking it")], None
    data, diags = read_bytes(path, rel, max_bytes)
    if data is None:
        return [], diags, None
    sha = hashlib.sha256(data).hexdigest() + _limit_tag(max_markdown_bytes) + _standards_tag(catalog) \
        if known is not None else ""
    hit = known.get(rel) if known else None
    if hit and hit[0] == sha and hit[1] == _fs_signature(root, [s[0] for s in hit[1]]):
        return list(hit[2]), list(hit[3]), hit[:2]  # (SHA-256, signature): its entry holds for the bytes read
    text, diags = decode(data, rel)
    if text is None:
        return [], diags, (sha, (), [], diags) if known is not None else None
    value, diags = parse_text(text, rel)
    if value is None and diags:
        return [], diags, (sha, (), [], diags) if known is not None else None
    result = evidence_from_file(rel, value, root, catalog, max_markdown_bytes)
    records, all_diags = list(result.records), diags + list(result.diagnostics)
    if known is None:
        return records, all_diags, None
    return records, all_diags, (sha, _fs_signature(root, _file_refs(value, rel)), records, all_diags)


def _standards_tag(catalog: Catalog) -> str:
    """A cached result holds for the standards it was checked against (its clause references are judged by
    them): a project of the default standard keys by the bare SHA-256, as before."""
    if not catalog.others and catalog.standard == DEFAULT_STANDARD:
        return ""
    return "/" + "+".join((catalog.standard, *sorted(c.standard for c in catalog.others.values())))


def _limit_tag(limit: int) -> str:
    """A cached result holds for one Markdown size limit (its W108 depend on it): the default's key is the
    bare SHA-256, as before."""
    return "" if limit == MAX_MARKDOWN_BYTES else f"/markdown<={limit}"


def _rel(path: "Path | str", root: Path) -> str:
    """path relative to root, posix (path is known to lie under root)."""
    text, base = str(path), str(root)
    return (text[len(base) + 1:] if text.startswith(base + os.sep) else Path(path).relative_to(root).as_posix()).replace(
        os.sep, "/")


def _inside(path: "Path | str", folder: Path) -> bool:
    real, real_folder = os.path.realpath(path), os.path.realpath(folder)
    return real.startswith(real_folder + os.sep)


def _file_refs(value: Any, rel: str) -> list[str]:
    """Every document path a YAML file's records point at (as validation resolves them)."""
    maps = [value] if isinstance(value, YMap) else [v for v in value if isinstance(v, YMap)] \
        if isinstance(value, YList) else []
    refs = []
    for m in maps:
        raw = m.get("file")
        if isinstance(raw, YStr):
            refs.append(os.path.normpath(str(PurePosixPath(rel).parent / str(raw))).replace(os.sep, "/"))
    return refs


def _fs_signature(root: Path, refs: list[str]) -> tuple:
    """What the file system says about those paths: a cached result holds only while this is unchanged."""
    out = []
    for ref in refs:
        try:
            target = root / ref
            out.append((ref, os.path.lexists(target), os.path.isfile(target), os.path.realpath(target)))
        except (OSError, ValueError):
            out.append((ref, "unreadable"))
    return tuple(out)
