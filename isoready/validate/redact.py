"""Redaction: every name of a record an audience may not see, replaced in the text it does see.

Views call ``redactor(...)`` once per build and pass every sentence and free-text field through it; the
render workers use the same object for team-written pages (it is picklable). Matching is on normalised
text, inside longer tokens; see ``Redactor``. SECURITY.md says what is and is not covered.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata
from functools import lru_cache
from operator import itemgetter
from pathlib import PurePosixPath
from typing import Any, Callable
from urllib.parse import unquote

from isoready.core.diagnostics import Diagnostic
from isoready.model import (AUDIENCES, MARKDOWN_SUFFIXES, Evidence, Project, Register, RegisterProblem, RegisterRow,
    audience_rank, findings_published, published_name)

#: a whole token: starts and ends with a letter or digit, so "_IA-1_", "IA-1." and "(IA-1)" all yield "IA-1"
WITHHELD = "[withheld]"

#: characters that never show: zero-width space/joiners, word joiner, BOM, soft hyphen (and every other
#: format character, category Cf, dropped below)
_INVISIBLE = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_ENTITY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});?")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_MD_ESCAPE = set("\\`*_{}[]()#+-.!|<>~\"'")


def _plain(text: str) -> bool:
    """ASCII with nothing to decode: folding it is lower-casing (NFKC is the identity, nothing is invisible)."""
    return text.isascii() and "&" not in text and "%" not in text and "\\" not in text


def _decode_pass(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """One pass of decoding: HTML entities, percent-escapes and Markdown backslash escapes, each output
    character remembering the span of original text it came from."""
    out: list[str] = []
    where: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        m = None
        if c == "&":
            m = _ENTITY.match(text, i)
            decoded = html.unescape(m.group(0)) if m else ""
        elif c == "%":
            m = _PERCENT.match(text, i)
            decoded = unquote(m.group(0), errors="replace") if m else ""
        elif c == "\\" and i + 1 < n and text[i + 1] in _MD_ESCAPE:
            m = re.match(r"\\.", text[i:i + 2])
            decoded = text[i + 1]
        if m and decoded != m.group(0):
            span = (spans[i][0], spans[i + len(m.group(0)) - 1][1])
            out.extend(decoded)
            where.extend([span] * len(decoded))
            i += len(m.group(0))
            continue
        out.append(c)
        where.append(spans[i])
        i += 1
    return "".join(out), where


def _fold(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` normalised for matching (entities and escapes decoded twice over, NFKC, case-folded, invisible
    and format characters dropped), with the original span of every character."""
    spans = [(i, i + 1) for i in range(len(text))]
    if _plain(text):
        # nothing to decode, NFKC leaves ASCII as it is and nothing in it is invisible: the same result, fast
        return text.lower(), spans
    for _ in range(2):  # "%26amp%3B" and "&#37;41": encodings of encodings
        text, spans = _decode_pass(text, spans)
    out: list[str] = []
    where: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or text[j] in _INVISIBLE):
            j += 1  # a base character with its combining marks: composed together (NFD spellings)
        cluster = "".join(ch for ch in text[i:j] if ch not in _INVISIBLE and unicodedata.category(ch) != "Cf")
        folded = unicodedata.normalize("NFKC", cluster).casefold() if cluster else ""
        span = (spans[i][0], spans[j - 1][1])
        out.extend(folded)
        where.extend([span] * len(folded))
        i = j
    return "".join(out), where


_RUN = re.compile(r"[^\W_]+")
#: how much of each name the quick tests keep: its first one to ``_HEAD`` characters (the test for "might this
#: text hold a withheld name", and for "might a name begin at this run": a few thousand beginnings at most, whatever
#: the project's size), and its first ``_PREFIX`` (for "might a name begin with the text run together so far")
_HEAD = 3
_PREFIX = 10
_head = itemgetter(slice(None, _HEAD))  # a run's first _HEAD characters


def _heads(keys: Any) -> frozenset[str]:
    """The beginnings of ``keys`` up to ``_HEAD`` characters (a shorter key: itself among them), from their first
    ``_HEAD`` characters alone (one pass over the keys; a few thousand beginnings, whatever their number)."""
    longest = set(map(_head, keys))
    return frozenset(longest.union(*(map(itemgetter(slice(None, n)), longest) for n in range(1, _HEAD))))


def _skeleton(folded: str) -> tuple[str, list[int], set[int], set[int]]:
    """The letters and digits of a folded string, run together, with each one's folded index and the
    skeleton positions where a run of letters and digits starts and ends."""
    chars: list[str] = []
    index: list[int] = []
    starts: set[int] = set()
    ends: set[int] = set()
    for m in _RUN.finditer(folded):
        starts.add(len(chars))
        chars.extend(m.group(0))
        index.extend(range(m.start(), m.end()))
        ends.add(len(chars))
    return "".join(chars), index, starts, ends


#: names seen in one build (ids, paths, file names: a few per record) and their keys: a build makes up to three
#: redactors (validate's W110 check, the build's audience, team pages) over the same names; bounded, for serve
NAME_CACHE = 1 << 17


@lru_cache(maxsize=NAME_CACHE)
def _name_key(raw: str) -> str:
    """A name's letters and digits, folded, run together (what ``Redactor`` matches)."""
    if _plain(raw):
        return "".join(_RUN.findall(raw.lower()))  # what _fold's fast path and _skeleton give, without the spans
    return _skeleton(_fold(raw)[0])[0]


class Redactor:
    """Replaces, in text an audience sees, every name of a record it may not see by ``[withheld]``.

    Names are ids, page paths, file names and stems. Matching is on normalised text (HTML entities, percent
    escapes and Markdown escapes decoded, NFKC, case-folded, zero-width and soft hyphens dropped) with the
    separators between letters and digits ignored, by whole runs of letters and digits: a name is found
    inside longer tokens (``<id>.pdf``, ``evidence/<id>/annex``, ``<id>_v2``, URLs) and spelt with spaces
    or nothing for hyphens, but "QM-01" is not found in "QM-012". Where a visible record's name is as long
    or longer (a shared document, "QM-012"), the text names the visible record and is left alone.
    Deterministic whatever the hash seed; picklable, so render workers can use it.
    """

    def __init__(self, hidden: set[str], visible: set[str]):
        hidden_keys = {k for k in map(_name_key, hidden) if k}
        keep = {k for k in map(_name_key, visible) if k} if hidden_keys else set()  # nothing withheld: no work
        self._hidden = frozenset(hidden_keys - keep)
        if not self._hidden:
            keep = set()  # the redactor leaves every text alone: the visible names do not matter
        # looked up only (never walked in order: ``_repr`` sorts them), so not sorted: sorting 45,000 names took
        # 0.1 s a redactor at 10,000 records
        self._names = dict.fromkeys(keep, False)
        self._names.update(dict.fromkeys(self._hidden, True))
        self._lengths = tuple(sorted({len(k) for k in self._names}, reverse=True))
        self._longest = self._lengths[0] if self._lengths else 0
        # what it does, in short: in page fingerprints, and what makes two redactors equal (a preview compares
        # a page's view-model with the previous one's, redactor included); made when first asked for (validate's
        # W110 redactors never are: sorting and hashing 45,000 names was 0.05 s each at 10,000 records)
        self._summary = ""
        # the beginnings (up to _HEAD characters) of the withheld names: a text none of whose runs of letters and
        # digits begins one cannot hold one (the common case, decided without the full match; all their
        # beginnings up to _PREFIX characters decided more texts so, but took 0.1 s to make for 45,000 names)
        self._hidden_heads = _heads(self._hidden)
        # the beginnings (_PREFIX characters) of every name, withheld or visible: once the text run together from
        # a run of letters and digits is that long, a name can start there only if its beginning is one of these
        self._name_starts = frozenset(map(itemgetter(slice(None, _PREFIX)), self._names))
        # and their beginnings up to _HEAD characters: a run of letters and digits not beginning with one of these
        # begins no name
        self._name_heads = _heads(self._names)

    def __bool__(self) -> bool:
        return bool(self._hidden)

    @property
    def _repr(self) -> str:
        if not self._summary:
            self._summary = f"Redactor({hashlib.sha256(repr(sorted(self._names.items())).encode()).hexdigest()[:16]})"
        return self._summary

    def __repr__(self) -> str:  # in page fingerprints: stable and short (worked out once, not per page)
        return self._repr

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Redactor) and other._repr == self._repr

    def __hash__(self) -> int:
        return hash(self._repr)

    def may_name(self, text: str) -> bool:
        """False only when no line of ``text`` can hold a withheld name (each line would come back unchanged):
        for plain text (``_plain``: folding is lower-casing, character by character), none of its runs of letters
        and digits, which never cross a line, begins one; True for any other text (judge it line by line)."""
        if not self._hidden:
            return False
        if not _plain(text):
            return True
        return not self._hidden_heads.isdisjoint(map(_head, _RUN.findall(text.lower())))

    def __call__(self, text: str) -> str:
        if not text or not self._hidden:
            return text
        fast = _plain(text)
        folded = text.lower() if fast else _fold(text)[0]  # the same folding as _fold, without the spans
        tokens = _RUN.findall(folded)
        if self._hidden_heads.isdisjoint(map(_head, tokens)):
            return text  # no run of letters and digits begins a withheld name: nothing to cut
        cuts: list[tuple[int, int]] = []  # (first run, last run) of each withheld name
        names, longest, name_starts, heads = self._names, self._longest, self._name_starts, self._name_heads
        j, count = 0, len(tokens)
        while j < count:
            if tokens[j][:_HEAD] not in heads:
                j += 1  # no name begins with this run
                continue
            # names are whole runs of letters and digits run together: from run j, add runs while the text so
            # far is no longer than the longest name and still begins one; the longest name found wins (a
            # visible one leaves its text alone)
            best, hidden, acc = -1, False, ""
            for k in range(j, count):
                acc += tokens[k]
                if len(acc) > longest:
                    break
                found = names.get(acc)
                if found is not None:
                    best, hidden = k, found
                if len(acc) >= _PREFIX and acc[:_PREFIX] not in name_starts:
                    break  # no name begins with the text so far: none is found by adding more
            if best < 0:
                j += 1
                continue
            if hidden:
                cuts.append((j, best))
            j = best + 1
        if not cuts:
            return text
        runs = [m.span() for m in _RUN.finditer(folded)]  # where each run is: only for a text that holds a name
        cuts = [(runs[a][0], runs[b][1]) for a, b in cuts]
        if not fast:  # back to the original text's positions
            where = _fold(text)[1]
            cuts = [(where[a][0], where[b - 1][1]) for a, b in cuts]
        out, pos = [], 0
        for a, b in cuts:
            out.append(text[pos:max(a, pos)])
            out.append(WITHHELD)
            pos = max(pos, b)
        out.append(text[pos:])
        return "".join(out)


def redact_name(redact: Callable[[str], str], name: str) -> str:
    """``name`` (a page slug, a file or folder name) with every withheld name replaced by ``withheld``: one
    plain path segment still, with no bracket in a URL."""
    return redact(name).replace(WITHHELD, "withheld")


def audience_redactor(project: Project, audience: str) -> Callable[[str], str]:
    """The redactor of a build for ``audience`` (for text views do not see, such as team-written pages)."""
    rank = audience_rank(audience)
    shown = findings_published(project.organisation, audience)  # the findings policy (model.findings_published)
    return redactor(project, {e.id for e in project.evidence if audience_rank(e.audience) <= rank},
                    {f.id for f in project.findings if shown and audience_rank(f.audience) <= rank})


def _evidence_names(e: Any) -> frozenset[str]:
    """Every name of an evidence record: its id, page path, file name (as written and as published) and stem."""
    return _names_of(e.id, e.file)


@lru_cache(maxsize=NAME_CACHE)
def _names_of(id_: str, file: "str | None") -> frozenset[str]:
    names = {id_, f"evidence/{id_}.html"}
    if file:
        pub = published_name(file)
        names |= {file, pub, f"files/{pub}", f"files/{pub}.html", PurePosixPath(file).name,
                  PurePosixPath(pub).name}
        stem = PurePosixPath(file).stem
        if any(ch.isdigit() for ch in stem):  # "QM-01_v2" names a record; "policy" is a word
            names.add(stem)
    return frozenset(names)


def _finding_names(f: Any) -> set[str]:
    return _finding_names_of(f.id)


def _finding_names_of(id_: str) -> set[str]:
    return {id_, f"findings/{id_}.html"}


def redactor(project: Project, visible_evidence: set[str], visible_findings: set[str]) -> Callable[[str], str]:
    """Replace, in text this audience sees, every id, page path and file name of a record it may not see.

    Contributors write "see IA-2026-02" or link "evidence/TR-7.html" in notes; in a build that withholds
    those records, the names must not appear either, in any spelling (see ``Redactor``).
    """
    # what the redactor is made of, and nothing else: a preview's rebuild after an edit that moves no name or
    # audience gets the same redactor back (making it was 0.2 s per audience at 10,000 records, three a rebuild)
    return _redactor_of(tuple((e.id, e.file, e.id in visible_evidence) for e in project.evidence),
                        tuple((f.id, f.id in visible_findings) for f in project.findings))


#: redactors kept: a build makes one per audience it checks (W110) plus its own
REDACTOR_CACHE = 8


@lru_cache(maxsize=REDACTOR_CACHE)
def _redactor_of(evidence: tuple[tuple[str, "str | None", bool], ...],
                 findings: tuple[tuple[str, bool], ...]) -> Redactor:
    hidden: set[str] = set()
    visible: set[str] = set()
    for id_, file, shown in evidence:
        (visible if shown else hidden).update(_names_of(id_, file))
    for id_, shown in findings:
        (visible if shown else hidden).update(_finding_names_of(id_))
    # a name a visible record also uses is not a secret (a shared document, a shared file name)
    return Redactor(hidden - visible, visible)


def forget_names() -> None:
    """Drop the names kept while redactors were made (``NAME_CACHE`` each: at 100,000 records some 50 MB): a
    one-shot build calls it once its views are made, before its render workers fork (issue 25). The redactors
    made stay whole; only a redactor made afterwards works its names out again. ``serve`` keeps them."""
    _names_of.cache_clear()
    _name_key.cache_clear()


def withheld_names_in_documents(project: Project, limit: int, memo: "dict | None" = None) -> list[Diagnostic]:
    """W110 for each line of a Markdown document (``file: x.md``) that names a record the document's own
    audience may not see. The document is published as written (its SHA-256 must match), so the redactor
    cannot help there: its page is redacted, its bytes are not. A document's audience is the lowest of the
    records that publish it; internal documents are seen only by those who see everything. Reads at most
    ``limit`` bytes of each, and only regular files inside evidence/ (the records' own checks report the rest).

    ``memo`` (a long-lived process's: ``reader.ParseCache.documents``, whose ``forget`` drops a reported
    document) keeps each document's result by the document (``reader.document_key``: its real path and stats)
    and its audience, for as long as what the judgement reads of the records is the same (every record's id,
    file and audience, every finding's id and audience, the findings policy): only the documents whose key
    moved are read again (reading all of them was 0.7 s of a preview's rebuild at 10,000 records).
    """
    import os

    from isoready.read.reader import document_key

    _real_folder.cache_clear()  # a folder may have become a symlink since the last judgement in this process
    lowest: dict[str, int] = {}
    for e in project.evidence:
        if e.file and e.file.lower().endswith(MARKDOWN_SUFFIXES):  # published as written, and shown as a page
            lowest[e.file] = min(lowest.get(e.file, len(AUDIENCES)), audience_rank(e.audience))
    base = os.path.realpath(os.path.join(str(project.root), "evidence"))
    if memo is not None:
        judged_by = (str(project.root), tuple((e.id, e.file, e.audience) for e in project.evidence),
                     tuple((f.id, f.audience) for f in project.findings),
                     tuple(findings_published(project.organisation, a) for a in AUDIENCES))
        if memo.get(None) != judged_by:
            memo.clear()
        memo[None] = judged_by
    kept: dict = {}
    found: list[Diagnostic] = []
    per_audience: dict[str, tuple[Callable[[str], str], list[tuple[str, Redactor]]]] = {}
    for doc, rank in sorted(lowest.items()):
        audience = AUDIENCES[rank]
        if audience == "internal":
            continue
        path = os.path.join(base, doc)
        key = (document_key(path), audience) if memo is not None else None
        hit = memo.get(f"evidence/{doc}") if key is not None and key[0] is not None else None
        if hit is not None and hit[0] == key:
            mine = hit[1]
        else:
            mine = _document_names_withheld(project, doc, audience, path, base, per_audience, limit)
            if key is not None and key[0] is not None:
                hit = (key, mine)
        if hit is not None:
            kept[f"evidence/{doc}"] = hit
        found.extend(mine)
    if memo is not None:  # only the documents of this run: the memo stays as large as the project
        memo.clear()
        memo.update(kept)
        memo[None] = judged_by
    return found


def _document_names_withheld(project: Project, doc: str, audience: str, path: str, base: str,
                             per_audience: dict, limit: int) -> list[Diagnostic]:
    """W110 for one document an ``audience`` sees (``per_audience``: the redactors made so far, by audience)."""
    import os
    import stat

    if audience not in per_audience:
        per_audience[audience] = (audience_redactor(project, audience), [])
    whole, singles = per_audience[audience]
    if not whole:
        return []  # nothing is withheld from this audience
    try:
        if not _real_path(path).startswith(base + os.sep) or not stat.S_ISREG(os.stat(path).st_mode):
            return []
        with open(path, "rb") as fh:
            text = fh.read(limit).decode("utf-8", "replace")
    except (OSError, ValueError):
        return []
    if not whole.may_name(text):  # the common case, decided for the whole document at once
        return []
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if whole(line) == line:
            continue
        for what, column in _named(project, audience, singles, line):
            found.append(Diagnostic(
                f"evidence/{doc}", number, column, "W110",
                f"this {audience} document names {what}, which {audience} builds withhold: the document is "
                "published as written",
                "remove the name from the document, or raise the audience of the records that publish it"))
    return found


def _real_path(path: str) -> str:
    """``os.path.realpath(path)``, its folder resolved once for all the documents in it (``_real_folder``): the
    real folder and the name, unless the name itself is a symlink."""
    import os

    folder, name = os.path.split(path)
    if os.path.islink(path):
        return os.path.realpath(path)
    return os.path.join(_real_folder(folder), name)


@functools.lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    import os

    return os.path.realpath(folder)


def _named(project: Project, audience: str, singles: list[tuple[str, "Redactor"]],
           line: str) -> list[tuple[str, int]]:
    """Which withheld records ``line`` names ("evidence 'X'", "finding 'Y'"), each with the column where it
    first does: one small redactor per record, made the first time a line of a document for ``audience``
    names any."""
    import os

    if not singles:
        rank = audience_rank(audience)
        shown = findings_published(project.organisation, audience)
        visible: set[str] = set()
        hidden: list[tuple[str, set[str]]] = []
        for e in project.evidence:
            if audience_rank(e.audience) <= rank:
                visible |= _evidence_names(e)
            else:
                hidden.append((f"evidence '{e.id}'", _evidence_names(e)))
        for f in project.findings:
            if shown and audience_rank(f.audience) <= rank:
                visible |= _finding_names(f)
            else:
                hidden.append((f"finding '{f.id}'", _finding_names(f)))
        singles.extend((what, Redactor(names - visible, visible)) for what, names in hidden)
    out = []
    for what, one in singles:
        cut = one(line) if one else line
        if cut != line:
            out.append((what, len(os.path.commonprefix([line, cut])) + 1))
    return out


# --------------------------------------------------------------------------- registers (issue 24)

#: the register types whose rows name people, and the column that does
PERSONAL_COLUMNS = {"competence": "person"}


def people_shown(e: Evidence, audience: str) -> bool:
    """Whether a build for ``audience`` shows the names in ``e``'s register: internal builds always, auditor
    builds when the record opts in (``show_people: true``), public builds never."""
    return audience == "internal" or (audience == "auditor" and e.show_people)


def rows_shown(e: Evidence, audience: str) -> bool:
    """Whether a build for ``audience`` shows ``e``'s register row by row: a register naming people shows
    public builds its counts only."""
    return not (e.register in PERSONAL_COLUMNS and audience == "public")


def personal_files(project: Project, audience: str) -> frozenset[str]:
    """The files (relative to evidence/) a build for ``audience`` does not publish, because they are registers
    whose names it may not show: the file holds them as written."""
    return frozenset(e.file for e in project.evidence
                     if e.file and e.register in PERSONAL_COLUMNS and not people_shown(e, audience))


def registers_for(project: Project, audience: str) -> dict[str, Register]:
    """The registers a build for ``audience`` sees, by evidence id, in id order: a withheld record's register is
    not there at all; a register naming people has its names column dropped (rows, columns and the problems
    met in that column) unless ``people_shown``, and no rows or row problems at all unless ``rows_shown``.
    The one place personal data leaves a register: views, exports and the workbook read only what this
    returns."""
    rank = audience_rank(audience)
    records = {e.id: e for e in project.evidence}
    out: dict[str, Register] = {}
    for key in sorted(project.registers):
        reg, e = project.registers[key], records.get(key)
        if e is None or audience_rank(e.audience) > rank:
            continue
        out[key] = _without_people(reg, e, audience)
    return out


def _without_people(reg: Register, e: Evidence, audience: str) -> Register:
    column = PERSONAL_COLUMNS.get(reg.kind)
    if column is None or people_shown(e, audience):
        return reg
    if not rows_shown(e, audience):
        return Register(reg.evidence, reg.kind, reg.file, (), tuple(p for p in reg.problems if p.row is None),
                        tuple(c for c in reg.columns if c != column), reg.sheet)
    named = {r.cells[column] for r in reg.rows if column in r.cells}
    rows = tuple(RegisterRow(r.row, {k: v for k, v in r.values.items() if k != column},
                         {k: v for k, v in r.cells.items() if k != column}) for r in reg.rows)
    problems = tuple(p if p.where not in named else RegisterProblem(p.code, p.row, p.where, WITHHELD, p.severity)
                     for p in reg.problems)
    return Register(reg.evidence, reg.kind, reg.file, rows, problems,
                    tuple(c for c in reg.columns if c != column), reg.sheet)


__all__ = ["Redactor", "redactor", "audience_redactor", "redact_name", "withheld_names_in_documents", "WITHHELD",
           "PERSONAL_COLUMNS", "people_shown", "rows_shown", "personal_files", "registers_for"]
