"""Checks across records: ids unique, references resolve, exclusions allowed, documents named safely,
dates against the as-of date. Each record was already checked on its own (``records``)."""

from __future__ import annotations

import functools

import difflib
import re
import unicodedata
from datetime import date
from typing import Any, Callable, Iterable, Optional, Sequence

from isoready.read.catalog import edition_mapping, load_topics
from isoready.core.diagnostics import Collector, Diagnostic, did_you_mean
from isoready.core.load import Loc
from isoready.model import (Applies, Assessment, Catalog, Evidence, Finding, Organisation, fold_name,
    output_names)
from isoready.read.records import EVIDENCE_DIR, FINDINGS_DIR, ORGANISATION_FILE, default_id_for, item_loc


def check_records(evidence: list[Evidence], assessments: list[Assessment], findings: list[Finding],
                  documents: list[str], catalog: Catalog, as_of: date,
                  out: Collector, organisation: Optional[Organisation] = None, unread: Sequence[Diagnostic] = (),
                  hold_from: Optional[int] = None) -> tuple[list[Evidence], list[Assessment], list[Finding]]:
    """Every cross-record check; returns the records kept (the first of duplicates). ``organisation``: its
    ``applies:`` declarations are checked against the exclusions (None: no declaration is known).

    ``unread``: the error of each YAML file that could not be read or parsed (see ``held_back``), which looks
    at the diagnostics from ``hold_from`` on (default: those these checks add)."""
    start = len(out.items) if hold_from is None else hold_from
    # a record or entry with its own error (``rejected``) takes part in the checks of ids and references, so
    # one run reports every problem of an entry, and a record's error is never followed by "unknown id" or
    # "no record refers to" for what it defines; then it is dropped
    nameless = [e for e in evidence if not e.id]  # rejected without an id: they only refer to their document
    defined = unique_evidence([e for e in evidence if e.id], out)
    every = (list(assessments), list(findings))  # duplicates too: their references are checked in the same run
    assessments = unique_assessments(assessments, out)
    findings = unique_findings(findings, out)
    check_references(defined, *every, out)
    check_sites(organisation, [*defined, *every[0], *every[1]], out)
    evidence = [e for e in defined if not e.rejected]
    assessments = [a for a in assessments if not a.rejected]
    findings = [f for f in findings if not f.rejected]
    check_verified_by(evidence, assessments, findings, catalog, out)
    check_documents(defined + nameless, documents, out)
    check_exclusions(assessments, evidence, catalog, out,
                     applies=organisation.applies if organisation else Applies(), as_of=as_of,
                     scope_defined=any(e.rejected and catalog.role("scope") in e.clauses and e.kind != "record"
                                       for e in defined))
    check_dates(evidence, findings, as_of, out)
    check_since(assessments, as_of, out)
    if organisation is not None:
        check_certificate(organisation, catalog, as_of, out)
    check_split_clauses(evidence, catalog, out)
    check_topics(evidence, out)
    check_review_inputs(evidence, catalog, out)
    check_topic_clauses(evidence, catalog, out)
    check_climate_decision(organisation, as_of, out)
    check_site_added(organisation, as_of, out)
    check_migrated(organisation, catalog, as_of, out)
    held_back(unread, out, start)
    return evidence, assessments, findings


#: what a file of each folder defines, and the codes that would read its absence as a fact: an id it defines
#: is "unknown" (E404), a document it refers to "unreferenced" (W101), a scope document it holds "missing"
#: (E409), a certification-body audit its finding names "not an audit" (E423); organisation.yaml names the
#: edition every clause number is read against, so without it a 2026 clause is "unknown" (E201) and a split
#: one "split" (W106)
DEPENDS_ON = {EVIDENCE_DIR: ("E404", "W101", "E409"), FINDINGS_DIR: ("E423",), ORGANISATION_FILE: ("E201", "W106")}


def _in(path: str, where: str) -> bool:
    return path == where or path.startswith(where + "/")


def held_back(unread: Sequence[Diagnostic], out: Collector, start: int) -> None:
    """A file that does not parse defined nothing this run: the problems a check found only because of that
    absence (``DEPENDS_ON``) may be false, so they are dropped, and one W190 says how many and which checks,
    placed at the first such file's own error so it is listed right after it. Duplicate and name checks are
    kept: a duplicate among the files that parsed is one whatever the broken file holds."""
    unread = [d for d in unread if any(_in(d.path, where) for where in DEPENDS_ON)]
    codes = {code for d in unread for where, held in DEPENDS_ON.items() if _in(d.path, where) for code in held}
    dropped = [d for d in out.items[start:] if d.code in codes]
    if not dropped:
        return
    out.items[start:] = [d for d in out.items[start:] if d.code not in codes]
    first = min(unread)
    others = len({d.path for d in unread}) - 1
    which = "this file" if not others else f"this file and {others} other{'s' if others > 1 else ''}"
    found = sorted({d.code for d in dropped})
    n = len(dropped)
    out.add(first, "W190", f"{n} problem{'s' if n > 1 else ''} ({', '.join(found)}) not reported until {which} "
            f"can be read: what it defines is unknown, so {'they' if n > 1 else 'it'} may be false",
            "fix the error above and run again")


def _ref_loc(holder: Any, ref: str, key: str = "") -> Loc:
    """Where ``ref`` is written: its own position, or (``key``: the list of ``holder`` it is an item of) the one
    kept beside an evidence record's plain values (``records.item_loc``), else the holder's."""
    return item_loc(holder, key, ref) if key else getattr(ref, "loc", holder.loc)


def check_references(evidence: list[Evidence], assessments: list[Assessment], findings: list[Finding],
                     out: Collector) -> None:
    by_id = {e.id: e for e in evidence}

    def resolve(holder: Any, ref: str) -> bool:
        if ref in by_id:
            return True
        out.add(_ref_loc(holder, ref), "E404", f"unknown evidence id '{ref}'", id_hint(ref, evidence))
        return False

    def audit_record(holder: Any, key: str, ref: str, hint: str) -> None:
        if resolve(holder, ref) and not by_id[ref].rejected and by_id[ref].kind != "record":
            out.add(_ref_loc(holder, ref), "E411", f"{key} '{ref}' is a {by_id[ref].kind}, not a record", hint)

    for holder in [*assessments, *findings]:
        for ref in holder.evidence:
            resolve(holder, ref)
    for a in assessments:
        if a.verified_by:
            audit_record(a, "verified_by", a.verified_by, "name the audit record that verified it: an evidence record with kind: record")
    for f in findings:
        if f.audit:
            audit_record(f, "audit", f.audit, "name the audit record that raised it: an evidence record with kind: record")
        for ref in f.verification.evidence if f.verification else ():
            resolve(f, ref)


#: what an evidence id is, said wherever an id is not found (the register page cannot be built while it is not)
ID_MEANS = "an id is the record's path under evidence/ without .yaml, or its id: key"


def id_hint(ref: str, evidence: Sequence[Evidence]) -> str:
    """The hint of an unknown evidence id: the id meant, when the reference names a record's YAML file, its
    document or a close spelling, and always what an id is."""
    meant = meant_ids(ref, evidence)
    if not meant:
        return ID_MEANS
    said = " or ".join(f"'{m}'" for m in meant) if len(meant) < 3 else \
        ", ".join(f"'{m}'" for m in meant[:-1]) + f" or '{meant[-1]}'"
    return f"did you mean {said}? {ID_MEANS[0].upper()}{ID_MEANS[1:]}"


_FILE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}\Z")


def meant_ids(ref: str, evidence: Sequence[Evidence]) -> list[str]:
    """The ids (at most three, in register order) a reference that is not an id most likely means.

    A file named instead of its record ('support/training.yaml', 'Schulungsnachweise Müller.yaml', the
    document 'training.pdf') means the record that file holds or points at; else the closest spelling."""
    ids = [e.id for e in evidence]
    text = unicodedata.normalize("NFC", str(ref)).strip().replace("\\", "/")
    path = re.sub(r"^(?:\./)*(?:evidence/)?", "", text)
    name = path.rsplit("/", 1)[-1]

    def first(found: Iterable[str]) -> list[str]:
        return list(dict.fromkeys(found))[:3]

    stem = re.sub(r"\.ya?ml\Z", "", path, flags=re.IGNORECASE)
    for candidate in (stem, default_id_for(stem)):
        if candidate != text and candidate in ids:
            return [candidate]
    files = {f"{EVIDENCE_DIR}/{path}".casefold(), f"{EVIDENCE_DIR}/{path}.yaml".casefold(),
             f"{EVIDENCE_DIR}/{path}.yml".casefold()}  # a list of records is named by its ids, not its file
    sources = first(e.id for e in evidence if e.source.casefold() in files)
    if not sources and re.search(r"\.ya?ml\Z", name, re.IGNORECASE):  # the file's name alone
        sources = first(e.id for e in evidence if e.source.rsplit("/", 1)[-1].casefold() == name.casefold())
    if sources:
        return sources
    if _FILE_SUFFIX.search(name):  # a document: the record whose file it is
        documents = first(e.id for e in evidence if e.file and e.file.casefold() == path.casefold())
        documents = documents or first(e.id for e in evidence
                                       if e.file and e.file.rsplit("/", 1)[-1].casefold() == name.casefold())
        if documents:
            return documents
    bare = default_id_for(_FILE_SUFFIX.sub("", name)).casefold() if name else ""
    last = first(e.id for e in evidence if bare and e.id.rsplit("/", 1)[-1].casefold() == bare)
    if last:
        return last
    return difflib.get_close_matches(str(ref), ids, n=1, cutoff=0.6)  # as did_you_mean spells


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


def unique_evidence(items: list[Evidence], out: Collector) -> list[Evidence]:
    kept = _unique(items, lambda e: e.id, out, "E401",
                   lambda e, first: f"duplicate evidence id '{e.id}' (also in {first.source}:{first.loc.line})",
                   "give each record its own id")
    kept = _no_case_clash(kept, lambda e: e.id, out, "evidence id")
    kept = [e for e in kept if _id_names_ok(e, e.id, out, "evidence id")]
    return _no_page_clash(kept, out)


def _id_names_ok(item: Any, an_id: str, out: Collector, what: str) -> bool:
    """An id names page files (<part>.html) that must exist on every system the archive is unzipped on."""
    for part in an_id.split("/"):
        problem = name_problem(part + ".html")
        if problem:
            code, message, hint = problem
            out.add(item.loc, code, f"{what} '{an_id}': {message}", hint)
            return False
    return True


def _no_page_clash(items: list[Evidence], out: Collector) -> list[Evidence]:
    """'x' makes the page evidence/x.html; 'x.html/y' needs a folder of that very name (folded for case)."""
    pages = {unicodedata.normalize("NFC", e.id + ".html").casefold(): e for e in items}
    kept = []
    for e in items:
        parts = e.id.split("/")
        clash = next((pages[k] for k in ("/".join(parts[:n]).casefold() for n in range(1, len(parts)))
                      if k in pages), None)
        if clash is not None:
            out.add(e.loc, "E324", f"evidence id '{e.id}' needs a folder evidence/{clash.id}.html, which is the page "
                    f"of '{clash.id}' ({clash.source}:{clash.loc.line})", "rename one of the two ids")
            continue
        kept.append(e)
    return kept


#: names Windows reserves, with or without an extension (CON.txt is as impossible as CON)
WINDOWS_RESERVED = frozenset(["CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                              *(f"LPT{n}" for n in range(1, 10))])
MAX_NAME_BYTES = 255


@functools.lru_cache(maxsize=1 << 16)  # bounded; serve asks again for every id and file name on every edit
def name_problem(name: str) -> "tuple[str, str, str] | None":
    """Why one file or folder name cannot be published (code, message, hint), or None."""
    if not name.isascii() and any(unicodedata.category(ch) == "Cf" for ch in name):  # ASCII has no Cf
        ch = next(ch for ch in name if unicodedata.category(ch) == "Cf")
        return ("E322", f"name holds the invisible format character U+{ord(ch):04X} "
                        f"({unicodedata.name(ch, 'unnamed')})",
                "rename it: such characters can make 'invoice\\u202egpj.exe' display as 'invoiceexe.jpg'")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return ("E323", f"name is {len(name.encode('utf-8'))} bytes long; file systems allow {MAX_NAME_BYTES}",
                "shorten it")
    if name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_RESERVED:
        return ("E321", f"'{name}' is a name Windows reserves", "rename it: an auditor unzipping the archive on "
                "Windows could not create it")
    if name.endswith((".", " ")):
        return ("E321", f"'{name}' ends in a dot or space, which Windows drops", "rename it")
    return None


def _no_case_clash(items: list[Any], key: Callable[[Any], str], out: Collector, what: str) -> list[Any]:
    seen: dict[str, Any] = {}
    kept = []
    for item in items:
        folded = fold_name(key(item))
        if folded in seen:
            first = seen[folded]
            out.add(item.loc, "E307", f"{what} '{key(item)}' differs only in letter case from '{key(first)}'",
                    "the two would overwrite each other on macOS and Windows; rename one")
            continue
        seen[folded] = item
        kept.append(item)
    return kept


def unique_assessments(items: list[Assessment], out: Collector) -> list[Assessment]:
    sited = [a for a in items if a.sites]
    items = [a for a in items if not a.sites]  # an entry for every site: one per clause (E402)
    kept = _unique(items, lambda a: a.clause, out, "E402",
                   lambda a, first: f"clause '{a.clause}' assessed twice (first in {first.source}:{first.loc.line})",
                   "keep one clause entry per clause")
    # an integrated project: "hs:7.5" assesses 7.5 of every standard, so it meets "7.5" and "14001:7.5"
    kept = _per_site(kept, sited, out)
    shared = {a.clause[3:]: a for a in kept if a.clause.startswith("hs:")}
    if not shared:
        return kept
    out_kept = []
    for a in kept:
        first = shared.get(a.clause.split(":", 1)[-1]) if not a.clause.startswith("hs:") else None
        if first is not None:
            out.add(a.loc, "E402", f"clause '{a.clause}' assessed twice (first as '{first.clause}' in "
                    f"{first.source}:{first.loc.line})", "keep one clause entry per clause and standard")
            continue
        out_kept.append(a)
    return out_kept


def _per_site(kept: list[Assessment], sited: list[Assessment], out: Collector) -> list[Assessment]:
    """Entries of a clause for some sites (``sites:``, issue 25): one clause may be assessed once per site; a
    second entry reaching a site the clause is already assessed for (an entry without ``sites:`` reaches every
    site) is E432, and is dropped."""
    every = {a.clause: a for a in kept}
    taken: dict[tuple[str, str], Assessment] = {}
    for a in sited:
        first = every.get(a.clause) or next((taken[(a.clause, s)] for s in a.sites if (a.clause, s) in taken), None)
        if first is not None:
            site = next((s for s in a.sites if (a.clause, s) in taken), a.sites[0])
            out.add(a.loc, "E432", f"clause '{a.clause}' assessed twice for site '{site}' (first in "
                    f"{first.source}:{first.loc.line})",
                    "keep one entry per clause and site; an entry without 'sites:' is for every site")
            continue
        taken.update({(a.clause, s): a for s in a.sites})
        kept.append(a)
    return kept


def check_sites(organisation: Optional[Organisation], records: Iterable[Any], out: Collector) -> None:
    """The sites (issue 25): ids unique, one central function at most (E430); every ``sites:`` entry of a
    record, an assessment or a finding names a declared site (E431, with did-you-mean)."""
    sites = organisation.sites if organisation is not None else ()
    seen: dict[str, Any] = {}
    for site in sites:
        if site.id in seen:
            out.add(site.loc, "E430", f"duplicate site id '{site.id}' (also on line {seen[site.id].loc.line})",
                    "give each site its own id")
        seen.setdefault(site.id, site)
    central = [s for s in sites if s.central]
    for site in central[1:]:
        out.add(site.loc, "E430", f"site '{site.id}' is a second central function (first: '{central[0].id}')",
                "mark one site 'central: true': the central function of IAF MD 1")
    ids = tuple(seen)
    for holder in records:
        for ref in holder.sites:
            if ref not in seen:
                out.add(_ref_loc(holder, ref, "sites"), "E431", f"unknown site id '{ref}'",
                        did_you_mean(ref, ids) or (f"declared sites: {', '.join(ids)}" if ids else
                                                   "declare the sites under 'sites:' in organisation.yaml"))


def unique_findings(items: list[Finding], out: Collector) -> list[Finding]:
    kept = _unique(items, lambda f: f.id, out, "E405",
                   lambda f, first: f"duplicate finding id '{f.id}' (also in {first.source}:{first.loc.line})",
                   "give each finding its own id")
    kept = _no_case_clash(kept, lambda f: f.id, out, "finding id")
    return [f for f in kept if _id_names_ok(f, f.id, out, "finding id")]


_BAD_NAME = re.compile(r"[\x00-\x1f\x7f\\]")


def check_documents(evidence: Iterable[Evidence], documents: list[str], out: Collector) -> None:
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
    for doc in documents:
        for part in doc.split("/")[:-1] + output_names(doc.split("/")[-1]):
            problem = name_problem(part)
            if problem:
                code, message, hint = problem
                out.add(Loc(f"{EVIDENCE_DIR}/{doc}", 1, 1), code, f"document {message}", hint)
                break
    seen: dict[str, tuple[str, str]] = {}  # folded output name -> (document, output name)
    for doc in sorted(referenced):
        names = output_names(doc)
        for name in names:
            other = seen.get(fold_name(name))
            if other is None or other[0] == doc:
                continue
            if other[1] == name:  # e.g. x.html (published as x.html.txt) and a document named x.html.txt
                message = (f"document '{doc}' would be published as files/{name}, which document '{other[0]}' "
                           "also writes")
                hint = "rename one of them"
            elif unicodedata.normalize("NFC", name) == unicodedata.normalize("NFC", other[1]):
                message = f"document '{doc}' differs only in Unicode normalisation (NFC/NFD) from '{other[0]}'"
                hint = "the two would be one file on macOS; rename one"
            else:
                message = f"document '{doc}' differs only in letter case from '{other[0]}'"
                hint = "the two would overwrite each other on macOS and Windows; rename one"
            out.add(Loc(f"{EVIDENCE_DIR}/{doc}", 1, 1), "E307", message, hint)
            break
        for name in names:
            seen.setdefault(fold_name(name), (doc, name))


#: a justification that gives outsourcing as the reason for an exclusion (E421): outsourced processes are
#: controlled under 8.4, never excluded (the catalog's exclusion test)
OUTSOURCING_RE = re.compile(
    r"out[- ]?sourc|sub[- ]?contract|contract(?:ed|s)? out|external(?:ly)? provid|external suppliers?\b|"
    r"third[- ]part(?:y|ies)|contract manufactur|done by (?:a |an |our )?(?:supplier|vendor|partner)s?\b|"
    r"carried out by (?:a |an |our )?(?:supplier|vendor|partner)s?\b", re.IGNORECASE)


def _primary(refs: Iterable[str]) -> set[str]:
    """The primary standard's clauses a record's references name: plain numbers, and ``hs:`` ones (an integrated
    project; another standard's ``14001:...`` is not the primary's)."""
    return {r[3:] if r.startswith("hs:") else r for r in refs if ":" not in r or r.startswith("hs:")}


def check_exclusions(assessments: list[Assessment], evidence: list[Evidence], catalog: Catalog,
                     out: Collector, applies: Applies = Applies(), as_of: Optional[date] = None,
                     scope_defined: bool = False) -> None:
    """``scope_defined``: a record mapped to 4.3 was rejected for its own error, reported already."""
    scope = catalog.role("scope")  # the scope document's clause: exclusions are justified there
    family = catalog.standard.rsplit(":", 1)[0]  # "ISO 9001"
    has_scope = scope_defined or any(scope in _primary(e.clauses) and e.kind == "document" for e in evidence)
    excluded = [a for a in assessments if a.status == "not-applicable" and a.clause in catalog]
    for a in excluded:
        clause = catalog[a.clause]
        reach = [a.clause, *catalog.descendants(a.clause)]
        # the sub-clauses this exclusion really covers: not those assessed applicable on their own
        covered = [n for n in reach if not any(x.clause == n and x.status != "not-applicable" for x in assessments
                                               if x is not a)]
        declared = sorted({d.condition for n in covered for d in catalog[n].documented_information
                           if d.condition and getattr(applies, d.condition, None) is True})
        for condition in declared:
            at = next(n for n in covered for d in catalog[n].documented_information if d.condition == condition)
            out.add(a.loc, "E420", f"clause '{a.clause}' is excluded, but organisation.yaml declares "
                    f"'applies: {condition}: true' ({at} {catalog[at].name})",
                    f"a requirement the organisation says applies cannot be excluded: give {a.clause} a real status, "
                    f"or set '{condition}: false' if it does not apply")
        said = OUTSOURCING_RE.search(a.justification or "")
        if said:
            out.add(a.loc, "E421",
                    f"clause '{a.clause}' is excluded because the work is outsourced ('{said.group(0)}')",
                    f"outsourced processes stay in the {catalog.words.get('system_short') or 'management system'} "
                    f"and are controlled under {catalog.role('outsourcing')} "
                    f"({family} {scope}): give the clause a real status and map the supplier controls to it")
        contradicting = [e.id for e in evidence if set(e.clauses) & set(covered)
                         and not (as_of and e.is_stale(as_of)) and not (as_of and e.date and e.date > as_of)]
        if contradicting:
            out.add(a.loc, "E422", f"evidence contradicts the exclusion of clause '{a.clause}': "
                    f"{', '.join(sorted(contradicting))} {'is' if len(contradicting) == 1 else 'are'} mapped to it",
                    "if the requirement applies, give it a real status; if not, map those records elsewhere")
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
                    f"only requirements that cannot apply within the scope may be excluded ({family} {scope}); "
                    "give it a real status")
        elif clause.exclusion == "rare":
            out.add(a.loc, "W102", f"clause '{a.clause}' ({clause.name}) is rarely excludable",
                    "expect the auditor to challenge this; make the justification specific")
        if not has_scope:
            out.add(a.loc, "E409", f"clause '{a.clause}' is excluded but no scope document is mapped to {scope}",
                    f"add a document record with clauses [\"{scope}\"] that states the scope and its exclusions")




def check_verified_by(evidence: list[Evidence], assessments: list[Assessment], findings: list[Finding],
                      catalog: Catalog, out: Collector) -> None:
    """E423: ``verified_by`` must name an audit: a record mapped to the internal audit clause or its parent, or
    a certification body's audit (a record a ``source: certification-body`` finding names as its ``audit``)."""
    by_id = {e.id: e for e in evidence}
    audit = catalog.role("audit")  # the internal audit record's clause (from the standard's data)
    audit_clauses = {audit, *catalog.ancestors(audit)[:1]} if audit in catalog else set()
    cb_audits = {f.audit for f in findings if f.audit and f.origin == "certification-body"}
    for a in assessments:
        e = by_id.get(a.verified_by) if a.verified_by else None
        if e is None or e.kind != "record":
            continue  # E404 or E411 already
        if _primary(e.clauses) & audit_clauses or e.id in cb_audits:
            continue
        out.add(_ref_loc(a, a.verified_by), "E423", f"verified_by '{a.verified_by}' is not an audit: it is mapped to "
                f"{', '.join(e.clauses)}, not to {' or '.join(sorted(audit_clauses))}",
                f"name the internal audit record (mapped to {audit}) or the certification body's audit that verified it")


def check_dates(evidence: list[Evidence], findings: list[Finding], as_of: date, out: Collector) -> None:
    for e in evidence:
        if e.date and e.date > as_of:
            out.add(e.date_loc, "W105", f"evidence '{e.id}' is dated {e.date}, after the as-of date {as_of}: it "
                    "counts for nothing until then", "correct the date, or add the record once it exists")
        if e.review_by and e.review_by < as_of:
            out.add(e.review_loc, "W103", f"evidence '{e.id}' is stale: its review was due {e.review_by}",
                    "review it and move review_by forward")
    for f in findings:
        if f.is_open and f.due and f.due < as_of:
            out.add(f.due_loc, "W104", f"finding '{f.id}' is overdue: it was due {f.due}",
                    "close it, or agree a new due date")
        if f.closed and f.closed > as_of:
            out.add(f.loc, "W160", f"finding '{f.id}' is closed on {f.closed}, after the as-of date {as_of}: it "
                    "counts as open until then", "correct the date, or close the finding once it is closed")
        v = f.verification
        if v and v.date and v.date < f.raised:
            pass  # E407 already (records): before the finding was raised
        elif v and v.date and f.closed and v.date < f.closed:
            out.add(f.loc, "W161", f"finding '{f.id}' verification dated {v.date} is before closed {f.closed}: "
                    "it does not count", "verify effectiveness after the corrective action is closed, and date it then")
        elif v and v.date and v.date > as_of:
            out.add(f.loc, "W161", f"finding '{f.id}' verification dated {v.date} is after the as-of date {as_of}: "
                    "it does not count yet", "record the verification once it has been done")


def check_since(assessments: list[Assessment], as_of: date, out: Collector) -> None:
    """W175/W176: ``since:`` (in place since) that cannot be true on the as-of date, or on a clause not done."""
    for a in assessments:
        if not a.since:
            continue
        if a.status not in ("implemented", "verified"):
            out.add(a.loc, "W176", f"clause '{a.clause}' gives since: {a.since} but its status is {a.status}: it is "
                    "ignored", "give since: only once the clause is implemented or verified")
        elif a.since > as_of:
            out.add(a.loc, "W175", f"clause '{a.clause}' is in place only since {a.since}, after the as-of date "
                    f"{as_of}: no internal audit can have covered it yet", "correct the date, or mark the clause "
                    "implemented once it is")


def check_certificate(organisation: Organisation, catalog: Catalog, as_of: date, out: Collector) -> None:
    """W177-W179: a certificate claimed outside its dates; one to the old edition that outlives the transition;
    a stage 2 to the old edition booked after new certifications must use the new one."""
    cert = organisation.certificate
    dates = load_topics().dates
    old = catalog.standard == load_topics().from_standard
    if cert and cert.number and cert.issued and cert.issued > as_of:
        out.add(cert.issued_loc, "W177", f"certificate '{cert.number}' is issued on {cert.issued}, after the as-of "
                f"date {as_of}: the portal says 'not yet certified' until then", "correct the date, or record the "
                "certificate once it is issued")
    elif cert and cert.number and cert.expires and cert.expires < as_of:
        out.add(cert.expires_loc, "W177", f"certificate '{cert.number}' expired on {cert.expires}: the portal says "
                "'certificate expired', never 'Certified'", "record the renewed certificate, or remove it")
    if old and cert and cert.number and cert.expires:
        t = organisation.transition
        deadline = t.deadline if t and t.deadline else dates.deadline
        if deadline and cert.expires > deadline:
            out.add(cert.expires_loc, "W178", f"certificate '{cert.number}' to {catalog.standard} expires on "
                    f"{cert.expires}, after the transition deadline {deadline}: it ends then unless it moves to "
                    f"{dates.to}", f"plan the transition audit to {dates.to} before {deadline}")
    stage2 = organisation.audits.get("stage2")
    if old and stage2 and dates.new_certificates_date and stage2 >= dates.new_certificates_date:
        out.add(organisation.audit_locs.get("stage2", Loc("content/organisation.yaml", 1, 1)), "W179",
                f"stage 2 on {stage2} to {catalog.standard}: new certifications must use {dates.to} from "
                f"{dates.new_certificates_date} (reported as {dates.new_certificates_from}, "
                f"{dates.new_certificates_confidence} confidence)", f"book the stage 2 to {dates.to} (isoready "
                "migrate), or confirm with your certification body that it still certifies to "
                f"{catalog.standard} on that date")


def check_split_clauses(evidence: list[Evidence], catalog: Catalog, out: Collector) -> None:
    """W106: in a project on the new edition, evidence on a clause number the new edition split (2015 6.1.2 became
    6.1.2 and 6.1.3) may have been carried over from the old one: name the clauses to choose from. Once any
    record is mapped to one of the new parts, the project has made the split and the warning stops."""
    for (source, target), table in edition_mapping().items():
        if target != catalog.standard:
            continue
        for number, parts in table.items():
            others = [n for n in parts if n != number and n in catalog]
            if number not in parts or number not in catalog or not others:
                continue
            if any(set(others) & set(e.clauses) for e in evidence):
                continue
            choices = [f"{n} ({catalog[n].name})" for n in parts]
            for e in evidence:
                at = next((c for c in e.clauses if c == number), None)
                if at is not None:
                    out.add(_ref_loc(e, at, "clauses"), "W106", f"evidence '{e.id}' is mapped to {number}, which {target} "
                            f"split into {' and '.join(parts)}",
                            f"choose {', '.join(choices[:-1])}, {choices[-1]} or {'both' if len(parts) == 2 else 'several'}")


def check_topic_clauses(evidence: list[Evidence], catalog: Catalog, out: Collector) -> None:
    """W181: a record naming a transition topic but mapped to none of the topic's clauses addresses nothing."""
    topics = {t.key: t for t in load_topics().topics}
    for e in evidence:
        for key in e.topics:
            topic = topics.get(key)
            if topic is None:
                continue  # W107
            reach = {x for n in topic.clauses if n in catalog for x in (n, *catalog.descendants(n))}
            if reach and not reach & set(e.clauses):
                out.add(_ref_loc(e, key, "topics"), "W181", f"evidence '{e.id}' names the transition topic '{key}' but is "
                        f"mapped to none of its clauses ({', '.join(topic.clauses)}): it does not address the topic",
                        "map the record to the clause it shows, or remove the topic")


def check_migrated(organisation: Optional[Organisation], catalog: Catalog, as_of: date, out: Collector) -> None:
    """W183: a move to an edition dated before the edition was published, or after the as-of date."""
    day = organisation.migrated if organisation else None
    if not day:
        return
    topics = load_topics()
    published = topics.dates.publication if catalog.standard == topics.standard else None
    if published and day < published:
        out.add(organisation.migrated_loc, "W183", f"migrated {day} is before {catalog.standard} was published "
                f"({published}): evidence for its new requirements counts only from {published}",
                "write the day the project moved to the edition (isoready migrate writes it)")
    elif day > as_of:
        out.add(organisation.migrated_loc, "W183", f"migrated {day} is after the as-of date {as_of}: no evidence "
                "for the edition's new requirements counts yet", "write the day the project moved")


def check_climate_decision(organisation: Optional[Organisation], as_of: date, out: Collector) -> None:
    """W180: a climate-change determination dated after the as-of date has not been made yet."""
    decision = organisation.climate_change if organisation else None
    if decision and decision.decided and decision.decided > as_of:
        out.add(decision.decided_loc, "W180", f"climate_change is decided {decision.decided}, after the as-of date "
                f"{as_of}: there is no climate-change determination until then",
                "correct the date, or record the decision once it is made")


def check_site_added(organisation: Optional[Organisation], as_of: date, out: Collector) -> None:
    """W184: a site ``added:`` after the as-of date has not joined yet (it counts as a new site meanwhile)."""
    for site in organisation.sites if organisation else ():
        if site.added and site.added > as_of:
            out.add(site.added_loc, "W184", f"site '{site.id}' is added {site.added}, after the as-of date {as_of}: "
                    "it is not part of the system yet, and counts as a new site",
                    "correct the date, or add the site once it joins")


def check_topics(evidence: list[Evidence], out: Collector) -> None:
    """W107: a ``topics:`` key that is not a transition topic would silently count for nothing."""
    topics = load_topics()
    known = topics.keys
    retired = {t.key: t for t in topics.retired}
    for e in evidence:
        for key in e.topics:
            if key in retired:
                out.add(_ref_loc(e, key, "topics"), "W182", f"'{key}' on evidence '{e.id}' is no transition topic: "
                        f"{retired[key].why}", "remove it; the record counts for its clauses as it is")
            elif key not in known:
                out.add(_ref_loc(e, key, "topics"), "W107", f"unknown transition topic '{key}' on evidence '{e.id}'",
                        did_you_mean(key, known) or "use a key listed in docs/editions.md, e.g. climate-change")


def check_review_inputs(evidence: list[Evidence], catalog: Catalog, out: Collector) -> None:
    """W170: ``inputs:`` are read from the management review's own record only (assess.review_inputs): on a
    document (an agenda), on evidence outside 9.3, or on a record beside the minutes (a tick list mapped to
    9.3.2 while records on 9.3 or 9.3.3 exist) they count for nothing, which the team should know."""
    # the management review: its record (the minutes) is mapped to the review clause or to the one above it
    parent, review = catalog.role("review_parent"), catalog.role("review")
    if parent not in catalog:
        return
    family = {parent, *catalog.descendants(parent)}
    minutes = [e for e in evidence if e.kind == "record" and {parent, review} & _primary(e.clauses)]
    for e in evidence:
        if not e.inputs:
            continue
        if e.kind != "record":
            why = "it is a document, not the record of a review"
        elif not family & _primary(e.clauses):
            why = f"it is not mapped to {parent} or its sub-clauses"
        elif minutes and e not in minutes:
            why = f"the review's own record is '{minutes[0].id}' (mapped to {parent} or {review})"
        else:
            continue
        out.add(e.inputs_loc if e.inputs_loc.line else e.loc, "W170",
                f"inputs on evidence '{e.id}' are not read: {why}",
                "list the inputs the review considered under inputs: in the minutes' record")
