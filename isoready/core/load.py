"""Stage 1, load: YAML files become plain values that remember where they came from.

Every scalar is kept as the text written (``8.30`` stays ``"8.30"``, dates stay
text until the model reads them), so nothing the user wrote is reinterpreted by
YAML's implicit typing. Mappings and lists keep the position of each value.

We build values straight from the libyaml event stream, in one pass, which lets
us refuse hostile input before it costs memory: too large, nested too deep,
aliases that expand too far (the "billion laughs"). Nothing here raises for a
user's mistake; problems come back as diagnostics.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any, NamedTuple, Union

import yaml
from yaml.events import (AliasEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent, ScalarEvent,
                         SequenceEndEvent, SequenceStartEvent, StreamEndEvent)
from yaml.reader import ReaderError

from isoready.core.diagnostics import Diagnostic

try:  # the C loader is ~5x faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the machine
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 200_000

NULL_WORDS = {"", "~", "null", "Null", "NULL"}


class Loc(NamedTuple):
    """Where a value sits: 1-based line and column (a tuple: one is made for every YAML node)."""

    path: str
    line: int
    column: int


class YStr(str):
    """Text from YAML, with its position; ``plain`` is False when it was quoted or a block."""

    loc: Loc
    plain: bool = True  # set on the text only when False: most values are plain (parse_text)

    def __new__(cls, value: str, loc: Loc, plain: bool = True) -> "YStr":
        obj = super().__new__(cls, value)
        obj.loc = loc
        if not plain:
            obj.plain = plain
        return obj

    def __reduce__(self) -> tuple:  # the build cache pickles parsed trees
        return (YStr, (str(self), self.loc, self.plain))


class YMap(dict):
    """A mapping from YAML: ``locs[key]`` is where the value sits, ``key_locs[key]`` the key."""

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.locs: dict[str, Loc] = {}
        self.key_locs: dict[str, Loc] = {}

    def loc_of(self, key: str) -> Loc:
        return self.locs.get(key, self.loc)


class YList(list):
    """A list from YAML: ``locs[i]`` is where item i sits."""

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.locs: list[Loc] = []

    def loc_of(self, index: int) -> Loc:
        return self.locs[index] if index < len(self.locs) else self.loc


Value = Union[YStr, YMap, YList, None]


class _Refused(Exception):
    def __init__(self, diag: Diagnostic) -> None:
        self.diag = diag


def parse_text(text: str, path: str, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> tuple[Value, list[Diagnostic]]:
    """Parse one YAML document into located values. Returns (value, diagnostics). The loop runs once per YAML
    event (175,000 at 10,000 records): a value under a key or in a list is placed without a call (``attach``)."""

    def loc(event: Any) -> Loc:
        return Loc(path, event.start_mark.line + 1, event.start_mark.column + 1)

    stack: list[list[Any]] = []  # frames: [container, pending_key_or_None, expecting_key(bool), ...]
    anchors: dict[str, tuple[Any, int]] = {}
    nodes = 0
    root: Value = None
    have_root = False
    diags: list[Diagnostic] = []

    def attach(value: Any, where: Loc, size: int, anchor: str | None) -> None:
        nonlocal root, have_root
        if anchor:
            anchors[anchor] = (value, size)
        if not stack:
            if have_root:
                raise _Refused(Diagnostic(path, where.line, where.column, "E102",
                                          "more than one YAML document in the file",
                                          "keep one document per file; remove the '---' separator"))
            root, have_root = value, True
            return
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, YList):
            container.append(value)
            container.locs.append(where)
            return
        if frame[2]:  # this value is a key
            if not isinstance(value, YStr) and value is not None:
                raise _Refused(Diagnostic(path, where.line, where.column, "E106",
                                          "a mapping key must be plain text", "write the key as a word"))
            key = "" if value is None else str(value)
            if key in container:
                diags.append(_duplicate_key(where, key, container.key_locs[key]))
            frame[1] = (key, where)
            frame[2] = False
        else:
            key, key_loc = frame[1]
            container[key] = value
            container.locs[key] = where
            container.key_locs.setdefault(key, key_loc)  # a repeated key (E107) keeps naming the first
            frame[2] = True

    loader = _Loader(text)
    get_event = loader.get_event  # straight from libyaml: no generator, no check_event per event
    make_loc, make_str = tuple.__new__, str.__new__  # Loc(...) and YStr(...) without a Python-level __new__
    null_words = NULL_WORDS
    frame: Any = None  # stack[-1], or None at the top
    try:
        while True:
            event = get_event()
            kind = event.__class__
            if kind is ScalarEvent:
                nodes += 1
                mark = event.start_mark
                where = make_loc(Loc, (path, mark.line + 1, mark.column + 1))
                value = event.value
                if frame is not None and frame[2] and not frame[6] and not event.anchor and \
                        (event.style or value not in null_words):  # a key, kept as plain text
                    if value in frame[0]:
                        diags.append(_duplicate_key(where, value, frame[0].key_locs[value]))
                    frame[1] = (value, where)
                    frame[2] = False
                else:
                    if event.style:  # quoted or a block (libyaml says '' for plain, pure Python None)
                        value = make_str(YStr, value)
                        value.loc = where
                        value.plain = False
                    elif value in null_words:
                        value = None
                    else:
                        value = make_str(YStr, value)
                        value.loc = where  # plain: the class says so
                    if frame is None or event.anchor or (frame[2] and not frame[6]):  # a null key too: attach's
                        attach(value, where, 1, event.anchor)
                    elif frame[6]:  # in a list
                        frame[0].append(value)
                        frame[0].locs.append(where)
                    else:  # a value under its key
                        container = frame[0]
                        key, key_loc = frame[1]
                        container[key] = value
                        container.locs[key] = where
                        if key not in container.key_locs:  # a repeated key (E107) keeps naming the first
                            container.key_locs[key] = key_loc
                        frame[2] = True
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                nodes += 1
                where = loc(event)
                if len(stack) >= max_depth:
                    raise _Refused(Diagnostic(path, where.line, where.column, "E105",
                                              f"YAML nested deeper than {max_depth} levels",
                                              "flatten the structure; records need only a few levels"))
                is_list = kind is SequenceStartEvent
                container: Any = YList(where) if is_list else YMap(where)
                frame = [container, None, True, where, event.anchor, nodes, is_list]
                stack.append(frame)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                container, _, _, where, anchor, start, _ = stack.pop()
                frame = stack[-1] if stack else None
                attach(container, where, nodes - start + 1, anchor)
            elif kind is StreamEndEvent:
                break
            elif kind is DocumentStartEvent and have_root:  # point at the second '---', not past it
                raise _Refused(Diagnostic(path, event.start_mark.line + 1, event.start_mark.column + 1, "E102",
                                          "more than one YAML document in the file",
                                          "keep one document per file; remove the '---' separator"))
            elif kind is AliasEvent:
                where = loc(event)
                if event.anchor not in anchors:
                    raise _Refused(Diagnostic(path, where.line, where.column, "E102",
                                              f"unknown alias '*{event.anchor}'", "define the anchor first"))
                value, size = anchors[event.anchor]
                nodes += size
                if nodes > max_nodes:
                    raise _Refused(Diagnostic(path, where.line, where.column, "E104",
                                              f"YAML aliases expand to more than {max_nodes} values",
                                              "aliases must not multiply content; write values out"))
                attach(value, where, size, None)
            if nodes > max_nodes:
                raise _Refused(Diagnostic(path, 1, 1, "E104", f"YAML file holds more than {max_nodes} values",
                                          "split the file"))
    except _Refused as refused:
        return None, diags + [refused.diag]
    except yaml.YAMLError as exc:
        return None, diags + [_syntax_problem(text, path, exc)]
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose:
            dispose()
    return root, diags


def _duplicate_key(where: Loc, key: str, first: Loc) -> Diagnostic:
    return Diagnostic(where.path, where.line, where.column, "E107",
                      f"duplicate key '{key}' (first at line {first.line})", "keep one of them")


def _syntax_problem(text: str, path: str, exc: yaml.YAMLError) -> Diagnostic:
    """The E102 of a file YAML cannot parse: in the words people use where the mistake is a common one."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        plain = plain_yaml_error(text, exc, line)
        if plain is not None:  # a mistake people make, said in their words at the line to change
            (line, col), message, hint = plain[:2], plain[2], plain[3]
            return Diagnostic(path, line, col, "E102", message, hint)
        problem = (exc.problem or exc.context or "syntax error").strip()
        return Diagnostic(path, line, col, "E102", f"malformed YAML: {problem}", "check indentation, colons and quotes")
    if isinstance(exc, ReaderError):  # a character YAML refuses (control characters): point at it, one line
        line, col = _reader_loc(text, exc.position)
        first = str(exc).splitlines()[0]
        return Diagnostic(path, line, col, "E102", f"malformed YAML: {first}",
                          "remove the character; YAML text allows no control characters")
    first = (str(exc).splitlines() or ["syntax error"])[0]
    return Diagnostic(path, 1, 1, "E102", f"malformed YAML: {first}", "")


#: a line that opens a block of text: ``description: |``, ``- notes: >-`` (the key, then the indicator)
_BLOCK_HEADER = re.compile(r"^(?P<lead>[ ]*(?:-[ ]+)*)(?P<key>[^\s#'\"\-][^:#]*?):[ ]+(?P<ind>[|>][-+0-9]*)"
                           r"[ ]*(?:#.*)?$")
#: a line YAML would read as a key or a list item, not as text
_KEY_OR_ITEM = re.compile(r"^[ ]*(?:-(?:[ ]|$)|[^\s:#][^:#]*:(?:[ ]|$))")
#: a value that starts with a quote mark: after ``key:``, after ``- ``, or in a flow list
_QUOTED_VALUE = re.compile(r"(?:^[ ]*(?:-[ ]+)*(?:[^\s:#'\"][^:#]*:[ ]+)?|[\[,{][ ]*)(?P<q>['\"])")


def plain_yaml_error(text: str, exc: yaml.MarkedYAMLError, line: int) -> "tuple[int, int, str, str] | None":
    """(line, column, message, hint) for the YAML mistakes people make most, or None for the parser's words.

    ``line`` is where the parser gave up (1-based), often after the mistake: a tab in the indentation, text
    under ``key: |`` not indented, a list item out of line, a bracket or a quote never closed. Each is looked
    for only at or before that line, and each points at the line to change."""
    lines = text.split("\n")
    last = min(line, len(lines))
    context = (exc.context or "").strip()
    # a tab in the indentation: YAML counts spaces only
    if "tab" in (exc.problem or "") and exc.problem_mark is not None:
        return line, exc.problem_mark.column + 1, "a tab character: indent with spaces", \
            "replace the tab with spaces, as many as the lines around it use"
    for n in range(last):
        lead = lines[n][:len(lines[n]) - len(lines[n].lstrip(" \t"))]
        if "\t" in lead and lines[n].strip():
            return n + 1, lead.index("\t") + 1, "a tab character: indent with spaces", \
                "replace the tab with spaces, as many as the lines around it use"
    # text under 'key: |' or 'key: >' that is not indented more than the key
    for n in range(last - 1, -1, -1):
        header = _BLOCK_HEADER.match(lines[n])
        if not header:
            continue
        after = next((m for m in range(n + 1, len(lines)) if lines[m].strip()), None)
        column = len(header.group("lead"))
        if after is None or after + 1 > line or _indent(lines[after]) > column or _KEY_OR_ITEM.match(lines[after]):
            break  # the block is fine (or empty): the mistake is elsewhere
        said = f"{header.group('key').strip()}: {header.group('ind')}"
        return n + 1, column + 1, f"indent the text under '{said}'", \
            f"start each line of the text with {column + 2} spaces, two more than '{header.group('key').strip()}'"
    # a quote never closed: the parser says so, or it found a closing quote on a later line
    if context == "while scanning a quoted scalar" and exc.context_mark is not None:
        return exc.context_mark.line + 1, exc.context_mark.column + 1, "this quote is never closed", \
            f"close it with {text_at(text, exc.context_mark)} at the end of the value"
    for n in range(last):
        opened = _open_quote(lines[n])
        if opened is not None:
            return n + 1, opened + 1, "this quote is never closed", \
                f"close it with {lines[n][opened]} at the end of the value"
    # a '[' or '{' never closed
    if context in ("while parsing a flow sequence", "while parsing a flow mapping", "while parsing a flow node"):
        opened = _unclosed_bracket(text)
        if opened is not None:
            row = text.count("\n", 0, opened)
            if row + 1 <= line:
                bracket = text[opened]
                return row + 1, opened - (text.rfind("\n", 0, opened) + 1) + 1, \
                    f"this '{bracket}' is never closed: add '{']' if bracket == '[' else '}'}'", \
                    "put it after the last item"
    # a list item out of line with the one above it
    at = lines[line - 1] if 0 < line <= len(lines) else ""
    if at.lstrip(" ").startswith("-") and at.lstrip(" ")[1:2] in ("", " "):
        column = _indent(at)
        above = next((m for m in range(line - 2, -1, -1) if lines[m].lstrip(" ").startswith("- ")), None)
        if above is not None and _indent(lines[above]) != column:
            return line, column + 1, "this list item is indented differently from the one above", \
                f"line its '-' up with the '-' on line {above + 1}"
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def text_at(text: str, mark: Any) -> str:
    """The character a parser mark points at (a mark's column counts characters, in libyaml too)."""
    lines = text.split("\n")
    row = lines[mark.line] if mark.line < len(lines) else ""
    return row[mark.column:mark.column + 1] or "'"


def _unclosed_bracket(text: str) -> "int | None":
    """The index of the outermost '[' or '{' that starts a YAML list or mapping and is never closed, or None.
    Quoted text and comments are skipped; a bracket inside plain text ('a [draft]') starts nothing."""
    stack: list[int] = []
    i, quote = 0, ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote and quote == "'" and text[i + 1:i + 2] == "'":
                i += 1
            elif ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        else:
            before = text[text.rfind("\n", 0, i) + 1:i].rstrip(" \t")
            starts = not before or before[-1] in ":-[{," or (stack and before[-1] in "[{,")
            if ch in "'\"" and (starts or (before and before[-1] in ":")):
                quote = ch
            elif ch == "#" and (i == 0 or text[i - 1] in " \t\n"):
                end = text.find("\n", i)
                i = len(text) if end < 0 else end
                continue
            elif ch in "[{" and (starts or stack):
                stack.append(i)
            elif ch in "]}" and stack:
                stack.pop()
        i += 1
    return stack[0] if stack else None


def _open_quote(line: str) -> "int | None":
    """The column of a value's opening quote that the line never closes, or None."""
    for found in _QUOTED_VALUE.finditer(line):
        start = found.start("q")
        quote, i = line[start], start + 1
        while i < len(line):
            if line[i] == quote and quote == "'" and line[i + 1:i + 2] == "'":
                i += 2
                continue
            if line[i] == "\\" and quote == '"':
                i += 2
                continue
            if line[i] == quote:
                break
            i += 1
        else:
            return start
    return None


def _reader_loc(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a reader error; libyaml counts UTF-8 bytes, PyYAML characters."""
    if _Loader.__name__.startswith("C"):
        position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def special_kind(mode: int) -> str | None:
    """What a file mode is when it is neither a regular file nor a folder: reading it could hang or never end."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return None


def special_diagnostic(rel: str, kind: str) -> list[Diagnostic]:
    return [Diagnostic(rel, 1, 1, "E108", f"{kind}, not a regular file; it is never opened",
                       "remove it, or put an ordinary file in its place")]


def _too_large(rel: str, size: int | None, max_bytes: int) -> list[Diagnostic]:
    said = f"file is {size} bytes, over" if size is not None else "file is over"
    return [Diagnostic(rel, 1, 1, "E103", f"{said} the {max_bytes}-byte limit",
                       "split it into smaller files, or raise the limit with --max-yaml-bytes")]


def read_bytes(file: "Path | str", rel: str, max_bytes: int = MAX_BYTES) -> tuple[bytes | None, list[Diagnostic]]:
    """Read a file's bytes, refusing oversize, unreadable or special ones with a diagnostic.

    A FIFO, socket or device (directly or through a symlink) is never opened; the file is opened without
    blocking and checked again on the open descriptor (it may have been swapped), and at most
    ``max_bytes + 1`` bytes are ever read, whatever its size claims.
    """
    try:
        st = os.stat(file)
        kind = special_kind(st.st_mode)
        if kind:
            return None, special_diagnostic(rel, kind)
        if st.st_size > max_bytes:
            return None, _too_large(rel, st.st_size, max_bytes)
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_BINARY", 0))
        try:
            st = os.fstat(fd)
            kind = special_kind(st.st_mode)
            if kind:
                return None, special_diagnostic(rel, kind)
            chunks, size = [], 0
            while size <= max_bytes:
                chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
        if size > max_bytes:  # it grew while we read, or its size was not told (a /proc file)
            return None, _too_large(rel, None, max_bytes)
        return b"".join(chunks), []
    except OSError as exc:
        return None, [Diagnostic(rel, 1, 1, "E101", f"cannot read file: {exc.strerror or exc}", "check permissions")]


def read_text(file: Path, rel: str, max_bytes: int = MAX_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """Read a UTF-8 text file, refusing oversize or undecodable ones with a diagnostic."""
    data, diags = read_bytes(file, rel, max_bytes)
    if data is None:
        return None, diags
    return decode(data, rel)


def decode(data: bytes, rel: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Diagnostic(rel, line, col, "E101", f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
                                 "save the file as UTF-8")]
    return text.removeprefix("\ufeff"), []


def load_file(file: Path, rel: str, max_bytes: int = MAX_BYTES) -> tuple[Value, list[Diagnostic]]:
    """Read and parse one YAML file."""
    data, diags = read_bytes(file, rel, max_bytes)
    if data is None:
        return None, diags
    text, diags = decode(data, rel)
    if text is None:
        return None, diags
    return parse_text(text, rel)


def is_yaml(name: str) -> bool:
    return name.endswith((".yaml", ".yml"))


def walk(folder: Path) -> list[Path]:
    """Every file under folder, sorted, without following directory symlinks; hidden entries skipped."""
    return [Path(n) for n in walk_names(folder)]


def walk_names(folder: Path) -> list[str]:
    """``walk`` as path strings (making 15,000 Path objects is a tenth of a second a walk, and serve walks
    evidence/ on every update)."""
    if not os.path.isdir(folder):
        return []
    names: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        names.extend(os.path.join(dirpath, f) for f in filenames if not f.startswith("."))
    return sorted(names, key=lambda n: n.split(os.sep))  # the order Path sorts in
