"""Stage 2, model: typed, immutable records of a project.

Nothing here reads files or judges anything; ``validate`` builds these from
loaded YAML, ``assess`` draws conclusions from them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Mapping, Optional

from isoready import standards as _standards
from isoready.core.i18n import SOURCE_LANGUAGE
from isoready.core.load import Loc

EVIDENCE_KINDS = ("document", "record")
STATUSES = ("not-started", "planned", "in-progress", "implemented", "verified", "not-applicable")
DONE_STATUSES = ("implemented", "verified")
OPEN_STATUSES = ("not-started", "planned", "in-progress")  # applicable, not yet done
AUDIENCES = ("public", "auditor", "internal")
DEFAULT_AUDIENCE = "auditor"
#: "area-of-concern": what a certification body's stage 1 report raises (not a nonconformity yet)
GRADES = ("major", "minor", "ofi", "area-of-concern")
FINDING_STATUSES = ("open", "closed")
FINDING_SOURCES = ("internal-audit", "certification-body", "customer", "gap-assessment", "management-review", "other")
#: every standard a project may declare: the built-in packages and any installed through the
#: ``isoready.standards`` entry point group (isoready.standards)
STANDARDS = _standards.names()
DEFAULT_STANDARD = "ISO 9001:2015"
#: management review inputs of the default standard (its package's ``review_inputs:``; ISO 9001's 9.3.2 a) to
#: f), with c) in its seven parts). A record's ``inputs:`` are checked against its own standard's list
#: (``Catalog.review_inputs``, read/schema.py's ReviewInput type); this is the default's, for callers with none
REVIEW_INPUTS = _standards.get(DEFAULT_STANDARD).review_inputs
#: the words a team writes for a review input, and the input each means: "did you mean" looks here first, so
#: `supplier-performance` suggests `external-providers`, not the look-alike `process-performance`. Since 2015 the
#: standard says "external provider" for a supplier, vendor or contractor (ISO 9000:2015's examples of an
#: external provider; the 2008-to-2015 terminology tables: "supplier" became "external provider"; sources:
#: asq.org/quality-progress/2016/04/standards-outlook/external-demands.html,
#: iso-bd.blogspot.com/2017/05/major-differences-in-terminology.html). Our own vocabulary otherwise.
REVIEW_INPUT_SYNONYMS = {
    "external-providers": ("supplier", "vendor", "subcontractor", "contractor", "purchasing", "procurement",
                           "outsourced", "provider"),
    "customer-satisfaction": ("customer", "feedback", "satisfaction", "survey"),
    "audit-results": ("audit",),
    "nonconformities": ("nonconformity", "nc", "ncr", "corrective", "capa"),
    "monitoring": ("measurement", "measuring"),
    "risks-opportunities": ("risk", "opportunity"),
    "resources": ("resource", "resourcing", "staffing", "infrastructure"),
    "objectives": ("objective", "target", "goal"),
    "previous-actions": ("previous", "follow-up", "followup"),
    "changes": ("change", "issue", "context"),
    "process-performance": ("process", "conformity", "product"),
    # ISO 14001's own inputs (a standard's vocabulary keeps only the synonyms of its own words: in ISO 14001,
    # where customer satisfaction is no input, `customer-feedback` suggests `communications`)
    "communications": ("communication", "complaint", "customer", "feedback", "enquiry", "neighbour"),
    "compliance": ("legal", "obligation", "regulatory", "permit", "consent", "legislation"),
    "environmental-aspects": ("aspect", "impact", "significant"),
    "interested-parties": ("party", "parties", "stakeholder", "expectation", "need"),
}
#: the same for a finding's source: what teams call a certification body or an audit
FINDING_SOURCE_SYNONYMS = {
    "certification-body": ("cb", "registrar", "certifier", "external-audit", "stage1", "stage2", "surveillance"),
    "internal-audit": ("internal", "audit"),
    "customer": ("complaint", "client"),
    "management-review": ("review", "mr"),
    "gap-assessment": ("gap", "assessment", "gap-analysis"),
}
#: documented information: "maintain" is met by a ``document``, "retain" by a ``record``.
DI_KIND_FOR = {"maintain": "document", "retain": "record"}
#: no recency window may stretch beyond this many months, whatever ``windows:`` says (a clause's catalog
#: ``window_max`` may set a lower ceiling: 12 for the internal audit and the management review)
MAX_WINDOW_MONTHS = 36
#: the figures of one evaluation that history.json keeps per commit and a readiness diff shows per side
#: (snapshot.figures computes them; diff compares them; views words them): data, here so that the modules that
#: word them need not import the ones that read commits
FIGURES = ("overall", "ready", "at_risk", "not_ready", "open_findings", "stale_evidence")
#: history.json's format version (history.HISTORY_SCHEMA)
HISTORY_VERSION = 1
#: the stable ids of the gate checks, per stage, in the order assess judges them (docs/rules.md; a contract:
#: readiness.json's schema lists them, and a new check gets a new id)
GATE_CHECKS = {
    "stage1": ("scope", "policy", "objectives", "context", "processes", "risks", "mandatory-documents",
               "internal-audit-performed", "management-review-performed", "legal-requirements"),
    "stage2": ("all-clauses-ready", "internal-audit-coverage", "management-review", "no-open-major",
               "no-overdue-actions", "mandatory-records", "stage1-concerns-resolved",
               "evidence-behind-every-clause", "documents-current", "edition-accepted", "every-site-audited"),
}
#: this many open minor findings or more against one clause (or its sub-clauses) count as a major for the
#: gates, unless organisation.yaml sets ``systemic_minors:``
DEFAULT_SYSTEMIC_MINORS = 3
#: a row of a nonconformities register open longer than this many days with no action recorded is too long
#: (organisation.yaml ``nc_max_open_days``; issue 24)
DEFAULT_NC_MAX_OPEN_DAYS = 90

NOWHERE = Loc("", 0, 0)

#: the only documents published under their own name: types every browser shows, downloads or hands to
#: another program, and none runs as a page or script on the portal's origin. Everything else (HTML, SVG,
#: any XML dialect such as .xpdl, scripts, unknown or missing extensions) is published with ".txt" added,
#: its bytes (and SHA-256) unchanged, so a browser shows it as text. An allow-list, so a format nobody
#: thought of is inert by default.
INERT_SUFFIXES = (
    ".pdf",  # PDF (browsers open it in their sandboxed viewer)
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".avif", ".heic", ".ico",  # not SVG
    ".csv", ".tsv", ".txt", ".log",  # text
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".odg", ".rtf", ".vsdx",  # office
    ".md", ".markdown",  # Markdown (its page is rendered through the sanitiser)
    ".zip", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".rar",  # archives
)
MARKDOWN_SUFFIXES = (".md", ".markdown")
LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")


def published_name(doc: str) -> str:
    """Where a document (path under evidence/) is published inside files/."""
    return doc if doc.lower().endswith(INERT_SUFFIXES) else doc + ".txt"


def output_names(doc: str) -> list[str]:
    """Every file a document puts in files/: itself, and its page when it is Markdown."""
    name = published_name(doc)
    return [name, name + ".html"] if doc.lower().endswith(MARKDOWN_SUFFIXES) else [name]


def fold_name(name: str) -> str:
    """What macOS and Windows treat as one file name: NFC (APFS normalises) and case-folded. Validation's
    checks and the build's plan of output paths fold names alike, so they agree on what collides."""
    if name.isascii():  # NFC changes no ASCII text, and casefold is lower there
        return name.lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def audience_rank(audience: str) -> int:
    return AUDIENCES.index(audience)


def findings_published(organisation: Any, audience: str) -> bool:
    """The findings policy: a public build publishes findings (even those marked ``audience: public``) only when
    organisation.yaml opts in with ``public: {show_findings: true}``; auditor and internal builds always do."""
    return audience != "public" or getattr(organisation, "show_findings", None) is True


@dataclass(frozen=True, slots=True)
class DocumentedInfo:
    kind: str  # maintain | retain
    what: str
    when: Optional[str] = None  # a condition, in our words, when only sometimes required
    #: the organisation.yaml ``applies:`` key that declares the condition (traceability, customer_property,
    #: measurement_traceability), if it is one the organisation declares
    condition: Optional[str] = None
    #: what declaring the condition true asks for: "record" (this item becomes mandatory) or "evidence" (the
    #: item still depends on something the data cannot show, so current evidence on the clause is required)
    if_true: str = "record"


@dataclass(frozen=True, slots=True)
class Clause:
    number: str
    title: Optional[str]  # ISO's official short title; None for untitled numbered paragraphs
    label: Optional[str]  # our own label for untitled paragraphs
    parent: Optional[str]
    exclusion: str  # never | rare | possible
    documented_information: tuple[DocumentedInfo, ...]
    about: str
    evidence_asked: tuple[str, ...]
    window_months: Optional[int] = None
    #: the longest window ``windows:`` may set (a CB expects these records from the last year); None: the
    #: general ceiling, MAX_WINDOW_MONTHS
    window_max: Optional[int] = None
    children: tuple[str, ...] = ()
    # edition data (the 2026 catalog): how it differs from ISO 9001:2015, and on what authority
    change: Optional[str] = None  # new | changed | split | moved | unchanged
    hs: bool = False  # Harmonized Structure text shared with ISO 14001, 45001, 27001
    provisional: bool = False  # public sources are provisional or disagree
    sources: tuple[str, ...] = ()
    states_exclusion_test: bool = False  # its page states the catalog's exclusion test (4.3)
    #: its records count until their ``review_by`` (the competence they show expires), or for the window when
    #: they carry none, rather than only while dated within the window (7.2 competence)
    records_until_review: bool = False
    #: the text fields (title, label, about, evidence_asked, documented_information) a catalog read in another
    #: language shows in English, its translation lacking them (pages mark them lang="en"); empty in English
    english: frozenset = frozenset()
    #: its name in the source language (English) whatever language the catalog was read in: what stays the same
    #: in every language (readiness.json's titles; "General" sub-clauses named with their parent's title)
    source_name: str = ""

    @property
    def name(self) -> str:
        return self.title or self.label or ""

    def lang(self, field: str) -> str:
        """``"en"`` when ``field`` (or ``"name"``: its title, or its label when untitled) fell back to English in a
        catalog read in another language (the page marks that element lang="en"); ``""`` otherwise."""
        if field == "name":
            field = "title" if self.title is not None else "label"
        return "en" if field in self.english else ""

    @property
    def official_title(self) -> bool:
        return self.title is not None

    @property
    def main(self) -> str:
        return self.number.split(".")[0]

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def depth(self) -> int:
        return self.number.count(".")


@dataclass(frozen=True, slots=True)
class Catalog:
    standard: str
    amendments: tuple[str, ...]
    clauses: tuple[Clause, ...]
    by_number: Mapping[str, Clause] = field(repr=False, compare=False, default_factory=dict)
    exclusion_test: Optional[str] = None  # the test every exclusion must pass, in our words
    provisional_note: Optional[str] = None  # why parts of this edition's data are provisional
    #: the clause each cross-record check falls on (scope, audit, review, ...), from the standard's data
    roles: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)
    #: the standard's gate checks (standards.GateCheck), in the order they are judged
    gates: tuple[Any, ...] = field(repr=False, compare=False, default=())
    #: the inputs a management review considers in this standard (empty when it names none)
    review_inputs: tuple[str, ...] = field(repr=False, compare=False, default=())
    #: the words a portal on this standard uses for its system and documents (standard.yaml's ``words:``)
    words: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)
    #: each review input's words on the pages (standard.yaml's review_inputs:)
    review_input_words: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)
    #: clause numbers the messages show as examples; the conditions it leaves to the organisation (applies:)
    examples: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)
    conditions: Mapping[str, Mapping[str, str]] = field(repr=False, compare=False, default_factory=dict)
    #: an integrated project's other standards, by the number a clause reference names them with
    #: ("14001" -> its Catalog); empty for one standard (isoready.read.integrated)
    others: Mapping[str, "Catalog"] = field(repr=False, compare=False, default_factory=dict)
    #: the clause numbers of this edition that carry Harmonized Structure text (its package's harmonized.yaml)
    harmonized: frozenset = field(repr=False, compare=False, default=frozenset())
    #: the language its words were read in (isoready.core.i18n), and its top-level words (exclusion_test,
    #: provisional_note) that fell back to English there
    language: str = field(compare=False, default="en")
    english: frozenset = field(repr=False, compare=False, default=frozenset())
    #: whether a fluent speaker reviewed its words in that language (the translation's ``reviewed:``; English,
    #: the source, is); False where no translation exists and the words are English
    reviewed: bool = field(compare=False, default=True)

    def __getitem__(self, number: str) -> Clause:
        return self.by_number[number]

    def role(self, key: str) -> Optional[str]:
        """The clause a cross-record check falls on (``audit``, ``review``, ...), or None in this standard."""
        return self.roles.get(key)

    def __contains__(self, number: object) -> bool:
        return number in self.by_number

    def ancestors(self, number: str) -> list[str]:
        """Parents of a clause, nearest first."""
        out = []
        parent = self.by_number[number].parent
        while parent:
            out.append(parent)
            parent = self.by_number[parent].parent
        return out

    def descendants(self, number: str) -> list[str]:
        out: list[str] = []
        for child in self.by_number[number].children:
            out.append(child)
            out.extend(self.descendants(child))
        return out

    def leaves_under(self, number: str) -> list[str]:
        clause = self.by_number[number]
        if clause.is_leaf:
            return [number]
        return [n for n in self.descendants(number) if self.by_number[n].is_leaf]

    def window_ceiling(self, number: str) -> int:
        """The longest recency window a clause's records may have: its ``window_max`` (12 months for the
        internal audit and the management review), or MAX_WINDOW_MONTHS; ``windows:`` may only shorten it."""
        return self.by_number[number].window_max or MAX_WINDOW_MONTHS

    @property
    def mains(self) -> list[Clause]:
        return [c for c in self.clauses if c.parent is None]


@dataclass(frozen=True, slots=True)
class Evidence:
    id: str
    title: str
    kind: str
    clauses: tuple[str, ...]
    source: str  # the YAML file, relative to the project root
    loc: Loc = NOWHERE
    file: Optional[str] = None  # path relative to evidence/, posix
    url: Optional[str] = None
    owner: Optional[str] = None
    date: Optional[date] = None
    review_by: Optional[date] = None
    audience: str = DEFAULT_AUDIENCE
    version: Optional[str] = None
    description: Optional[str] = None  # Markdown
    covers: tuple[str, ...] = ()  # for audit records: the clauses the audit covered
    review_loc: Loc = NOWHERE  # where review_by is written, for diagnostics
    date_loc: Loc = NOWHERE  # where date is written
    auditor: Optional[str] = None  # for audit records: who audited
    inputs: tuple[str, ...] = ()  # for management review records: REVIEW_INPUTS considered
    topics: tuple[str, ...] = ()  # transition topic keys the record addresses
    approved_by: Optional[str] = None  # for documents: who approved this version
    approved: Optional[date] = None  # ... and when
    inputs_loc: Loc = NOWHERE  # where inputs is written
    #: the register this record's file is (issue 24): one of REGISTER_KINDS, None for an ordinary file
    register: Optional[str] = None
    register_sheet: Optional[str] = None  # ``sheet:`` (.xlsx only); None: the first sheet
    header_row: int = 1  # ``header_row:``: the row holding the headers (1-based)
    #: ``columns:``: (canonical column, the header written in the file) pairs, only where they differ
    register_columns: tuple[tuple[str, str], ...] = ()
    show_people: bool = False  # ``show_people: true``: an auditor build may show the names in the register
    register_loc: Loc = NOWHERE  # where ``register:`` is written
    #: ``sites:``: the ids of the sites the record is evidence at (issue 25); empty: every site
    sites: tuple[str, ...] = ()
    #: where the items of clauses, sites, covers and topics are written (issue 25: kept beside the values, which
    #: are plain text): their counts as read, then a line and a column per item (``read.records.item_loc``)
    item_lines: tuple[int, ...] = ()
    #: a record with an error that keeps it out of the project (no title, a kind not allowed): it still defines
    #: its id and refers to its document, so the checks across records do not report those as missing
    #: (``checks.check_records`` reads it and drops it; nothing past validation sees it)
    rejected: bool = False

    def is_stale(self, as_of: date) -> bool:
        return self.review_by is not None and self.review_by < as_of


# --------------------------------------------------------------------------- a CB's sampling (issue 25)

#: the vocabularies of a certification body's sampling and audit time (IAF MD 1, MD 5): assess.sampling gives
#: them, readiness.json's contract lists them; the audits a figure is for
CB_AUDITS = ("initial", "surveillance", "recertification")
#: how the sites are chosen: a sample (sites alike), no sample (every site at initial and recertification, a share
#: each surveillance year), or no other site at all (the central function is the organisation)
CB_METHODS = ("sampling", "no-sampling", "single-site")
#: which rule gave the sizes (the data file says where each comes from; views word them)
CB_BASES = ("md1-sites-alike", "md1-processes-differ", "md1-one-other-site", "md1-central-only")
#: why a site is in the likely picks, in the order a CB weighs them after the central function
CB_PICKS = ("central-function", "every-site", "open-findings", "not-ready", "new-site", "not-yet-audited",
            "least-recently-audited")
#: the IAF MD 5 figures: inside the QMS table, or above its last band (no figure: the CB calculates)
CB_DAY_BASES = ("md5-qms-table", "md5-beyond-table")


# --------------------------------------------------------------------------- registers (issue 24)

#: the register types a record may declare (``register:``); docs/format.md has a section per type
REGISTER_KINDS = ("calibration", "competence", "suppliers", "objectives", "audit-programme", "legal",
                  "nonconformities")


@dataclass(frozen=True, slots=True)
class Column:
    """One canonical column of a register type: its name, whether it is required, and the type of its values.

    ``kind`` says how a cell is read: ``text`` (a stripped string), ``date`` (a datetime.date), ``period``
    (a date or YYYY-MM: a datetime.date, the first of the month for YYYY-MM), ``number`` (a float),
    ``yesno`` (True/False), ``yesno-date`` (True/False, or a datetime.date meaning "yes, on that date"),
    ``choice`` (a lower-case string among ``choices``), ``clauses`` (a tuple of clause-number strings).
    """

    name: str
    required: bool = False
    kind: str = "text"
    choices: tuple[str, ...] = ()
    default: Any = None  # the value an empty cell takes (e.g. status "in-service")


def _cols(*spec: tuple) -> tuple[Column, ...]:
    return tuple(Column(*c) for c in spec)


#: register type -> its canonical columns, in the order documented (issue 24's table). Data, read by read/ and
#: documented from here; a header matches a canonical name ignoring case, spaces and ``_`` unless ``columns:``
#: maps it
REGISTER_COLUMNS: Mapping[str, tuple[Column, ...]] = {
    "calibration": _cols(("id", True), ("description",), ("due", True, "date"), ("last", False, "date"),
                         ("status", False, "choice", ("in-service", "quarantined", "retired"), "in-service"),
                         ("result", False, "choice", ("pass", "fail")), ("traceable_to",)),
    "competence": _cols(("person", True), ("role", True), ("competence", True),
                        ("status", False, "choice", ("competent", "in-training"), "competent"),
                        ("expires", False, "date")),
    "suppliers": _cols(("supplier", True), ("approved", True, "yesno-date"), ("in_use", False, "yesno", (), True),
                       ("last_evaluation", False, "date"), ("next_evaluation", False, "date"), ("rating",)),
    "objectives": _cols(("objective", True), ("target", True, "number"), ("actual", True, "number"),
                        ("period", True, "period"),
                        ("direction", False, "choice", ("higher", "lower"), "higher"), ("unit",)),
    "audit-programme": _cols(("audit", True), ("planned", True, "date"), ("done", False, "date"), ("auditor",),
                             ("covers", False, "clauses", (), ())),
    "legal": _cols(("requirement", True), ("source",), ("last_review", False, "date"),
                   ("compliant", False, "choice", ("yes", "no", "partly"))),
    "nonconformities": _cols(("id", True), ("raised", True, "date"), ("clause",), ("closed", False, "date"),
                             ("root_cause",), ("action",)),
}


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One data row of a register, its cells read into canonical columns.

    ``values``: canonical column -> the parsed value (types as ``Column.kind``); a column whose cell is empty
    holds its default (None when it has none); a cell that could not be read is left out (its problem says why).
    ``cells``: canonical column -> where the cell is, for messages and links: ``evidence/support/gauges.csv:7:3``
    or ``evidence/support/gauges.xlsx!Gauges!C7``.
    """

    row: int  # the row's number in its file: the CSV line, the sheet's row
    values: Mapping[str, Any]
    cells: Mapping[str, str] = field(default_factory=dict)

    def get(self, column: str, default: Any = None) -> Any:
        return self.values.get(column, default)


@dataclass(frozen=True, slots=True)
class RegisterProblem:
    """Something wrong in a register's content: a diagnostic code (docs/diagnostics.md), the row (None for the
    whole file, e.g. a missing column), where (file and cell, as RegisterRow.cells), and the message."""

    code: str
    row: Optional[int]
    where: str
    text: str
    severity: str = "warning"  # error | warning


@dataclass(frozen=True, slots=True)
class Register:
    """A record's file read as a register (``register:``): its rows and the problems met reading them.

    A register with an error problem (a required column missing, the file unreadable) has no rows; a bad row
    is a warning and the other rows still count.
    """

    evidence: str  # the record's id
    kind: str  # one of REGISTER_KINDS
    file: str  # the file, relative to evidence/ (posix)
    rows: tuple[RegisterRow, ...] = ()
    problems: tuple[RegisterProblem, ...] = ()
    columns: tuple[str, ...] = ()  # the canonical columns found in the file, in canonical order
    sheet: Optional[str] = None  # the sheet read (.xlsx)


@dataclass(frozen=True, slots=True)
class Assessment:
    clause: str
    status: str
    source: str
    loc: Loc = NOWHERE
    justification: Optional[str] = None
    owner: Optional[str] = None
    target: Optional[date] = None
    notes: Optional[str] = None  # Markdown
    evidence: tuple[str, ...] = ()
    verified_by: Optional[str] = None  # the id of the audit record that verified the clause (a record)
    since: Optional[date] = None  # implemented (or verified) since this date: audits before it do not cover it
    sites: tuple[str, ...] = ()  # ``sites:``: the sites this assessment is of (issue 25); empty: every site
    #: an entry with an error that keeps it out of the project (a status not allowed, an unknown clause): its
    #: duplicates and references are still checked in the same run (``checks.check_records`` then drops it)
    rejected: bool = False


@dataclass(frozen=True, slots=True)
class Verification:
    """The check that a finding's corrective action was effective."""

    date: Optional[date] = None
    by: Optional[str] = None
    effective: Optional[bool] = None  # None: not stated
    evidence: tuple[str, ...] = ()  # evidence ids


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    clauses: tuple[str, ...]
    grade: str
    status: str
    raised: date
    description: str  # Markdown
    source: str
    loc: Loc = NOWHERE
    due: Optional[date] = None
    closed: Optional[date] = None
    action: Optional[str] = None
    evidence: tuple[str, ...] = ()
    audience: str = DEFAULT_AUDIENCE
    owner: Optional[str] = None
    due_loc: Loc = NOWHERE
    # ``source:`` in YAML (FINDING_SOURCES); named origin here because ``source`` is the YAML file
    origin: Optional[str] = None
    audit: Optional[str] = None  # evidence id of the audit record that raised it
    requirement: Optional[str] = None  # Markdown
    correction: Optional[str] = None  # Markdown
    root_cause: Optional[str] = None  # Markdown
    verification: Optional[Verification] = None
    sites: tuple[str, ...] = ()  # ``sites:``: the sites it was raised at (issue 25); empty: every site
    #: a finding with an error that keeps it out of the project (a key missing, a grade not allowed): its id
    #: and references are still checked in the same run (``checks.check_records`` then drops it)
    rejected: bool = False

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def corrective_action(self) -> Optional[str]:
        """``corrective_action:`` (or its older name ``action:``) in YAML; ``action`` holds it."""
        return self.action


@dataclass(frozen=True, slots=True)
class Applies:
    """Conditions ISO 9001 leaves to the organisation to declare: None = undeclared, distinct from False."""

    traceability: Optional[bool] = None  # 8.5.2
    customer_property: Optional[bool] = None  # 8.5.3
    measurement_traceability: Optional[bool] = None  # 7.1.5.2


@dataclass(frozen=True, slots=True)
class Transition:
    deadline: Optional[date] = None
    audit: Optional[date] = None


@dataclass(frozen=True, slots=True)
class ClimateChange:
    """organisation.yaml ``climate_change``: the determination Amendment 1:2024 asks for (4.1, 4.2)."""

    relevant: Optional[bool] = None
    decided: Optional[date] = None
    decided_loc: Loc = NOWHERE  # where decided is written


@dataclass(frozen=True, slots=True)
class Certificate:
    number: Optional[str] = None
    issued: Optional[date] = None
    expires: Optional[date] = None
    body: Optional[str] = None
    issued_loc: Loc = field(default=NOWHERE, compare=False)  # where issued and expires are written
    expires_loc: Loc = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Repository:
    """Where the register's files live on a git host (organisation.yaml ``repository:``), for the portal's
    Edit, View file and Add evidence links. Patterns are None where the host's built-in form applies."""

    url: str  # https://github.com/acme/qms, without a trailing "/" or ".git"
    branch: str = "main"
    folder: str = ""  # the project's folder inside the repository ("" when at its top)
    edit_uri: Optional[str] = None
    view_uri: Optional[str] = None
    new_uri: Optional[str] = None
    links: tuple[str, ...] = ()  # the audiences beyond internal whose builds show the links


@dataclass(frozen=True, slots=True)
class Site:
    """One site of a multi-site organisation (organisation.yaml ``sites:``, issue 25)."""

    id: str
    name: str
    loc: Loc = NOWHERE
    country: Optional[str] = None
    employees: Optional[int] = None
    central: bool = False  # the central function (IAF MD 1): audited every time
    processes: tuple[str, ...] = ()  # the processes run at the site (sampling needs them alike)
    shifts: Optional[int] = None
    added: Optional[date] = None  # the day the site joined the system (a new site weighs in a CB's sample)
    added_loc: Loc = field(default=NOWHERE, compare=False)  # where added is written


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str
    scope: str = ""  # Markdown
    logo: Optional[str] = None  # path relative to content/
    certification_body: Optional[str] = None
    audits: Mapping[str, date] = field(default_factory=dict)  # stage1, stage2
    windows: Mapping[str, int] = field(default_factory=dict)  # clause -> months
    standard: str = DEFAULT_STANDARD
    applies: Applies = Applies()
    transition: Optional[Transition] = None
    site_url: Optional[str] = None
    show_findings: Optional[bool] = None  # public.show_findings; None: not stated
    certificate: Optional[Certificate] = None
    last_audit: Optional[str] = None  # a git tag, branch or commit
    systemic_minors: int = DEFAULT_SYSTEMIC_MINORS  # open minors on one clause that count as a major
    #: a nonconformities register's row open longer than this many days with no action puts 10.2 at risk
    nc_max_open_days: int = DEFAULT_NC_MAX_OPEN_DAYS
    audit_locs: Mapping[str, Loc] = field(default_factory=dict, compare=False)  # audits: stage -> where written
    climate_change: Optional[ClimateChange] = None  # the climate-change determination, when declared
    migrated: Optional[date] = None  # the day the project moved to its edition (migrate writes it)
    migrated_loc: Loc = NOWHERE
    repository: Optional[Repository] = None  # the git host's links back to the files, when set
    #: every standard the project follows, the primary (``standard``) first; one name for one standard
    standards: tuple[str, ...] = ()
    #: ``audits:`` booked per standard (standard -> stage -> date); empty when one plan is shared (``audits``)
    audits_by_standard: Mapping[str, Mapping[str, date]] = field(default_factory=dict)
    #: ``sites:`` (issue 25): empty for a project of one site (everything is judged as one organisation)
    sites: tuple[Site, ...] = ()
    #: ``language:`` (issue 26): the language the portal speaks, one of core/i18n.py's LANGUAGES
    language: str = SOURCE_LANGUAGE


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    organisation: Organisation
    catalog: Catalog
    evidence: tuple[Evidence, ...]
    assessments: tuple[Assessment, ...]
    findings: tuple[Finding, ...]
    documents: tuple[str, ...]  # every document file under evidence/, relative to evidence/
    #: every standard the project follows, the primary first (organisation.yaml ``standards:``, or its one
    #: ``standard:``); a project with more than one is seen per standard through integrated.project_for
    standards: tuple[str, ...] = ()
    #: evidence id -> its file read as a register (records declaring ``register:``; issue 24)
    registers: Mapping[str, Register] = field(default_factory=dict)

    @property
    def standard(self) -> str:
        """The primary standard's name (the first of ``standards``)."""
        return self.standards[0] if self.standards else self.catalog.standard
