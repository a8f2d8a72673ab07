"""The workbook's "Sites" sheet (issue 25): one row per site of a multi-site organisation, from the views'
``ExportView.site_rows``: the rows sites.html prints (views/sitepages.py site_row), from the same per-site
judgements as readiness.json's ``sites``: nothing is judged or counted here. No sheet for a project of one site.

Every cell from the register is text, never a formula (``Sheet`` keeps a value starting with "=" a text cell);
counts and shares are numbers, the last internal audit a real Excel date.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from isoready.assess import AT_RISK, NOT_READY, READY
from isoready.core.i18n import N_, gettext as _
from isoready.outputs.xlsxsheet import Sheet, header_row
from isoready.views import ExportView

#: (header, width) of the Sites sheet's columns
SITE_HEADERS: tuple[tuple[str, int], ...] = (
    (N_("Site"), 16), (N_("Name"), 30), (N_("Country"), 16), (N_("Employees"), 11), (N_("Central function"), 10),
    (N_("Verdict"), 16), (N_("Ready %"), 9), (N_("At risk %"), 9), (N_("Not ready %"), 9),
    (N_("Open findings"), 10), (N_("Last internal audit"), 14), (N_("Blockers"), 10))
SITES_TITLE_ROWS = 4  # the header row of the sheet


def percent(share: Optional[float]) -> Optional[int]:
    """A share as the portal prints it: a whole percentage (None: nothing applies at the site)."""
    return None if share is None else round(share * 100)


def sites_sheet(wb: Any, site: ExportView) -> None:
    """The Sites sheet, when the build's organisation declares ``sites:``."""
    if not site.site_rows:
        return
    headers = tuple((_(words), width) for words, width in SITE_HEADERS)
    sheet = Sheet(wb, _("Sites"), [w for _words, w in headers])
    title = _("Sites: %(organisation)s", organisation=site.organisation)
    sheet.start(f"C{SITES_TITLE_ROWS + 1}", SITES_TITLE_ROWS, _("%(title)s, as of %(as_of)s", title=title,
                                                                  as_of=site.as_of))
    sheet.row(((title, sheet.style("title", size=14), None),))
    sheet.row(((_("As of"), None, None), (date.fromisoformat(site.as_of), sheet.style("left", date=True), None)))
    sheet.row(((_("Each site judged on its own records (readiness.json's sites): the verdict is the site's stage 2 "
                  "gate, the shares its applicable clauses, the blockers its clauses not ready; open findings and "
                  "the last internal audit are those this build shows."), sheet.style("note"), None),))
    header_row(sheet, headers)
    body, day = sheet.style("body"), sheet.style("body", date=True)
    row = SITES_TITLE_ROWS
    for s in site.site_rows:
        row = sheet.row((
            (s.id, body, None), (s.name, body, None), (s.country, body, None), (s.employees, body, None),
            (_("yes") if s.central else _("no"), body, None), (s.verdict, body, None),
            (percent(s.share(READY)), body, None), (percent(s.share(AT_RISK)), body, None),
            (percent(s.share(NOT_READY)), body, None),
            (s.open_findings if s.open_findings is not None else s.open_findings_text, body, None),
            (s.last_audit, day, None) if s.last_audit else (_("none"), body, None), (s.blockers, body, None)),
            30)
    sheet.finish(SITES_TITLE_ROWS, len(headers), row)
