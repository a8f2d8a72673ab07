"""Stage 3, validate: loaded YAML becomes a typed Project, and every problem is collected.

Nothing here raises for a user's mistake. Each check appends a Diagnostic that
names the file, the line, the offending value and the fix; the caller decides
whether errors stop the build.
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Optional

from .diagnostics import Diagnostic, did_you_mean, one_of
from .load import MAX_BYTES, Loc, YList, YMap, YStr, decode, is_yaml, load_file, parse_text, read_bytes, walk
from .model import (
    AUDIENCES, DEFAULT_AUDIENCE, LOGO_SUFFIXES, output_names, EVIDENCE_KINDS, FINDING_STATUSES, GRADES, STATUSES,
    Assessment, Catalog, Evidence, Finding, Organisation, Project,
)

EVIDENCE_KEYS = ("title", "kind", "clauses", "file", "url", "owner", "date", "review_by",
                 "audience", "version", "description", "id", "covers")
ASSESSMENT_KEYS = ("clause", "status", "justification", "owner", "target", "notes", "evidence")
FINDING_KEYS = ("id", "clauses", "grade", "status", "raised", "due", "closed", "description",
                "action", "evidence", "audience", "owner")
ORGANISATION_KEYS = ("name", "scope", "logo", "certification_body", "audits", "windows")
AUDIT_KEYS = ("stage1", "stage2")

DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*\Z")
FINDING_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z")  # one page per finding: no folders
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

EVIDENCE_DIR = "evidence"
CLAUSES_DIR = "content/clauses"
FINDINGS_DIR = "content/findings"
ORGANISATION_FILE = "content/organisation.yaml"


class Collector:
    """Diagnostics of one run."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, loc: Loc, code: str, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(loc.path, loc.line, loc.column, code, message, hint))


class Fields:
    """Reads one YAML mapping against its allowed keys, reporting every problem."""

    def __init__(self, m: YMap, allowed: tuple[str, ...], out: Collector, what: str) -> None:
        self.m, self.out, self.what = m, out, what
        for key in m:
            if key not in allowed:
                self.out.add(m.key_locs.get(key, m.loc), "E203", f"unknown key '{key}' in {what}",
                             did_you_mean(key, allowed) or one_of(allowed))

    def loc(self, key: str) -> Loc:
        return self.m.loc_of(key)

    def _present(self, key: str, required: bool) -> bool:
        if key in self.m and self.m[key] is not None:
            return True
        if required:
            where = self.m.key_locs.get(key, self.m.loc)
            self.out.add(where, "E202", f"{self.what} has no '{key}'", f"add '{key}:'")
        return False

    def text(self, key: str, required: bool = False) -> Optional[str]:
        if not self._present(key, required):
            return None
        value = self.m[key]
        if not isinstance(value, YStr):
            self.out.add(self.loc(key), "E106", f"'{key}' must be text, not a {_shape(value)}",
                         "write a single value")
            return None
        if required and not value.strip():
            self.out.add(self.loc(key), "E206", f"'{key}' is empty", f"give {self.what} a {key}")
            return None
        return str(value)

    def word(self, key: str, choices: tuple[str, ...], required: bool = False,
             default: Optional[str] = None) -> Optional[str]:
        value = self.text(key, required)
        if value is None:
            return default
        if value not in choices:
            self.out.add(self.loc(key), "E204", f"unknown {key} '{value}'",
                         did_you_mean(value, choices) or one_of(choices))
            return None
        return value

    def date(self, key: str, required: bool = False) -> Optional[date]:
        value = self.text(key, required)
        if value is None:
            return None
        return parse_date(value, self.loc(key), key, self.out)

    def strings(self, key: str, required: bool = False) -> list[YStr]:
        """A list of text values; a single text is accepted as a list of one."""
        if not self._present(key, required):
            return []
        value = self.m[key]
        if isinstance(value, YStr):
            items: list[Any] = [value]
        elif isinstance(value, YList):
            items = list(value)
        else:
            self.out.add(self.loc(key), "E106", f"'{key}' must be a list, not a {_shape(value)}",
                         f'write {key}: ["..."]')
            return []
        good = []
        for index, item in enumerate(items):
            if isinstance(item, YStr) and item.strip():
                good.append(item)
            else:
                where = value.loc_of(index) if isinstance(value, YList) else self.loc(key)
                self.out.add(where, "E106", f"'{key}' items must be text", "write one value per item")
        if required and not good and isinstance(value, YList) and not value:
            self.out.add(self.loc(key), "E206", f"'{key}' is empty", f"list at least one {key[:-1]}")
        return good

    def clauses(self, key: str, catalog: Catalog, required: bool = False) -> tuple[str, ...]:
        known = []
        for item in self.strings(key, required):
            number = str(item)
            if check_clause(number, item.loc, catalog, self.out):
                known.append(number)
        return tuple(dict.fromkeys(known))


def _shape(value: Any) -> str:
    return {YMap: "mapping", YList: "list"}.get(type(value), "value")


def parse_date(value: str, loc: Loc, key: str, out: Collector) -> Optional[date]:
    if DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    out.add(loc, "E205", f"impossible {key} '{value}'", "write a real date as YYYY-MM-DD")
    return None


def check_clause(number: str, loc: Loc, catalog: Catalog, out: Collector) -> bool:
    if number in catalog:
        return True
    out.add(loc, "E201", f"unknown clause '{number}'",
            did_you_mean(number, catalog.by_number) or "clauses run from 4 to 10.3; quote numbers like \"8.3\"")
    return False


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class EvidenceFileResult:
    records: tuple[Evidence, ...]
    diagnostics: tuple[Diagnostic, ...]


def evidence_from_file(rel: str, value: Any, root: Path, catalog: Catalog) -> EvidenceFileResult:
    """All records of one evidence YAML file (relative path ``rel`` from the project root)."""
    out = Collector()
    records: list[Evidence] = []
    default_id = posixpath.splitext(rel[len(EVIDENCE_DIR) + 1:])[0] if rel.startswith(EVIDENCE_DIR + "/") \
        else str(PurePosixPath(rel).relative_to(EVIDENCE_DIR).with_suffix(""))
    if isinstance(value, YMap):
        rec = _evidence(value, rel, default_id, root, catalog, out, in_list=False)
        if rec:
            records.append(rec)
    elif isinstance(value, YList):
        for index, item in enumerate(value):
            if not isinstance(item, YMap):
                out.add(value.loc_of(index), "E106", "each item of an evidence list must be a mapping (a record)",
                        "start each record with '- title: ...'")
                continue
            rec = _evidence(item, rel, None, root, catalog, out, in_list=True)
            if rec:
                records.append(rec)
    elif value is None:
        out.add(Loc(rel, 1, 1), "E106", "evidence file holds no record", "add title, kind and clauses, or delete the file")
    else:
        out.add(value.loc, "E106", "an evidence file holds a record (a mapping) or a list of records",
                "write 'title: ...', 'kind: ...', 'clauses: [...]' on separate lines")
    return EvidenceFileResult(tuple(records), tuple(out.items))


def _evidence(m: YMap, rel: str, default_id: Optional[str], root: Path, catalog: Catalog,
              out: Collector, in_list: bool) -> Optional[Evidence]:
    f = Fields(m, EVIDENCE_KEYS, out, "evidence record")
    before = len(out.items)
    ev_id = f.text("id", required=in_list)
    if ev_id is None:
        ev_id = default_id
    if ev_id is not None and not ID_RE.match(ev_id):
        out.add(f.loc("id") if "id" in m else Loc(rel, 1, 1), "E308", f"invalid evidence id '{ev_id}'",
                "use letters, digits, '.', '_', '-' and '/' only (set 'id:' or rename the file)")
        ev_id = None
    title = f.text("title", required=True)
    kind = f.word("kind", EVIDENCE_KINDS, required=True)
    clauses = f.clauses("clauses", catalog, required=True)
    file_ = _evidence_file(f, rel, root, out)
    url = f.text("url")
    if url is not None and not URL_RE.match(url.strip()):
        out.add(f.loc("url"), "E305", f"url '{url}' is not an http or https address",
                "link to http:// or https:// only")
        url = None
    if file_ is not None and url is not None:
        out.add(f.loc("url"), "E306", "record has both 'file' and 'url'", "keep one of them")
    issued = f.date("date")
    review_by = f.date("review_by")
    if issued and review_by and review_by < issued:
        out.add(f.loc("review_by"), "E407", f"review_by {review_by} is before date {issued}",
                "the next review falls after the issue date")
    audience = f.word("audience", AUDIENCES, default=DEFAULT_AUDIENCE) or DEFAULT_AUDIENCE
    version = f.text("version")
    description = f.text("description")
    owner = f.text("owner")
    covers = f.clauses("covers", catalog)
    if len(out.items) > before and any(d.severity == "error" for d in out.items[before:]):
        if ev_id is None or title is None or kind is None or not clauses:
            return None
    if ev_id is None or title is None or kind is None:
        return None
    return Evidence(id=ev_id, title=title, kind=kind, clauses=clauses, source=rel, loc=m.loc,
                    file=file_, url=url.strip() if url else None, owner=owner, date=issued,
                    review_by=review_by, audience=audience, version=version, description=description,
                    covers=covers, review_loc=f.loc("review_by"))


def _evidence_file(f: Fields, rel: str, root: Path, out: Collector) -> Optional[str]:
    """The document path relative to evidence/, after every safety check."""
    raw = f.text("file")
    if raw is None:
        return None
    loc = f.loc("file")
    if raw.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", raw):
        out.add(loc, "E302", f"file '{raw}' is an absolute path", "write the path relative to this YAML file")
        return None
    if "\\" in raw:
        out.add(loc, "E303", f"file '{raw}' uses backslashes", "separate folders with '/'")
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(rel), raw))
    if joined != EVIDENCE_DIR and not joined.startswith(EVIDENCE_DIR + "/"):
        out.add(loc, "E303", f"file '{raw}' leads outside evidence/", "keep evidence documents inside evidence/")
        return None
    target = os.path.join(str(root), joined)
    try:
        found = os.path.lexists(target)
    except (OSError, ValueError):  # e.g. a name too long for the file system
        found = False
    if not found:
        out.add(loc, "E301", f"file '{raw}' not found (looked for {joined})", "check the name, or add the document")
        return None
    real_root = _realpath(os.path.join(str(root), EVIDENCE_DIR))
    real = _real_file(target)
    if real != real_root and not real.startswith(real_root + os.sep):
        out.add(loc, "E304", f"file '{raw}' is a symlink leading outside evidence/",
                "copy the document into evidence/ instead of linking it")
        return None
    if not os.path.isfile(target):
        out.add(loc, "E301", f"file '{raw}' is not a regular file", "point 'file' at a document")
        return None
    if is_yaml(joined):
        out.add(loc, "E301", f"file '{raw}' is a YAML file; evidence documents are the other files",
                "point 'file' at the document itself")
        return None
    return joined[len(EVIDENCE_DIR) + 1:]


# --------------------------------------------------------------------------- assessments and findings


def assessments_from_file(rel: str, value: Any, catalog: Catalog) -> tuple[list[Assessment], list[Diagnostic]]:
    out = Collector()
    result: list[Assessment] = []
    for m in _list_of_maps(value, rel, out, "clause assessment", "- clause: \"4.1\""):
        f = Fields(m, ASSESSMENT_KEYS, out, "clause assessment")
        number = f.text("clause", required=True)
        known = number is not None and check_clause(number, f.loc("clause"), catalog, out)
        status = f.word("status", STATUSES, required=True)
        justification = f.text("justification")
        if status == "not-applicable" and not (justification or "").strip():
            out.add(f.loc("status"), "E403", f"clause '{number}' is not-applicable without a justification",
                    "add 'justification:' saying why it cannot apply within the scope")
        a = Assessment(clause=number or "", status=status or "not-started", source=rel,
                       loc=f.loc("clause") if "clause" in m else m.loc, justification=justification,
                       owner=f.text("owner"), target=f.date("target"), notes=f.text("notes"),
                       evidence=tuple(f.strings("evidence")))
        if known and status:
            result.append(a)
    return result, out.items


def findings_from_file(rel: str, value: Any, catalog: Catalog) -> tuple[list[Finding], list[Diagnostic]]:
    out = Collector()
    result: list[Finding] = []
    for m in _list_of_maps(value, rel, out, "finding", "- id: IA-2026-01"):
        f = Fields(m, FINDING_KEYS, out, "finding")
        fid = f.text("id", required=True)
        clauses = f.clauses("clauses", catalog, required=True)
        grade = f.word("grade", GRADES, required=True)
        status = f.word("status", FINDING_STATUSES, required=True)
        raised = f.date("raised", required=True)
        due = f.date("due")
        closed = f.date("closed")
        description = f.text("description", required=True)
        if status == "closed" and m.get("closed") is None:
            out.add(f.loc("status"), "E406", f"finding '{fid}' is closed but has no 'closed' date",
                    "add 'closed: YYYY-MM-DD'")
        if status == "open" and closed:
            out.add(f.loc("closed"), "E406", f"finding '{fid}' is open but has a 'closed' date",
                    "set 'status: closed' or remove 'closed'")
        for key, later in (("due", due), ("closed", closed)):
            if raised and later and later < raised:
                out.add(f.loc(key), "E407", f"{key} {later} is before raised {raised}",
                        f"'{key}' must fall on or after 'raised'")
        audience = f.word("audience", AUDIENCES, default=DEFAULT_AUDIENCE) or DEFAULT_AUDIENCE
        if fid and fid.strip() and not FINDING_ID_RE.match(fid):
            out.add(f.loc("id"), "E308", f"invalid finding id '{fid}'", "use letters, digits, '.', '_' and '-' only")
            continue
        if fid and clauses and grade and status and raised and description:
            result.append(Finding(id=fid, clauses=clauses, grade=grade, status=status, raised=raised,
                                  description=description, source=rel, loc=m.loc, due=due, closed=closed,
                                  action=f.text("action"), evidence=tuple(f.strings("evidence")),
                                  audience=audience, owner=f.text("owner"), due_loc=f.loc("due")))
    return result, out.items


def _list_of_maps(value: Any, rel: str, out: Collector, what: str, example: str) -> Iterable[YMap]:
    if value is None:
        return []
    if not isinstance(value, YList):
        out.add(getattr(value, "loc", Loc(rel, 1, 1)), "E106", f"this file must hold a list of {what}s",
                f"start each entry with '{example}'")
        return []
    maps = []
    for index, item in enumerate(value):
        if isinstance(item, YMap):
            maps.append(item)
        else:
            out.add(value.loc_of(index), "E106", f"each {what} must be a mapping", f"write '{example}'")
    return maps


# --------------------------------------------------------------------------- organisation


def organisation_from(value: Any, rel: str, catalog: Catalog, out: Collector,
                      root: Optional[Path] = None) -> Organisation:
    if not isinstance(value, YMap):
        out.add(getattr(value, "loc", Loc(rel, 1, 1)), "E410", "organisation settings must be a mapping",
                "write 'name: Your Company Ltd' and 'scope: ...'")
        return Organisation(name="Unnamed organisation")
    f = Fields(value, ORGANISATION_KEYS, out, "organisation settings")
    name = f.text("name", required=True) or "Unnamed organisation"
    audits: dict[str, date] = {}
    raw_audits = value.get("audits")
    if isinstance(raw_audits, YMap):
        af = Fields(raw_audits, AUDIT_KEYS, out, "audits")
        for key in AUDIT_KEYS:
            d = af.date(key)
            if d:
                audits[key] = d
        if "stage1" in audits and "stage2" in audits and audits["stage2"] < audits["stage1"]:
            out.add(af.loc("stage2"), "E407", f"stage2 {audits['stage2']} is before stage1 {audits['stage1']}",
                    "stage 2 follows stage 1")
    elif raw_audits is not None:
        out.add(f.loc("audits"), "E106", "'audits' must be a mapping", "write 'audits:' then 'stage1: YYYY-MM-DD'")
    windows: dict[str, int] = {}
    raw_windows = value.get("windows")
    if isinstance(raw_windows, YMap):
        for number, months in raw_windows.items():
            where = raw_windows.loc_of(number)
            if not check_clause(number, raw_windows.key_locs[number], catalog, out):
                continue
            if isinstance(months, YStr) and months.isdigit() and 1 <= int(months) <= 120:
                windows[number] = int(months)
            else:
                out.add(where, "E207", f"window for clause '{number}' must be a whole number of months from 1 to 120",
                        "write e.g. '\"9.2.2\": 12'")
    elif raw_windows is not None:
        out.add(f.loc("windows"), "E106", "'windows' must be a mapping of clause to months", "write '\"9.2.2\": 12'")
    logo = _logo(f, root, out) if root is not None else f.text("logo")
    return Organisation(name=name, scope=f.text("scope") or "", logo=logo,
                        certification_body=f.text("certification_body"), audits=audits, windows=windows)


_ACTIVE_SVG = re.compile(rb"<script|<foreignobject|\son[a-z]+\s*=|javascript:|(?:xlink:)?href\s*=\s*[\"']?(?!#)",
                         re.IGNORECASE)


def _logo(f: Fields, root: Path, out: Collector) -> Optional[str]:
    """The logo: an image file inside content/; an SVG must hold no script and link to nothing."""
    raw = f.text("logo")
    if raw is None:
        return None
    loc = f.loc("logo")
    content = os.path.join(str(root), "content")
    joined = posixpath.normpath(raw)
    if raw.startswith(("/", "\\")) or "\\" in raw or joined.startswith("../") or joined == "..":
        out.add(loc, "E410", f"logo '{raw}' must be a file inside content/", "write a path relative to content/")
        return None
    if not raw.lower().endswith(LOGO_SUFFIXES):
        out.add(loc, "E410", f"logo '{raw}' is not an image", "use an .svg, .png, .jpg, .gif or .webp file")
        return None
    target = os.path.join(content, joined)
    real = os.path.realpath(target)
    if not os.path.isfile(target) or not real.startswith(os.path.realpath(content) + os.sep):
        out.add(loc, "E410", f"logo '{raw}' not found inside content/", "put the image in content/ and name it here")
        return None
    if os.path.getsize(target) > MAX_BYTES:
        out.add(loc, "E410", f"logo '{raw}' is larger than 1 MiB", "use a smaller image")
        return None
    if raw.lower().endswith(".svg"):
        with open(target, "rb") as fh:
            if _ACTIVE_SVG.search(fh.read()):
                out.add(loc, "E410", f"logo '{raw}' holds script, event handlers or links",
                        "use a plain SVG (shapes and text only) or a PNG")
                return None
    return joined


# --------------------------------------------------------------------------- the whole project


def _yaml_files(root: Path, folder: str) -> list[tuple[str, Path]]:
    return [(p.relative_to(root).as_posix(), p) for p in walk(root / folder) if is_yaml(p.name)]


#: what one evidence file yields, and what the build cache keeps of it:
#: (records, diagnostics, cache entry or None when an unchanged cached entry was used)
FileResult = tuple[list[Evidence], list[Diagnostic], Optional[tuple]]


def _rel(path: Path, root: Path) -> str:
    """path relative to root, posix (path is known to lie under root)."""
    text, base = str(path), str(root)
    return (text[len(base) + 1:] if text.startswith(base + os.sep) else path.relative_to(root).as_posix()).replace(
        os.sep, "/")


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


def _evidence_yaml(path: Path, root: Path, catalog: Catalog, max_bytes: int,
                   known: Optional[dict] = None) -> FileResult:
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
    sha = hashlib.sha256(data).hexdigest() if known is not None else ""
    hit = known.get(rel) if known else None
    if hit and hit[0] == sha and hit[1] == _fs_signature(root, [s[0] for s in hit[1]]):
        return list(hit[2]), list(hit[3]), None
    text, diags = decode(data, rel)
    if text is None:
        return [], diags, (sha, (), [], diags) if known is not None else None
    value, diags = parse_text(text, rel)
    if value is None and diags:
        return [], diags, (sha, (), [], diags) if known is not None else None
    result = evidence_from_file(rel, value, root, catalog)
    records, all_diags = list(result.records), diags + list(result.diagnostics)
    if known is None:
        return records, all_diags, None
    return records, all_diags, (sha, _fs_signature(root, _file_refs(value, rel)), records, all_diags)


PARALLEL_FILES = 2000  # below this, forking workers costs more than parsing in one process
_JOB: dict[str, Any] = {}


def _evidence_chunk(bounds: tuple[int, int]) -> list[FileResult]:
    paths, root, catalog, max_bytes, known = _JOB["args"]
    return [_evidence_yaml(p, root, catalog, max_bytes, known) for p in paths[bounds[0]:bounds[1]]]


def _map_files(paths: list[Path], root: Path, catalog: Catalog, max_bytes: int,
               known: Optional[dict] = None) -> list[FileResult]:
    """_evidence_yaml over every file, in order; on every core when there are many (fork)."""
    import multiprocessing

    from .options import workers

    n = workers()
    if n == 1 or len(paths) < PARALLEL_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return [_evidence_yaml(p, root, catalog, max_bytes, known) for p in paths]
    _JOB["args"] = (paths, root, catalog, max_bytes, known)
    try:
        # the parent takes the first share itself while n-1 forked workers take the rest: one process
        # fewer to start, and only the workers' results cross a pipe
        share = -(-len(paths) // n)
        ranges = [(i, min(i + share, len(paths))) for i in range(0, len(paths), share)]
        with multiprocessing.get_context("fork").Pool(n - 1) as pool:
            pending = pool.map_async(_evidence_chunk, ranges[1:])
            mine = _evidence_chunk(ranges[0])
            return mine + [r for chunk in pending.get() for r in chunk]
    finally:
        _JOB.clear()


def read_project(root: Path, catalog: Catalog, as_of: date, max_bytes: int = MAX_BYTES,
                 known: Optional[dict] = None) -> tuple[Project, list[Diagnostic]]:
    """Load, type and check a whole project. Always returns a Project (possibly partial) and every diagnostic.

    ``known`` (the build cache's per-file results) is used and then updated in place: evidence files whose
    bytes and referenced documents are unchanged are not parsed again. Every cross-file check still runs.
    """
    root = Path(root)
    out = Collector()
    _realpath.cache_clear()  # folders may have become symlinks since the last run in this process

    def load(rel: str, path: Path) -> Any:
        value, diags = load_file(path, rel, max_bytes)
        out.items.extend(diags)
        return value

    # organisation
    org_path = root / ORGANISATION_FILE
    if org_path.exists():
        org_value = load(ORGANISATION_FILE, org_path)
        if org_value is None and any(d.path == ORGANISATION_FILE for d in out.items):
            organisation = Organisation(name="Unnamed organisation")  # unreadable: already reported
        else:
            organisation = organisation_from(org_value, ORGANISATION_FILE, catalog, out, root)
    else:
        out.add(Loc(ORGANISATION_FILE, 1, 1), "E410", "organisation settings file is missing",
                "create content/organisation.yaml with 'name:' and 'scope:'")
        organisation = Organisation(name="Unnamed organisation")

    # evidence
    evidence: list[Evidence] = []
    documents: list[str] = []
    yaml_paths = []
    for path in walk(root / EVIDENCE_DIR):
        if is_yaml(path.name):
            yaml_paths.append(path)
        else:
            documents.append(path.relative_to(root).as_posix()[len(EVIDENCE_DIR) + 1:])
    fresh: dict = {}
    for path, (records, diags, entry) in zip(yaml_paths, _map_files(yaml_paths, root, catalog, max_bytes, known)):
        evidence.extend(records)
        out.items.extend(diags)
        rel = _rel(path, root)
        if entry is not None:
            fresh[rel] = entry
        elif known and rel in known:
            fresh[rel] = known[rel]
    if known is not None:
        known.clear()
        known.update(fresh)

    assessments: list[Assessment] = []
    for rel, path in _yaml_files(root, CLAUSES_DIR):
        value = load(rel, path)
        items, diags = assessments_from_file(rel, value, catalog)
        assessments.extend(items)
        out.items.extend(diags)

    findings: list[Finding] = []
    for rel, path in _yaml_files(root, FINDINGS_DIR):
        value = load(rel, path)
        items, diags = findings_from_file(rel, value, catalog)
        findings.extend(items)
        out.items.extend(diags)

    evidence = _unique_evidence(evidence, out)
    assessments = _unique_assessments(assessments, out)
    findings = _unique_findings(findings, out)
    ids = {e.id for e in evidence}
    for holder in [*assessments, *findings]:
        for ref in holder.evidence:
            if ref not in ids:
                where = _ref_loc(holder, ref)
                out.add(where, "E404", f"unknown evidence id '{ref}'",
                        did_you_mean(ref, ids) or "use an id from the evidence register (evidence.html)")
    _check_documents(evidence, documents, out)
    _check_exclusions(assessments, evidence, catalog, out)
    _check_dates(evidence, findings, as_of, out)

    project = Project(root=root, organisation=organisation, catalog=catalog, evidence=tuple(evidence),
                      assessments=tuple(assessments), findings=tuple(findings), documents=tuple(documents))
    return project, out.items


@functools.lru_cache(maxsize=4096)
def _realpath(folder: str) -> str:
    """Real path of a folder; cached, as every document of a folder shares it (one build's lifetime)."""
    return os.path.realpath(folder)


def _real_file(path: str) -> str:
    """os.path.realpath, resolving each folder once per build instead of once per document."""
    if os.path.islink(path):
        return os.path.realpath(path)
    head, name = os.path.split(path)
    return os.path.join(_realpath(head), name)


def _inside(path: Path, folder: Path) -> bool:
    real, real_folder = os.path.realpath(path), os.path.realpath(folder)
    return real.startswith(real_folder + os.sep)


def _ref_loc(holder: Any, ref: str) -> Loc:
    return getattr(ref, "loc", holder.loc)


def _unique(items: list[Any], key: Callable[[Any], str], out: Collector, code: str,
            message: Callable[[Any, Any], str], hint: str) -> list[Any]:
    seen: dict[str, Any] = {}
    kept = []
    for item in items:
        k = key(item)
        if k in seen:
            out.add(item.loc, code, message(item, seen[k]), hint)
            continue
        seen[k] = item
        kept.append(item)
    return kept


def _unique_evidence(items: list[Evidence], out: Collector) -> list[Evidence]:
    kept = _unique(items, lambda e: e.id, out, "E401",
                   lambda e, first: f"duplicate evidence id '{e.id}' (also in {first.source}:{first.loc.line})",
                   "give each record its own id")
    return _no_case_clash(kept, lambda e: e.id, out, "evidence id")


def _no_case_clash(items: list[Any], key: Callable[[Any], str], out: Collector, what: str) -> list[Any]:
    seen: dict[str, Any] = {}
    kept = []
    for item in items:
        folded = key(item).casefold()
        if folded in seen:
            first = seen[folded]
            out.add(item.loc, "E307", f"{what} '{key(item)}' differs only in letter case from '{key(first)}'",
                    "the two would overwrite each other on macOS and Windows; rename one")
            continue
        seen[folded] = item
        kept.append(item)
    return kept


def _unique_assessments(items: list[Assessment], out: Collector) -> list[Assessment]:
    return _unique(items, lambda a: a.clause, out, "E402",
                   lambda a, first: f"clause '{a.clause}' assessed twice (first in {first.source}:{first.loc.line})",
                   "keep one assessment per clause")


def _unique_findings(items: list[Finding], out: Collector) -> list[Finding]:
    kept = _unique(items, lambda f: f.id, out, "E405",
                   lambda f, first: f"duplicate finding id '{f.id}' (also in {first.source}:{first.loc.line})",
                   "give each finding its own id")
    return _no_case_clash(kept, lambda f: f.id, out, "finding id")


_BAD_NAME = re.compile(r"[\x00-\x1f\x7f\\]")


def _check_documents(evidence: list[Evidence], documents: list[str], out: Collector) -> None:
    referenced = {e.file for e in evidence if e.file}
    for doc in documents:
        if _BAD_NAME.search(doc):
            out.add(Loc(f"{EVIDENCE_DIR}/{doc}", 1, 1), "E309",
                    "document name holds a control character or backslash",
                    "rename the file: such names break checksum lists and other systems")
    for doc in documents:
        if doc not in referenced:
            out.add(Loc(f"{EVIDENCE_DIR}/{doc}", 1, 1), "W101", "evidence document that no record refers to",
                    "add a record with 'file:' pointing at it, or remove it")
    seen: dict[str, tuple[str, str]] = {}  # folded output name -> (document, output name)
    for doc in sorted(referenced):
        names = output_names(doc)
        for name in names:
            other = seen.get(name.casefold())
            if other is None or other[0] == doc:
                continue
            if other[1] == name:  # e.g. x.html (published as x.html.txt) and a document named x.html.txt
                message = (f"document '{doc}' would be published as files/{name}, which document '{other[0]}' "
                           "also writes")
                hint = "rename one of them"
            else:
                message = f"document '{doc}' differs only in letter case from '{other[0]}'"
                hint = "the two would overwrite each other on macOS and Windows; rename one"
            out.add(Loc(f"{EVIDENCE_DIR}/{doc}", 1, 1), "E307", message, hint)
            break
        for name in names:
            seen.setdefault(name.casefold(), (doc, name))


def _check_exclusions(assessments: list[Assessment], evidence: list[Evidence], catalog: Catalog,
                      out: Collector) -> None:
    has_scope = any("4.3" in e.clauses and e.kind == "document" for e in evidence)
    excluded = [a for a in assessments if a.status == "not-applicable"]
    for a in excluded:
        clause = catalog[a.clause]
        blocked = [n for n in [a.clause, *catalog.descendants(a.clause)]
                   if catalog[n].exclusion == "never"
                   and not any(x.clause == n and x.status != "not-applicable" for x in assessments)]
        if blocked:
            first = blocked[0]
            covers = "" if first == a.clause else f" (it covers {first} {catalog[first].name}, which"
            if covers:
                message = f"clause '{a.clause}' cannot be declared not-applicable{covers} can never be excluded)"
            else:
                message = f"clause '{a.clause}' ({clause.name}) can never be declared not-applicable"
            out.add(a.loc, "E408", message,
                    "only requirements that cannot apply within the scope may be excluded (ISO 9001 4.3); "
                    "give it a real status")
        elif clause.exclusion == "rare":
            out.add(a.loc, "W102", f"clause '{a.clause}' ({clause.name}) is rarely excludable",
                    "expect the auditor to challenge this; make the justification specific")
        if not has_scope:
            out.add(a.loc, "E409", f"clause '{a.clause}' is excluded but no scope document is mapped to 4.3",
                    "add a document record with clauses [\"4.3\"] that states the scope and its exclusions")


def _check_dates(evidence: list[Evidence], findings: list[Finding], as_of: date, out: Collector) -> None:
    for e in evidence:
        if e.review_by and e.review_by < as_of:
            out.add(e.review_loc, "W103", f"evidence '{e.id}' is stale: its review was due {e.review_by}",
                    "review it and move review_by forward")
    for f in findings:
        if f.is_open and f.due and f.due < as_of:
            out.add(f.due_loc, "W104", f"finding '{f.id}' is overdue: it was due {f.due}",
                    "close it, or agree a new due date")
