"""One sheet of the checklist workbook, written with openpyxl's write-only mode (its maintained way to stream
rows): rows go to the file as they are appended, so a sheet of 100,000 records never sits in memory.

Speed (docs/performance.md, "The workbook"): openpyxl's write-only writer spends its time per cell, so this
module does the least per cell it can through openpyxl's public API:

- a style is one cell per sheet and style (``StyleCell``, openpyxl's ``Cell``), made once (its font, fill, border,
  alignment and number format registered once); a row reuses it for every cell of that style, its value set
  just before openpyxl writes it (rows are handed over as generators, and openpyxl writes each cell as it takes
  it); what openpyxl asks of it per cell whose answer cannot change (its repr, whether it has a style, its
  style's index) is worked out once;
- a cell without a style is handed over as a plain value (openpyxl's cheapest path), unless it is text that
  would be read as a formula;
- a row's height is one ``RowHeight`` per sheet and height (its XML attributes worked out once), set just before
  the row is written and dropped once it is (write-only writes it with the row);
- openpyxl streams the cells through lxml's C writer (lxml is a dependency for this, and the switch below makes
  openpyxl use it), not the pure-Python one;
- ``save`` stores openpyxl's parts uncompressed: ``xlsx.normalise_zip`` deflates each part once, when it fixes
  the entries' times.

Excel refuses a sheet with more than ``HYPERLINK_LIMIT`` hyperlinks: ``LinkPlan`` links whole records while
their links fit and says how many were linked, so the sheet can say so before its table.
"""

from __future__ import annotations

import inspect
import io
import os
import zipfile
from typing import Any, Iterable, Iterator, Optional, Sequence

# openpyxl chooses its XML writer once, when it is first imported: lxml's C ``xmlfile`` where lxml is installed,
# the standard library's (et_xmlfile, pure Python, a third of the workbook's CPU) otherwise; the two write the
# same XML in different bytes (``"/>"`` for ``" />"``). lxml is one of isoready's dependencies (pyproject.toml)
# for this, and OPENPYXL_LXML is openpyxl's own switch, read at that import: lxml's writer always, whatever the
# environment says, so an installed isoready gives the same bytes for the same inputs (isoready imports openpyxl
# nowhere else before this; openpyxl's default is the same, so a test importing openpyxl first agrees).
# The switch is set for that import only and put back as it was: the process's environment (which every git
# process isoready starts inherits, gitdata.git_env) is not ours to change.
_SWITCH = os.environ.get("OPENPYXL_LXML")
os.environ["OPENPYXL_LXML"] = "True"
try:
    import openpyxl  # noqa: E402,F401 (reads the switch once, here)
finally:
    if _SWITCH is None:
        del os.environ["OPENPYXL_LXML"]
    else:
        os.environ["OPENPYXL_LXML"] = _SWITCH

from openpyxl import Workbook  # noqa: E402 (after the switch above)
from openpyxl.cell import Cell, WriteOnlyCell  # noqa: E402
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: E402
from openpyxl.utils.exceptions import IllegalCharacterError  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from openpyxl.worksheet.datavalidation import DataValidation  # noqa: E402
from openpyxl.worksheet.dimensions import RowDimension  # noqa: E402
from openpyxl.writer.excel import ExcelWriter  # noqa: E402
from isoready.core.i18n import gettext  # noqa: E402

#: Excel refuses a sheet with more hyperlinks than this (65,530); past it, records are given by address as text
HYPERLINK_LIMIT = 65_530
#: every date is a real date cell shown in this format
DATE_FORMAT = "yyyy-mm-dd"
BODY_SIZE = 11  # the body and header type size (the printed Checklist fits its width at 9 pt or more)
FONT = "Calibri"  # the workbook's default font: titles, headers and state cells in it too (not a serif fallback)
HEADER_FILL = "1F3A5F"
PAPER_A4 = "9"

_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP = Alignment(vertical="top", wrap_text=True)
_LEFT = Alignment(horizontal="left")
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)

#: a cell's look, by name: body (a bordered, wrapped, top-aligned table cell), header (a table's header cell),
#: title (a sheet's first line), line (a title line), note (an italic title line), left (a left-aligned date
#: above a table), wrapped (a note spanning a table's width), plain (no style of its own)
KINDS = ("body", "header", "title", "line", "note", "left", "wrapped", "plain")


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def text_value(value: Any) -> Any:
    """A value as openpyxl may store it: text without the control characters XML cannot hold (openpyxl refuses
    them; YAML cannot carry most of them anyway)."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


class Sheet:
    """A write-only sheet: widths and frozen panes first, then rows in order, then the filter and print setup.

    ``style(kind, fill, bold, date)`` gives the one cell of that look; ``row(cells, height)`` appends a row of
    ``(value, style cell or None, hyperlink or None)``."""

    def __init__(self, wb: Workbook, title: str, widths: Sequence[int] = ()):
        self.ws = wb.create_sheet(title)
        self.rows = 0  # the last row written
        self._styles: dict[tuple, Any] = {}
        self._plain = WriteOnlyCell(self.ws)  # for text that would be read as a formula, and plain links
        self._heights: dict[float, RowHeight] = {}
        for col, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(col)].width = width

    def style(self, kind: str = "body", fill: Optional[str] = None, bold: Optional[bool] = None, date: bool = False,
              size: int = BODY_SIZE, italic: bool = False) -> Any:
        """The one cell of a look: ``kind`` (``KINDS``), a fill colour, ``bold`` (None: the workbook's font;
        True or False: the font named, bold or not), a date format."""
        key = (kind, fill, bold, date, size, italic)
        cell = self._styles.get(key)
        if cell is None:
            cell = self._styles[key] = StyleCell(self.ws)
            if kind in ("body", "header"):
                cell.border = _BORDER
            if kind == "header":
                cell.font = Font(name=FONT, size=BODY_SIZE, bold=True, color="FFFFFF")
                cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
                cell.alignment = _HEADER_ALIGN
            elif kind in ("body", "wrapped"):
                cell.alignment = _TOP
            elif kind == "left":
                cell.alignment = _LEFT
            if kind in ("title", "line", "note", "wrapped") or bold is not None:
                cell.font = Font(name=FONT, size=size, bold=bool(bold) or kind == "title",
                                 italic=italic or kind == "note")
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
            if date:
                cell.number_format = DATE_FORMAT
        return cell

    def start(self, freeze: str, header_row: int, footer: str) -> None:
        """Frozen panes and the print setup: before the first row (write-only writes the sheet's view and its
        properties, which hold "fit to page", with its first row)."""
        self.ws.freeze_panes = freeze
        print_setup(self.ws, header_row, footer)

    def row(self, cells: Iterable[tuple[Any, Any, Optional[str]]], height: Optional[float] = None) -> int:
        """Append one row; ``height`` in points (LibreOffice does not fit rows to wrapped text when it converts or
        prints headless, so table rows carry theirs)."""
        self.rows += 1
        if height is None:
            self.ws.append(self._cells(cells))
            return self.rows
        dims = self.ws.row_dimensions
        look = self._heights.get(height)
        if look is None:
            look = self._heights[height] = RowHeight(self.ws, height)
        dims[self.rows] = look
        self.ws.append(self._cells(cells))
        del dims[self.rows]  # written with its row
        return self.rows

    def blank(self, n: int = 1) -> None:
        for _ in range(n):
            self.row(())

    def _cells(self, cells: Iterable[tuple[Any, Any, Optional[str]]]) -> Iterator[Any]:
        plain = self._plain
        for value, cell, link in cells:
            if cell is None:
                if link is None and not (value.__class__ is str and value[:1] == "="):
                    yield text_value(value)  # openpyxl's plain-value path: the cheapest
                    continue
                cell = plain
            try:
                cell.value = value if value != "" else None
            except IllegalCharacterError:  # rare: test for it only when openpyxl refuses the text
                cell.value = text_value(value)
            if cell.data_type == "f":  # text, never a formula, whoever wrote it
                cell.data_type = "s"
            if link is not None or cell.hyperlink is not None:
                cell.hyperlink = link
            yield cell

    def finish(self, header_row: int, columns: int, last_row: int) -> None:
        """The autofilter over the table, once its last row is known."""
        self.ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{max(last_row, header_row)}"


_NUMBER_FORMAT = inspect.getattr_static(Cell, "number_format")  # openpyxl's descriptor, which StyleCell wraps


class StyleCell(Cell):
    """The one cell of a look (``Sheet.style``), handed to openpyxl's write-only ``append`` for every cell of that
    look, its value set just before. Its look is set once, by ``Sheet.style``, before it is first written; so,
    once per styled cell, this cell spares openpyxl work whose answer cannot change:

    - ``append`` first tries what it is handed as a value, and refuses a cell with a message quoting the cell's
      repr (its coordinate worked out) before it takes it as the cell it is: the repr here is a constant;
    - openpyxl asks whether the cell has a style twice, and its style's index in the workbook's styles once (a
      hash of its style array and a look-up): both worked out the first time they are asked (so the styles are
      registered in the order they always were) and kept. openpyxl's only change to a look while it writes (a
      date handed to a cell without a date format gets one) goes through ``number_format``, which forgets them.
    """

    __slots__ = ("_id", "_styled")

    def __init__(self, ws: Any):
        super().__init__(ws, row=1, column=1)  # as openpyxl's WriteOnlyCell
        self._id: Optional[int] = None
        self._styled: Optional[bool] = None

    def __repr__(self) -> str:
        return "<StyleCell>"

    @property
    def style_id(self) -> int:
        if self._id is None:
            self._id = Cell.style_id.fget(self)
        return self._id

    @property
    def has_style(self) -> bool:
        if self._styled is None:
            self._styled = Cell.has_style.fget(self)
        return self._styled

    @property
    def number_format(self) -> str:
        return _NUMBER_FORMAT.__get__(self, Cell)

    @number_format.setter
    def number_format(self, value: str) -> None:
        _NUMBER_FORMAT.__set__(self, value)
        self._id = self._styled = None


class RowHeight(RowDimension):
    """A row height, one per sheet and height, shared by every row of that height (written with each row, as
    openpyxl's write-only sheet writes a row's dimension): its XML attributes worked out once, not per row."""

    def __init__(self, ws: Any, height: float):
        super().__init__(ws, ht=height)
        self.attributes = tuple(super().__iter__())

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.attributes)


def save(wb: Workbook) -> bytes:
    """The workbook's zip, its parts stored uncompressed: ``xlsx.normalise_zip`` compresses each part once
    when it fixes the entries' times (openpyxl's own save would deflate them a first time)."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
    return raw.getvalue()


def print_setup(ws: Any, header_row: int, footer: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.5
    ws.page_margins.bottom = 0.6
    ws.page_margins.footer = 0.25  # the footer inside the page, below the last row
    ws.oddFooter.left.text = footer
    ws.oddFooter.left.size = BODY_SIZE  # scaled with the page, as the body is
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.right.size = BODY_SIZE


class LinkPlan:
    """Which records of a sheet get their hyperlinks: whole records, in order, while their links fit under
    ``limit``; the rest are given by address as text. ``counts``: each record's number of links."""

    def __init__(self, counts: Iterable[int], limit: int = HYPERLINK_LIMIT):
        self.limit = limit
        self.records = self.linked = self.links = 0
        full = False
        for n in counts:
            self.records += 1
            if not full and self.links + n <= limit:
                self.linked += 1
                self.links += n
            else:
                full = True

    @property
    def complete(self) -> bool:
        return self.linked == self.records

    def note(self, where: str) -> str:
        """What the sheet says when not every record is linked (``where``: where the others' addresses are)."""
        return gettext("Only the first %(linked)s of %(records)s records are linked: Excel allows %(limit)s links on "
                       "a sheet. For the other records, %(where)s.", linked=f"{self.linked:,}",
                       records=f"{self.records:,}", limit=f"{self.limit:,}", where=where)


def header_row(sheet: Sheet, headers: Sequence[tuple[str, int]], height: float = 30) -> int:
    style = sheet.style("header")
    return sheet.row(((gettext(name), style, None) for name, _width in headers), height)  # marked N_ where written


__all__ = ["Sheet", "StyleCell", "RowHeight", "save", "LinkPlan", "HYPERLINK_LIMIT", "DATE_FORMAT", "BODY_SIZE", "FONT", "KINDS", "new_workbook",
           "print_setup", "header_row", "text_value", "get_column_letter", "DataValidation"]
