"""One record type for every problem found in a project, and one formatter.

Codes are stable: tools and people grep for them. Every code is listed in
``CODES`` with a one-line summary; ``docs/diagnostics.md`` documents each one
(a test fails when a code is missing there).
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from typing import Iterable, NamedTuple

ERROR = "error"
WARNING = "warning"

#: code -> summary. Errors start with E, warnings with W.
CODES: dict[str, str] = {
    # files and YAML
    "E101": "file cannot be read (I/O error or not UTF-8)",
    "E102": "malformed YAML",
    "E103": "YAML file larger than the limit",
    "E104": "YAML aliases expand beyond the limit (alias bomb)",
    "E105": "YAML nested deeper than the limit",
    "E106": "wrong shape (a mapping, list or text was expected)",
    "E107": "duplicate key in one mapping",
    "E108": "not a regular file (a FIFO, socket or device)",
    # fields
    "E201": "unknown clause number",
    "E202": "required key missing",
    "E203": "unknown key",
    "E204": "value not one of the allowed words",
    "E205": "impossible or malformed date",
    "E206": "empty value where text is required",
    "E207": "invalid number",
    "E208": "value not in the required form (a topic key, a git tag)",
    # evidence documents and links
    "E301": "evidence file not found",
    "E302": "evidence file path is absolute",
    "E303": "evidence file path leaves evidence/",
    "E304": "evidence file is a symlink leading outside evidence/",
    "E305": "url is not http or https",
    "E306": "both file and url given",
    "E307": "two output names differ only in letter case",
    "E308": "invalid evidence id",
    "E309": "document name with a control character or backslash",
    "E320": "extra file that cannot be published",
    "E321": "name Windows cannot create",
    "E322": "name with an invisible format character",
    "E323": "name longer than 255 bytes",
    "E324": "two pages need the same path",
    # team-written pages (content/pages)
    "E330": "reStructuredText directive that reads a file or inserts raw HTML",
    "E331": "page slug or language that is not one safe name",
    "E332": "page metadata that would choose its path or template",
    "E333": "page that would replace another page or a generated file",
    "E334": "unknown page status",
    "E335": "a write outside the output folder or a second write to one path",
    "E336": "page link that would publish a file that is not the team's to publish",
    # the repository the portal links back to (organisation.yaml repository:)
    "E340": "repository url that is not a plain http or https address",
    "E341": "repository branch that is not a branch name",
    "E342": "repository link pattern that cannot make a safe link",
    # an integrated management system (organisation.yaml standards:, clause references 14001:6.1.2 and hs:7.5)
    "E343": "both standard and standards given",
    "E344": "standards lists no standard",
    "E345": "a standard listed twice, or two editions of one standard",
    "E346": "unknown standard in standards or audits",
    "E347": "clause reference names a standard the project does not follow",
    "E348": "clause not in the standard the reference names",
    "E349": "hs: reference to a clause outside the Harmonized Structure",
    # registers read for their content (register: on an evidence record)
    "E350": "register keys that do not fit the record or its file",
    "E351": "register file that cannot be read (not CSV text, not a workbook, no such sheet)",
    "E352": "register file larger than the limit, or a workbook that unpacks beyond it",
    "E353": "register with more rows than the limit",
    "E354": "required register column missing",
    # isoready rollup: a group portal from several sites' readiness.json
    "E370": "readiness.json that cannot be read as JSON",
    "E371": "readiness.json that does not meet the output contract",
    "E372": "readiness.json built for a wider audience than the group portal",
    "E373": "SITE that is not a register or a built site inside its folder",
    # references and rules
    "E401": "duplicate evidence id",
    "E402": "clause assessed twice",
    "E403": "not-applicable without a justification",
    "E404": "unknown evidence id referenced",
    "E405": "duplicate finding id",
    "E406": "closed date missing on a closed finding, or given on an open one",
    "E407": "dates out of order",
    "E408": "clause can never be declared not applicable",
    "E409": "exclusion declared but no scope document (evidence on the scope clause)",
    "E410": "organisation settings missing or invalid",
    "E411": "evidence referenced is not the kind of record required",
    "E412": "a key and its other name both given",
    "E420": "exclusion of a clause whose condition is declared to apply",
    "E421": "exclusion justified by outsourcing",
    "E422": "evidence contradicts the exclusion",
    "E423": "verified_by names a record that is not an audit",
    "E430": "sites declared wrongly: a duplicate site id, or a second central function",
    "E431": "unknown site id referenced",
    "E432": "clause assessed twice for one site",
    # warnings
    "W101": "evidence document that no record refers to",
    "W102": "rarely excludable clause declared not applicable",
    "W103": "stale evidence (review date before the as-of date)",
    "W104": "open finding past its due date",
    "W105": "evidence dated after the as-of date",
    "W106": "evidence on a clause the new edition split",
    "W107": "unknown transition topic key",
    "W108": "Markdown too large, dense or deeply nested: shown as plain text",
    "W110": "a published Markdown document names a record its audience may not see",
    # git history read as data (history, diff, build): about an old commit, never fatal
    "W120": "symlink in a commit leads outside its folder: read as a missing file",
    "W121": "tree entry in a commit that cannot be read safely: skipped",
    "W122": "commit with an author date or time zone out of range",
    "W123": "input file ignored by git: the build is marked dirty",
    "W130": "file added to the output folder by hand, deleted by the build",
    "W140": "repository on a host with no built-in links and no pattern for them",
    "W160": "finding closed after the as-of date",
    "W161": "verification of effectiveness that does not count",
    "W162": "recency window above its ceiling",
    "W170": "management review inputs on a record that is not the review",
    "W175": "'since:' after the as-of date",
    "W176": "'since:' on a clause not implemented or verified",
    "W177": "certificate not valid on the as-of date",
    "W178": "certificate to the old edition expires after the transition deadline",
    "W179": "stage 2 to the old edition booked after new certifications must use the new one",
    "W180": "climate-change determination dated after the as-of date",
    "W181": "transition topic on a record mapped to none of its clauses",
    "W182": "retired transition topic",
    "W183": "migration date before the edition's publication or after the as-of date",
    "W184": "site added after the as-of date",
    "W190": "checks skipped because a file could not be read or parsed",
    # registers: a bad cell is a warning, the rest of the register still counts
    "W350": "register cell that is not a readable date",
    "W351": "register cell that is not a readable number",
    "W352": "register cell that is not one of the allowed words (status, yes or no...)",
    "W353": "register with no rows",
    "W354": "register formula with no calculated value",
    "W355": "register column mapped under columns: but not in the file",
}


#: control characters shown escaped (``\n``, ``\x1b``), so each diagnostic stays one harmless line
_ONE_LINE = {c: repr(chr(c))[1:-1] for c in [*range(0x20), 0x7F, 0x85, 0x2028, 0x2029]}


#: a file that could not be read or parsed (E101-E105, E108), and the note on what that held back (W190): the
#: root causes, listed before every other line, since the rest of the run may only follow from them
ROOT_CAUSES = frozenset({"E101", "E102", "E103", "E104", "E105", "E108", "W190"})


def column_letter(column: int) -> str:
    """A spreadsheet's column name: 1 -> A, 27 -> AA."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@functools.total_ordering
@dataclass(frozen=True)
class Diagnostic:
    """Sorted root causes first (``ROOT_CAUSES``), then by path, sheet, line, column, code and message.

    ``sheet``: a cell of a workbook (a register in .xlsx): ``line`` is its row and ``column`` its column, and
    the location prints as ``path!Sheet!C7`` instead of ``path:7:3``."""

    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    sheet: str = ""

    def _order(self) -> tuple:
        return (self.code not in ROOT_CAUSES, self.path, self.sheet, self.line, self.column, self.code,
                self.message, self.hint)

    @property
    def location(self) -> str:
        """Where: ``evidence/x.yaml:4:11``, or a workbook's cell ``evidence/x.xlsx!Gauges!C7``."""
        if self.sheet:
            return f"{self.path}!{self.sheet}!{column_letter(self.column)}{self.line}"
        return f"{self.path}:{self.line}:{self.column}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return self._order() < other._order()

    @property
    def severity(self) -> str:
        return WARNING if self.code.startswith("W") else ERROR

    def format(self) -> str:
        text = f"{self.location}: {self.code} {self.message}"
        text = f"{text} ({self.hint})" if self.hint else text
        return text.translate(_ONE_LINE)  # a value quoted in a message may hold line breaks or escapes

    def github(self) -> str:
        """The same diagnostic as a GitHub Actions workflow command (annotation)."""
        level = "warning" if self.severity == WARNING else "error"
        msg = self.message + (f" ({self.hint})" if self.hint else "")
        msg = f"{self.location[len(self.path) + 1:]}: {msg}" if self.sheet else msg  # the cell: Gauges!C7

        def data(text: str) -> str:
            return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

        def prop(text: str) -> str:  # property values also escape ':' and ','
            return data(text).replace(":", "%3A").replace(",", "%2C")

        return (f"::{level} file={prop(self.path)},line={self.line},col={self.column},title={prop(self.code)}::"
                f"{data(msg)}")


class _Where(NamedTuple):  # what Collector.add needs of a position (load.Loc is one)
    path: str
    line: int
    column: int


class Collector:
    """The diagnostics of one run, or of one file, in the order found."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, loc: _Where, code: str, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(loc.path, loc.line, loc.column, code, message, hint))


def did_you_mean(word: str, choices: Iterable[str], synonyms: "Iterable[tuple[str, str]]" = ()) -> str:
    """A hint naming the choice meant, or '' when none is close.

    ``synonyms`` (term, choice) pairs come first: a term that is the word, else one of its words
    (``supplier-performance`` holds ``supplier``; a plural ``s`` is dropped), names its choice when the terms
    found point at exactly one. Only then the closest spelling (difflib)."""
    text = str(word).casefold()
    words = [w for w in re.split(r"[^0-9a-z]+", text) if w]
    whole = {text, text[:-1] if text.endswith("s") else text}
    parts = {*words, *(w[:-1] for w in words if len(w) > 3 and w.endswith("s"))}
    for forms in (whole, parts):  # the whole word first: 'external-audit' is one term, not 'audit'
        meant = sorted({choice for term, choice in synonyms if term in forms})
        if len(meant) == 1:
            return f"did you mean '{meant[0]}'?"
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def one_of(choices: Iterable[str]) -> str:
    return "use one of: " + ", ".join(choices)


def errors(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.severity == ERROR]


def summary(diags: list[Diagnostic]) -> str:
    n_err = len(errors(diags))
    n_warn = len(diags) - n_err
    if not diags:
        return "no problems found"

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    return f"{plural(n_err, 'error')}, {plural(n_warn, 'warning')}"


def report(diags: Iterable[Diagnostic], github: bool = False) -> str:
    """All diagnostics sorted (files that cannot be read or parsed first, then by path and position), one per
    line, then a count line."""
    ordered = sorted(set(diags))
    lines = [d.github() if github else d.format() for d in ordered]
    lines.append(summary(ordered))
    return "\n".join(lines)
