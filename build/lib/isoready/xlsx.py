"""The audit checklist as an XLSX workbook (openpyxl), with byte-reproducible output.

openpyxl stamps the current time into the document properties and the zip
entries; we set the properties to the as-of date and rewrite the zip with
fixed timestamps, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .export import CHECKLIST_COLUMNS, checklist_rows
from .views import ExportView

WIDTHS = (10, 48, 28, 14, 14, 20, 50, 50, 24, 80)


def workbook_bytes(site: ExportView) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Checklist"
    ws.append(list(CHECKLIST_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3A5F")
    for row in checklist_rows(site):
        ws.append(row)  # cells are written as text (data_type "s"): no formula is ever evaluated
    for index, c in enumerate(site.clauses, start=2):
        ws.cell(row=index, column=1).hyperlink = c.url  # relative to the site folder the workbook sits in
        if c.evidence:
            ws.cell(row=index, column=7).hyperlink = c.evidence[0].url
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if cell.data_type == "f":  # pragma: no cover - defensive: text starting with '=' is never a formula
                cell.data_type = "s"
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    stamp = datetime.fromisoformat(site.as_of + "T00:00:00")
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "isoready"
    wb.properties.title = f"ISO 9001 readiness checklist: {site.organisation}"
    raw = io.BytesIO()
    wb.save(raw)
    return normalise_zip(raw.getvalue(), stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def normalise_zip(data: bytes, modified: str) -> bytes:
    """The same zip with fixed entry timestamps and attributes, and the save time replaced by ``modified``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl writes "now" on save, whatever we set
                body = _MODIFIED.sub(rb"\g<1>" + modified.encode() + rb"\g<2>", body)
            dst.writestr(fixed, body)
    return out.getvalue()
