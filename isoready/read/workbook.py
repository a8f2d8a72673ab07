"""An .xlsx workbook's sheet read as rows of values, streaming, with the standard library alone.

A register (``registers``) needs the values a spreadsheet stored in one sheet: text, numbers, dates, true and
false, and for a formula its calculated value. This reads exactly that from the workbook's parts (the
workbook, its relationships, the shared strings, the styles' number formats, the sheet) with
``xml.etree.ElementTree.iterparse`` (expat: no external entity is ever fetched, and expat refuses entity
expansion bombs), one row at a time, forgetting each row once read.

Why not openpyxl's reader: on this project's machine it read a 10,000-row sheet of inline strings (what
openpyxl and LibreOffice write) in 1.6 s of CPU, where the register target is 1 s for parsing and checking;
this reads it in a fraction of that (``invoke bench`` prints the figure). openpyxl stays the checklist
workbook's writer (outputs/xlsx.py).

Errors (a part missing, XML that does not parse) raise ``WorkbookError``; the caller makes it a diagnostic.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterator, Optional
from xml.etree.ElementTree import ParseError, iterparse

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: number formats Excel builds in that show a date or a time (ECMA-376 18.8.30)
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57})
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
_CELL_TAGS = frozenset({"c", *(f"{{{ns}}}c" for ns in _MAIN)})  # transitional and strict workbooks
_ROW_TAGS = frozenset({"row", *(f"{{{ns}}}row" for ns in _MAIN)})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


class WorkbookError(Exception):
    """The workbook cannot be read: a part is missing, or its XML does not parse."""


@dataclass(frozen=True)
class Uncalculated:
    """A formula cell with no calculated value stored (a file no spreadsheet program has saved)."""

    formula: str


_LOCAL: dict[str, str] = {}


def _local(tag: str) -> str:
    """A tag without its namespace (transitional and strict workbooks name theirs differently); remembered."""
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rpartition("}")[2]
    return name


def _parse(z: zipfile.ZipFile, name: str) -> Iterator[Any]:
    try:
        with z.open(name) as fh:
            for _, el in iterparse(fh, events=("end",)):
                yield el
    except KeyError:
        raise WorkbookError(f"no part {name}") from None
    except (ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise WorkbookError(f"{name}: {exc}") from None


class Workbook:
    """One workbook's sheets (names, in order) and how to read the rows of one."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise WorkbookError(str(exc)) from None
        targets = {}
        for el in _parse(self.zip, "xl/_rels/workbook.xml.rels"):
            if _local(el.tag) == "Relationship":
                target = el.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                targets[el.get("Id")] = (el.get("Type", "").rpartition("/")[2], path)
        self.sheets: dict[str, str] = {}
        self.epoch = datetime(1899, 12, 30)
        for el in _parse(self.zip, "xl/workbook.xml"):
            if _local(el.tag) == "sheet" and targets.get(el.get(f"{{{_REL}}}id"), ("", ""))[0] == "worksheet":
                self.sheets[el.get("name", "")] = targets[el.get(f"{{{_REL}}}id")][1]
            elif _local(el.tag) == "workbookPr" and el.get("date1904", "false").lower() in ("1", "true"):
                self.epoch = datetime(1904, 1, 1)
        by_type = {kind: path for kind, path in targets.values()}
        self.strings = self._strings(by_type.get("sharedStrings"))
        self.dates = self._date_styles(by_type.get("styles"))

    def _strings(self, part: Optional[str]) -> list[str]:
        if not part:
            return []
        strings: list[str] = []
        for el in _parse(self.zip, part):
            if _local(el.tag) == "si":
                strings.append(_text_of(el))
                el.clear()
        return strings

    def _date_styles(self, part: Optional[str]) -> set[int]:
        """The style indexes (a cell's ``s``) whose number format shows a date."""
        if not part:
            return set()
        custom: dict[int, str] = {}
        styles: list[int] = []
        in_xfs = False
        for el in _parse(self.zip, part):
            name = _local(el.tag)
            if name == "numFmt":
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            elif name == "xf":
                styles.append(int(el.get("numFmtId", "0") or 0))
            elif name == "cellXfs":
                in_xfs = True
                break
            elif name == "cellStyleXfs":
                styles = []  # the cell styles' own formats come first; a cell's s counts in cellXfs
        if not in_xfs:
            return set()
        return {i for i, fmt in enumerate(styles)
                if fmt in _DATE_FORMAT_IDS or (fmt in custom and _is_date(custom[fmt]))}

    def rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values) of each row of sheet ``name`` that holds a cell; a value is str, float, bool,
        datetime, None, or Uncalculated. The hot loop of a register: tags compared whole, columns remembered."""
        part = self.sheets[name]
        row: dict[int, Any] = {}
        number, col = 0, 0
        columns: dict[str, int] = {}
        for el in _parse(self.zip, part):
            tag = el.tag
            if tag in _CELL_TAGS:
                ref = el.get("r", "")
                at = columns.get(ref.rstrip("0123456789"))
                if at is None:  # a new column letter, or no reference (a cell may leave it out: the next one)
                    m = _CELL_REF.match(ref)
                    at = _column(m.group(1)) if m else 0
                    if m:
                        columns[m.group(1)] = at
                col = at or col + 1
                row[col] = self._value(el)
            elif tag in _ROW_TAGS:
                number = int(el.get("r") or number + 1)
                if row:
                    width = max(row)
                    yield number, [row.get(i) for i in range(1, width + 1)]
                row, col = {}, 0
                el.clear()

    def _value(self, el: Any) -> Any:
        kind = el.get("t", "n")
        v = f = None
        inline = None
        for child in el:
            name = _local(child.tag)
            if name == "v":
                v = child.text
            elif name == "f":
                f = child.text or ""
            elif name == "is":
                inline = _text_of(child)
        if f is not None and (v is None or (v == "" and kind != "str")):
            return Uncalculated(f"={f}" if f else "(a shared formula)")
        if kind == "inlineStr":
            return inline
        if v is None:
            return None
        if kind == "s":
            index = int(v)
            return self.strings[index] if 0 <= index < len(self.strings) else None
        if kind in ("str", "e"):
            return v
        if kind == "b":
            return v.strip() in ("1", "true")
        if kind == "d":
            return v
        number = float(v)
        if int(el.get("s", "0") or 0) in self.dates and 0 <= number < 2958466:
            if self.epoch.year == 1899 and number < 61:  # Excel's 1900 is a leap year: serials before March 1900
                number += 1
            return self.epoch + timedelta(days=number)
        return number

    def close(self) -> None:
        self.zip.close()


def _text_of(el: Any) -> str:
    """The text of a string item (``si``, ``is``): its runs, without the phonetic guides (``rPh``)."""
    parts = []
    for child in el.iter():
        if _local(child.tag) == "rPh":
            break
        if _local(child.tag) == "t" and child.text:
            parts.append(child.text)
    return "".join(parts)


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _is_date(code: str) -> bool:
    """Whether a custom number format shows a date or time: a d, m, y, h or s outside quotes and brackets."""
    bare = _QUOTED.sub("", code.split(";")[0]).lower()
    return bool(re.search(r"[dmyhs]", bare)) and not re.fullmatch(r"[#0.,%\s]*", bare)

