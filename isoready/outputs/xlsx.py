"""The audit checklist workbook (openpyxl), byte-reproducible.

Five sheets, each built from the audience-filtered ``ExportView`` only:

- "Checklist": title rows, then one row per catalog clause. Its printed page (the first ``PRINTED_COLUMNS``
  columns, landscape, one page wide, at 9 pt or more) holds what an auditor needs on paper: the clause, the
  portal's state (a fill colour and its words) and reasons, the evidence to sample, the open findings, and three
  empty columns wide enough to write in (records sampled, a conformity drop-down, notes). To their right, on
  screen only: applicability, declared status, what an auditor checks, mandatory documented information, owner,
  target. Frozen panes, an autofilter, the header row on every printed page, page numbers and the as-of date in
  the footer.
- "Findings": the whole corrective-action lifecycle, open findings first.
- "Evidence": the register with each document's SHA-256.
- "Coverage": applicable clauses against the internal audits within the window, as on the coverage page.
- "Gates": each audit stage's checks, passed or not, with the reason, today and on the audit date.

Every date shown on its own in a cell is a real Excel date (``DATE_FORMAT``), never text.

openpyxl stamps the current time into the document properties and the zip entries; we set the
properties to the as-of date and rewrite the zip with fixed timestamps, so the same inputs give the
same bytes.
"""

from __future__ import annotations

import copy
import io
import math
import os
import re
import zipfile
from datetime import date, datetime
from typing import Any, Iterator, Optional, Sequence

# openpyxl chooses its XML writer once, when it is first imported: lxml's where lxml is installed, the standard
# library's otherwise, and the two write different bytes for one workbook. OPENPYXL_LXML is openpyxl's own
# switch, read at that import: the standard library's writer always, so the same inputs give the same bytes
# whether or not lxml is present (isoready imports openpyxl nowhere else, so this runs first).
os.environ["OPENPYXL_LXML"] = "False"

from openpyxl import Workbook  # noqa: E402 (after the switch above)
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from openpyxl.utils.datetime import to_excel  # noqa: E402
from openpyxl.worksheet.datavalidation import DataValidation  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402

from isoready.outputs.export import applicability_text, auditor_checks, full_title
from isoready.views import ClauseView, ExportView, FindingView

#: (header, width in characters) of the Checklist sheet, in order. The first ``PRINTED_COLUMNS`` are its printed
#: page: what an auditor needs on paper (the clause, the portal's state and reasons, the evidence to sample, the
#: open findings) and the three columns the auditor writes in, wide enough to write in. The rest (the catalog's
#: guidance, applicability, declared status, mandatory documented information, owner, target) sit to the right,
#: on screen only: printed as well, they shrank the page to about 5 pt type.
CHECKLIST_HEADERS: tuple[tuple[str, int], ...] = (
    ("Clause", 7), ("Title", 14), ("State", 8), ("Reasons", 21), ("Evidence", 21), ("Open findings", 11),
    ("Records sampled", 16), ("Conformity", 13), ("Auditor notes", 18),
    ("Applicability", 14), ("Declared status", 12), ("What an auditor checks", 60),
    ("Mandatory documented information", 26), ("Owner", 12), ("Target", 11),
)
PRINTED_COLUMNS = 9
AUDITOR_COLUMNS = ("Records sampled", "Conformity", "Auditor notes")
#: "area of concern": what a stage 1 report records (an issue that could become a nonconformity at stage 2)
CONFORMITY_CHOICES = ("C", "minor NC", "major NC", "OFI", "area of concern", "N/A")
#: every date is a real date cell shown in this format
DATE_FORMAT = "yyyy-mm-dd"
#: the body and header type size: the printed Checklist fits its width at this size scaled down to 9 pt or more
BODY_SIZE = 11
FONT = "Calibri"  # the workbook's default font: titles, headers and state cells in it too (not a serif fallback)

FINDING_HEADERS: tuple[tuple[str, int], ...] = (
    ("Finding", 13), ("Grade", 12), ("Status", 8), ("Clauses", 10), ("Raised", 11), ("Due", 11),
    ("Overdue", 8), ("Closed", 11), ("Owner", 14), ("Description", 40), ("Correction", 24),
    ("Root cause", 24), ("Corrective action", 30), ("Verification", 24), ("Evidence", 24),
)
EVIDENCE_HEADERS: tuple[tuple[str, int], ...] = (
    # hyperlinked cells (Evidence, Document) are wide enough for their one line: LibreOffice does not wrap them
    ("Evidence", 46), ("Title", 30), ("Kind", 16), ("Clauses", 10), ("Owner", 14), ("Issued or recorded", 11),
    ("Review by", 11), ("Stale", 6), ("Audience", 9), ("Page", 30), ("Document", 48), ("SHA-256", 34),
    ("External link", 26),
)

#: a fill per clause state, with the state's words always in the cell too (never colour alone)
STATE_FILLS = {"ready": "C6EFCE", "at-risk": "FFEB9C", "not-ready": "FFC7CE", "not-applicable": "E7E6E6"}
HEADER_FILL = "1F3A5F"
TITLE_ROWS = 7  # the Checklist header row; rows above it say what the workbook is
PAPER_A4 = "9"

_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP = Alignment(vertical="top", wrap_text=True)


def _text(cell: Any, value: str) -> None:
    """A text cell, never a formula: openpyxl would store "=..." as one."""
    cell.value = value
    if cell.data_type == "f":
        cell.data_type = "s"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_date(value: str) -> "date | str":
    """An ISO date string as a date (a real Excel date once written); anything else as it is."""
    if value and len(value) == 10 and value[4] == "-" and _ISO_DATE.fullmatch(value):  # cheap test first
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _value(cell: Any, value: "str | date") -> None:
    """A cell's value: a date cell (an Excel date number shown as ``DATE_FORMAT``) for an ISO date, else text."""
    value = as_date(value) if isinstance(value, str) else value
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        _text(cell, value)


def _site_link(site: ExportView, url: str) -> str:
    """A page of the site: absolute under the published site URL when known, else relative to the workbook
    (which sits at the site's root, so the link works from the site folder and the unzipped archive)."""
    return (site.site_url or "") + url


def _header(ws: Worksheet, row: int, headers: Sequence[tuple[str, int]]) -> None:
    for col, (name, width) in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col)
        _text(cell, name)
        cell.font = Font(name=FONT, size=BODY_SIZE, bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[row].height = 30


#: a printed Checklist row is tall enough for its printed columns and at least this many lines to write in; the
#: on-screen-only columns to their right add height up to ``SCREEN_LINES`` (longer guidance wraps within it: the
#: whole text is in the cell, and on the clause page)
WRITING_LINES = 4
SCREEN_LINES = 8


def _body_row(ws: Worksheet, row: int, values: Sequence[str], headers: Sequence[tuple[str, int]],
              printed: int = 0) -> None:
    """One row of text (dates as dates); ``printed``: how many leading columns print (the rest are on screen
    only and do not stretch the printed row beyond ``SCREEN_LINES``)."""
    lines = 1
    screen = 1
    style = getattr(ws, "_isoready_body_style", None)
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col)
        is_date = bool(value) and isinstance(as_date(value), date)
        if value and not is_date:
            _text(cell, value)
        if style is not None and not cell.has_style:  # the same style ids, without openpyxl's per-cell
            cell._style = copy.copy(style)  # registration (hashing every style object: most of the workbook's time)
        else:
            cell.alignment = _TOP
            cell.border = _BORDER
            if style is None:
                style = copy.copy(cell._style)
                ws._isoready_body_style = style
        if is_date:
            _value(cell, value)
        if printed and col > printed:
            screen = max(screen, _lines(value, headers[col - 1][1]))
        else:
            lines = max(lines, _lines(value, headers[col - 1][1]))
    if printed:
        lines = max(lines, WRITING_LINES, min(screen, SCREEN_LINES))
    # an explicit height: LibreOffice does not fit rows to wrapped text when it converts or prints headless
    ws.row_dimensions[row].height = min(409, 14.5 * lines + 2)


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (a generous estimate)."""
    usable = max(4, int(width * 1.2) - 1)
    return sum(max(1, math.ceil(len(part) / usable)) for part in (text or "").split("\n"))


def _print_setup(ws: Worksheet, header_row: int, as_of: str, what: str) -> None:
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
    ws.oddFooter.left.text = f"{what}, as of {as_of}"
    ws.oddFooter.left.size = BODY_SIZE  # scaled with the page, as the body is
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.right.size = BODY_SIZE


def _finish(ws: Worksheet, header_row: int, headers: Sequence[tuple[str, int]], last_row: int,
            as_of: str, what: str) -> None:
    ws.freeze_panes = f"B{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{max(last_row, header_row)}"
    _print_setup(ws, header_row, as_of, what)


def _applicability(c: ClauseView) -> str:
    """The justification on the excluded clause's own row only; its sub-clauses point to it."""
    if not c.applicable and c.status_from is not None and c.status_from.number != c.number:
        return f"not applicable (excluded with {c.status_from.number})"
    return applicability_text(c)


def _reasons(c: ClauseView) -> str:
    """One reason a line; an exclusion's justification is in the Applicability column, not repeated here."""
    declared = c.status_from.number if c.status_from else c.number
    return "\n".join(f"not applicable: excluded with {declared}" if code == "not-applicable" else " ".join(text.split())
                     for text, code in zip(c.reasons, c.reason_codes))


def _findings_cell(c: ClauseView) -> str:
    return "\n".join(f"{f.id} ({f.grade}" + (f", due {f.due}" if f.due else "") + (", overdue" if f.overdue else "")
                     + ")" for f in c.open_findings)


def _mandatory_cell(c: ClauseView) -> str:
    return "\n".join(f"{m.kind_label}: {m.what}: {m.state_label}" for m in c.mandatory)


def _evidence_cell(c: ClauseView) -> str:
    text = "\n".join(f"{e.id}: {e.title}" + (" (stale)" if e.stale else "") for e in c.evidence)
    if c.hidden_evidence_text:
        text = (text + "\n" if text else "") + c.hidden_evidence_text
    return text


#: (label column, date column) of each audit's date in the Checklist's title rows
_AUDIT_CELLS = ((2, 4), (5, 6), (7, 8))


def _title_rows(ws: Worksheet, site: ExportView) -> None:
    standard = site.standard + "".join(f" incl. {a}" for a in site.amendments)
    build = f"Audience: {site.audience}" + (f" · commit {site.commit}" if site.commit else "")
    withheld = [w for w in (f"{site.hidden_evidence} evidence records" if site.hidden_evidence else "",
                            f"{site.hidden_findings} findings" if site.hidden_findings else "") if w]
    if withheld:
        build += " · not shown in this build: " + ", ".join(withheld)
    rows = (f"ISO 9001 audit checklist: {site.organisation}", f"Standard: {standard}", "As of",
            build, "Audits" if site.audits else "Audit dates: no audit dates set",
            "Records sampled, Conformity (a list, with area of concern) and Auditor notes are for the auditor. "
            "Columns further right show on screen only.")
    for r, value in enumerate(rows, start=1):
        cell = ws.cell(row=r, column=1)
        _text(cell, value)
        cell.font = Font(name=FONT, bold=True, size=14) if r == 1 else Font(name=FONT, size=BODY_SIZE, italic=r == len(rows))
    _value(ws.cell(row=3, column=2), site.as_of)  # dates are dates: the as-of date and each audit's
    ws.cell(row=3, column=2).alignment = Alignment(horizontal="left")
    for i, audit in enumerate(site.audits):  # each date in a column wide enough to show it
        label, day = _AUDIT_CELLS[i] if i < len(_AUDIT_CELLS) else (2 * i + 1, 2 * i + 2)
        _text(ws.cell(row=5, column=label), f"{audit.name.capitalize()} audit")
        _value(ws.cell(row=5, column=day), audit.date)
        ws.cell(row=5, column=day).alignment = Alignment(horizontal="left")
    if site.site_url:
        cell = ws.cell(row=3, column=4)
        _text(cell, f"Portal: {site.site_url}")
        cell.hyperlink = site.site_url


def checklist_sheet(ws: Worksheet, site: ExportView) -> None:
    ws.title = "Checklist"
    _title_rows(ws, site)
    header = TITLE_ROWS
    _header(ws, header, CHECKLIST_HEADERS)
    row = header
    for c in site.clauses:
        row += 1
        _body_row(ws, row, [
            c.number, full_title(c), c.state_label, _reasons(c), _evidence_cell(c), _findings_cell(c),
            "", "", "",
            _applicability(c), c.status_label, auditor_checks(c), _mandatory_cell(c), c.owner, c.target,
        ], CHECKLIST_HEADERS, PRINTED_COLUMNS)
        ws.cell(row=row, column=1).hyperlink = _site_link(site, c.url)
        state = ws.cell(row=row, column=3)
        state.fill = PatternFill("solid", fgColor=STATE_FILLS[c.state])
        state.font = Font(name=FONT, size=BODY_SIZE, bold=c.state == "not-ready")
        # The Evidence cell stays plain text: LibreOffice shows a hyperlinked cell on one line, unwrapped,
        # which would hide every record but the first. The clause number links to the clause page, which
        # lists every record with its link; the Evidence sheet links each record.
        for col in range(PRINTED_COLUMNS - len(AUDITOR_COLUMNS) + 1, PRINTED_COLUMNS + 1):
            ws.cell(row=row, column=col).fill = PatternFill("solid", fgColor="FFFDE7")
    choices = ", ".join(CONFORMITY_CHOICES[:-1]) + " or " + CONFORMITY_CHOICES[-1]
    conformity = DataValidation(type="list", formula1='"' + ",".join(CONFORMITY_CHOICES) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="Conformity", error=f"Choose {choices}",
                                promptTitle="Conformity", prompt=choices, showInputMessage=True)
    col = get_column_letter([h for h, _ in CHECKLIST_HEADERS].index("Conformity") + 1)
    conformity.add(f"{col}{header + 1}:{col}{max(row, header + 1)}")
    ws.add_data_validation(conformity)
    _finish(ws, header, CHECKLIST_HEADERS, row, site.as_of, f"ISO 9001 audit checklist: {site.organisation}")
    ws.print_area = f"A1:{get_column_letter(PRINTED_COLUMNS)}{max(row, header)}"


COVERAGE_TITLE_ROWS = 6  # the Coverage sheet's header row; its two rows below give each audit's date and auditor
GATE_HEADERS: tuple[tuple[str, int], ...] = (
    ("Stage", 7), ("Check", 24), ("What is checked", 22), ("Today", 7), ("Reason", 28), ("Audit date", 10),
    ("On the audit date", 8), ("Reason on the audit date", 28),
)
GATE_TITLE_ROWS = 4  # the Gates sheet's header row (its widths, like the Checklist's, print at 9 pt or more)


def _passes(passed: bool) -> str:
    return "Passes" if passed else "Fails"


def coverage_sheet(ws: Worksheet, site: ExportView) -> None:
    """The internal audit coverage, as on the coverage page: applicable leaves down, internal audits within the
    window across (each with its date, a date cell, and its auditor), a tick where an audit covered the leaf."""
    ws.title = "Coverage"
    cov = site.coverage
    lines = [f"Internal audit coverage: {site.organisation}"]
    if cov is not None:
        lines += [cov.summary + ".", cov.timing]
        notes = []
        if cov.uncovered:
            notes.append("Not covered: " + ", ".join(c.number for c in cov.uncovered) + ".")
        notes += [f"{c.number}: {text}" for c, text in cov.not_counted]
        notes += [t for t in (cov.empty_text, cov.hidden_text) if t]
        lines.append(" ".join(notes))
    else:
        lines.append("No coverage in this build.")
    header = COVERAGE_TITLE_ROWS
    audits = cov.audits if cov is not None else ()
    by_url = {e.url: e for e in site.evidence}
    headers = (("Clause", 8), ("Title", 36),
               *((by_url[a.url].id if a.url in by_url else a.text, 22) for a in audits), ("Covered", 9))
    width = sum(w for _, w in headers)
    for r, value in enumerate(lines, start=1):
        cell = ws.cell(row=r, column=1)
        if value:
            _text(cell, value)
        cell.font = Font(name=FONT, bold=True, size=14) if r == 1 else Font(name=FONT, size=BODY_SIZE)
        if r > 1:  # a long note wraps across the table's width, never past the printed page
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(headers))
            cell.alignment = _TOP
            ws.row_dimensions[r].height = min(409, 14.5 * _lines(value, width) + 2)
    _header(ws, header, headers)
    ws.row_dimensions[header].height = 14.5 * max(_lines(h, w) for h, w in headers) + 2
    labels = ((header + 1, "Audit date", lambda a: a.text), (header + 2, "Auditor", lambda a: a.note))
    for row, label, value in labels:
        _body_row(ws, row, ["", label, *(value(a) for a in audits), ""], headers)
        ws.cell(row=row, column=2).font = Font(name=FONT, size=BODY_SIZE, bold=True)
    for i, a in enumerate(audits, start=3):  # the date links to the audit record (a one-line cell: LibreOffice
        ws.cell(row=header + 1, column=i).hyperlink = _site_link(site, a.url)  # does not wrap a linked one)
    row = header + 2
    for r in (cov.rows if cov is not None else ()):
        row += 1
        _body_row(ws, row, [r.clause.number, r.clause.name, *("✔" if hit else "" for hit in r.audits),
                            "yes" if r.covered else "no"], headers)
        ws.cell(row=row, column=1).hyperlink = _site_link(site, r.clause.url)
        if not r.covered:
            ws.cell(row=row, column=len(headers)).fill = PatternFill("solid", fgColor=STATE_FILLS["not-ready"])
    ws.freeze_panes = f"C{header + 3}"
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(headers))}{max(row, header)}"
    _print_setup(ws, header, site.as_of, f"Internal audit coverage: {site.organisation}")
    ws.print_title_rows = f"{header}:{header + 2}"


def gates_sheet(ws: Worksheet, site: ExportView) -> None:
    """Each audit stage's gate: a row for the stage (its verdict today and on its booked date), then one row
    per check with whether it passes and the reason, today and on the audit date."""
    ws.title = "Gates"
    cell = ws.cell(row=1, column=1)
    _text(cell, f"Audit stage gates: {site.organisation}")
    cell.font = Font(name=FONT, bold=True, size=14)
    _text(ws.cell(row=2, column=1), "As of")
    _value(ws.cell(row=2, column=2), site.as_of)
    header = GATE_TITLE_ROWS
    _header(ws, header, GATE_HEADERS)
    row = header
    for g in site.gates:
        on = g.on_date
        row += 1
        _body_row(ws, row, [g.stage, "all checks", g.name, _passes(g.passed), g.verdict or g.summary,
                            on.date if on else "", _passes(on.passed) if on else "", on.summary if on else ""],
                  GATE_HEADERS)
        ws.row_dimensions[row].height = min(409, ws.row_dimensions[row].height * 1.15)  # bold runs wider
        for col in range(1, len(GATE_HEADERS) + 1):
            ws.cell(row=row, column=col).font = Font(name=FONT, size=BODY_SIZE, bold=True)
        later = {i.check: i for i in on.items} if on else {}
        for item in g.items:
            row += 1
            then = later.get(item.check)
            _body_row(ws, row, [g.stage, item.check, item.name, _passes(item.passed), item.reason,
                                on.date if on else "", _passes(then.passed) if then else "",
                                then.reason if then else ""], GATE_HEADERS)
            for col, passed in ((4, item.passed), (7, then.passed if then else None)):
                if passed is not None:
                    ws.cell(row=row, column=col).fill = PatternFill(
                        "solid", fgColor=STATE_FILLS["ready" if passed else "not-ready"])
    _finish(ws, header, GATE_HEADERS, row, site.as_of, f"Audit stage gates: {site.organisation}")


def finding_values(f: FindingView) -> list[str]:
    return [f.id, f.grade_label, f.status, ", ".join(c.number for c in f.clauses), f.raised, f.due,
            "Yes" if f.overdue else "No", f.closed, f.owner, plain_md(f.description.source),
            plain_md(f.correction.source), plain_md(f.root_cause.source),
            plain_md(f.corrective_action.source or f.action.source), plain_md(f.verification.source),
            "\n".join(f"{e.note}: {e.text}" for e in f.evidence)]


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


def plain_md(source: str) -> str:
    """Markdown source as cell text: lines and list dashes kept, ids and dates intact ("S-005"),
    emphasis marks dropped, links as "text (address)"."""
    lines = []
    for line in (source or "").strip().splitlines():
        line = _MD_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(2) else m.group(1), line)
        line = _MD_EMPHASIS.sub("", line).strip()
        if line.startswith("#"):
            line = line.lstrip("#").strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def findings_sheet(ws: Worksheet, site: ExportView) -> None:
    ws.title = "Findings"
    _header(ws, 1, FINDING_HEADERS)
    ordered = sorted(site.findings, key=lambda f: (f.status != "open", f.id))
    row = 1
    for f in ordered:
        row += 1
        _body_row(ws, row, finding_values(f), FINDING_HEADERS)
        ws.cell(row=row, column=1).hyperlink = _site_link(site, f.url)
        if f.overdue:
            ws.cell(row=row, column=7).fill = PatternFill("solid", fgColor=STATE_FILLS["not-ready"])
    if not site.findings_published:
        _text(ws.cell(row=row + 2, column=1), "Audit findings are not published in this build.")
    elif site.hidden_findings:
        _text(ws.cell(row=row + 2, column=1), f"{site.hidden_findings} findings not shown in this build.")
    _finish(ws, 1, FINDING_HEADERS, row, site.as_of, f"Findings: {site.organisation}")


def evidence_values(site: ExportView, e: Any) -> list[str]:
    return [e.id, e.title, e.kind_label, ", ".join(c.number for c in e.clauses), e.owner, e.date, e.review_by,
            "Yes" if e.stale else "No", e.audience, _site_link(site, e.url), e.document.path if e.document else "",
            e.document.sha256 if e.document else "", e.external_url or ""]


def evidence_links(site: ExportView, e: Any) -> list[tuple[int, str]]:
    """(column, target) of the hyperlinks of one Evidence row."""
    links = [(1, _site_link(site, e.url))]
    if e.document:
        links.append((11, _site_link(site, e.document.url)))
    if e.external_url:
        links.append((13, e.external_url))
    return links


#: Excel refuses a sheet with more hyperlinks than this; past it, records are not linked (their Page column still
#: gives the page's address as text) and a note under the table says so
HYPERLINK_LIMIT = 65_530


class _EvidenceRows:
    """The Evidence sheet's body, one row per record: written as XML straight into the saved workbook.

    openpyxl keeps a Python object per cell until it saves, and writes each through its XML tree: at 100,000
    records that was most of a build's memory and a third of its time. The sheet's header, columns, freeze,
    filter and print setup are openpyxl's; the rows, their hyperlinks and relationships are the same XML
    openpyxl writes for them (tests/unit/test_workbook.py compares the two, cell by cell).
    """

    def __init__(self, site: ExportView, body_style: int, stale_style: int, date_style: int):
        self.site, self.body, self.stale, self.date = site, body_style, stale_style, date_style
        self.last_row = 1 + len(site.evidence)
        self.note_row = self.last_row + 2 if site.hidden_evidence else 0
        self.letters = [get_column_letter(c) for c in range(1, len(EVIDENCE_HEADERS) + 1)]
        # whole records are linked while their links fit under Excel's limit, never half a record
        self.linked, links = 0, 0
        for e in site.evidence:
            links += len(evidence_links(site, e))
            if links > HYPERLINK_LIMIT:
                break
            self.linked += 1
        self.limit_row = (self.note_row or self.last_row) + 2 if self.linked < len(site.evidence) else 0

    def _rows(self) -> Iterator[str]:
        letters = self.letters
        for row, e in enumerate(self.site.evidence, start=2):
            values = evidence_values(self.site, e)
            lines = 1
            cells = []
            for col, (value, letter) in enumerate(zip(values, letters), start=1):
                day = as_date(value) if value else value
                if isinstance(day, date):  # a date cell, as openpyxl writes one
                    cells.append(f'<c r="{letter}{row}" s="{self.date}" t="n"><v>{_excel_day(day)}</v></c>')
                else:
                    style = self.stale if col == 8 and e.stale else self.body
                    cells.append(_cell_xml(f"{letter}{row}", value, style))
                lines = max(lines, _lines(value, EVIDENCE_HEADERS[col - 1][1]))
            yield (f'<row r="{row}" ht="{"%.16g" % min(409, 14.5 * lines + 2)}" customHeight="1">'
                   + "".join(cells) + "</row>")
        if self.note_row:
            note = f"{self.site.hidden_evidence} evidence records not shown in this build."
            yield f'<row r="{self.note_row}">{_cell_xml(f"A{self.note_row}", note, None)}</row>'
        if self.limit_row:
            note = (f"Only the first {self.linked} records are linked: Excel allows {HYPERLINK_LIMIT:,} links on a "
                    "sheet. For the other records, the Page column gives the address of the record's page.")
            yield f'<row r="{self.limit_row}">{_cell_xml(f"A{self.limit_row}", note, None)}</row>'

    def _links(self) -> Iterator[tuple[str, str]]:
        """(hyperlink element, relationship element) of every link, numbered rId1, rId2, ... as openpyxl does."""
        n = 0
        for row, e in enumerate(self.site.evidence[:self.linked], start=2):
            for col, target in evidence_links(self.site, e):
                n += 1
                yield (f'<hyperlink xmlns:r="{_R_NS}" ref="{self.letters[col - 1]}{row}" r:id="rId{n}" />',
                       f'<Relationship Type="{_HYPERLINK}" Target="{_attr(target)}" TargetMode="External" '
                       f'Id="rId{n}" />')

    def write_sheet(self, sheet: bytes, out: Any) -> bool:
        """The saved (header-only) sheet with the rows and hyperlinks in, written to ``out`` piece by piece (at
        100,000 records the whole sheet is hundreds of MB of text); True when it has hyperlinks."""
        xml = sheet.decode("utf-8")
        last = self.limit_row or self.note_row or self.last_row
        xml = re.sub(r'<dimension ref="[^"]*" />', f'<dimension ref="A1:{get_column_letter(len(EVIDENCE_HEADERS))}'
                     f'{max(last, 1)}" />', xml, count=1)
        head, tail = xml.split("</sheetData>", 1)
        out.write(head.encode("utf-8"))
        _chunked(out, self._rows())
        out.write(b"</sheetData>")
        has_links = self.linked > 0 and any(True for _ in evidence_links_any(self.site))
        if has_links:
            at = min(i for i in (tail.find(t) for t in ("<printOptions", "<pageMargins", "<pageSetup", "<headerFooter",
                                                        "</worksheet>")) if i >= 0)
            out.write(tail[:at].encode("utf-8") + b"<hyperlinks>")
            _chunked(out, (link for link, _rel in self._links()))
            out.write(b"</hyperlinks>" + tail[at:].encode("utf-8"))
        else:
            out.write(tail.encode("utf-8"))
        return has_links

    def write_rels(self, out: Any) -> None:
        out.write(f'<Relationships xmlns="{_PACKAGE_RELS}">'.encode("utf-8"))
        _chunked(out, (rel for _link, rel in self._links()))
        out.write(b"</Relationships>")


def evidence_links_any(site: ExportView) -> Iterator[tuple[int, str]]:
    for e in site.evidence:
        yield from evidence_links(site, e)


def _chunked(out: Any, parts: Iterator[str], size: int = 2000) -> None:
    batch: list[str] = []
    for part in parts:
        batch.append(part)
        if len(batch) >= size:
            out.write("".join(batch).encode("utf-8"))
            batch = []
    if batch:
        out.write("".join(batch).encode("utf-8"))


_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HYPERLINK = _R_NS + "/hyperlink"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return (_esc(text).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))





def _excel_day(day: date) -> int:
    """The Excel serial number of a date (the 1900 date system openpyxl writes)."""
    return int(to_excel(day))


def _cell_xml(ref: str, value: str, style: "int | None") -> str:
    """One text cell as openpyxl writes it (an inline string; empty: a styled blank)."""
    s = f' s="{style}"' if style is not None else ""
    if not value:
        return f'<c r="{ref}"{s} t="n" />'
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # what openpyxl would refuse; YAML cannot carry them anyway
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and stripped != value else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_esc(value)}</t></is></c>'


def evidence_sheet(ws: Worksheet, site: ExportView) -> _EvidenceRows:
    """The Evidence sheet's frame (header, widths, freeze, filter, print setup); its rows are spliced into the
    saved file (``_EvidenceRows``)."""
    ws.title = "Evidence"
    _header(ws, 1, EVIDENCE_HEADERS)
    probe = ws.cell(row=2, column=1)  # the two body styles, registered as _body_row and the stale fill make them
    probe.alignment = _TOP
    probe.border = _BORDER
    body = copy.copy(probe._style)
    probe.fill = PatternFill("solid", fgColor=STATE_FILLS["not-ready"])
    stale = copy.copy(probe._style)
    probe._style = copy.copy(body)
    probe.number_format = DATE_FORMAT
    dated = copy.copy(probe._style)
    del ws._cells[(2, 1)]
    styles = ws.parent._cell_styles
    rows = _EvidenceRows(site, styles.add(body), styles.add(stale), styles.add(dated))
    _finish(ws, 1, EVIDENCE_HEADERS, rows.last_row, site.as_of, f"Evidence register: {site.organisation}")
    return rows


def workbook_bytes(site: ExportView) -> bytes:
    wb = Workbook()
    checklist_sheet(wb.active, site)
    findings_sheet(wb.create_sheet(), site)
    evidence = evidence_sheet(wb.create_sheet(), site)  # the third sheet: its rows are spliced in (sheet3.xml)
    coverage_sheet(wb.create_sheet(), site)
    gates_sheet(wb.create_sheet(), site)
    stamp = datetime.fromisoformat(site.as_of + "T00:00:00")
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "isoready"
    wb.properties.title = f"ISO 9001 audit checklist: {site.organisation}"
    raw = io.BytesIO()
    wb.save(raw)
    return normalise_zip(raw.getvalue(), stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), evidence)


_EVIDENCE_PART = "xl/worksheets/sheet3.xml"
_EVIDENCE_RELS = "xl/worksheets/_rels/sheet3.xml.rels"


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def normalise_zip(data: bytes, modified: str, evidence: "Optional[_EvidenceRows]" = None) -> bytes:
    """The same zip with fixed entry timestamps and attributes, and the save time replaced by ``modified``;
    ``evidence`` fills in the Evidence sheet's rows, its hyperlinks and their relationships."""
    out = io.BytesIO()

    def info(name: str) -> zipfile.ZipInfo:
        fixed = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        fixed.compress_type = zipfile.ZIP_DEFLATED
        fixed.external_attr = 0o644 << 16
        return fixed

    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "docProps/core.xml":  # openpyxl writes "now" on save, whatever we set
                body = _MODIFIED.sub(rb"\g<1>" + modified.encode() + rb"\g<2>", body)
            if name == _EVIDENCE_RELS and evidence is not None:
                continue  # written with the sheet, below
            if name == _EVIDENCE_PART and evidence is not None:
                with dst.open(info(name), "w") as part:
                    has_links = evidence.write_sheet(body, part)
                if has_links:
                    with dst.open(info(_EVIDENCE_RELS), "w") as part:
                        evidence.write_rels(part)
                continue
            dst.writestr(info(name), body)
    return out.getvalue()


__all__ = ["workbook_bytes", "normalise_zip", "CHECKLIST_HEADERS", "CONFORMITY_CHOICES", "STATE_FILLS",
           "TITLE_ROWS"]
