"""One file's parsed YAML becomes model records, read against the schema.

The schema (``schema``) says which keys exist and what type each holds; this module adds what involves
more than one key of one record, or the file system: a document that must exist inside evidence/, a logo
that must be an inert image, dates in order, ``action`` and ``corrective_action`` not both. Nothing here
looks at other records: that is ``checks``.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import stat
import sys
import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Optional

from isoready.core.diagnostics import Collector, Diagnostic, did_you_mean, one_of
from isoready.core.i18n import SOURCE_LANGUAGE
from isoready.core.load import MAX_BYTES, Loc, YList, YMap, YStr, is_yaml, walk
from isoready.read.repolinks import NEEDS, host_forms, pattern_problem, url_problem
from isoready.core.svg import problem as svg_problem
from isoready.core.text import MAX_MARKDOWN_BYTES, markdown_problem, problem_at
from isoready.read.integrated import canonical, number_of
from isoready.model import (DEFAULT_AUDIENCE, DEFAULT_STANDARD, DEFAULT_NC_MAX_OPEN_DAYS, DEFAULT_SYSTEMIC_MINORS,
    LOGO_SUFFIXES, MARKDOWN_SUFFIXES, NOWHERE, MAX_WINDOW_MONTHS, REGISTER_COLUMNS, STANDARDS, Applies, Assessment,
    Catalog, Certificate,
    ClimateChange, Evidence, Finding, Organisation, Repository, Site, Transition, Verification)
# the team pages: their folder, and what Pelican's Markdown reader reads there (model's MARKDOWN_SUFFIXES are
# an evidence document's)
from isoready.read.teampages import MARKDOWN_SUFFIXES as PAGE_SUFFIXES, PAGES_DIR
from isoready.read.schema import (APPLIES, ASSESSMENT, AUDITS, CERTIFICATE, CLIMATE_CHANGE, EVIDENCE, FINDING,
    ORGANISATION, PUBLIC, REPOSITORY, SITE_EXAMPLE, SITE_WHAT, TRANSITION, VERIFICATION, Fields, check_clause)

# Letters and digits of any script (after NFC), '.', '_', '-'; '/' between segments. [^\W_] is a letter or digit.
ID_RE = re.compile(r"^[^\W_][\w.-]*(/[^\W_][\w.-]*)*\Z")
FINDING_ID_RE = re.compile(r"^[^\W_][\w.-]*\Z")  # one page per finding: no folders
MAX_ID_PART_BYTES = 250  # an id part names a page file (<part>.html): file systems allow 255 bytes a name
WINDOW_RE = re.compile(r"^[0-9]{1,3}\Z")  # ASCII digits only: '²'.isdigit() is True, int('²') fails

EVIDENCE_DIR = "evidence"
CLAUSES_DIR = "content/clauses"
FINDINGS_DIR = "content/findings"
ORGANISATION_FILE = "content/organisation.yaml"


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class EvidenceFileResult:
    records: tuple[Evidence, ...]
    diagnostics: tuple[Diagnostic, ...]


def evidence_from_file(rel: str, value: Any, root: Path, catalog: Catalog,
                       max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> EvidenceFileResult:
    """All records of one evidence YAML file (relative path ``rel`` from the project root); W108 under
    ``max_markdown_bytes``."""
    out = Collector()
    records: list[Evidence] = []
    default_id = default_id_for(posixpath.splitext(rel[len(EVIDENCE_DIR) + 1:])[0] if rel.startswith(EVIDENCE_DIR + "/")
                                else str(PurePosixPath(rel).relative_to(EVIDENCE_DIR).with_suffix("")))
    if isinstance(value, YMap):
        rec = _evidence(value, rel, default_id, root, catalog, out, in_list=False, limit=max_markdown_bytes)
        if rec:
            records.append(rec)
    elif isinstance(value, YList):
        for index, item in enumerate(value):
            if not isinstance(item, YMap):
                out.add(value.loc_of(index), "E106", "each item of an evidence list must be a mapping (a record)",
                        "start each record with '- title: ...'")
                continue
            rec = _evidence(item, rel, None, root, catalog, out, in_list=True, limit=max_markdown_bytes)
            if rec:
                records.append(rec)
    elif value is None:
        out.add(Loc(rel, 1, 1), "E106", "evidence file holds no record", "add title, kind and clauses, or delete the file")
    else:
        out.add(value.loc, "E106", "an evidence file holds a record (a mapping) or a list of records",
                "write 'title: ...', 'kind: ...', 'clauses: [...]' on separate lines")
    return EvidenceFileResult(tuple(records), tuple(out.items))


def _evidence(m: YMap, rel: str, default_id: Optional[str], root: Path, catalog: Catalog,
              out: Collector, in_list: bool, limit: int = MAX_MARKDOWN_BYTES) -> Optional[Evidence]:
    f = Fields(m, EVIDENCE, out, catalog)
    before = len(out.items)
    ev_id = f.get("id", required=in_list)
    if ev_id is None:
        ev_id = default_id
    elif isinstance(ev_id, str):
        ev_id = unicodedata.normalize("NFC", ev_id)
    if ev_id is not None and not ID_RE.match(ev_id):
        out.add(f.loc("id") if "id" in m else Loc(rel, 1, 1), "E308", f"invalid evidence id '{ev_id}'",
                "use letters and digits (any script), '.', '_', '-' and '/' between parts (set 'id:' or rename the file)")
        ev_id = None
    elif ev_id is not None and _too_long(ev_id):
        out.add(f.loc("id") if "id" in m else Loc(rel, 1, 1), "E308", f"invalid evidence id '{ev_id}'",
                f"each part of an id names a page file: keep it within {MAX_ID_PART_BYTES} bytes")
        ev_id = None
    title = f.get("title")
    kind = f.get("kind")
    clauses = f.get("clauses")
    file_ = _evidence_file(f, rel, root, out)
    url = f.get("url")
    if file_ is not None and url is not None:
        out.add(f.loc("url"), "E306", "record has both 'file' and 'url'", "keep one of them")
    issued = f.get("date")
    review_by = f.get("review_by")
    if issued and review_by and review_by < issued:
        out.add(f.loc("review_by"), "E407", f"review_by {review_by} is before date {issued}",
                "the next review falls after the issue date")
    audience = f.get("audience") or DEFAULT_AUDIENCE
    register = _register(f, file_, out)
    _bounded(f, out, limit)
    f.values()  # every other key, read by its type (its problems reported even when the record is rejected)
    if ev_id is None:  # no id, or an invalid one (reported): it defines nothing, but still refers to its document
        return Evidence(id="", title=title or "", kind=kind or "", clauses=(), source=rel, loc=m.loc, file=file_,
                        rejected=True) if file_ else None
    rejected = title is None or kind is None or (not clauses and len(out.items) > before and any(
        d.severity == "error" for d in out.items[before:]))
    if rejected:  # its own errors are reported; it still defines its id and refers to its document
        return Evidence(id=ev_id, title=title or "", kind=kind or "", source=rel, loc=m.loc, file=file_,
                        rejected=True, **items_beside({"clauses": clauses or ()}))
    return record(Evidence, f, id=ev_id, file=file_, audience=audience, source=rel, loc=m.loc,
                  review_loc=f.loc("review_by"), date_loc=f.loc("date"), inputs_loc=f.loc("inputs"), **register,
                  **items_beside({key: f.get(key) or () for key in ITEM_KEYS}))


#: the lists of an evidence record whose items a check may point at (W106 clauses, E431 sites, W107, W181 and
#: W182 topics): kept as plain text, their lines and columns beside them in ``Evidence.item_lines`` (issue 25:
#: a positioned string for each item was 120 MB at 100,000 records, in the build and every process it forks)
ITEM_KEYS = ("clauses", "sites", "covers", "topics")


def items_beside(lists: dict[str, tuple]) -> dict[str, tuple]:
    """The values of ``lists`` (each a list key of ``ITEM_KEYS``: its items, positioned strings as read) as plain
    strings (interned: a site id or clause number is named by thousands of records), with ``item_lines``: the
    number of items of each key of ``ITEM_KEYS``, then each item's line and column (0, 0 where it had none)."""
    made: dict[str, tuple] = {}
    counts: list[int] = []
    where: list[int] = []
    for key in ITEM_KEYS:
        items = lists.get(key, ())
        counts.append(len(items))
        for item in items:
            loc = getattr(item, "loc", None)
            where += (loc.line, loc.column) if loc is not None else (0, 0)
        if key in lists:
            made[key] = tuple(sys.intern(str(item)) for item in items)
    made["item_lines"] = (*counts, *where) if where else ()
    return made


def item_loc(holder: Any, key: str, value: str) -> Loc:
    """Where item ``value`` of ``holder``'s list ``key`` is written: a positioned string's own position, an
    evidence record's kept beside it (``items_beside``), else the record's own."""
    loc = getattr(value, "loc", None)
    if loc is not None:
        return loc
    lines = getattr(holder, "item_lines", ())
    items = getattr(holder, key, ())
    if key not in ITEM_KEYS or not lines or value not in items:
        return holder.loc
    k = ITEM_KEYS.index(key)
    if lines[k] != len(items):  # the list was changed after reading: its positions no longer line up
        return holder.loc
    at = len(ITEM_KEYS) + 2 * (sum(lines[:k]) + items.index(value))
    return Loc(holder.source, lines[at], lines[at + 1]) if lines[at] else holder.loc


#: the keys that only a register (``register:``) reads
REGISTER_KEYS = ("sheet", "header_row", "columns", "show_people")


def _register(f: Fields, file_: Optional[str], out: Collector) -> dict[str, Any]:
    """The register keys of an evidence record, as the model's Evidence fields (issue 24): ``register:`` needs
    a .csv or .xlsx ``file:``, ``sheet:`` an .xlsx; ``columns:`` names canonical columns of the register's type
    (E203 with did-you-mean otherwise), each mapped to a header (text)."""
    kind = f.get("register")
    sheet, header_row, show = f.get("sheet"), f.get("header_row"), f.get("show_people")
    mapping = f.get("columns")
    if kind is None:
        for key in REGISTER_KEYS:
            if key in f and "register" not in f:
                out.add(f.m.key_locs.get(key, f.loc(key)), "E350", f"'{key}' is for registers, and this record "
                        "declares none", "add 'register:' with the register's type, or remove the key")
        return {"register": None, "header_row": 1, "show_people": False}
    suffix = posixpath.splitext(file_ or "")[1].lower()
    if "file" not in f:
        out.add(f.loc("register"), "E350", f"{kind} register has no 'file:'",
                "name the register's file (.csv or .xlsx) in 'file:'")
    elif file_ is not None and suffix not in (".csv", ".xlsx"):
        out.add(f.loc("register"), "E350", f"{kind} register's file '{f.get('file')}' is not a .csv or .xlsx "
                "file", "save the register as .xlsx or CSV and point 'file:' at it")
    if sheet is not None and suffix == ".csv":
        out.add(f.loc("sheet"), "E350", f"'sheet' names a sheet of a workbook, and '{f.get('file')}' is a CSV "
                "file", "remove 'sheet:', or point 'file:' at the .xlsx workbook")
    names = tuple(c.name for c in REGISTER_COLUMNS[kind])
    pairs: list[tuple[str, str]] = []
    for name, header in (mapping or {}).items():
        if name not in names:
            out.add(mapping.key_locs.get(name, mapping.loc), "E203", f"unknown column '{name}' in columns of a "
                    f"{kind} register", did_you_mean(name, names) or one_of(names))
        elif not isinstance(header, YStr) or not header.strip():
            out.add(mapping.loc_of(name), "E106", f"the header of column '{name}' must be text",
                    f"write '{name}: <the header in the file>'")
        else:
            pairs.append((str(name), str(header).strip()))
    usable = file_ is not None and suffix in (".csv", ".xlsx") and not (sheet is not None and suffix == ".csv")
    return {"register": kind if usable else None, "register_sheet": sheet, "header_row": header_row or 1,
            "register_columns": tuple(pairs), "show_people": bool(show), "register_loc": f.loc("register")}


def record(model: Any, f: Fields, **special: Any) -> Any:
    """A model record of class ``model`` from each key of ``f`` its class has a field of the same name for,
    taken from the schema's one pass (``Fields.values``: read, converted and checked once, by each key's type),
    with ``special`` for what needs more than its own key (a default, a normalised id, a checked document, a
    location). No key is listed twice: a key added to the schema and to the model reaches the record."""
    names = {x.name for x in fields(model)}
    return model(**{k: v for k, v in f.values().items() if k in names and k not in special}, **special)


_NOT_ID = re.compile(r"[^\w.-]+")


def default_id_for(stem: str) -> str:
    """The id a file's path gives its record: NFC, and in each folder or name every run of characters an id
    cannot hold (spaces, brackets, punctuation) becomes one '-', trimmed at both ends:
    'Quality Policy (v2)' -> 'Quality-Policy-v2', '品質改善 kaizen' -> '品質改善-kaizen'."""
    parts = []
    for part in unicodedata.normalize("NFC", stem).split("/"):
        parts.append(_NOT_ID.sub("-", part).strip("-_.") or part)
    return "/".join(parts)


def _too_long(an_id: str) -> bool:
    return any(len(part.encode("utf-8")) > MAX_ID_PART_BYTES for part in an_id.split("/"))


def _evidence_file(f: Fields, rel: str, root: Path, out: Collector) -> Optional[str]:
    """The document path relative to evidence/, after every safety check."""
    raw = f.get("file")
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
    real_root = realpath(os.path.join(str(root), EVIDENCE_DIR))
    real = real_file(target)
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


@functools.lru_cache(maxsize=4096)
def realpath(folder: str) -> str:
    """Real path of a folder; cached, as every document of a folder shares it (cleared once per read)."""
    return os.path.realpath(folder)


def real_file(path: str) -> str:
    """os.path.realpath, resolving each folder once per build instead of once per document."""
    if os.path.islink(path):
        return os.path.realpath(path)
    head, name = os.path.split(path)
    return os.path.join(realpath(head), name)


# --------------------------------------------------------------------------- assessments and findings


def assessments_from_file(rel: str, value: Any, catalog: Catalog,
                          max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> tuple[list[Assessment], list[Diagnostic]]:
    out = Collector()
    result: list[Assessment] = []
    example = catalog.examples.get("assessment") or catalog.clauses[0].number  # the standard's example
    for m in _list_of_maps(value, rel, out, "clause assessment", f"- clause: \"{example}\""):
        f = Fields(m, ASSESSMENT, out, catalog)
        number = f.get("clause")
        written = m.get("clause")  # the YStr, which knows whether it was quoted
        known = number is not None and check_clause(written if isinstance(written, YStr) else number, f.loc("clause"),
                                                     catalog, out)
        status = f.get("status")
        justification = f.get("justification")
        if status == "not-applicable" and not (justification or "").strip():
            out.add(f.loc("status"), "E403", f"clause '{number}' is not-applicable without a justification",
                    "add 'justification:' saying why it cannot apply within the scope")
        verified_by = f.get("verified_by")
        _bounded(f, out, max_markdown_bytes)
        if known and number is not None:
            number = canonical(written if isinstance(written, YStr) else number, catalog)
        a = record(Assessment, f, clause=number or "", status=status or "not-started", source=rel,
                   loc=f.loc("clause") if "clause" in m else m.loc,
                   verified_by=YStr(verified_by, f.loc("verified_by")) if verified_by else None)
        if number is not None:  # one with an error is kept for the checks across entries, then dropped
            result.append(a if known and status else replace(a, rejected=True))
    return result, out.items


def findings_from_file(rel: str, value: Any, catalog: Catalog,
                       max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> tuple[list[Finding], list[Diagnostic]]:
    out = Collector()
    result: list[Finding] = []
    for m in _list_of_maps(value, rel, out, "finding", "- id: IA-2026-01"):
        f = Fields(m, FINDING, out, catalog)
        fid = f.get("id")
        if isinstance(fid, str):
            fid = unicodedata.normalize("NFC", fid)
        clauses = f.get("clauses")
        grade = f.get("grade")
        status = f.get("status")
        raised = f.get("raised")
        due = f.get("due")
        closed = f.get("closed")
        description = f.get("description")
        _bounded(f, out, max_markdown_bytes)
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
        audience = f.get("audience") or DEFAULT_AUDIENCE
        bad_id = False  # the rest of the finding is still checked: one run reports every problem of it
        if fid and fid.strip() and not FINDING_ID_RE.match(fid):
            out.add(f.loc("id"), "E308", f"invalid finding id '{fid}'",
                    "use letters and digits (any script), '.', '_' and '-' only")
            bad_id = True
        elif fid and _too_long(fid):
            out.add(f.loc("id"), "E308", f"invalid finding id '{fid}'",
                    f"an id names a page file: keep it within {MAX_ID_PART_BYTES} bytes")
            bad_id = True
        action, corrective = f.get("action"), f.get("corrective_action")
        if "action" in f and "corrective_action" in f:
            out.add(f.loc("action"), "E412", "finding has both 'action' and 'corrective_action'",
                    "keep only 'corrective_action'; 'action' is its older name")
        verification = _verification(f, raised, out)
        audit = f.get("audit")
        complete = bool(clauses and grade and status and raised and description)
        f.values()  # every other key, read by its type (its problems reported even when the finding is dropped)
        if fid and not bad_id:  # one with an error is kept for the checks across findings, then dropped
            # 'source' (where it came from) is the model's origin: the model's source is the file it is in
            result.append(record(Finding, f, id=fid, clauses=clauses or (), grade=grade or "", status=status or "",
                                 raised=raised or date.min, rejected=not complete, description=description or "",
                                 source=rel, loc=m.loc, action=corrective if corrective is not None else action,
                                 audience=audience, due_loc=f.loc("due"), origin=f.get("source"),
                                 audit=YStr(audit, f.loc("audit")) if audit else None, verification=verification))
    return result, out.items


def _verification(f: Fields, raised: Optional[date], out: Collector) -> Optional[Verification]:
    v = f.get("verification")
    if v is None:
        return None
    assert v.kind is VERIFICATION
    checked = v.get("date")
    if raised and checked and checked < raised:
        out.add(v.loc("date"), "E407", f"verification date {checked} is before raised {raised}",
                "effectiveness is checked after the finding is raised")
    return record(Verification, v)


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
                      root: Optional[Path] = None, max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> Organisation:
    if not isinstance(value, YMap):
        out.add(getattr(value, "loc", Loc(rel, 1, 1)), "E410", "organisation settings must be a mapping",
                "write 'name: Your Company Ltd' and 'scope: ...'")
        return Organisation(name="Unnamed organisation")
    f = Fields(value, ORGANISATION, out, catalog)
    name = f.get("name") or "Unnamed organisation"
    _bounded(f, out, max_markdown_bytes)
    audits: dict[str, date] = {}
    standards = _standards(f, value, catalog, out)
    by_standard, af = _audits_per_standard(f, standards, out), None
    if by_standard is not None:
        f.take("audits", None)  # plans per standard, read above: not the one shared plan the schema describes
        audits = dict(by_standard.get(standards[0], {}))
    else:
        af = f.get("audits")
    if af is not None:
        assert af.kind is AUDITS
        audits = {key: d for key, d in af.values().items() if d}
        if "stage1" in audits and "stage2" in audits and audits["stage2"] < audits["stage1"]:
            out.add(af.loc("stage2"), "E407", f"stage2 {audits['stage2']} is before stage1 {audits['stage1']}",
                    "stage 2 follows stage 1")
    windows = _windows(f, catalog, out)
    logo = _logo(f, root, out) if root is not None else f.get("logo")
    applies = Applies()
    ap = f.get("applies")
    if ap is not None:
        assert ap.kind is APPLIES
        applies = record(Applies, ap)
    transition = None
    tf = f.get("transition")
    if tf is not None:
        assert tf.kind is TRANSITION
        transition = record(Transition, tf)
        if transition.deadline and transition.audit and transition.audit > transition.deadline:
            out.add(tf.loc("audit"), "E407", f"transition audit {transition.audit} is after the deadline "
                    f"{transition.deadline}", "plan the transition audit before the deadline")
    climate_change = None
    ccf = f.get("climate_change")
    if ccf is not None:
        assert ccf.kind is CLIMATE_CHANGE
        climate_change = record(ClimateChange, ccf, decided_loc=ccf.loc("decided"))
    show_findings = None
    pf = f.get("public")
    if pf is not None:
        assert pf.kind is PUBLIC
        show_findings = pf.get("show_findings")
    certificate = None
    cf = f.get("certificate")
    if cf is not None:
        assert cf.kind is CERTIFICATE
        certificate = record(Certificate, cf, issued_loc=cf.loc("issued"), expires_loc=cf.loc("expires"))
        if certificate.issued and certificate.expires and certificate.expires <= certificate.issued:
            out.add(cf.loc("expires"), "E407", f"certificate expires {certificate.expires}, not after issued "
                    f"{certificate.issued}", "a certificate expires after it is issued")
    f.values()  # every key, read by its type in the schema's order (the rest came first, for the checks above)
    return record(Organisation, f, name=name, scope=f.get("scope") or "", logo=logo, audits=audits,
                  windows=windows, standard=standards[0], standards=standards,
                  audits_by_standard=by_standard or {}, applies=applies,
                  transition=transition, show_findings=show_findings, certificate=certificate,
                  systemic_minors=f.get("systemic_minors") or DEFAULT_SYSTEMIC_MINORS,
                  nc_max_open_days=f.get("nc_max_open_days") or DEFAULT_NC_MAX_OPEN_DAYS,
                  audit_locs={k: af.loc(k) for k in audits} if af is not None else {},
                  climate_change=climate_change, migrated_loc=f.loc("migrated") if f.get("migrated") else NOWHERE,
                  repository=_repository(f, out), sites=_sites(f),
                  language=f.get("language") or SOURCE_LANGUAGE)


def _sites(f: Fields) -> tuple[Site, ...]:
    """``sites:`` (issue 25): each site with an id and a name (their absence reported by the schema); ids
    unique and one central function at most are checks across sites (``checks.check_sites``)."""
    out = []
    for sf in f.get("sites") or ():
        ids, name = (sf.keys("id", sf.strings("id"), SITE_EXAMPLE, SITE_WHAT) if "id" in sf else ()), sf.get("name")
        site_id = ids[0] if ids else sf.get("id")  # the missing id reported (E202) when absent
        values = sf.values()
        if ids and name:
            out.append(record(Site, sf, id=str(site_id), name=name, loc=sf.loc("id"), added_loc=sf.loc("added"),
                              central=bool(values.get("central")),
                              processes=tuple(str(p) for p in values.get("processes") or ())))
    return tuple(out)


def _ceiling(ref: str, catalog: Catalog) -> int:
    """The longest window of a clause reference: the strictest of the clauses it names (integrated)."""
    if ":" not in ref:
        return catalog.window_ceiling(ref)
    prefix, number = ref.split(":", 1)
    named = [c for c in (catalog, *catalog.others.values())
             if number in c and (prefix == "hs" or number_of(c.standard) == prefix)]
    return min((c.window_ceiling(number) for c in named), default=catalog.window_ceiling(number)
               if number in catalog else MAX_WINDOW_MONTHS)


def _standards(f: Fields, value: YMap, catalog: Catalog, out: Collector) -> tuple[str, ...]:
    """``standards:`` (an integrated system, the primary first) or the one ``standard:``; every problem named
    with its fix (E343 both given, E344 an empty list, E345 a standard twice, E346 one not known)."""
    single = f.get("standard") or DEFAULT_STANDARD
    if "standards" not in value:
        return (single,)
    if "standard" in f:
        out.add(f.m.key_locs.get("standard", f.loc("standard")), "E343", "both 'standard:' and 'standards:' are given",
                "keep one: 'standards:' lists every standard, the primary first; 'standard:' names a single one")
    names: list[str] = []
    unknown = False
    for item in (f.strings("standards") if value["standards"] is not None else []):
        name = str(item).strip()
        if name not in STANDARDS:
            out.add(item.loc, "E346", f"'{name}' is not a standard isoready knows",
                    did_you_mean(name, STANDARDS) or one_of(STANDARDS))
            unknown = True
            continue
        twin = next((n for n in names if n == name or number_of(n) == number_of(name)), None)
        if twin is not None:
            what = "listed twice" if twin == name else f"a second edition of a standard listed as {twin}"
            out.add(item.loc, "E345", f"'{name}' is {what} in 'standards:'",
                    "list each standard once, in one edition" if twin == name else
                    "a project follows one edition of a standard: keep the one you are certified or certifying to")
            continue
        names.append(name)
    f.take("standards", tuple(names))  # read here, with E343-E346, not again by the schema's own pass
    if not names:
        if not unknown:
            out.add(f.loc("standards"), "E344", "'standards:' lists no standard",
                    f"write standards: [\"{DEFAULT_STANDARD}\"], or use 'standard:' for a single standard")
        return (single,)
    return tuple(names)


def _audits_per_standard(f: Fields, standards: tuple[str, ...],
                         out: Collector) -> Optional[dict[str, dict[str, date]]]:
    """``audits:`` booked per standard: a mapping from a standard's name to its plan (stage1, stage2). None
    when ``audits:`` is the one shared plan (the usual form, read by the caller)."""
    raw = f.m.get("audits")
    if not isinstance(raw, YMap) or not any(":" in str(k) or str(k) in STANDARDS for k in raw):
        return None
    plans: dict[str, dict[str, date]] = {}
    for name, plan in raw.items():
        if name in AUDITS.keys:
            out.add(raw.key_locs.get(name, raw.loc), "E346", f"'{name}' is written beside plans per standard",
                    f"put '{name}:' under the standard it is for, or write one shared plan for all")
            continue
        if name not in standards:
            known = " or ".join(standards)
            out.add(raw.key_locs.get(name, raw.loc), "E346", f"audits are booked for '{name}', which this project "
                    f"does not follow", f"name {known}, or add it to 'standards:'")
            continue
        if not isinstance(plan, YMap):
            out.add(raw.loc_of(name), "E106", f"audits for '{name}' must be a mapping",
                    "write 'stage1: YYYY-MM-DD' and 'stage2: YYYY-MM-DD' under it")
            continue
        pf = Fields(plan, AUDITS, out)
        dates = {key: d for key in AUDITS.keys if (d := pf.get(key))}
        if "stage1" in dates and "stage2" in dates and dates["stage2"] < dates["stage1"]:
            out.add(pf.loc("stage2"), "E407", f"stage2 {dates['stage2']} is before stage1 {dates['stage1']}",
                    "stage 2 follows stage 1")
        plans[name] = dates
    return plans


#: a branch name git accepts (git check-ref-format, less what a branch never needs: ~ ^ : ? * [ and "@{")
BRANCH_RE = re.compile(r"^(?!.*\.\.)(?!.*//)(?!.*@\{)(?!.*\.lock(/|\Z))[A-Za-z0-9_][A-Za-z0-9._/@+-]{0,199}(?<![./])\Z")


def _repository(f: Fields, out: Collector) -> Optional[Repository]:
    """``repository:``: where the files live, for the portal's links back to them. Any problem drops the links
    (an error: the build stops until it is fixed), never the build's other checks."""
    rf = f.get("repository")
    if rf is None:
        return None
    assert rf.kind is REPOSITORY
    ok = True
    url = rf.text("url", required=True)
    if url is not None:
        url = url.strip()
        why = url_problem(url)
        if why:
            out.add(rf.loc("url"), "E340", f"repository url '{url}' cannot be used: {why}",
                    "write the address of the repository's page, e.g. https://github.com/acme/qms")
            ok = False
    else:
        ok = False
    branch = rf.text("branch")
    if branch is not None and not BRANCH_RE.match(branch):
        out.add(rf.loc("branch"), "E341", f"repository branch '{branch}' is not a branch name",
                "write the branch as git shows it, e.g. main")
        ok = False
    folder = rf.text("folder") or ""
    if folder and (folder.startswith("/") or ".." in folder.split("/") or "\\" in folder):
        out.add(rf.loc("folder"), "E342", f"repository folder '{folder}' must be a folder inside the repository",
                "write the folder's path from the repository's top, e.g. quality/register")
        ok = False
    patterns: dict[str, Optional[str]] = {}
    for key in NEEDS:
        pattern = rf.text(key)
        if pattern is not None:
            why = pattern_problem(pattern.strip(), key)
            if why:
                out.add(rf.loc(key), "E342", f"repository {key} '{pattern}' cannot make a safe link: {why}",
                        "write e.g. 'src/{branch}/{path}' or a full https:// address with {path}"
                        if key != "new_uri" else "write e.g. 'new/{branch}/{folder}?name={filename}'")
                ok = False
        patterns[key] = pattern.strip() if pattern else None
    links = rf.get("links")
    if not ok or url is None:
        return None
    if not host_forms(url) and not any(patterns.values()):
        out.add(rf.loc("url"), "W140", f"the portal has no built-in links for the host of '{url}', and no "
                "edit_uri, view_uri or new_uri says how to make them: no link back to the files is shown",
                "add edit_uri and new_uri patterns, or use a GitHub or GitLab address")
    return Repository(url=url.rstrip("/").removesuffix(".git"), branch=branch or "main", folder=folder.strip("/"),
                      edit_uri=patterns["edit_uri"], view_uri=patterns["view_uri"], new_uri=patterns["new_uri"],
                      links=tuple(links or ()))


def _windows(f: Fields, catalog: Catalog, out: Collector) -> dict[str, int]:
    windows: dict[str, int] = {}
    raw = f.get("windows")  # a mapping (its shape checked by its type), or None
    if raw is None:
        return windows
    for number, months in raw.items():
        where = raw.loc_of(number)
        if not check_clause(number, raw.key_locs[number], catalog, out):
            continue
        number = canonical(number, catalog)
        if isinstance(months, YStr) and WINDOW_RE.match(months) and 1 <= int(months) <= 120:
            windows[number] = int(months)
            ceiling = _ceiling(number, catalog)
            if int(months) > ceiling:
                out.add(where, "W162", f"window for clause '{number}' is {int(months)} months; the gates use "
                        f"{ceiling}, the longest a certification body accepts for it",
                        f"write at most {ceiling}, or leave it out for the default")
        else:
            out.add(where, "E207", f"window for clause '{number}' must be a whole number of months from 1 to 120",
                    f"write e.g. '\"{catalog.examples.get('window') or catalog.clauses[-1].number}\": 12'")
    return windows


#: Markdown-typed keys the portal prints as text, never rendered as Markdown (so never too large for it)
NOT_RENDERED = {"justification"}


def _bounded(f: Fields, out: Collector, limit: int = MAX_MARKDOWN_BYTES) -> None:
    """W108 for each Markdown text of this mapping (description, notes, scope, a finding's texts) that is too
    large, dense or deeply nested for Markdown: it shows as plain text. ``limit`` is the run's
    (``--max-markdown-bytes``, ``Options.max_markdown_bytes``), the one the pages render under."""
    for spec in f.kind.fields:
        if spec.type.name != "markdown" or spec.key in NOT_RENDERED:
            continue
        value = f.m.get(spec.key)
        why = markdown_problem(value, limit) if isinstance(value, str) else ""
        if why:
            out.add(f.loc(spec.key), "W108", f"{spec.key} will be shown as plain text: {why}", markdown_fix(why))


def markdown_fix(why: str) -> str:
    """The hint of a W108, for the problem ``text.markdown_problem`` found."""
    if why.startswith("it is "):  # over the size limit
        return "shorten it or split it, or raise the limit with --max-markdown-bytes"
    return "shorten it, split long runs of brackets or emphasis into paragraphs, or nest lists less deeply"


def markdown_documents(root: Path, evidence: Iterable[Evidence],
                       max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> list[Diagnostic]:
    """W108 for each Markdown document (``file: x.md``, shown as a generated page) that is too large, dense or
    deeply nested for Markdown: its page shows it as plain text. Reads at most the limit (plus one byte) of
    each, and only regular files inside evidence/ (the record's own checks report the rest)."""
    base = os.path.realpath(os.path.join(str(root), EVIDENCE_DIR))
    found: list[Diagnostic] = []
    for doc in sorted({e.file for e in evidence if e.file and e.file.lower().endswith(MARKDOWN_SUFFIXES)}):
        found += _markdown_file(os.path.join(base, doc), base, f"{EVIDENCE_DIR}/{doc}", "document will be shown as "
                                "plain text on its page", max_markdown_bytes)
    return found


def markdown_pages(root: Path, max_markdown_bytes: int = MAX_MARKDOWN_BYTES) -> list[Diagnostic]:
    """W108 for each team-written page (content/pages/*.md) too large, dense or deeply nested for Markdown:
    Pelican's reader (``pelican_plugin.BoundedMarkdownReader``) shows its body as plain text."""
    base = os.path.realpath(os.path.join(str(root), PAGES_DIR))
    found: list[Diagnostic] = []
    for path in walk(Path(root) / PAGES_DIR):
        if path.name.lower().endswith(PAGE_SUFFIXES):
            found += _markdown_file(str(path), base, path.relative_to(root).as_posix(),
                                    "page will be shown as plain text", max_markdown_bytes)
    return found


def _markdown_file(path: str, base: str, rel: str, what: str, limit: int) -> list[Diagnostic]:
    try:
        if not os.path.realpath(path).startswith(base + os.sep):
            return []
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return []  # never opened: a FIFO or device is reported where it is found
        if st.st_size > limit:
            why, line = f"it is {st.st_size:,} bytes, over the {limit:,}-byte limit for Markdown", 1
        else:
            with open(path, "rb") as fh:
                text = fh.read(limit + 1).decode("utf-8", "replace")
            why, at = problem_at(text, limit)
            line = text.count("\n", 0, at) + 1
    except (OSError, ValueError):
        return []  # unreadable now: the record's own checks, or the build, say so
    return [Diagnostic(rel, line, 1, "W108", f"{what}: {why}", markdown_fix(why))] if why else []


def _logo(f: Fields, root: Path, out: Collector) -> Optional[str]:
    """The logo: an image file inside content/; an SVG must hold no script and link to nothing."""
    raw = f.get("logo")
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
            why = svg_problem(fh.read(MAX_BYTES + 1))
        if why:
            out.add(loc, "E410", f"logo '{raw}' is not a plain drawing: {why}",
                    "use a plain SVG (shapes, text, gradients; no script, handlers, links or DTD) or a PNG")
            return None
    return joined
