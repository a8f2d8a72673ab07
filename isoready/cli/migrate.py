"""``isoready migrate --to EDITION``: move a project's YAML to another edition of ISO 9001.

Clause numbers that the 2015 <-> 2026 mapping carries over unambiguously are rewritten (2015 10.3 becomes
2026 10.1); numbers with several possible targets (2015 6.1.2 became 2026 6.1.2 and 6.1.3) are listed for a
person to decide; ``standard:`` is set in content/organisation.yaml. Clause entries nobody has worked on
(``UNTOUCHED_KEYS``, ``UNTOUCHED_STATUSES``, as ``init`` writes them) are merged (an untouched 10.3 entry beside
an untouched 10.1 one is removed) or split (an untouched 6.1.2 entry gets a 6.1.3 entry beside it) by migrate.

Only the scalar values that change are edited, in place, by the span the YAML parser gives their node (start
and end index of its event, computed on exactly the text that is rewritten): comments, quoting, order and
layout stay exactly as they were, whatever line breaks (CRLF, U+0085, U+2028, U+2029) or look-alike text a
comment holds. Each new text is parsed again and must give the same data but for the values migrated, or the
file is refused. Every file is planned before any is written, then all are written or none: each new text
goes to a temporary file beside its file, and only when all are staged are they renamed into place (a failed
rename puts back those already renamed).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from isoready.read.catalog import edition_mapping, load_catalog, load_topics
from isoready.core.diagnostics import Diagnostic
from isoready.core.errors import UsageError
from isoready.core.load import NULL_WORDS, Loc, decode, is_yaml, parse_text, read_bytes, walk
from isoready.model import DEFAULT_STANDARD, STANDARDS
from isoready.read.records import CLAUSES_DIR, EVIDENCE_DIR, FINDINGS_DIR, ORGANISATION_FILE

#: keys whose values are clause numbers, wherever a record holds them
CLAUSE_LIST_KEYS = ("clauses", "covers")
#: a register record's ``columns:`` (canonical column -> the header in its file): its keys may be ``covers`` or
#: ``clause`` and its values are a spreadsheet's headers, so migrate never reads it for clause numbers
REGISTER_HEADERS_KEY = "columns"
CLAUSE_KEY = "clause"

BOM = "\ufeff"
#: an anchor or tag written before a scalar on its line: the node's span starts there, the scalar after it
_PROPERTIES = re.compile(r"(?:[&!][^ \t\r\n]*[ \t]+)+")


@dataclass(frozen=True)
class Change:
    loc: Loc  # where the old value sits
    old: str
    new: str
    note: str = ""
    #: rewritten (the value now says new); merged (an untouched clause entry removed: one of new has the same
    #: status); added (an untouched clause entry of a split clause: an entry of new added beside it)
    kind: str = "rewritten"


@dataclass(frozen=True)
class Undecided:
    loc: Loc
    number: str
    choices: tuple[str, ...]  # the clauses of the new edition to choose from; () when none exists
    why: str
    entry: bool = False  # the value is a clause entry's clause: (not a record's clauses: list)


@dataclass
class Plan:
    source: str
    target: str
    changes: list[Change] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # relative path -> new text, for the files that change
    problems: list[Diagnostic] = field(default_factory=list)  # files that cannot be read or parsed
    originals: dict[str, bytes] = field(default_factory=dict)  # relative path -> the bytes the plan was made from
    migrated: Optional[date] = None  # the day written as migrated: in organisation.yaml (None: not written)

    @property
    def files(self) -> list[str]:
        return sorted(self.texts)


@dataclass
class _Source:
    """One YAML file as read: its bytes, its text (without a byte order mark) and the parser's node tree of
    exactly that text."""

    rel: str
    data: bytes
    bom: str
    text: str
    node: Optional[Node]


class MigrateFailed(Exception):
    """A file could not be written; every file was left as it was."""

    def __init__(self, rel: str, reason: str) -> None:
        super().__init__(f"{rel}: {reason}")
        self.rel, self.reason = rel, reason


def _project_files(root: Path) -> list[str]:
    """Every YAML file that may hold clause numbers, relative to the root, posix."""
    found = []
    for folder in (EVIDENCE_DIR, CLAUSES_DIR, FINDINGS_DIR):
        found += [p.relative_to(root).as_posix() for p in walk(root / folder) if is_yaml(p.name)]
    return found


def _loc(rel: str, node: Node) -> Loc:
    return Loc(rel, node.start_mark.line + 1, node.start_mark.column + 1)


def _is_text(node: Node) -> bool:
    """A scalar that the loader reads as text (not a null)."""
    return isinstance(node, ScalarNode) and not (not node.style and node.value in NULL_WORDS)


def _pairs(node: Node) -> Iterator[tuple[str, Node, Node]]:
    """(key, key node, value node) of a mapping node whose keys are scalars."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                yield key.value, key, value


def _clause_values(node: Node, seen: Optional[set[int]] = None) -> Iterator[tuple[ScalarNode, Optional[SequenceNode]]]:
    """Every scalar node in a clause position, with the list holding it: ``clauses:`` and ``covers:`` items, and
    ``clause:`` values (an assessment's; its list is None). A node an alias repeats is visited once."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, SequenceNode):
        for item in node.value:
            yield from _clause_values(item, seen)
    elif isinstance(node, MappingNode):
        for key, _, item in _pairs(node):
            if key == REGISTER_HEADERS_KEY:  # a register's column -> header map: headers, never clause numbers
                continue
            if key in CLAUSE_LIST_KEYS and isinstance(item, SequenceNode):
                for x in item.value:
                    if _is_text(x) and id(x) not in seen:
                        seen.add(id(x))
                        yield x, item
            elif key in CLAUSE_LIST_KEYS + (CLAUSE_KEY,) and _is_text(item):
                if id(item) not in seen:
                    seen.add(id(item))
                    yield item, None
            elif isinstance(item, (MappingNode, SequenceNode)):
                yield from _clause_values(item, seen)


def _compose(text: str, rel: str) -> tuple[Optional[Node], list[Diagnostic]]:
    """The node tree of ``text``, whose marks index ``text`` itself (the pure-Python parser counts in
    characters of the string it is given)."""
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node(), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = (exc.problem or exc.context or "syntax error").strip()
        return None, [Diagnostic(rel, line, col, "E102", f"malformed YAML: {problem}",
                                 "check indentation, colons and quotes")]
    except yaml.YAMLError as exc:
        first = (str(exc).splitlines() or ["syntax error"])[0]
        return None, [Diagnostic(rel, 1, 1, "E102", f"malformed YAML: {first}", "")]
    finally:
        loader.dispose()


def _read(root: Path, rel: str, plan: Plan) -> Optional[_Source]:
    """The file as read, or None (with its diagnostics in ``plan.problems``) when it cannot be read or parsed."""
    data, diags = read_bytes(root / rel, rel)
    text = None
    if data is not None:
        text, diags = decode(data, rel)
    if text is not None:
        value, diags = parse_text(text, rel)  # the validator's own checks and messages
        if value is None and diags:
            text = None
    if text is None or data is None:
        plan.problems.extend(diags)
        return None
    node, diags = _compose(text, rel)
    if diags:
        plan.problems.extend(diags)
        return None
    return _Source(rel, data, BOM if data.startswith(BOM.encode("utf-8")) else "", text, node)


def _scalar(style: Optional[str], value: str) -> Optional[str]:
    """``value`` written as a scalar in ``style``; None for block styles (| and >), which are not edited."""
    if not style:
        return value
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return None


def _shape(node: Optional[Node], new: dict[int, str], memo: Optional[dict[int, Any]] = None,
           dropped: frozenset = frozenset(), after: Optional[dict[int, tuple]] = None) -> Any:
    """The data a node tree holds (values, keys in order), with the scalars in ``new`` replaced, the list
    items in ``dropped`` (node ids) left out and the shapes in ``after`` (node id -> shapes) put after theirs."""
    after = after or {}
    memo = {} if memo is None else memo
    if node is None:
        return None
    if id(node) in memo:
        return memo[id(node)]
    if isinstance(node, ScalarNode):
        shape: Any = ("scalar", new.get(id(node), node.value), bool(node.style))
    elif isinstance(node, SequenceNode):
        shape = ("list", tuple(y for x in node.value if id(x) not in dropped
                               for y in (_shape(x, new, memo, dropped, after), *after.get(id(x), ()))))
    else:
        shape = ("map", tuple((_shape(k, new, memo, dropped, after), _shape(v, new, memo, dropped, after))
                              for k, v in node.value))
    memo[id(node)] = shape
    return shape


def _rewrite(src: _Source, edits: list[tuple[ScalarNode, str]], insert: Optional[tuple[int, str]] = None,
             inserted: Any = None, drops: Sequence[tuple[Node, tuple[int, int]]] = (),
             adds: Sequence[tuple[Node, int, str, Any]] = ()) -> str:
    """``src``'s text with each scalar node's value replaced, in its own span and quoting style; ``insert``
    (index, text) adds text there. The result is parsed again: it must hold the same data, but for the values
    replaced (and ``inserted``, the shape the insertion adds at the start of the root mapping)."""
    text = src.text
    spans: dict[tuple[int, int], str] = {}
    for node, new in edits:
        start, end = node.start_mark.index, node.end_mark.index
        props = _PROPERTIES.match(text, start, end)
        if props:
            start = props.end()
        written = _scalar(node.style, new)
        where = f"{src.rel}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
        if written is None:
            raise UsageError(f"{where}: the clause number {node.value} is written as a block scalar (| or >); "
                             "write it as plain or quoted text and run migrate again; nothing was changed")
        spans[(start, end)] = written
    for _, span in drops:  # a whole list item, by its lines (``_entry_lines``)
        spans[span] = ""
    for _, at_index, added_text, _ in adds:  # a new list item after another (its lines' end)
        spans[(at_index, at_index)] = added_text
    pieces, at = [], 0
    for (start, end), written in sorted(spans.items()):
        if start < at:
            raise UsageError(f"{src.rel}: two values overlap; nothing was changed")
        pieces += [text[at:start], written]
        at = end
    pieces.append(text[at:])
    changed = "".join(pieces)
    if insert is not None:
        changed = changed[:insert[0]] + insert[1] + changed[insert[0]:]
    node, diags = _compose(changed, src.rel)
    after: dict[int, tuple] = {}
    for entry, _, _, shape in adds:
        after[id(entry)] = (*after.get(id(entry), ()), shape)
    expected = _shape(src.node, {id(n): new for n, new in edits}, dropped=frozenset(id(n) for n, _ in drops),
                      after=after)
    if inserted is not None and expected and expected[0] == "map":
        expected = ("map", (*inserted, *expected[1]))
    if diags or _shape(node, {}) != expected:
        raise UsageError(f"{src.rel}: migrating it would change more than the clause numbers (the YAML is written "
                         "in a way migrate cannot edit safely); nothing was changed")
    return src.bom + changed


#: a clause entry that holds nothing but these keys, with one of these statuses, is untouched: the register
#: lists it, nobody has worked on it; two such entries of one new clause are merged by migrate
UNTOUCHED_KEYS = ("clause", "status")
UNTOUCHED_STATUSES = ("not-started", "planned")
_LINE_END = re.compile(r"[ \t]*(?:#[^\r\n\x85\u2028\u2029]*)?(?:\r\n|[\r\n\x85\u2028\u2029]|\Z)")


def _entries(node: Optional[Node]) -> dict[int, tuple[MappingNode, SequenceNode]]:
    """A clauses file's ``clause:`` value nodes (by id) -> their clause entry and the list holding it."""
    found = {}
    if isinstance(node, SequenceNode):
        for item in node.value:
            for key, _, value in _pairs(item):
                if key == CLAUSE_KEY:
                    found[id(value)] = (item, node)
    return found


def _untouched(entry: MappingNode) -> Optional[str]:
    """The status of an untouched clause entry (see UNTOUCHED_KEYS), or None."""
    pairs = list(_pairs(entry))
    if len(pairs) != len(entry.value) or any(key not in UNTOUCHED_KEYS for key, _, _ in pairs):
        return None
    status = [v.value for key, _, v in pairs if key == "status" and isinstance(v, ScalarNode)]
    return status[0] if len(status) == 1 and status[0] in UNTOUCHED_STATUSES else None


def _entry_lines(text: str, entry: MappingNode, within: SequenceNode) -> Optional[tuple[int, int]]:
    """The span of whole lines a block list item takes (from its '-' to the end of its last line, a comment
    there included), or None when it shares a line with anything else or is the list's only item."""
    if within.flow_style or entry.flow_style or len(within.value) < 2 or not entry.value:
        return None
    mark = entry.start_mark
    start = mark.index - mark.column
    if not re.fullmatch(r"[ \t]*-[ \t]+", text[start:mark.index]):
        return None
    last = entry.value[-1][1]
    end = _LINE_END.match(text, last.end_mark.index)
    if end is None:
        return None
    after = within.value.index(entry) + 1
    if after < len(within.value) and within.value[after].start_mark.index < end.end():
        return None
    return start, end.end()


def _split_entry(src: _Source, item: ScalarNode, loc: Loc, targets: tuple[str, ...], entries: dict,
                 assessed: dict, adds: list, plan: Plan) -> bool:
    """An untouched clause entry of a clause the new edition split: it stays on the clause of the same number,
    and each other clause of the split gets an entry of its own with the same status, after it (True). False
    (the person decides) when the entry was worked on, holds no clause of the same number, or another clause
    of the split has an entry already."""
    entry = entries.get(id(item))
    status = _untouched(entry[0]) if entry else None
    span = _entry_lines(src.text, *entry) if status else None
    others = [t for t in targets if t != item.value]
    if not span or item.value not in targets or len(others) != 1 or others[0] in assessed:
        return False  # a split into three is left to the person too
    mark = entry[0].start_mark
    lead = src.text[mark.index - mark.column:mark.index]
    newline = "\r\n" if "\r\n" in src.text else "\n"
    before = "" if src.text[span[1] - 1:span[1]] in ("\n", "\r", "\x85", "\u2028", "\u2029") else newline
    text = before + "".join(f'{lead}clause: "{t}"{newline}{" " * mark.column}status: {status}{newline}'
                            for t in others)
    shapes = tuple(("map", ((("scalar", "clause", False), ("scalar", t, True)),
                            (("scalar", "status", False), ("scalar", status, False)))) for t in others)
    adds.append((entry[0], span[1], text, shapes[0]))
    assessed[others[0]] = (loc, None)
    plan.changes.append(Change(loc, item.value, others[0], f"split: a clause entry of {others[0]} added after "
                               f"this one, {status} as it is", kind="added"))
    return True


def plan_migration(root: Path, target: str, day: Optional[date] = None) -> Plan:
    """What ``migrate`` would change, without writing anything. ``day``: the date to record as ``migrated:``
    in organisation.yaml (evidence for the edition's new requirements counts when dated after it)."""
    root = Path(root)
    org_rel = ORGANISATION_FILE
    if not (root / org_rel).is_file():
        raise UsageError(f"{root / org_rel} not found: --root must be a project folder (with content/organisation.yaml)")
    editions = _editions()
    if target not in editions:
        raise UsageError(f"--to must be one of {', '.join(repr(s) for s in editions)}, not {target!r}")
    plan = Plan(source=DEFAULT_STANDARD, target=target)
    org = _read(root, org_rel, plan)
    if org is None:
        return plan
    standards = [v for key, _, v in _pairs(org.node) if key == "standard"] if org.node is not None else []
    standard = standards[-1] if standards else None  # a repeated key (E107): the last one counts
    plan.source = (standard.value if isinstance(standard, ScalarNode) and standard.value in STANDARDS
                   else DEFAULT_STANDARD)
    if plan.source == target:
        return plan
    if (plan.source, target) not in edition_mapping():
        raise UsageError(f"this project follows {plan.source}: migrate moves a project between editions of one "
                         f"standard, and there is no mapping from {plan.source} to {target}")
    table = edition_mapping()[(plan.source, target)]
    new_catalog = load_catalog(target)

    def carry(number: str, loc: Loc, split_entry: Optional[Callable[[tuple[str, ...]], bool]] = None
              ) -> Optional[str]:
        """The new number, or None (then it is listed as undecided, or needs nothing). ``split_entry``: for a
        clause entry, tries to give each clause of a split its own entry (True when done)."""
        targets = table.get(number)
        if targets is None:
            if number not in new_catalog:  # not a clause of either edition: validation reports it (E201)
                plan.undecided.append(Undecided(loc, number, (), f"{number} is not a clause of {plan.source}"))
            return None
        if len(targets) == 1:
            return targets[0] if targets[0] != number else None
        if split_entry is not None and split_entry(targets):
            return None
        newer = editions.index(target) > editions.index(plan.source)
        why = f"{number} was split in {target}" if newer else f"{number} covers several clauses of {target}"
        plan.undecided.append(Undecided(loc, number, targets, why, entry=split_entry is not None))
        return None

    parsed: list[tuple[_Source, list[tuple[ScalarNode, Optional[SequenceNode]]]]] = []
    for rel in _project_files(root):
        src = _read(root, rel, plan)
        if src is not None and src.node is not None:
            parsed.append((src, list(_clause_values(src.node))))
    if plan.problems:
        return plan
    # the clauses assessed today: a rewritten assessment must not make a clause assessed twice (E402)
    entries = {k: v for src, _ in parsed if src.rel.startswith(CLAUSES_DIR + "/")
               for k, v in _entries(src.node).items()}
    assessed = {item.value: (_loc(src.rel, item), entries.get(id(item))) for src, items in parsed
                if src.rel.startswith(CLAUSES_DIR + "/") for item, within in items if within is None}
    added: dict[int, set[str]] = {}  # per list: the numbers rewriting put in it
    for src, items in parsed:
        edits: list[tuple[ScalarNode, str]] = []
        drops: list[tuple[Node, tuple[int, int]]] = []
        adds: list[tuple[Node, int, str, Any]] = []
        for item, within in items:
            loc = _loc(src.rel, item)
            is_entry = within is None and src.rel.startswith(CLAUSES_DIR + "/")
            new = carry(item.value, loc, (lambda targets, item=item, loc=loc, src=src, adds=adds:
                                          _split_entry(src, item, loc, targets, entries, assessed, adds, plan))
                        if is_entry else None)
            if not new:
                continue
            note = ""
            if within is None and src.rel.startswith(CLAUSES_DIR + "/"):
                if new in assessed:
                    first, kept = assessed[new]
                    mine = entries.get(id(item))
                    status = _untouched(mine[0]) if mine else None
                    span = _entry_lines(src.text, *mine) if mine and status else None
                    if span and kept and _untouched(kept[0]) in (status, "planned"):  # planned keeps planned
                        # both untouched: this entry says nothing the kept one does not; merged by removing it
                        drops.append((mine[0], span))
                        plan.changes.append(Change(loc, item.value, new, (
                            f"merged into the clause entry of {new} ({first.path}:{first.line}): both {status}, "
                            "this clause entry removed"), kind="merged"))
                        continue
                    plan.undecided.append(Undecided(loc, item.value, (new,), (
                        f"{new} has a clause entry already ({first.path}:{first.line}): merge this clause entry "
                        "into it, then delete this one")))
                    continue
                assessed[new] = (loc, entries.get(id(item)))
            elif within is not None:
                seen = added.setdefault(id(within), set())
                if new in seen or new in [x.value for x in within.value if isinstance(x, ScalarNode)]:
                    note = f"{new} is now listed twice: delete one"
                seen.add(new)
            edits.append((item, new))
            plan.changes.append(Change(loc, item.value, new, note))
        if edits or drops or adds:
            plan.texts[src.rel] = _rewrite(src, edits, drops=drops, adds=adds)
            plan.originals[src.rel] = src.data
    # windows: keys in organisation.yaml are clause numbers too
    org_edits: list[tuple[ScalarNode, str]] = []
    windows = [v for key, _, v in _pairs(org.node) if key == "windows"]
    if windows:
        keys = {key for key, _, _ in _pairs(windows[-1])}
        for key, key_node, _ in _pairs(windows[-1]):
            loc = _loc(org_rel, key_node)
            new = carry(key, loc)
            if new and new in keys:
                plan.undecided.append(Undecided(loc, key, (new,), f"windows: already has {new}; merge the two"))
            elif new:
                org_edits.append((key_node, new))
                plan.changes.append(Change(loc, key, new))
    # the day of the move matters only for the new edition's new requirements (assess: new-requirement-unevidenced)
    new_edition = target == load_topics().standard
    plan.texts[org_rel] = _set_standard(org, standards, org_edits, target, day if new_edition else None, plan)
    plan.originals[org_rel] = org.data
    return plan


def _set_standard(org: _Source, standards: list[Node], edits: list[tuple[ScalarNode, str]], target: str,
                  day: Optional[date] = None, plan: Optional[Plan] = None) -> str:
    rel = org.rel
    keys = [key_node for _, key_node, _ in _pairs(org.node)]
    block = isinstance(org.node, MappingNode) and bool(keys) and not org.node.flow_style and \
        keys[0].start_mark.column == 0
    newline = "\r\n" if "\r\n" in org.text else "\n"
    lines, inserted = [], []  # lines added before the first key, so the comments above it stay where they are
    if standards:
        if not all(_is_text(s) and _scalar(s.style, target) is not None for s in standards):
            line = standards[-1].start_mark.line + 1
            raise UsageError(f"{rel}:{line}: standard: is not a single line of text; set it to \"{target}\" by hand")
        edits = [*edits, *((s, target) for s in standards)]
    else:
        if not isinstance(org.node, MappingNode) or not keys:
            raise UsageError(f"{rel} holds no settings; add standard: \"{target}\" by hand")
        if not block:
            raise UsageError(f"{rel}: its settings are not a block mapping; add standard: \"{target}\" by hand")
        lines.append(f'standard: "{target}"{newline}')
        inserted.append((("scalar", "standard", False), ("scalar", target, True)))
    if day is not None:  # the day of the move, so evidence for the new requirements is judged against it
        written = [v for key, _, v in _pairs(org.node) if key == "migrated"]
        if written and all(_is_text(v) and _scalar(v.style, day.isoformat()) is not None for v in written):
            edits = [*edits, *((v, day.isoformat()) for v in written)]
        elif not written and block:
            lines.append(f"migrated: {day.isoformat()}{newline}")
            inserted.append((("scalar", "migrated", False), ("scalar", day.isoformat(), False)))
        else:
            day = None  # written in a way migrate cannot edit safely: the report says to record it by hand
        if plan is not None:
            plan.migrated = day
    if not lines:
        return _rewrite(org, edits)
    first = keys[0].start_mark
    return _rewrite(org, edits, insert=(first.index - first.column, "".join(lines)), inserted=tuple(inserted))


def _stage(path: Path, rel: str, text: str, original: bytes) -> tuple[str, str]:
    """A temporary file holding ``text`` beside ``path``, and a hard link (or copy) of the original, to put
    back should a later rename fail. Refuses a file that is a link, read-only, or changed since it was read."""
    st = os.lstat(path)
    if not os.path.isfile(path) or os.path.islink(path):
        raise MigrateFailed(rel, "not a regular file (a symbolic link?); migrate edits only regular files")
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise MigrateFailed(rel, "the file is read-only; make it writable to migrate it")
    if path.read_bytes() != original:
        raise MigrateFailed(rel, "the file changed while migrate ran; run migrate again")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".migrate", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, st.st_mode & 0o7777)
        backup = tmp[:-len(".migrate")] + ".orig"
        try:
            os.link(path, backup)
        except OSError:  # a file system without hard links: a copy of the bytes read
            with open(backup, "xb") as fh:
                fh.write(original)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp, backup


def _remove(*paths: str) -> None:
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass


def apply(root: Path, plan: Plan) -> list[str]:
    """Write every file of the plan, or none: stage them all, then rename them into place. Raises MigrateFailed,
    naming the file, with every file as it was."""
    staged: list[tuple[str, Path, str, str]] = []
    rel = ""
    try:
        try:
            for rel in plan.files:
                path = Path(root) / rel
                staged.append((rel, path, *_stage(path, rel, plan.texts[rel], plan.originals[rel])))
        except OSError as exc:
            raise MigrateFailed(rel, exc.strerror or str(exc))
        done: list[tuple[str, Path, str, str]] = []
        try:
            for item in staged:
                rel = item[0]
                os.replace(item[2], item[1])
                done.append(item)
        except OSError as exc:
            for _, path, _, backup in reversed(done):
                os.replace(backup, path)
            raise MigrateFailed(rel, exc.strerror or str(exc))
    finally:
        for _, _, tmp, backup in staged:
            _remove(tmp, backup)
    return plan.files


def _editions() -> tuple[str, ...]:
    """The editions migrate moves between: those a standard package maps to another, oldest first."""
    return tuple(dict.fromkeys(s for pair in edition_mapping() for s in pair))


def _other(target: str) -> str:
    """The edition a target edition is mapped from (its package's other edition)."""
    return next(source for source, to in edition_mapping() if to == target)


def describe_choices(u: Undecided, target: str) -> str:
    if not u.choices:
        return f"{u.why}: fix it by hand (isoready validate shows it)"
    if u.number not in edition_mapping()[(_other(target), target)] or len(u.choices) == 1:
        return u.why
    catalog = load_catalog(target)
    named = [f"{n} ({catalog[n].name})" if n in catalog else n for n in u.choices]
    if u.entry:
        return f"{u.why}: choose {', '.join(named[:-1])} or {named[-1]}, or give each its own clause entry"
    return f"{u.why}: choose {', '.join(named[:-1])} or {named[-1]}, or map the record to several"


def report(plan: Plan) -> list[str]:
    """The lines ``migrate`` prints: each change, each undecided value, each file changed, then a summary."""
    lines = [f"{c.loc.path}:{c.loc.line}:{c.loc.column}: {c.old} -> {c.new}" + (f" ({c.note})" if c.note else "")
             if c.kind == "rewritten" else f"{c.loc.path}:{c.loc.line}:{c.loc.column}: {c.old} {c.note}"
             for c in sorted(plan.changes, key=lambda c: (c.loc.path, c.loc.line, c.loc.column))]
    lines += [f"{u.loc.path}:{u.loc.line}:{u.loc.column}: {u.number} undecided: {describe_choices(u, plan.target)}"
              for u in sorted(plan.undecided, key=lambda u: (u.loc.path, u.loc.line, u.loc.column))]
    lines += [f"changed {rel}" for rel in plan.files]
    rewritten = len([c for c in plan.changes if c.kind == "rewritten"])
    entries = [f"{n} clause entr{'y' if n == 1 else 'ies'} {kind}" for kind in ("merged", "added")
               for n in [len([c for c in plan.changes if c.kind == kind])] if n]
    files = len([f for f in plan.files if f != ORGANISATION_FILE or any(c.loc.path == f for c in plan.changes)])
    done = f"{rewritten} clause number{'' if rewritten == 1 else 's'} rewritten"
    if entries:
        done = ", ".join([done, *entries[:-1]]) + " and " + entries[-1]
    summary = (f"migrated from {plan.source} to {plan.target}: {done} in {files} file{'' if files == 1 else 's'}, "
               f"standard set in {ORGANISATION_FILE}")
    if plan.migrated:
        summary += f", migrated: {plan.migrated} recorded"
    if plan.undecided:
        summary += f"; {len(plan.undecided)} left for you to decide (listed above)"
    lines.append(summary)
    return lines


def migrate(root: Path, target: str, day: Optional[date] = None) -> tuple[int, list[str]]:
    """Plan, write, and say what happened: (exit code, lines to print). Exit 1 when anything is undecided or a
    file cannot be read or written; nothing is written when any file cannot be read, parsed or written.
    ``day``: recorded as ``migrated:`` in organisation.yaml (the CLI passes the as-of date)."""
    plan = plan_migration(root, target, day)
    if plan.problems:
        return 1, [d.format() for d in sorted(plan.problems)] + [
            "migrate stopped: fix the files above first (isoready validate); nothing was changed"]
    if plan.source == target:
        return 0, [f"already on {target}: no file needed changing (isoready validate lists anything left to "
                   "decide)"]
    try:
        apply(root, plan)
    except MigrateFailed as exc:
        return 1, [f"migrate stopped: cannot write {exc.rel}: {exc.reason}; nothing was changed"]
    return (1 if plan.undecided else 0), report(plan)
