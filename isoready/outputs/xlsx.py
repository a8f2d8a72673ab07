"""The audit checklist workbook, written with openpyxl's write-only mode, byte-reproducible.

Five sheets, each built from the audience-filtered ``ExportView`` only, then a summary sheet per register type
the build shows (issue 24):

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
- "Sites" (``sites_sheet``, in xlsxsites.py): a multi-site organisation's sites, one row each.
- "Calibration", "Competence", ... (``register_sheets``, in xlsxregisters.py): one row per register record.

Every date shown on its own in a cell is a real Excel date (``DATE_FORMAT``), never text; text from the team
(or a register) is always a text cell, never a formula. Where a sheet would pass Excel's limit of hyperlinks
(``HYPERLINK_LIMIT``), whole records are linked while they fit, the rest are given by address, and a note above
the table says so (``LinkPlan``).

openpyxl stamps the current time into the document properties and the zip entries; we set the
properties to the as-of date and rewrite the zip with fixed timestamps, so the same inputs give the
same bytes. How the sheets are written fast: outputs/xlsxsheet.py.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import date, datetime
from typing import Any, Iterator, Mapping, Optional, Sequence

from isoready.core.i18n import N_, gettext as _
from isoready.outputs.export import applicability_text, auditor_checks, full_title
from isoready.outputs.xlsxregisters import register_sheets
from isoready.outputs.xlsxsites import sites_sheet
# xlsxsheet is the one module that imports openpyxl: it sets openpyxl's writer switch first
from isoready.outputs.xlsxsheet import (DATE_FORMAT, HYPERLINK_LIMIT, DataValidation, LinkPlan, Sheet,
                                        get_column_letter, header_row, new_workbook, save)
from isoready.views import ClauseView, ExportView, FindingView
from isoready.views.labels import GRADE_WORDS
from isoready.views.reasons import FINDINGS_NOT_PUBLISHED

#: (header, width in characters) of the Checklist sheet, in order. The first ``PRINTED_COLUMNS`` are its printed
#: page: what an auditor needs on paper (the clause, the portal's state and reasons, the evidence to sample, the
#: open findings) and the three columns the auditor writes in, wide enough to write in. The rest (the catalog's
#: guidance, applicability, declared status, mandatory documented information, owner, target) sit to the right,
#: on screen only: printed as well, they shrank the page to about 5 pt type.
CHECKLIST_HEADERS: tuple[tuple[str, int], ...] = (
    (N_("Clause"), 7), (N_("Title"), 14), (N_("State"), 8), (N_("Reasons"), 21), (N_("Evidence"), 21),
    (N_("Open findings"), 11), (N_("Records sampled"), 16), (N_("Conformity"), 13), (N_("Auditor notes"), 18),
    (N_("Applicability"), 14), (N_("Declared status"), 12), (N_("What an auditor checks"), 60),
    (N_("Mandatory documented information"), 26), (N_("Owner"), 12), (N_("Target"), 11),
)
PRINTED_COLUMNS = 9
AUDITOR_COLUMNS = ("Records sampled", "Conformity", "Auditor notes")
#: "area of concern": what a stage 1 report records (an issue that could become a nonconformity at stage 2)
CONFORMITY_CHOICES = ("C", "minor NC", "major NC", "OFI", "area of concern", "N/A")
WRITE_IN_FILL = "FFFDE7"  # the auditor's columns

FINDING_HEADERS: tuple[tuple[str, int], ...] = (
    (N_("Finding"), 13), (N_("Grade"), 12), (N_("Status"), 8), (N_("Clauses"), 10), (N_("Raised"), 11),
    (N_("Due"), 11), (N_("Overdue"), 8), (N_("Closed"), 11), (N_("Owner"), 14), (N_("Description"), 40),
    (N_("Correction"), 24), (N_("Root cause"), 24), (N_("Corrective action"), 30), (N_("Verification"), 24),
    (N_("Evidence"), 24),
)
EVIDENCE_HEADERS: tuple[tuple[str, int], ...] = (
    # hyperlinked cells (Evidence, Document) are wide enough for their one line: LibreOffice does not wrap them
    (N_("Evidence"), 46), (N_("Title"), 30), (N_("Kind"), 16), (N_("Clauses"), 10), (N_("Owner"), 14),
    (N_("Issued or recorded"), 11), (N_("Review by"), 11), (N_("Stale"), 6), (N_("Audience"), 9), (N_("Page"), 30),
    (N_("Document"), 48), (N_("SHA-256"), 34), (N_("External link"), 26),
)
EVIDENCE_PAGE_COLUMN = 10  # "Page": each record's page address, as text (what a record past the link limit has)

#: a fill per clause state, with the state's words always in the cell too (never colour alone)
STATE_FILLS = {"ready": "C6EFCE", "at-risk": "FFEB9C", "not-ready": "FFC7CE", "not-applicable": "E7E6E6"}
TITLE_ROWS = 7  # the Checklist header row; rows above it say what the workbook is

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_date(value: str) -> "date | str":
    """An ISO date string as a date (a real Excel date once written); anything else as it is."""
    if value and len(value) == 10 and value[4] == "-" and _ISO_DATE.fullmatch(value):  # cheap test first
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _site_link(site: ExportView, url: str) -> str:
    """A page of the site: absolute under the published site URL when known, else relative to the workbook
    (which sits at the site's root, so the link works from the site folder and the unzipped archive)."""
    return (site.site_url or "") + url


#: a printed Checklist row is tall enough for its printed columns and at least this many lines to write in; the
#: on-screen-only columns to their right add height up to ``SCREEN_LINES`` (longer guidance wraps within it: the
#: whole text is in the cell, and on the clause page)
WRITING_LINES = 4
SCREEN_LINES = 8


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (a generous estimate)."""
    usable = max(4, int(width * 1.2) - 1)
    return sum(max(1, math.ceil(len(part) / usable)) for part in (text or "").split("\n"))


def _height(lines: int) -> float:
    # an explicit height: LibreOffice does not fit rows to wrapped text when it converts or prints headless
    return min(409, 14.5 * lines + 2)


def body_row(sheet: Sheet, values: Sequence[str], headers: Sequence[tuple[str, int]], printed: int = 0,
             looks: Mapping[int, tuple[Optional[str], Optional[bool]]] = {}, links: Mapping[int, str] = {},
             taller: float = 1.0) -> int:
    """One table row of text (ISO dates as date cells), every cell bordered and wrapped. ``printed``: how many
    leading columns print (the rest are on screen only and do not stretch the printed row beyond
    ``SCREEN_LINES``); ``looks``: column -> (fill, bold); ``links``: column -> hyperlink target."""
    lines = screen = 1
    cells = []
    style = sheet.style
    for col, value in enumerate(values, start=1):
        fill, bold = looks.get(col, (None, None))
        day = as_date(value) if value else value
        cells.append((day, style("body", fill, bold, isinstance(day, date)), links.get(col)))
        if printed and col > printed:
            screen = max(screen, _lines(value, headers[col - 1][1]))
        else:
            lines = max(lines, _lines(value, headers[col - 1][1]))
    if printed:
        lines = max(lines, WRITING_LINES, min(screen, SCREEN_LINES))
    return sheet.row(cells, min(409, _height(lines) * taller))


def _line(sheet: Sheet, *cells: tuple[Any, Any, Optional[str]], height: Optional[float] = None) -> int:
    return sheet.row(cells, height)


def _text_line(sheet: Sheet, text: str, kind: str = "line") -> int:
    return sheet.row(((text, sheet.style(kind), None),))


def _applicability(c: ClauseView) -> str:
    """The justification on the excluded clause's own row only; its sub-clauses point to it."""
    if not c.applicable and c.status_from is not None and c.status_from.number != c.number:
        return _("not applicable (excluded with %(clause)s)", clause=c.status_from.number)
    return applicability_text(c)


def _reasons(c: ClauseView) -> str:
    """One reason a line; an exclusion's justification is in the Applicability column, not repeated here."""
    declared = c.status_from.number if c.status_from else c.number
    return "\n".join(_("not applicable: excluded with %(clause)s", clause=declared) if code == "not-applicable"
                     else " ".join(text.split()) for text, code in zip(c.reasons, c.reason_codes))


def _findings_cell(c: ClauseView) -> str:
    return "\n".join(f"{f.id} ({GRADE_WORDS.word(f.grade)}" + (_(", due %(date)s", date=f.due) if f.due else "")
                     + (_(", overdue") if f.overdue else "") + ")" for f in c.open_findings)


def _mandatory_cell(c: ClauseView) -> str:
    return "\n".join(f"{m.kind_label}: {m.what}: {m.state_label}" for m in c.mandatory)


def _evidence_cell(c: ClauseView) -> str:
    text = "\n".join(f"{e.id}: {e.title}" + (" (stale)" if e.stale else "") for e in c.evidence)
    if c.hidden_evidence_text:
        text = (text + "\n" if text else "") + c.hidden_evidence_text
    return text


#: (label column, date column) of each audit's date in the Checklist's title rows
_AUDIT_CELLS = ((2, 4), (5, 6), (7, 8))



def _title_rows(sheet: Sheet, site: ExportView) -> None:
    standard = site.standard + "".join(_(" incl. %(amendment)s", amendment=a) for a in site.amendments)
    build = _("Audience: %(audience)s", audience=site.audience) + (
        _(" · commit %(commit)s", commit=site.commit) if site.commit else "")
    withheld = [w for w in (_("%(num)s evidence records", num=site.hidden_evidence) if site.hidden_evidence else "",
                            _("%(num)s findings", num=site.hidden_findings) if site.hidden_findings else "") if w]
    if withheld:
        build += _(" · not shown in this build: %(what)s", what=", ".join(withheld))
    line, left = sheet.style("line"), sheet.style("left", date=True)  # dates are dates: the as-of and each audit's
    _line(sheet, (_("ISO 9001 audit checklist: %(organisation)s", organisation=site.organisation),
                  sheet.style("title", size=14), None))
    _line(sheet, (_("Standard: %(standard)s", standard=standard), line, None))
    portal = [(None, None, None), (_("Portal: %(url)s", url=site.site_url), None, site.site_url)] \
        if site.site_url else []
    _line(sheet, (_("As of"), line, None), (as_date(site.as_of), left, None), *portal)
    _line(sheet, (build, line, None))
    audits: dict[int, tuple[Any, Any, Optional[str]]] = {}
    for i, audit in enumerate(site.audits):  # each date in a column wide enough to show it
        label, day = _AUDIT_CELLS[i] if i < len(_AUDIT_CELLS) else (2 * i + 1, 2 * i + 2)
        audits[label] = (_("%(stage)s audit", stage=audit.name.capitalize()), None, None)
        audits[day] = (as_date(audit.date), left, None)
    first = (_("Audits") if site.audits else _("Audit dates: no audit dates set"), line, None)
    _line(sheet, first, *(audits.get(col, (None, None, None)) for col in range(2, max(audits, default=1) + 1)))
    _line(sheet, (_("Records sampled, Conformity (a list, with area of concern) and Auditor notes are for the "
                    "auditor. Columns further right show on screen only."), sheet.style("note"), None))



def checklist_sheet(wb: Any, site: ExportView) -> None:
    sheet = Sheet(wb, "Checklist", [w for _, w in CHECKLIST_HEADERS])
    header = TITLE_ROWS
    sheet.start(f"B{header + 1}", header, _("ISO 9001 audit checklist: %(organisation)s, as of %(date)s",
                                            organisation=site.organisation, date=site.as_of))
    _title_rows(sheet, site)
    header_row(sheet, CHECKLIST_HEADERS)
    write_in = {col: (WRITE_IN_FILL, None) for col in range(PRINTED_COLUMNS - len(AUDITOR_COLUMNS) + 1,
                                                             PRINTED_COLUMNS + 1)}
    plan = LinkPlan(1 for _ in site.clauses)  # a few hundred clauses: far below Excel's limit
    row = header
    for i, c in enumerate(site.clauses):
        # The Evidence cell stays plain text: LibreOffice shows a hyperlinked cell on one line, unwrapped,
        # which would hide every record but the first. The clause number links to the clause page, which
        # lists every record with its link; the Evidence sheet links each record.
        row = body_row(sheet, [
            c.number, full_title(c), c.state_label, _reasons(c), _evidence_cell(c), _findings_cell(c),
            "", "", "",
            _applicability(c), c.status_label, auditor_checks(c), _mandatory_cell(c), c.owner, c.target,
        ], CHECKLIST_HEADERS, PRINTED_COLUMNS, looks={3: (STATE_FILLS[c.state], c.state == "not-ready"), **write_in},
            links={1: _site_link(site, c.url)} if i < plan.linked else {})
    choices = ", ".join(CONFORMITY_CHOICES[:-1]) + " or " + CONFORMITY_CHOICES[-1]
    conformity = DataValidation(type="list", formula1='"' + ",".join(CONFORMITY_CHOICES) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="Conformity", error=f"Choose {choices}",
                                promptTitle="Conformity", prompt=choices, showInputMessage=True)
    col = get_column_letter([h for h, _ in CHECKLIST_HEADERS].index("Conformity") + 1)
    conformity.add(f"{col}{header + 1}:{col}{max(row, header + 1)}")
    sheet.ws.data_validations.append(conformity)
    sheet.finish(header, len(CHECKLIST_HEADERS), row)
    sheet.ws.print_area = f"A1:{get_column_letter(PRINTED_COLUMNS)}{max(row, header)}"


COVERAGE_TITLE_ROWS = 6  # the Coverage sheet's header row; its two rows below give each audit's date and auditor
GATE_HEADERS: tuple[tuple[str, int], ...] = (
    (N_("Stage"), 7), (N_("Check"), 24), (N_("What is checked"), 22), (N_("Today"), 7), (N_("Reason"), 28),
    (N_("Audit date"), 10), (N_("On the audit date"), 8), (N_("Reason on the audit date"), 28),
)
GATE_TITLE_ROWS = 4  # the Gates sheet's header row (its widths, like the Checklist's, print at 9 pt or more)


def _passes(passed: bool) -> str:
    return _("Passes") if passed else _("Fails")


def coverage_sheet(wb: Any, site: ExportView) -> None:
    """The internal audit coverage, as on the coverage page: applicable leaves down, internal audits within the
    window across (each with its date, a date cell, and its auditor), a tick where an audit covered the leaf."""
    cov = site.coverage
    lines = [_("Internal audit coverage: %(organisation)s", organisation=site.organisation)]
    if cov is not None:
        lines += [cov.summary + ".", cov.timing]
        notes = []
        if cov.uncovered:
            notes.append(_("Not covered: %(clauses)s.", clauses=", ".join(c.number for c in cov.uncovered)))
        notes += [f"{c.number}: {text}" for c, text in cov.not_counted]
        notes += [t for t in (cov.empty_text, cov.hidden_text) if t]
        lines.append(" ".join(notes))
    else:
        lines.append(_("No coverage in this build."))
    header = COVERAGE_TITLE_ROWS
    audits = cov.audits if cov is not None else ()
    by_url = {e.url: e for e in site.evidence}
    headers = ((N_("Clause"), 8), (N_("Title"), 36),
               *((by_url[a.url].id if a.url in by_url else a.text, 22) for a in audits), (N_("Covered"), 9))
    width = sum(w for _, w in headers)
    sheet = Sheet(wb, "Coverage", [w for _, w in headers])
    sheet.start(f"C{header + 3}", header, _("Internal audit coverage: %(organisation)s, as of %(date)s",
                                            organisation=site.organisation, date=site.as_of))
    for r, value in enumerate(lines, start=1):
        if r == 1:
            _line(sheet, (value, sheet.style("title", size=14), None))
            continue
        # a long note wraps across the table's width, never past the printed page
        _line(sheet, (value, sheet.style("wrapped"), None), height=_height(_lines(value, width)))
        sheet.ws.merged_cells.add(f"A{r}:{get_column_letter(len(headers))}{r}")
    sheet.blank(header - 1 - len(lines))
    header_row(sheet, headers, 14.5 * max(_lines(_(h), w) for h, w in headers) + 2)
    bold = {2: (None, True)}
    # the date links to the audit record (a one-line cell: LibreOffice does not wrap a linked one)
    body_row(sheet, ["", _("Audit date"), *(a.text for a in audits), ""], headers, looks=bold,
             links={i: _site_link(site, a.url) for i, a in enumerate(audits, start=3)})
    row = body_row(sheet, ["", _("Auditor"), *(a.note for a in audits), ""], headers, looks=bold)
    for r in (cov.rows if cov is not None else ()):
        row = body_row(sheet, [r.clause.number, r.clause.name, *("✔" if hit else "" for hit in r.audits),
                               _("yes") if r.covered else _("no")], headers,
                       looks={} if r.covered else {len(headers): (STATE_FILLS["not-ready"], None)},
                       links={1: _site_link(site, r.clause.url)})
    sheet.finish(header, len(headers), row)
    sheet.ws.print_title_rows = f"{header}:{header + 2}"


def gates_sheet(wb: Any, site: ExportView) -> None:
    """Each audit stage's gate: a row for the stage (its verdict today and on its booked date), then one row
    per check with whether it passes and the reason, today and on the audit date."""
    sheet = Sheet(wb, "Gates", [w for _, w in GATE_HEADERS])
    header = GATE_TITLE_ROWS
    sheet.start(f"B{header + 1}", header, _("Audit stage gates: %(organisation)s, as of %(date)s",
                                            organisation=site.organisation, date=site.as_of))
    _line(sheet, (_("Audit stage gates: %(organisation)s", organisation=site.organisation),
                  sheet.style("title", size=14), None))
    _line(sheet, (_("As of"), None, None), (as_date(site.as_of), sheet.style("plain", date=True), None))
    sheet.blank(header - 3)
    header_row(sheet, GATE_HEADERS)
    row = header
    every_bold = {col: (None, True) for col in range(1, len(GATE_HEADERS) + 1)}

    def verdict(passed: Optional[bool]) -> tuple[Optional[str], Optional[bool]]:
        return (STATE_FILLS["ready" if passed else "not-ready"] if passed is not None else None, None)

    for g in site.gates:
        on = g.on_date
        # bold runs wider: the stage's row a little taller
        row = body_row(sheet, [g.stage, _("all checks"), g.name, _passes(g.passed), g.verdict or g.summary,
                               on.date if on else "", _passes(on.passed) if on else "", on.summary if on else ""],
                       GATE_HEADERS, looks=every_bold, taller=1.15)
        later = {i.check: i for i in on.items} if on else {}
        for item in g.items:
            then = later.get(item.check)
            row = body_row(sheet, [g.stage, item.check, item.name, _passes(item.passed), item.reason,
                                   on.date if on else "", _passes(then.passed) if then else "",
                                   then.reason if then else ""], GATE_HEADERS,
                           looks={4: verdict(item.passed), 7: verdict(then.passed if then else None)})
    sheet.finish(header, len(GATE_HEADERS), row)


def finding_values(f: FindingView) -> list[str]:
    return [f.id, f.grade_label, f.status, ", ".join(c.number for c in f.clauses), f.raised, f.due,
            _("Yes") if f.overdue else _("No"), f.closed, f.owner, plain_md(f.description.source),
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


def _limit_note(sheet: Sheet, plan: LinkPlan, where: str) -> None:
    """The note above a table whose records are not all linked (none when they are): an auditor reads it before
    the records, and the table's header sits one row lower."""
    if not plan.complete:
        sheet.row(((plan.note(where), sheet.style("line", bold=True), None),))


def findings_sheet(wb: Any, site: ExportView) -> None:
    sheet = Sheet(wb, "Findings", [w for _, w in FINDING_HEADERS])
    ordered = sorted(site.findings, key=lambda f: (f.status != "open", f.id))
    plan = LinkPlan(1 for _ in ordered)
    header = 1 if plan.complete else 2
    sheet.start(f"B{header + 1}", header, _("Findings: %(organisation)s, as of %(date)s",
                                            organisation=site.organisation, date=site.as_of))
    _limit_note(sheet, plan, _("the Finding column gives the finding's id (its page: findings/<id>.html)"))
    header_row(sheet, FINDING_HEADERS)
    row = header
    overdue = {7: (STATE_FILLS["not-ready"], None)}
    for i, f in enumerate(ordered):
        row = body_row(sheet, finding_values(f), FINDING_HEADERS, looks=overdue if f.overdue else {},
                       links={1: _site_link(site, f.url)} if i < plan.linked else {})
    if not site.findings_published:
        sheet.blank()
        _text_line(sheet, _(FINDINGS_NOT_PUBLISHED), "plain")
    elif site.hidden_findings:
        sheet.blank()
        _text_line(sheet, _("%(count)s findings not shown in this build.", count=site.hidden_findings), "plain")
    sheet.finish(header, len(FINDING_HEADERS), row)


def evidence_values(site: ExportView, e: Any) -> list[str]:
    return [e.id, e.title, e.kind_label, ", ".join(c.number for c in e.clauses), e.owner, e.date, e.review_by,
            _("Yes") if e.stale else _("No"), e.audience, _site_link(site, e.url),
            e.document.path if e.document else "",
            e.document.sha256 if e.document else "", e.external_url or ""]


def evidence_links(site: ExportView, e: Any) -> list[tuple[int, str]]:
    """(column, target) of the hyperlinks of one Evidence row."""
    links = [(1, _site_link(site, e.url))]
    if e.document:
        links.append((11, _site_link(site, e.document.url)))
    if e.external_url:
        links.append((13, e.external_url))
    return links


def evidence_sheet(wb: Any, site: ExportView, limit: int = HYPERLINK_LIMIT) -> None:
    """The register, one row per record: the sheet that grows with the project (100,000 records and more), so
    its loop does the least per cell: three styles made once, dates tested cheaply, one generator per row."""
    sheet = Sheet(wb, "Evidence", [w for _, w in EVIDENCE_HEADERS])
    plan = LinkPlan((1 + (e.document is not None) + bool(e.external_url) for e in site.evidence), limit)
    header = 1 if plan.complete else 2
    sheet.start(f"B{header + 1}", header, _("Evidence register: %(organisation)s, as of %(date)s",
                                            organisation=site.organisation, date=site.as_of))
    _limit_note(sheet, plan, _("the Page column gives the address of the record's page"))
    header_row(sheet, EVIDENCE_HEADERS)
    body, dated, stale = sheet.style("body"), sheet.style("body", date=True), \
        sheet.style("body", STATE_FILLS["not-ready"])
    widths = [w for _, w in EVIDENCE_HEADERS]
    usable = [max(4, int(w * 1.2) - 1) for w in widths]  # a shorter one-line value is one line (``_lines``)
    row = sheet.row

    def cells(values: list[str], links: Mapping[int, str], is_stale: bool) -> Iterator[tuple[Any, Any, Any]]:
        for col, value in enumerate(values, start=1):
            if value and len(value) == 10 and value[4] == "-" and value[7] == "-":
                day = as_date(value)
                yield day, dated if day is not value else body, links.get(col)
            else:
                yield value, stale if col == 8 and is_stale else body, links.get(col)

    last = header
    for i, e in enumerate(site.evidence):
        values = evidence_values(site, e)
        lines = 1
        for value, width, use in zip(values, widths, usable):
            if "\n" in value:
                lines = max(lines, _lines(value, width))
            elif len(value) > use:  # one line of text: ``_lines`` without its split
                lines = max(lines, -(-len(value) // use))
        links = dict(evidence_links(site, e)) if i < plan.linked else {}
        last = row(cells(values, links, e.stale), _height(lines))
    if site.hidden_evidence:
        sheet.blank()
        _text_line(sheet, _("%(count)s evidence records not shown in this build.", count=site.hidden_evidence),
                   "plain")
    sheet.finish(header, len(EVIDENCE_HEADERS), last)


def workbook_bytes(site: ExportView, limit: int = HYPERLINK_LIMIT) -> bytes:
    """The workbook's bytes. ``limit``: the hyperlinks the Evidence sheet may hold (Excel's; tests lower it; the
    other sheets, far smaller, keep Excel's)."""
    wb = new_workbook()
    checklist_sheet(wb, site)
    findings_sheet(wb, site)
    evidence_sheet(wb, site, limit)
    coverage_sheet(wb, site)
    gates_sheet(wb, site)
    sites_sheet(wb, site)
    register_sheets(wb, site)
    stamp = datetime.fromisoformat(site.as_of + "T00:00:00")
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "isoready"
    wb.properties.title = _("ISO 9001 audit checklist: %(organisation)s", organisation=site.organisation)
    return normalise_zip(save(wb), stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def normalise_zip(data: bytes, modified: str) -> bytes:
    """The same zip with fixed entry timestamps and attributes, and the save time replaced by ``modified``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "docProps/core.xml":  # openpyxl writes "now" on save, whatever we set
                body = _MODIFIED.sub(rb"\g<1>" + modified.encode() + rb"\g<2>", body)
            fixed = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, body)
    return out.getvalue()


__all__ = ["workbook_bytes", "normalise_zip", "CHECKLIST_HEADERS", "CONFORMITY_CHOICES", "STATE_FILLS",
           "TITLE_ROWS", "HYPERLINK_LIMIT", "DATE_FORMAT"]
