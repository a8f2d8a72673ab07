"""Stage 2, model: typed, immutable records of a project.

Nothing here reads files or judges anything; ``validate`` builds these from
loaded YAML, ``assess`` draws conclusions from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping, Optional

from .load import Loc

EVIDENCE_KINDS = ("document", "record")
STATUSES = ("not-started", "planned", "in-progress", "implemented", "verified", "not-applicable")
DONE_STATUSES = ("implemented", "verified")
OPEN_STATUSES = ("not-started", "planned", "in-progress")  # applicable, not yet done
AUDIENCES = ("public", "auditor", "internal")
DEFAULT_AUDIENCE = "auditor"
GRADES = ("major", "minor", "ofi")
FINDING_STATUSES = ("open", "closed")
EXCLUSION_RULES = ("never", "rare", "possible")
#: documented information: "maintain" is met by a ``document``, "retain" by a ``record``.
DI_KIND_FOR = {"maintain": "document", "retain": "record"}

NOWHERE = Loc("", 0, 0)

#: documents a browser would run as a page or script if served as they are: published with ".txt" added,
#: so every browser shows their bytes (unchanged) as text and nothing in them runs on the portal's origin
ACTIVE_SUFFIXES = (".html", ".htm", ".xhtml", ".xht", ".xhtm", ".shtml", ".shtm", ".mht", ".mhtml",
                   ".svg", ".svgz", ".xml", ".xsl", ".xslt", ".xsd", ".rdf", ".atom", ".rss", ".mml", ".wsdl",
                   ".xul", ".xbl", ".kml", ".gpx", ".js", ".mjs", ".cjs", ".swf")
MARKDOWN_SUFFIXES = (".md", ".markdown")
LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")


def published_name(doc: str) -> str:
    """Where a document (path under evidence/) is published inside files/."""
    return doc + ".txt" if doc.lower().endswith(ACTIVE_SUFFIXES) else doc


def output_names(doc: str) -> list[str]:
    """Every file a document puts in files/: itself, and its page when it is Markdown."""
    name = published_name(doc)
    return [name, name + ".html"] if doc.lower().endswith(MARKDOWN_SUFFIXES) else [name]


def audience_rank(audience: str) -> int:
    return AUDIENCES.index(audience)


@dataclass(frozen=True)
class DocumentedInfo:
    kind: str  # maintain | retain
    what: str
    when: Optional[str] = None  # a condition, in our words, when only sometimes required


@dataclass(frozen=True)
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
    children: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.title or self.label or ""

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


@dataclass(frozen=True)
class Catalog:
    standard: str
    amendments: tuple[str, ...]
    clauses: tuple[Clause, ...]
    by_number: Mapping[str, Clause] = field(repr=False, compare=False, default_factory=dict)

    def __getitem__(self, number: str) -> Clause:
        return self.by_number[number]

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

    @property
    def mains(self) -> list[Clause]:
        return [c for c in self.clauses if c.parent is None]


@dataclass(frozen=True)
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

    def is_stale(self, as_of: date) -> bool:
        return self.review_by is not None and self.review_by < as_of


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Organisation:
    name: str
    scope: str = ""  # Markdown
    logo: Optional[str] = None  # path relative to content/
    certification_body: Optional[str] = None
    audits: Mapping[str, date] = field(default_factory=dict)  # stage1, stage2
    windows: Mapping[str, int] = field(default_factory=dict)  # clause -> months


@dataclass(frozen=True)
class Project:
    root: Path
    organisation: Organisation
    catalog: Catalog
    evidence: tuple[Evidence, ...]
    assessments: tuple[Assessment, ...]
    findings: tuple[Finding, ...]
    documents: tuple[str, ...]  # every document file under evidence/, relative to evidence/
