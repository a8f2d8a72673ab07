"""Registers (issue 24): a record's CSV or XLSX file read into typed rows that remember their cell.

A record declares ``register: calibration`` (and maybe ``sheet:``, ``header_row:``, ``columns:``); this module
reads its file into a ``model.Register``: the canonical columns found (a header matches a canonical name
ignoring case, spaces, ``_`` and ``-``, unless ``columns:`` maps it), each data row's values typed by its
``Column.kind``, and every problem met, as a ``RegisterProblem`` and the ``Diagnostic`` printed for it, both
naming the cell (``evidence/support/gauges.csv:7:3``, ``evidence/support/gauges.xlsx!Gauges!C7``).

How cells are read:

- CSV: UTF-8 with or without a BOM, else cp1252; the delimiter (``,`` ``;`` tab ``|``) the one the header line
  holds most of. A location is the line where the row starts and the field's position.
- XLSX (``workbook``: streamed with the standard library's expat; openpyxl's reader was too slow for the
  target): the ``sheet:`` or the first; a formula gives its cached value, and one with none (a workbook written
  by a tool that does not calculate) is W354. Bytes are read once through the safe open
  (``load.read_bytes``: no FIFO or device, at most the size limit), and a workbook that unpacks beyond
  ``UNPACK_FACTOR`` times that limit, or holds too many parts, is refused before it is unpacked.
- Dates are ISO ``YYYY-MM-DD`` (a time after it, as spreadsheets export, is ignored) or a date cell. A date
  such as ``03/04/2026`` is refused (W350): it means 3 April in Europe and 4 March in the United States.
  A ``period`` may also be ``YYYY-MM`` (the first of that month).
- Numbers: ``95``, ``95 %``, ``1,234.5`` (a comma followed by three digits groups thousands), ``95,5`` (a
  decimal comma, as a semicolon CSV writes it).
- Yes/no: yes, no, y, n, true, false, 1, 0 (any case) or a TRUE/FALSE cell. A choice (``status``...) is matched
  ignoring case, with spaces and ``_`` read as ``-``.

An error (the file unreadable, a required column missing, too many rows) leaves the register without rows; a
bad cell is a warning, its column left out of that row's values, and every other row still counts.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import stat
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from isoready.core import parallel
from isoready.core.diagnostics import Diagnostic, column_letter
from isoready.core.load import read_bytes
from isoready.model import REGISTER_COLUMNS, Column, Evidence, Register, RegisterProblem, RegisterRow
from isoready.read.options import MAX_REGISTER_BYTES, MAX_REGISTER_ROWS
from isoready.read.records import EVIDENCE_DIR
from isoready.read.workbook import Uncalculated, Workbook, WorkbookError

REGISTER_SUFFIXES = (".csv", ".xlsx")
UNPACK_FACTOR = 4  # an .xlsx may unpack to this many times the size limit, no more (a zip bomb is refused)
MAX_XLSX_PARTS = 10_000
DELIMITERS = (",", ";", "\t", "|")
PARALLEL_REGISTERS = 4  # below this many registers, forking costs more than reading them in one process

_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ][0-9:.]+)?\Z")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})\Z")
_THOUSANDS = re.compile(r"^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?\Z")
_DECIMAL_COMMA = re.compile(r"^[-+]?[0-9]+,[0-9]+\Z")
_NUMBER = re.compile(r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\Z")
_SLASHED = re.compile(r"^[0-9]{1,4}[/.][0-9]{1,2}[/.][0-9]{1,4}\Z")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


class _Stop(Exception):
    """A problem that ends the reading of one register (an error): its diagnostic is in ``args[0]``."""


class _Sheet:
    """Where the cells of one register file are, and the problems met in it: one per register read."""

    def __init__(self, rel: str, sheet: str = "") -> None:
        self.rel, self.sheet = rel, sheet
        self.diags: list[Diagnostic] = []
        self.problems: list[RegisterProblem] = []
        self.prefixes: dict[int, str] = {}  # column -> its location but the row (set once the sheet is known)

    def diag(self, row: int, column: int, code: str, message: str, hint: str, at_row: Optional[int]) -> Diagnostic:
        d = Diagnostic(self.rel, row, column, code, message, hint, sheet=self.sheet)
        self.diags.append(d)
        self.problems.append(RegisterProblem(code, at_row, d.location, message, d.severity))
        return d

    def where(self, row: int, column: int) -> str:
        """As ``Diagnostic.location`` prints it (made for every cell: no Diagnostic built)."""
        prefix = self.prefixes.get(column)
        if prefix is None:
            prefix = self.prefixes[column] = (f"{self.rel}!{self.sheet}!{column_letter(column)}" if self.sheet
                                              else f"{self.rel}:{{}}:{column}")
        return prefix + str(row) if self.sheet else prefix.format(row)

    def stop(self, row: int, column: int, code: str, message: str, hint: str) -> _Stop:
        return _Stop(self.diag(row, column, code, message, hint, None))


# --------------------------------------------------------------------------- values


def _norm(header: str) -> str:
    return re.sub(r"[\s_-]+", "", str(header)).casefold()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any, period: bool = False) -> tuple[Any, str]:
    """(date, '') or (None, why)."""
    if isinstance(value, datetime):
        return value.date(), ""
    if isinstance(value, date):
        return value, ""
    text = _text(value)
    m = _ISO_DATE.match(text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])), ""
        except ValueError:
            return None, f"impossible date '{text}'"
    m = _MONTH.match(text) if period else None
    if m and 1 <= int(m[2]) <= 12:
        return date(int(m[1]), int(m[2]), 1), ""
    return None, f"unreadable date '{text}'"


def _number(value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):
        return None, f"unreadable number '{value}'"
    if isinstance(value, (int, float)):
        return float(value), ""
    text = _text(value)
    core = re.sub(r"[\s\u00a0\u202f]+", "", text).removesuffix("%")
    if _THOUSANDS.match(core):
        core = core.replace(",", "")
    elif _DECIMAL_COMMA.match(core):
        core = core.replace(",", ".")
    if _NUMBER.match(core):
        return float(core), ""
    return None, f"unreadable number '{text}'"


def _yesno(value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):
        return value, ""
    word = _text(value).casefold()
    if word in YES or word in NO:
        return word in YES, ""
    return None, f"'{_text(value)}' is not yes or no"


def _yesno_date(value: Any) -> tuple[Any, str]:
    if isinstance(value, (date, datetime)):
        return _date(value)
    answer, why = _yesno(value)
    if why:
        when, _ = _date(value)
        if when is not None:
            return when, ""
        return None, f"'{_text(value)}' is not yes, no or a date"
    return answer, ""


def _choice(column: Column) -> Callable[[Any], tuple[Any, str]]:
    def read(value: Any) -> tuple[Any, str]:
        word = re.sub(r"[\s_]+", "-", _text(value).casefold())
        if word in column.choices:
            return word, ""
        return None, f"unknown {column.name} '{_text(value)}'"
    return read


def _clauses(value: Any) -> tuple[Any, str]:
    return tuple(dict.fromkeys(p.strip() for p in re.split(r"[,;]", _text(value)) if p.strip())), ""


_KINDS: dict[str, Callable[[Any], tuple[Any, str]]] = {
    "text": lambda v: (_text(v), ""), "date": _date, "period": lambda v: _date(v, period=True),
    "number": _number, "yesno": _yesno, "yesno-date": _yesno_date, "clauses": _clauses}

#: the diagnostic of a cell that could not be read, by the column's kind, and its fix
_CELL_CODES = {"date": ("W350", "write the date as YYYY-MM-DD"),
               "period": ("W350", "write the date as YYYY-MM-DD, or the month as YYYY-MM"),
               "number": ("W351", "write a number, e.g. 95, 95 % or 1,234.5"),
               "yesno": ("W352", "write yes or no"), "yesno-date": ("W352", "write yes, no or the date (YYYY-MM-DD)")}


def _reader(column: Column) -> Callable[[Any], tuple[Any, str]]:
    return _choice(column) if column.kind == "choice" else _KINDS.get(column.kind, _KINDS["text"])


# --------------------------------------------------------------------------- headers and rows


def _match_columns(kind: str, headers: list[Any], mapped: dict[str, str], sheet: _Sheet,
                   header_row: int) -> list[tuple[Column, int]]:
    """(canonical column, 0-based position) of each column found; a missing required one stops the read."""
    found: dict[str, int] = {}
    for i, h in enumerate(headers):
        if h is not None and _text(h) and _norm(_text(h)) not in found:
            found[_norm(_text(h))] = i
    written = [_text(h) for h in headers if h is not None and _text(h)]
    columns: list[tuple[Column, int]] = []
    missing: list[Diagnostic] = []
    for column in REGISTER_COLUMNS[kind]:
        looked_for = mapped.get(column.name, column.name)
        at = found.get(_norm(looked_for))
        if at is not None:
            columns.append((column, at))
            continue
        if not column.required and column.name not in mapped:
            continue
        listed = ", ".join(f"'{h}'" for h in written) or "none"
        close = _closest(looked_for, written)
        hint = (f"did you mean '{close}'? map it under 'columns:' as '{column.name}: {close}'" if close else
                f"add the column, or map it under 'columns:' as '{column.name}: <its header>'")
        if column.required:
            missing.append(sheet.diag(header_row, 1, "E354", f"{kind} register has no column '{looked_for}' "
                                      f"(required); the headers are {listed}", hint, None))
        else:
            sheet.diag(header_row, 1, "W355", f"{kind} register has no column '{looked_for}' (mapped for "
                       f"'{column.name}'); the headers are {listed}", hint, None)
    if missing:
        raise _Stop(missing[0])
    return columns


def _closest(wanted: str, headers: list[str]) -> str:
    key = _norm(wanted)
    inside = [h for h in headers if key and key in _norm(h)]
    if len(inside) == 1:
        return inside[0]
    by_norm = {_norm(h): h for h in headers}
    close = difflib.get_close_matches(key, list(by_norm), n=1, cutoff=0.6)
    return by_norm[close[0]] if close else ""


def _rows(kind: str, numbered: Iterable[tuple[int, list[Any]]], columns: list[tuple[Column, int]],
          sheet: _Sheet, max_rows: int, header_row: int) -> list[RegisterRow]:
    """The typed rows below the headers; blank rows skipped, a bad cell a warning and left out of its row."""
    readers = [(column, at, _reader(column)) for column, at in columns]
    found = {column.name for column, _ in columns}
    absent = {c.name: c.default for c in REGISTER_COLUMNS[kind] if c.name not in found}  # as an empty cell
    rows: list[RegisterRow] = []
    for number, cells in numbered:
        if not any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
            continue
        if len(rows) >= max_rows:
            raise sheet.stop(number, 1, "E353", f"{kind} register has more than {max_rows:,} rows",
                             "split it (one file per year or per site), or archive the rows that no longer count")
        values: dict[str, Any] = dict(absent)
        where: dict[str, str] = {}
        for column, at, read in readers:
            raw = cells[at] if at < len(cells) else None
            where[column.name] = sheet.where(number, at + 1)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                values[column.name] = column.default
                continue
            if isinstance(raw, Uncalculated):
                sheet.diag(number, at + 1, "W354", f"formula {raw.formula} in column '{column.name}' has no "
                           "calculated value", "open the workbook in a spreadsheet and save it, so the value is "
                           "stored with the formula", number)
                continue
            value, why = read(raw)
            if why:
                _bad_cell(column, why, sheet, number, at + 1)
                continue
            values[column.name] = value
        rows.append(RegisterRow(number, values, where))
    if not rows:
        sheet.diag(header_row, 1, "W353", f"{kind} register has no rows below its headers (row {header_row})",
                   "add the register's rows, or check header_row:", None)
    return rows


def _bad_cell(column: Column, why: str, sheet: _Sheet, row: int, col: int) -> None:
    if column.kind == "choice":
        code, hint = "W352", "use one of: " + ", ".join(column.choices)
    elif column.kind in ("date", "period") and _SLASHED.match(why.split("'")[1] if "'" in why else ""):
        code, hint = "W350", "write the date as YYYY-MM-DD: day-first and month-first dates are both in use, so " \
            "a date with slashes is never guessed"
    else:
        code, hint = _CELL_CODES[column.kind]
    sheet.diag(row, col, code, f"{why} in column '{column.name}'", hint, row)


# --------------------------------------------------------------------------- CSV


def _decode(data: bytes) -> Optional[str]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _delimiter(text: str, header_row: int) -> str:
    lines = text.split("\n", header_row)  # the lines up to the header line, not the whole file's
    line = lines[header_row - 1] if header_row < len(lines) else lines[0]
    return max(DELIMITERS, key=lambda d: (line.count(d), -DELIMITERS.index(d)))


def _csv_records(text: str, delimiter: str, sheet: _Sheet) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise sheet.stop(start, 1, "E351", f"cannot be read as CSV: {exc}",
                         "save it again as CSV (UTF-8) from the spreadsheet") from None


def _read_csv(data: bytes, ev: Evidence, sheet: _Sheet, max_rows: int) -> tuple[list[RegisterRow], tuple, str]:
    text = _decode(data)
    if text is None:
        raise sheet.stop(1, 1, "E351", "cannot be read as text: neither UTF-8 nor cp1252",
                         "save it again as CSV (UTF-8)")
    records = _csv_records(text, _delimiter(text, ev.header_row), sheet)
    headers: list[Any] = []
    for number, record in records:
        if number >= ev.header_row:
            headers = record
            break
    columns = _match_columns(ev.register or "", headers, dict(ev.register_columns), sheet, ev.header_row)
    rows = _rows(ev.register or "", records, columns, sheet, max_rows, ev.header_row)
    return rows, tuple(c.name for c, _ in columns), ""


# --------------------------------------------------------------------------- XLSX


def _workbook_problem(data: bytes, limit: int) -> Optional[tuple[str, str, str]]:
    """(code, message, hint) when the bytes are no workbook ``workbook`` may unpack, else None."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return ("E351", "is encrypted (password-protected) or an old .xls workbook, not an .xlsx",
                "save it as an .xlsx workbook without a password")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return ("E351", "is not an .xlsx workbook (not a zip file, or a damaged one)",
                "save it again as an .xlsx workbook, or as CSV")
    unpacked = sum(i.file_size for i in infos)
    if len(infos) > MAX_XLSX_PARTS or unpacked > UNPACK_FACTOR * limit:
        return ("E352", f"workbook unpacks to {unpacked:,} bytes in {len(infos):,} parts, over the limit of "
                        f"{UNPACK_FACTOR * limit:,} bytes (a zip bomb, or a register too large)",
                "split the register, or save it as CSV")
    return None


def _read_xlsx(data: bytes, ev: Evidence, sheet: _Sheet, max_rows: int,
               limit: int) -> tuple[list[RegisterRow], tuple, str]:
    problem = _workbook_problem(data, limit)
    if problem:
        raise sheet.stop(1, 1, *problem)
    damaged = ("E351", "is a damaged workbook: a part of it is missing or cannot be read",
               "open it in the spreadsheet and save it again as .xlsx")
    try:
        wb = Workbook(data)
    except WorkbookError:
        raise sheet.stop(1, 1, *damaged) from None
    try:
        names = list(wb.sheets)
        name = ev.register_sheet or (names[0] if names else "")
        if name not in wb.sheets:
            close = difflib.get_close_matches(name, names, n=1)
            raise sheet.stop(1, 1, "E351", f"workbook has no sheet '{name}'; its sheets are "
                             + (", ".join(f"'{n}'" for n in names) or "none"),
                             f"did you mean '{close[0]}'?" if close else "name one of its sheets in 'sheet:'")
        sheet.sheet, sheet.prefixes = name, {}
        cells = wb.rows(name)
        headers: list[Any] = []
        for number, row in cells:
            if number == ev.header_row:
                headers = row
            if number >= ev.header_row:
                break
        kind = ev.register or ""
        columns = _match_columns(kind, headers, dict(ev.register_columns), sheet, ev.header_row)
        rows = _rows(kind, cells, columns, sheet, max_rows, ev.header_row)
    except WorkbookError:
        raise sheet.stop(1, 1, *damaged) from None
    finally:
        wb.close()
    return rows, tuple(c.name for c, _ in columns), name


# --------------------------------------------------------------------------- one register, every register


def read_register(root: Path, ev: Evidence, max_rows: int = MAX_REGISTER_ROWS,
                  max_bytes: int = MAX_REGISTER_BYTES) -> tuple[Register, list[Diagnostic]]:
    """The register a record's file is (``register:``), and the diagnostics met reading it."""
    file = ev.file or ""
    rel = f"{EVIDENCE_DIR}/{file}"
    sheet = _Sheet(rel)
    rows: list[RegisterRow] = []
    columns: tuple = ()
    name = ""
    data, diags = read_bytes(Path(root) / EVIDENCE_DIR / file, rel, max_bytes)
    if data is None:
        for d in diags:  # the file's own problem, said as a register's
            if d.code == "E103":
                sheet.diag(1, 1, "E352", f"register file is over the {max_bytes:,}-byte limit",
                           "split the register (one file per year or per site)", None)
            else:
                sheet.diag(d.line, d.column, d.code, d.message, d.hint, None)
    else:
        try:
            if file.lower().endswith(".xlsx"):
                rows, columns, name = _read_xlsx(data, ev, sheet, max_rows, max_bytes)
            else:
                rows, columns, name = _read_csv(data, ev, sheet, max_rows)
        except _Stop:
            rows = []
    register = Register(evidence=ev.id, kind=ev.register or "", file=file, rows=tuple(rows),
                        problems=tuple(sheet.problems), columns=columns, sheet=name or None)
    return register, sheet.diags


def _stat_key(path: Path) -> Optional[tuple]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _job(ev: Evidence) -> tuple[Register, list[Diagnostic]]:
    root, max_rows, max_bytes = parallel.shared()
    return read_register(root, ev, max_rows, max_bytes)


def read_registers(root: Path, evidence: Iterable[Evidence], max_rows: int = MAX_REGISTER_ROWS,
                   max_bytes: int = MAX_REGISTER_BYTES,
                   cache: Optional[dict] = None) -> tuple[dict[str, Register], list[Diagnostic]]:
    """Every record's register (records declaring ``register:`` with a file), by evidence id, and the
    diagnostics; the first record of an id counts (a duplicate id is E401's). ``cache`` (serve's, kept between
    reads) holds each result by the file's stats and the record's declaration: an unchanged register is not
    opened again."""
    todo: list[Evidence] = []
    seen: set[str] = set()
    for ev in evidence:
        if ev.register and ev.file and not ev.rejected and ev.id not in seen:
            seen.add(ev.id)
            todo.append(ev)
    keys = [(ev.id, ev.file, ev.register, ev.register_sheet, ev.header_row, ev.register_columns, max_rows,
             max_bytes, _stat_key(Path(root) / EVIDENCE_DIR / (ev.file or ""))) for ev in todo] if cache is not None \
        else [None] * len(todo)
    fresh = [ev for ev, key in zip(todo, keys) if key is None or key[-1] is None or key not in cache]  # type: ignore
    done = dict(zip((ev.id for ev in fresh), parallel.pmap(_job, fresh, min_parallel=PARALLEL_REGISTERS,
                                                           shared=(root, max_rows, max_bytes))))
    registers: dict[str, Register] = {}
    diags: list[Diagnostic] = []
    kept: dict = {}
    for ev, key in zip(todo, keys):
        result = done[ev.id] if ev.id in done else cache[key]  # type: ignore[index]
        registers[ev.id] = result[0]
        diags.extend(result[1])
        if key is not None and key[-1] is not None:
            kept[key] = result
    if cache is not None:
        cache.clear()
        cache.update(kept)
    return registers, diags
