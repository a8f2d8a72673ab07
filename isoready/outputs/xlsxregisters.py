"""The workbook's summary sheet per register type (issue 24): "Calibration", "Competence", ... one row per
register record the build shows, with its rows, the rows carrying each flag, the problems met reading it and its
reasons, worded by views (``ExportView.register_summaries``). No sheet for a type the build has no register of.

Every cell from a register or the team is text, never a formula (``Sheet`` keeps a value starting with "=" a text
cell); counts are numbers.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any, Sequence

from isoready.core.i18n import gettext as _, N_
from isoready.outputs.xlsxsheet import LinkPlan, Sheet, header_row
from isoready.views import ExportView

#: (header, width) of the columns before the flag counts, and after them
REGISTER_HEADERS_BEFORE: tuple[tuple[str, int], ...] = ((N_("Evidence"), 24), (N_("Title"), 30), (N_("File"), 28),
                                                         (N_("Rows"), 8))
REGISTER_HEADERS_AFTER: tuple[tuple[str, int], ...] = ((N_("Problems"), 10), (N_("Reasons"), 60))
REGISTER_TITLE_ROWS = 4  # the header row of a register sheet
FLAG_WIDTH = 12


def register_sheets(wb: Any, site: ExportView) -> None:
    for _kind, group in groupby(site.register_summaries, key=lambda v: v.kind):
        register_sheet(wb, site, tuple(group))


def _lines(text: str, width: int) -> int:
    usable = max(4, int(width * 1.2) - 1)
    return sum(max(1, -(-len(part) // usable)) for part in (text or "").split("\n"))


def register_sheet(wb: Any, site: ExportView, registers: Sequence[Any]) -> None:
    """One register type's sheet: its registers (views.RegisterSummaryView), one row each."""
    label = registers[0].kind_label
    flags = [words for words, _n in registers[0].flags]  # the same columns for every register of one type
    for r in registers[1:]:
        flags += [words for words, _n in r.flags if words not in flags]
    headers = (*REGISTER_HEADERS_BEFORE, *((_("Rows %(flag)s", flag=words), FLAG_WIDTH) for words in flags),
               *REGISTER_HEADERS_AFTER)
    sheet = Sheet(wb, label, [w for _, w in headers])
    plan = LinkPlan(1 for _ in registers)
    header = REGISTER_TITLE_ROWS + (0 if plan.complete else 1)
    title = _("%(kind)s registers: %(organisation)s", kind=label, organisation=site.organisation)
    sheet.start(f"B{header + 1}", header, _("%(title)s, as of %(date)s", title=title, date=site.as_of))
    sheet.row(((title, sheet.style("title", size=14), None),))
    sheet.row(((_("As of"), None, None), (date.fromisoformat(site.as_of), sheet.style("left", date=True), None)))
    sheet.row(((_("Rows flagged are counted per flag (a row may carry more than one); the reasons are the "
                  "portal's, as on each record's page."), sheet.style("note"), None),))
    if not plan.complete:
        sheet.row(((plan.note(_("the Evidence column gives the record's id")), sheet.style("line", bold=True),
                    None),))
    header_row(sheet, headers)
    body = sheet.style("body")
    row = header
    for i, r in enumerate(registers):
        by_words = dict(r.flags)
        reasons = "\n".join(r.reasons)
        link = (site.site_url or "") + r.url if i < plan.linked else None  # as the other sheets link pages
        values: list[tuple[Any, Any, Any]] = [
            (r.evidence, body, link), (r.title, body, None), (r.file, body, None), (r.rows, body, None),
            *((by_words.get(words, 0), body, None) for words in flags),
            (r.problems, body, None), (reasons, body, None)]
        lines = max(_lines(reasons, REGISTER_HEADERS_AFTER[-1][1]), _lines(r.title, REGISTER_HEADERS_BEFORE[1][1]))
        row = sheet.row(values, min(409, 14.5 * lines + 2))
    sheet.finish(header, len(headers), row)

