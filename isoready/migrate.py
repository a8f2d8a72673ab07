"""``isoready migrate --to EDITION``: move a project's YAML to another edition of ISO 9001.

Clause numbers that the 2015 <-> 2026 mapping carries over unambiguously are rewritten (2015 10.3 becomes
2026 10.1); numbers with several possible targets (2015 6.1.2 became 2026 6.1.2 and 6.1.3) are listed for a
person to decide; ``standard:`` is set in content/organisation.yaml.

Only the scalar values that change are edited, in place, by their line and column from the located YAML
(``load.parse_text``): comments, quoting, order and layout stay exactly as they were. Every file is planned
before any is written, and each is written atomically (a temporary file renamed over it), so an interrupted or
refused run never leaves a half-written file.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from .catalog import edition_mapping, load_catalog
from .diagnostics import Diagnostic
from .errors import UsageError
from .load import Loc, YList, YMap, YStr, is_yaml, load_file, walk
from .model import DEFAULT_STANDARD, STANDARDS
from .records import CLAUSES_DIR, EVIDENCE_DIR, FINDINGS_DIR, ORGANISATION_FILE

#: keys whose values are clause numbers, wherever a record holds them
CLAUSE_LIST_KEYS = ("clauses", "covers")
CLAUSE_KEY = "clause"


@dataclass(frozen=True)
class Change:
    loc: Loc  # where the old value sits
    old: str
    new: str
    note: str = ""


@dataclass(frozen=True)
class Undecided:
    loc: Loc
    number: str
    choices: tuple[str, ...]  # the clauses of the new edition to choose from; () when none exists
    why: str


@dataclass
class Plan:
    source: str
    target: str
    changes: list[Change] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # relative path -> new text, for the files that change
    problems: list[Diagnostic] = field(default_factory=list)  # files that cannot be read or parsed

    @property
    def files(self) -> list[str]:
        return sorted(self.texts)


def _project_files(root: Path) -> list[str]:
    """Every YAML file that may hold clause numbers, relative to the root, posix."""
    found = []
    for folder in (EVIDENCE_DIR, CLAUSES_DIR, FINDINGS_DIR):
        found += [p.relative_to(root).as_posix() for p in walk(root / folder) if is_yaml(p.name)]
    return found


def _clause_values(value: Any) -> Iterator[tuple[YStr, Optional[YList]]]:
    """Every scalar in a clause position, with the list holding it: ``clauses:`` and ``covers:`` items, and
    ``clause:`` values (an assessment's; its list is None)."""
    if isinstance(value, YList):
        for item in value:
            yield from _clause_values(item)
    elif isinstance(value, YMap):
        for key, item in value.items():
            if key in CLAUSE_LIST_KEYS and isinstance(item, YList):
                yield from ((x, item) for x in item if isinstance(x, YStr))
            elif key in CLAUSE_LIST_KEYS and isinstance(item, YStr):
                yield item, None
            elif key == CLAUSE_KEY and isinstance(item, YStr):
                yield item, None
            elif isinstance(item, (YMap, YList)):
                yield from _clause_values(item)


def _offset(lines: list[str], loc: Loc) -> int:
    return sum(len(line) for line in lines[:loc.line - 1]) + loc.column - 1


def _token(text: str, start: int, value: str) -> Optional[tuple[int, int, str]]:
    """(start, end, quote) of the scalar ``value`` written at ``start``, or None when it is not written there
    as a plain or single-line quoted scalar (then we do not touch it)."""
    quote = text[start:start + 1]
    if quote in ("'", '"'):
        end = start + 1 + len(value)
        if text[start + 1:end] == value and text[end:end + 1] == quote:
            return start + 1, end, quote
        return None
    end = start + len(value)
    if text[start:end] == value and (end == len(text) or text[end] in " \t\r\n,]}#"):
        return start, end, ""
    return None


_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def _edit(text: str, edits: list[tuple[Loc, str, str]]) -> Optional[str]:
    """``text`` with each (loc, old, new) scalar replaced; None when any is not where the parser said."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""  # the parser's positions do not count it
    text = text[len(bom):]
    lines = _LINE.findall(text)
    spans = []
    for loc, old, new in edits:
        found = _token(text, _offset(lines, loc), old)
        if found is None:
            return None
        spans.append((found[0], found[1], new))
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return bom + text


def _read(root: Path, rel: str, plan: Plan) -> tuple[Optional[str], Any]:
    value, diags = load_file(root / rel, rel)
    if diags and value is None:
        plan.problems.extend(diags)
        return None, None
    return (root / rel).read_bytes().decode("utf-8"), value  # as written: no newline translation


def plan_migration(root: Path, target: str) -> Plan:
    """What ``migrate`` would change, without writing anything."""
    root = Path(root)
    org_rel = ORGANISATION_FILE
    if not (root / org_rel).is_file():
        raise UsageError(f"{root / org_rel} not found: --root must be a project folder (with content/organisation.yaml)")
    if target not in STANDARDS:
        raise UsageError(f"--to must be one of {', '.join(repr(s) for s in STANDARDS)}, not {target!r}")
    plan = Plan(source=DEFAULT_STANDARD, target=target)
    org_text, org = _read(root, org_rel, plan)
    if org_text is None:
        return plan
    standard = org.get("standard") if isinstance(org, YMap) else None
    plan.source = str(standard) if isinstance(standard, YStr) and str(standard) in STANDARDS else DEFAULT_STANDARD
    if plan.source == target:
        return plan
    table = edition_mapping()[(plan.source, target)]
    new_catalog = load_catalog(target)

    def carry(number: str, loc: Loc) -> Optional[str]:
        """The new number, or None (then it is listed as undecided, or needs nothing)."""
        targets = table.get(number)
        if targets is None:
            if number not in new_catalog:  # not a clause of either edition: validation reports it (E201)
                plan.undecided.append(Undecided(loc, number, (), f"{number} is not a clause of {plan.source}"))
            return None
        if len(targets) == 1:
            return targets[0] if targets[0] != number else None
        newer = STANDARDS.index(target) > STANDARDS.index(plan.source)
        why = f"{number} was split in {target}" if newer else f"{number} covers several clauses of {target}"
        plan.undecided.append(Undecided(loc, number, targets, why))
        return None

    edits: dict[str, list[tuple[Loc, str, str]]] = {}
    notes: dict[Loc, str] = {}
    parsed = []
    for rel in _project_files(root):
        text, value = _read(root, rel, plan)
        if text is not None:
            parsed.append((rel, text, list(_clause_values(value))))
    # the clauses assessed today: a rewritten assessment must not make a clause assessed twice (E402)
    assessed = {str(item): item.loc for rel, _, items in parsed if rel.startswith(CLAUSES_DIR + "/")
                for item, within in items if within is None}
    added: dict[int, set[str]] = {}  # per list: the numbers rewriting put in it
    for rel, text, items in parsed:
        for item, within in items:
            new = carry(str(item), item.loc)
            if not new:
                continue
            if within is None and rel.startswith(CLAUSES_DIR + "/"):
                if new in assessed:
                    first = assessed[new]
                    plan.undecided.append(Undecided(item.loc, str(item), (new,), (
                        f"{new} is assessed already ({first.path}:{first.line}): merge this assessment into it, "
                        "then delete this one")))
                    continue
                assessed[new] = item.loc
            elif within is not None:
                seen = added.setdefault(id(within), set())
                if new in seen or new in [str(x) for x in within]:
                    notes[item.loc] = f"{new} is now listed twice: delete one"
                seen.add(new)
            edits.setdefault(rel, []).append((item.loc, str(item), new))
        if rel in edits:
            plan.texts[rel] = text
    # windows: keys in organisation.yaml are clause numbers too
    org_edits: list[tuple[Loc, str, str]] = []
    windows = org.get("windows") if isinstance(org, YMap) else None
    if isinstance(windows, YMap):
        for key in windows:
            loc = windows.key_locs[key]
            new = carry(key, loc)
            if new and new in windows:
                plan.undecided.append(Undecided(loc, key, (new,), f"windows: already has {new}; merge the two"))
            elif new:
                org_edits.append((loc, key, new))
    for rel, items in edits.items():
        changed = _edit(plan.texts[rel], items)
        if changed is None:
            raise UsageError(f"{rel}: a clause number is not written where the YAML parser reports it; "
                             "nothing was changed")
        plan.texts[rel] = changed
        plan.changes.extend(Change(loc, old, new, notes.get(loc, "")) for loc, old, new in items)
    plan.changes.extend(Change(loc, old, new) for loc, old, new in org_edits)
    plan.texts[org_rel] = _set_standard(org_text, org, org_edits, target, org_rel)
    return plan


def _set_standard(text: str, org: Any, edits: list[tuple[Loc, str, str]], target: str, rel: str) -> str:
    standard = org.get("standard") if isinstance(org, YMap) else None
    if isinstance(standard, YStr):
        edits = [*edits, (org.locs["standard"], str(standard), target)]
    changed = _edit(text, edits)
    if changed is None:
        raise UsageError(f"{rel}: a value is not written where the YAML parser reports it; nothing was changed")
    if isinstance(standard, YStr):
        return changed
    # no standard: key yet: add one line before the first key, so the comments above it stay where they are
    if not isinstance(org, YMap) or not org.key_locs:
        raise UsageError(f"{rel} holds no settings; add standard: \"{target}\" by hand")
    first = min(org.key_locs.values(), key=lambda loc: (loc.line, loc.column))
    if first.column != 1:
        raise UsageError(f"{rel}: its settings are not a block mapping; add standard: \"{target}\" by hand")
    bom = "\ufeff" if changed.startswith("\ufeff") else ""
    lines = _LINE.findall(changed[len(bom):])
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    lines.insert(first.line - 1, f'standard: "{target}"{newline}')
    return bom + "".join(lines)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder, renamed over it."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def apply(root: Path, plan: Plan) -> None:
    for rel in plan.files:
        write_atomically(Path(root) / rel, plan.texts[rel])


def _other(target: str) -> str:
    return next(s for s in STANDARDS if s != target)


def describe_choices(u: Undecided, target: str) -> str:
    if not u.choices:
        return f"{u.why}: fix it by hand (isoready validate shows it)"
    if u.number not in edition_mapping()[(_other(target), target)] or len(u.choices) == 1:
        return u.why
    catalog = load_catalog(target)
    named = [f"{n} ({catalog[n].name})" if n in catalog else n for n in u.choices]
    return f"{u.why}: choose {', '.join(named[:-1])} or {named[-1]}, or map the record to several"


def report(plan: Plan) -> list[str]:
    """The lines ``migrate`` prints: each change, each undecided value, then a summary line."""
    lines = [f"{c.loc.path}:{c.loc.line}:{c.loc.column}: {c.old} -> {c.new}" + (f" ({c.note})" if c.note else "")
             for c in sorted(plan.changes, key=lambda c: (c.loc.path, c.loc.line, c.loc.column))]
    lines += [f"{u.loc.path}:{u.loc.line}:{u.loc.column}: {u.number} undecided: {describe_choices(u, plan.target)}"
              for u in sorted(plan.undecided, key=lambda u: (u.loc.path, u.loc.line, u.loc.column))]
    rewritten = len(plan.changes)
    files = len([f for f in plan.files if f != ORGANISATION_FILE or any(c.loc.path == f for c in plan.changes)])
    summary = (f"migrated from {plan.source} to {plan.target}: {rewritten} clause number"
               f"{'' if rewritten == 1 else 's'} rewritten in {files} file{'' if files == 1 else 's'}, standard set "
               f"in {ORGANISATION_FILE}")
    if plan.undecided:
        summary += f"; {len(plan.undecided)} left for you to decide (listed above)"
    lines.append(summary)
    return lines


def migrate(root: Path, target: str) -> tuple[int, list[str]]:
    """Plan, write, and say what happened: (exit code, lines to print). Exit 1 when anything is undecided or a
    file cannot be read; nothing is written when a file cannot be read or parsed."""
    plan = plan_migration(root, target)
    if plan.problems:
        return 1, [d.format() for d in sorted(plan.problems)] + [
            "migrate stopped: fix the files above first (isoready validate); nothing was changed"]
    if plan.source == target:
        return 0, [f"already on {target}: nothing to do (isoready validate lists anything left to decide)"]
    apply(root, plan)
    return (1 if plan.undecided else 0), report(plan)
