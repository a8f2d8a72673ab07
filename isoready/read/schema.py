"""The declarative schema of every input file: each key, its type, whether it is required, its allowed
values and a one-line description. It is the one source for:

- reading a mapping (``Fields``): unknown keys and their did-you-mean, required keys, types, allowed words;
- the key tables in docs/format.md (``markdown_table``; a test fails when the docs and this schema differ;
  ``python3 -m isoready.read.schema docs/format.md`` rewrites them);
- JSON Schemas for editors and other tools (``json_schema``; ``contract`` writes the files, beside the
  output contract, readiness.json's schema).

Checks that need more than one field (a file that must exist, dates in order) live in ``records``; checks
across records (ids unique, references resolve) in ``checks``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from dataclasses import dataclass
from typing import Any, ClassVar, Optional

from isoready import standards
from isoready.read.catalog import CATALOG_FILES, load_catalog, other_edition
from isoready.core.diagnostics import Collector, did_you_mean, one_of
from isoready.core.i18n import LANGUAGES, SOURCE_LANGUAGE
from isoready.read.integrated import canonical, check_reference, number_of
from isoready.core.load import Loc, YList, YMap, YStr
from isoready.model import (AUDIENCES, DEFAULT_AUDIENCE, DEFAULT_STANDARD, EVIDENCE_KINDS,
    FINDING_SOURCE_SYNONYMS, FINDING_SOURCES, FINDING_STATUSES, GRADES, REGISTER_KINDS, REVIEW_INPUT_SYNONYMS,
    REVIEW_INPUTS, STANDARDS, STATUSES, Catalog)
from isoready.read.schematypes import (BOOL, CLAUSE, DATE, DATE_RE, EVIDENCE_ID, EVIDENCE_REF, FINDING_ID,
    GIT_REF, MARKDOWN, PATH, TEXT, TOPIC, TOPIC_RE, URL, Bool, ClauseRef, Date, Enum, Field, FilePath, GitRef, Id,
    IdRef, Int, Key, Kind, ListOf, MappingOf, Markdown, Nested, Patterned, Records, Text, Type, Url, enum, list_of,
    nested)

URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
GIT_REF_RE = re.compile(r"^(?!.*\.\.)(?!.*//)(?!.*@\{)[A-Za-z0-9_][A-Za-z0-9._/@^~+-]{0,199}(?<![./])(?<!\.lock)\Z")
TRUE_WORDS, FALSE_WORDS = ("true", "True", "TRUE"), ("false", "False", "FALSE")


# --------------------------------------------------------------------------- the schema itself

#: the default standard's data, for the help texts: its example clause numbers, its roles and its conditions
#: (docs/format.md and the JSON Schemas are written from them; no clause number lives in this module)
_DEFAULT = load_catalog(DEFAULT_STANDARD)
_EX, _ROLE = _DEFAULT.examples, _DEFAULT.roles
#: another standard's clause, as an integrated project's reference names it ("14001:6.1.2")
#: (its package's manifest, as the catalog takes it: parsing the other editions' catalogs at every start was a
#: tenth of a second of each command, profiled)
_OTHER = next((standards.get(s) for s in STANDARDS if not s.startswith(DEFAULT_STANDARD.split(":")[0])), None)
_OTHER_REF = f"{_OTHER.name.split(':')[0].split()[-1]}:{_OTHER.examples.get('clause', '')}" if _OTHER else \
    f"{_DEFAULT.standard.split(':')[0].split()[-1]}:{_DEFAULT.examples.get('clause', '')}"


def _input_vocabularies() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Each management review vocabulary of the standards there are, with the standards using it (a family's
    editions share one), in the standards' order; a standard naming no review inputs is left out."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in STANDARDS:
        words = standards.get(name).review_inputs  # what the catalog takes (load_catalog), without the catalog
        if words:
            groups.setdefault(tuple(words), []).append(name)
    return tuple((tuple(names), words) for words, names in groups.items())


@dataclass(frozen=True)
class ReviewInput(Enum):
    """A management review input: a word of the review inputs of the record's standard (the project's; in an
    integrated system the first standard's, or another's written with its number: ``14001:compliance``). Each
    standard's list is its package's data; the docs and the JSON Schema list every standard's (the union)."""

    name: ClassVar[str] = "enum"
    vocabularies: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()

    def json(self) -> dict[str, Any]:
        return {"anyOf": [{"enum": list(self.choices)},
                          {"type": "string", "pattern": r"^[0-9]+:[a-z0-9]+(-[a-z0-9]+)*$"}]}

    def allowed(self, default: Optional[str] = None) -> str:
        each = "; ".join(f"{' and '.join(names)}: " + " \\| ".join(f"`{w}`" for w in words)
                         for names, words in self.vocabularies)
        return (f"{each} (the record's standard's words; in an integrated system another standard's are "
                "written with its number, e.g. `14001:compliance`)")

    def read_items(self, f: Any, key: str, required: bool) -> tuple[Any, ...]:
        return f.review_inputs(key, f.strings(key, required))


_VOCABULARIES = _input_vocabularies()
REVIEW_INPUT = ReviewInput(choices=tuple(dict.fromkeys(w for _n, words in _VOCABULARIES for w in words)),
                           vocabularies=_VOCABULARIES)


def _condition(key: str) -> str:
    c = _DEFAULT.conditions.get(key)
    return f"{c['clause']}: {c['help']}" if c else "a condition the standard leaves to you (true or false)"


AUDITS = Kind("organisation.audits", "audits", (
    Field("stage1", DATE, "date of the stage 1 audit (shown with a countdown)"),
    Field("stage2", DATE, "date of the stage 2 audit; on or after stage1"),
))
APPLIES = Kind("organisation.applies", "applies", (
    # the keys are a contract; which clause each lifts and its words are the standard's data (conditions:)
    Field("traceability", BOOL, _condition("traceability")),
    Field("customer_property", BOOL, _condition("customer_property")),
    Field("measurement_traceability", BOOL, _condition("measurement_traceability")),
))
TRANSITION = Kind("organisation.transition", "transition", (
    Field("deadline", DATE, "the date by which the certificate must move to the new edition (ask your CB)"),
    Field("audit", DATE, "the planned transition audit; on or before the deadline"),
))
CLIMATE_CHANGE = Kind("organisation.climate_change", "climate_change", (
    Field("relevant", BOOL, f"whether climate change is a relevant issue ({_ROLE['context']}, Amendment 1:2024)",
          required=True),
    Field("decided", DATE, "when the organisation decided it; counts from that date", required=True),
))
PUBLIC = Kind("organisation.public", "public", (
    Field("show_findings", BOOL, "whether a public build lists findings"),
))
CERTIFICATE = Kind("organisation.certificate", "certificate", (
    Field("number", TEXT, "the certificate number"),
    Field("issued", DATE, "date of issue"),
    Field("expires", DATE, "date of expiry; after issued"),
    Field("body", TEXT, "the certification body that issued it"),
))

REPOSITORY = Kind("organisation.repository", "repository", (
    Field("url", URL, "the repository's web address, e.g. https://github.com/acme/qms (GitHub and GitLab "
                      "links are built in)", required=True),
    Field("branch", GIT_REF, "the branch the links open", default="main"),
    Field("folder", PATH, "the project's folder inside the repository, when it is not at the top"),
    Field("edit_uri", TEXT, "another host: the edit page, with {branch} and {path} (relative to url, or a full "
                            "address)"),
    Field("view_uri", TEXT, "another host: the page showing a file, with {branch} and {path}"),
    Field("new_uri", TEXT, "another host: the new-file page, with {branch}, {folder}, and optionally {filename} and "
                           "{content}"),
    Field("links", list_of(enum("auditor", "public")),
          "the audiences, beyond internal, whose builds show the links (default: internal builds only)"),
))

#: a site's id, and a record's ``sites:`` entries (validate checks each names a declared site)
SITE_EXAMPLE, SITE_WHAT = "north-plant", "site id"  # E208's words for a site id
SITE_ID = Key(pattern=TOPIC_RE.pattern.replace("\\Z", "$"), example=SITE_EXAMPLE, what=SITE_WHAT)
SITE = Kind("organisation.sites", "site", (
    Field("id", SITE_ID, "the site's id, named by records' `sites:` (lower-case letters, digits, '-')",
          required=True),
    Field("name", TEXT, "the site's name", required=True),
    Field("country", TEXT, "the country it is in"),
    Field("employees", Int(minimum=1, maximum=9999999), "the people working there (IAF MD 5 counts them)"),
    Field("central", BOOL, "the central function of IAF MD 1 (at most one site; audited every time)",
          default="false"),
    Field("processes", list_of(TEXT), "the processes run there; sites with the same processes may be sampled"),
    Field("shifts", Int(minimum=1, maximum=9), "the shifts worked there"),
    Field("added", DATE, "the day the site joined the system: added within the 12 months before the as-of date, or "
          "after the last booked certification audit, it is a new site (a certification body weighs new sites "
          "when it picks its sample)"),
))
_SITES_REF = ("the sites it applies to, by id (organisation.yaml `sites:`); default: every site")

ORGANISATION = Kind("organisation", "organisation settings", (
    Field("name", TEXT, "the organisation's name", required=True),
    Field("scope", MARKDOWN, "the scope statement shown on the dashboard"),
    Field("logo", PATH, "an image file inside content/ (.svg, .png, .jpg, .gif, .webp)"),
    Field("certification_body", TEXT, "the certification body you work with"),
    Field("audits", nested(AUDITS), "planned audit dates",
          shape=("'audits' must be a mapping", "write 'audits:' then 'stage1: YYYY-MM-DD'")),
    Field("windows", MappingOf(key=CLAUSE, item=Int(minimum=1, maximum=120)),
          "how recent a recurring record must be, in months, per clause",
          shape=("'windows' must be a mapping of clause to months", f"write '\"{_EX['window']}\": 12'")),
    Field("standard", enum(*STANDARDS), "the edition the project is assessed against", default=DEFAULT_STANDARD),
    Field("standards", list_of(enum(*STANDARDS)), "an integrated management system: every standard it follows, "
          f"the primary first (instead of 'standard:'); clause numbers belong to the first, '{_OTHER_REF}' names "
          f"another, 'hs:{_EX['hs']}' each"),
    Field("applies", nested(APPLIES), f"the conditions {DEFAULT_STANDARD.split(':')[0]} leaves to you to declare; "
          "absent means undeclared"),
    Field("transition", nested(TRANSITION), "the move to the new edition"),
    Field("migrated", DATE, "the day the project moved to its edition (isoready migrate writes it); "
          "evidence for a new or changed requirement of that edition counts when dated after it"),
    Field("climate_change", nested(CLIMATE_CHANGE),
          f"the determination Amendment 1:2024 asks for in {_ROLE['context']} and {_ROLE['parties']}: is climate "
          "change a relevant issue"),
    Field("site_url", URL, "where the portal is published"),
    Field("public", nested(PUBLIC), "what a public build shows"),
    Field("certificate", nested(CERTIFICATE), "the certificate, once granted"),
    Field("last_audit", GIT_REF, "the git tag or commit of the last audit, for the changes since then"),
    Field("systemic_minors", Int(minimum=1, maximum=99),
          "this many open minor findings against one clause or its sub-clauses count as a major for the gates",
          default="3"),
    Field("nc_max_open_days", Int(minimum=1, maximum=3650),
          "a nonconformity in a nonconformities register (register: nonconformities) open longer than this many "
          "days with no action recorded puts corrective action at risk", default="90"),
    Field("repository", nested(REPOSITORY), "where the files live on GitHub, GitLab or another git host: the "
          "portal links each page to its file and each gap to a new file",
          shape=("'repository' must be a mapping", "write 'repository:' then 'url: https://github.com/...'")),
    Field("sites", Records(kind=SITE), "a multi-site organisation: each site (without it the project is one "
          "site); readiness is judged per site"),
    Field("language", enum(*LANGUAGES), "the language the portal, its workbook and its report speak (`isoready "
          "build --language` overrides it); readiness.json stays in codes and records it", default=SOURCE_LANGUAGE),
))

EVIDENCE = Kind("evidence", "evidence record", (
    Field("title", TEXT, "what the record or document is", required=True),
    Field("kind", enum(*EVIDENCE_KINDS), "document (maintained) or record (retained)", required=True),
    Field("clauses", list_of(CLAUSE), "the clauses it supports, one or more", required=True),
    Field("file", PATH, "the document, relative to this YAML file, inside evidence/"),
    Field("url", URL, "a link instead of a file"),
    Field("owner", TEXT, "who keeps it current"),
    Field("date", DATE, "issued (document) or recorded (record)"),
    Field("review_by", DATE, "next review due; before the as-of date means stale"),
    Field("audience", enum(*AUDIENCES), "who may see it", default=DEFAULT_AUDIENCE),
    Field("version", TEXT, "the document's version"),
    Field("description", MARKDOWN, "more about it"),
    Field("id", EVIDENCE_ID, "default: the path under evidence/ without extension; required in a list"),
    Field("covers", list_of(CLAUSE), "internal audit records: the clauses the audit covered"),
    Field("auditor", TEXT, "audit records: who audited; several names separated by ';' or ',' (an audit does not "
                           "cover a clause whose assessment owner is one of them)"),
    Field("inputs", list_of(REVIEW_INPUT),
          "management review records: the inputs the review considered"),
    Field("topics", list_of(TOPIC), "the transition topics it addresses (e.g. quality-culture-ethics)"),
    Field("approved_by", TEXT, "documents: who approved this version"),
    Field("approved", DATE, "documents: when this version was approved"),
    Field("register", enum(*REGISTER_KINDS), "the file (.csv or .xlsx) is a register, read row by row for its "
          "content (docs/format.md, Registers: the columns of each type, how cells are read)"),
    Field("sheet", TEXT, "registers in .xlsx: the sheet to read (default: the first)"),
    Field("header_row", Int(minimum=1, maximum=9999), "registers: the row holding the column headers",
          default="1"),
    Field("columns", MappingOf(key=TEXT, item=TEXT), "registers: the header in the file of each canonical "
          "column whose header differs (a header matching the name, ignoring case, spaces, `_` and `-`, needs none)",
          shape=("'columns' must be a mapping of column to header", "write 'columns:' then 'due: Next calibration'")),
    Field("show_people", BOOL, "competence registers: an auditor build may show people's names"),
    Field("sites", list_of(SITE_ID), _SITES_REF + "; internal audit records: the sites audited"),
))

ASSESSMENT = Kind("assessment", "clause assessment", (
    Field("clause", CLAUSE, f"the clause assessed (quote it: \"{_EX['clause']}\")", required=True),
    Field("status", enum(*STATUSES), "how far it is implemented", required=True),
    Field("justification", MARKDOWN, "why it cannot apply; required for not-applicable"),
    Field("owner", TEXT, "who is responsible"),
    Field("target", DATE, "when it should be implemented"),
    Field("notes", MARKDOWN, "anything else"),
    Field("evidence", list_of(EVIDENCE_REF), "extra evidence, by id"),
    Field("verified_by", EVIDENCE_REF, "verified: the audit record that verified it"),
    Field("sites", list_of(SITE_ID), _SITES_REF + "; one entry per clause and site"),
    Field("since", DATE, "implemented or verified: in place since this date (an internal audit before it does not "
                         "cover the clause; default: the commit that changed the status to implemented, from git)"),
))

VERIFICATION = Kind("finding.verification", "verification", (
    Field("date", DATE, "when effectiveness was checked; on or after raised; it counts only when on or after closed "
                        "and not after the as-of date (a major needs it to count as closed)"),
    Field("by", TEXT, "who checked it"),
    Field("effective", BOOL, "whether the action was effective"),
    Field("evidence", list_of(EVIDENCE_REF), "the records of the check, by id"),
))

FINDING = Kind("finding", "finding", (
    Field("id", FINDING_ID, "the finding's id; its page is `findings/<id>.html`", required=True),
    Field("clauses", list_of(CLAUSE), "the clauses it is raised against", required=True),
    Field("grade", enum(*GRADES), "how serious it is", required=True),
    Field("status", enum(*FINDING_STATUSES), "open or closed", required=True),
    Field("raised", DATE, "when it was raised", required=True),
    Field("due", DATE, "when it must be closed"),
    Field("closed", DATE, "when it was closed; required when closed, refused when open; after the as-of date the "
                          "finding counts as open until then"),
    Field("description", MARKDOWN, "what was found", required=True),
    Field("action", MARKDOWN, "another name for corrective_action", alias_of="corrective_action"),
    Field("evidence", list_of(EVIDENCE_REF), "evidence of the correction, by id"),
    Field("audience", enum(*AUDIENCES), "who may see it", default=DEFAULT_AUDIENCE),
    Field("owner", TEXT, "who is responsible for closing it"),
    Field("source", enum(*FINDING_SOURCES, synonyms=FINDING_SOURCE_SYNONYMS), "where the finding came from"),
    Field("audit", EVIDENCE_REF, "the audit record that raised it"),
    Field("requirement", MARKDOWN, "the requirement not met"),
    Field("correction", MARKDOWN, "what was done at once to contain it"),
    Field("root_cause", MARKDOWN, "why it happened"),
    Field("corrective_action", MARKDOWN, "what removes the cause"),
    Field("verification", nested(VERIFICATION), "the check that the corrective action was effective"),
    Field("sites", list_of(SITE_ID), "the sites where it was raised, by id; default: every site"),
))

#: the kinds of file a project holds, with where they live
FILE_KINDS: dict[str, Kind] = {"organisation": ORGANISATION, "evidence": EVIDENCE, "assessment": ASSESSMENT,
                               "finding": FINDING}
KINDS: dict[str, Kind] = {k.name: k for top in FILE_KINDS.values() for k in (top, *top.nested())}

#: the metadata lines at the top of a team-written page (content/pages/*.md, Pelican's format: ``Title: ...``),
#: as Pelican reads them (keys lower-cased). Pelican itself does the reading; this kind is for the JSON Schema
#: that tools and editors use, and for the docs.
PAGE = Kind("page", "page", (
    Field("title", TEXT, "the page's title; a page without one cannot be published", required=True),
    Field("slug", Key(pattern=TOPIC_RE.pattern.replace("\\Z", "$")),
          "the page's address: pages/<slug>.html (default: from the title)"),
    Field("audience", enum(*AUDIENCES), "who may see it", default=DEFAULT_AUDIENCE),
    Field("status", enum("published", "hidden", "draft"),
          "hidden: written but not listed in the navigation; draft: not written", default="published"),
    Field("summary", TEXT, "one line about the page"),
    Field("date", DATE, "when the page was written"),
    Field("modified", DATE, "when the page was last changed"),
))


# --------------------------------------------------------------------------- reading a mapping against a kind


def shape_of(value: Any) -> str:
    return {YMap: "mapping", YList: "list"}.get(type(value), "value")


def parse_date(value: str, loc: Loc, key: str, out: Collector) -> Optional[date]:
    if DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    out.add(loc, "E205", f"impossible {key} '{value}'", "write a real date as YYYY-MM-DD")
    return None


#: a clause number inside other words: "Clause 8.4", "§8.4", "8.4 Purchasing"
_NUMBER_IN_TEXT = re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+)*")


def check_clause(number: str, loc: Loc, catalog: Catalog, out: Collector) -> bool:
    if number in catalog:
        return True
    if ":" in str(number):  # "14001:6.1.2", "hs:7.5": another standard of the project, or each (integrated)
        return check_reference(number, loc, catalog, out)
    elsewhere = other_edition(number, catalog) if catalog.standard in CATALOG_FILES else None
    meant = sorted({n for n in _NUMBER_IN_TEXT.findall(str(number)) if n in catalog})
    if len(meant) == 1:  # the number is there, with words or signs around it
        out.add(loc, "E201", f"unknown clause '{number}'", f'write the number only: "{meant[0]}"')
        return False
    if elsewhere:
        edition, ours = elsewhere
        hint = (" or ".join(f"'{n}'" for n in ours).join(("did you mean ", "? ")) +
                f"{number} is a clause of {edition}, and this project follows {catalog.standard}")
    else:
        first = catalog.mains[0].number if catalog.mains else catalog.clauses[0].number
        last = catalog.mains[-1].children[-1] if catalog.mains and catalog.mains[-1].children else \
            catalog.clauses[-1].number
        quoted = not getattr(number, "plain", True)  # "quote numbers" helps only a number written unquoted
        like = catalog.examples.get("clause") or catalog.clauses[-1].number  # the standard's example (its data)
        hint = did_you_mean(number, catalog.by_number) or (f"clauses run from {first} to {last}, written as "
                                                           f"numbers like \"{like}\"" if quoted else
                                                           f"clauses run from {first} to {last}; quote numbers like "
                                                           f"\"{like}\"")
    out.add(loc, "E201", f"unknown clause '{number}'", hint)
    return False


class Fields:
    """Reads one YAML mapping against its Kind, reporting every problem (unknown keys at once)."""

    def __init__(self, m: YMap, kind: Kind, out: Collector, catalog: Optional[Catalog] = None) -> None:
        self.m, self.kind, self.out, self.catalog = m, kind, out, catalog
        self.what = kind.what
        self._values: dict[str, Any] = {}  # each key read once: its value, its problems reported once
        self._all: Optional[dict[str, Any]] = None  # values(), once every key is read
        allowed = kind.keys
        for key in m:
            if key not in kind.by_key:
                self.out.add(m.key_locs.get(key, m.loc), "E203", f"unknown key '{key}' in {self.what}",
                             did_you_mean(key, allowed) or one_of(allowed))

    def loc(self, key: str) -> Loc:
        return self.m.loc_of(key)

    def __contains__(self, key: str) -> bool:
        return key in self.m and self.m[key] is not None

    def get(self, key: str, required: Optional[bool] = None) -> Any:
        """The typed value of ``key`` as the schema declares it (None, or () for a list, when absent or bad).
        Read once: later calls return the first answer without reporting again (so the first read decides
        ``required``, as evidence does for ``id`` in a list)."""
        read = self._values
        if key in read:
            return read[key]
        spec = self.kind.by_key[key]
        req = spec.required if required is None else required
        if not req and self.m.get(key) is None:  # left out (or null): every type reads it as its empty value,
            absent = self.kind.absent            # the same for every mapping of this kind
            if key in absent:
                value = absent[key]
            else:
                before = len(self.out.items)
                value = spec.type.read(self, key, req, spec.default)
                if not spec.required and len(self.out.items) == before and \
                        isinstance(value, (type(None), str, tuple, bool, int)):
                    absent[key] = value  # nothing said, nothing a caller could change: kept for the next mapping
        else:
            value = spec.type.read(self, key, req, spec.default)
        read[key] = value
        return value

    def take(self, key: str, value: Any) -> Any:
        """Record ``value`` as ``key``'s, read by rules of the caller's own (an integrated system's standards and
        its audit plans per standard), so ``values()`` neither reads nor reports the key again."""
        self._values[key] = value
        self._all = None
        return value

    def values(self) -> dict[str, Any]:
        """Every key's typed value, in the schema's order, each read (and its problems reported) once."""
        if self._all is None:
            read, present, absent = self._values, self.m.get, self.kind.absent
            for key in self.kind.keys:
                if key not in read:
                    if key in absent and present(key) is None:  # absent[key] holds for keys not required
                        read[key] = absent[key]
                    else:
                        self.get(key)
            self._all = {key: read[key] for key in self.kind.keys}
        return self._all

    def integer(self, key: str, minimum: Optional[int], maximum: Optional[int],
                required: bool = False) -> Optional[int]:
        """A whole number within [minimum, maximum] (E207 otherwise)."""
        if not self._present(key, required):
            return None
        value = self.m[key]
        if isinstance(value, YStr) and re.fullmatch(r"[0-9]{1,7}", str(value)) and \
                (minimum is None or int(value) >= minimum) and (maximum is None or int(value) <= maximum):
            return int(value)
        self.out.add(self.loc(key), "E207", f"'{key}' must be a whole number from {minimum} to {maximum}",
                     f"write e.g. '{key}: {minimum + 2 if minimum is not None else 3}'")
        return None

    def _present(self, key: str, required: bool) -> bool:
        if key in self.m and self.m[key] is not None:
            return True
        if required:
            where = self.m.key_locs.get(key, self.m.loc)
            self.out.add(where, "E202", f"{self.what} has no '{key}'", f"add '{key}:'")
        return False

    def text(self, key: str, required: bool = False) -> Optional[str]:
        if not self._present(key, required):
            return None
        value = self.m[key]
        if not isinstance(value, YStr):
            self.out.add(self.loc(key), "E106", f"'{key}' must be text, not a {shape_of(value)}",
                         "write a single value")
            return None
        if required and not value.strip():
            self.out.add(self.loc(key), "E206", f"'{key}' is empty", f"give {self.what} a {key}")
            return None
        return str(value)

    def word(self, key: str, choices: tuple[str, ...], required: bool = False,
             default: Optional[str] = None, synonyms: tuple[tuple[str, str], ...] = ()) -> Optional[str]:
        value = self.text(key, required)
        if value is None:
            return default
        if value not in choices:
            self.out.add(self.loc(key), "E204", f"unknown {key} '{value}'",
                         did_you_mean(value, choices, synonyms) or one_of(choices))
            return None
        return value

    def date(self, key: str, required: bool = False) -> Optional[date]:
        value = self.text(key, required)
        if value is None:
            return None
        return parse_date(value, self.loc(key), key, self.out)

    def boolean(self, key: str, required: bool = False) -> Optional[bool]:
        value = self.text(key, required)
        if value is None:
            return None
        if value in TRUE_WORDS or value in FALSE_WORDS:
            return value in TRUE_WORDS
        self.out.add(self.loc(key), "E204", f"'{key}' must be true or false, not '{value}'", "write true or false")
        return None

    def url(self, key: str, required: bool = False) -> Optional[str]:
        value = self.text(key, required)
        if value is None:
            return None
        if not URL_RE.match(value.strip()):
            self.out.add(self.loc(key), "E305", f"{key} '{value}' is not an http or https address",
                         "link to http:// or https:// only")
            return None
        return value.strip()

    def git_ref(self, key: str, required: bool = False) -> Optional[str]:
        value = self.text(key, required)
        if value is None:
            return None
        if not GIT_REF_RE.match(value):
            self.out.add(self.loc(key), "E208", f"'{value}' is not a git tag, branch or commit name",
                         "write the tag as git shows it, e.g. audit-2026-09")
            return None
        return value

    def strings(self, key: str, required: bool = False) -> list[YStr]:
        """A list of text values; a single text is accepted as a list of one."""
        if not self._present(key, required):
            return []
        value = self.m[key]
        if isinstance(value, YStr):
            items: list[Any] = [value]
        elif isinstance(value, YList):
            items = list(value)
        else:
            self.out.add(self.loc(key), "E106", f"'{key}' must be a list, not a {shape_of(value)}",
                         f'write {key}: ["..."]')
            return []
        good = []
        for index, item in enumerate(items):
            if isinstance(item, YStr) and item.strip():
                good.append(item)
            else:
                where = value.loc_of(index) if isinstance(value, YList) else self.loc(key)
                self.out.add(where, "E106", f"'{key}' items must be text", "write one value per item")
        if required and not good and isinstance(value, YList) and not value:
            self.out.add(self.loc(key), "E206", f"'{key}' is empty", f"list at least one {key[:-1]}")
        return good

    def clauses(self, key: str, catalog: Catalog, required: bool = False) -> tuple[str, ...]:
        known = []
        for item in self.strings(key, required):
            if check_clause(item, item.loc, catalog, self.out):  # the YStr: it knows whether it was quoted
                known.append(canonical(item, catalog))  # the YStr: it knows its line and column (W106 points at it)
        return tuple(dict.fromkeys(known))

    def vocabulary(self, key: str, items: list[YStr], choices: tuple[str, ...],
                   synonyms: tuple[tuple[str, str], ...] = ()) -> tuple[str, ...]:
        good = []
        for item in items:
            if str(item) in choices:
                good.append(str(item))
            else:
                self.out.add(item.loc, "E204", f"'{item}' is not one of the allowed {key}",
                             did_you_mean(item, choices, synonyms) or one_of(choices))
        return tuple(dict.fromkeys(good))

    def review_inputs(self, key: str, items: list[YStr]) -> tuple[str, ...]:
        """Management review inputs, each checked against its standard's list (``Catalog.review_inputs``): the
        project's, or in an integrated system the one a ``14001:`` prefix names; kept as written, the first
        standard's plain. The did-you-mean looks among that standard's words and their synonyms only."""
        catalog = self.catalog if self.catalog is not None else _DEFAULT
        good = []
        for item in items:
            prefix, colon, word = str(item).partition(":")
            own = catalog.others.get(prefix) if colon else None
            if colon and prefix == number_of(catalog.standard):
                own = catalog  # the first standard named by its number: kept plain, as clause references are
            target = own if own is not None else catalog
            word = word if own is not None else str(item)
            choices = target.review_inputs
            if word in choices:
                good.append(word if target is catalog else f"{prefix}:{word}")
                continue
            synonyms = tuple((term, choice) for choice, terms in REVIEW_INPUT_SYNONYMS.items() if choice in choices
                             for term in terms)
            named = catalog.others or (tuple(choices) != tuple(REVIEW_INPUTS))  # say whose list it is
            where = f"{key} of {target.standard}" if named else key
            if not choices:
                self.out.add(item.loc, "E204", f"'{item}' is not one of the allowed {where}",
                             f"{target.standard} names no management review inputs: leave '{key}' out")
                continue
            elsewhere = next((o for o in catalog.others.values() if word in o.review_inputs), None) \
                if target is catalog else None  # another standard's input, written plain
            hint = f"an input of {elsewhere.standard} is written '{number_of(elsewhere.standard)}:{word}'" \
                if elsewhere is not None else did_you_mean(word, choices, synonyms) or one_of(choices)
            self.out.add(item.loc, "E204", f"'{item}' is not one of the allowed {where}", hint)
        return tuple(dict.fromkeys(good))

    def keys(self, key: str, items: list[YStr], example: str = "", what: str = "") -> tuple[str, ...]:
        """The items that are keys of lower-case letters, digits and '-'; E208 for each other, naming it ``what``
        (default: a ``key`` key) with ``example`` in its fix (default: a topic key)."""
        good = []
        for item in items:
            if TOPIC_RE.match(item):
                good.append(item)  # the YStr: it knows its line and column (W107 points at it)
            else:
                self.out.add(item.loc, "E208", f"'{item}' is not a valid {what or key + ' key'}",
                             f"use lower-case letters, digits and '-', e.g. {example or 'quality-culture-ethics'}")
        return tuple(dict.fromkeys(good))

    def mapping(self, key: str, required: bool = False) -> Optional[YMap]:
        """A mapping of free keys (E106, with the field's shape words, when it is not one); its entries are
        the caller's to judge."""
        if not self._present(key, required):
            return None
        value = self.m[key]
        if not isinstance(value, YMap):
            message, hint = self.kind.by_key[key].shape
            self.out.add(self.loc(key), "E106", message or f"'{key}' must be a mapping",
                         hint or f"write '{key}:' then its keys on the lines below, indented")
            return None
        return value

    def nested(self, key: str, required: bool = False) -> Optional["Fields"]:
        """The Fields of a nested mapping (its unknown keys reported), or None when absent or not a mapping."""
        if not self._present(key, required):
            return None
        value = self.m[key]
        spec = self.kind.by_key[key]
        if not isinstance(value, YMap):
            message, hint = spec.shape
            self.out.add(self.loc(key), "E106", message or f"'{key}' must be a mapping",
                         hint or f"write '{key}:' then its keys on the lines below, indented")
            return None
        return Fields(value, spec.type.kind, self.out, self.catalog)


    def records(self, key: str, required: bool = False) -> list["Fields"]:
        """The Fields of each mapping in a list of records (``sites:``); E106 for a value that is not a list of
        mappings."""
        if not self._present(key, required):
            return []
        value, kind = self.m[key], self.kind.by_key[key].type.kind
        if not isinstance(value, YList):
            self.out.add(self.loc(key), "E106", f"'{key}' must be a list of mappings, not a {shape_of(value)}",
                         f"write '{key}:' then '- id: ...' on the lines below, indented")
            return []
        good = []
        for index, item in enumerate(value):
            if isinstance(item, YMap):
                good.append(Fields(item, kind, self.out, self.catalog))
            else:
                self.out.add(value.loc_of(index), "E106", f"each item of '{key}' must be a mapping ({kind.what})",
                             "start it with '- id: ...'")
        return good


# --------------------------------------------------------------------------- docs and JSON Schema


def markdown_table(kind: Kind) -> str:
    """The key table of one kind, as docs/format.md shows it: one row per key, each written by its Field."""
    rows = ["| key | type | required | allowed values | description |", "| --- | --- | --- | --- | --- |"]
    return "\n".join(rows + [f.row() for f in kind.fields])


def markdown_tables(kind: Kind) -> str:
    """The table of a kind followed by those of its nested mappings."""
    parts = [markdown_table(kind)]
    for sub in kind.nested():
        parts.append(f"`{sub.name}`:\n\n{markdown_table(sub)}")
    return "\n\n".join(parts)


MARKER = re.compile(r"(<!-- schema:([a-z.]+) -->\n)(.*?)(<!-- /schema -->)", re.DOTALL)


def render_docs(text: str) -> str:
    """docs/format.md with every ``<!-- schema:KIND -->...<!-- /schema -->`` block regenerated."""
    return MARKER.sub(lambda m: m.group(1) + markdown_tables(FILE_KINDS[m.group(2)]) + "\n" + m.group(4), text)


def json_schema(kind: Kind) -> dict[str, Any]:
    """A JSON Schema for a file of this kind (evidence: one record or a list; assessments, findings: a list;
    page: the metadata of one page, keys lower-cased)."""
    one = kind.json()
    body: dict[str, Any]
    if kind.name == "evidence":
        body = {"anyOf": [one, {"type": "array", "items": one}]}
    elif kind.name in ("assessment", "finding"):
        body = {"type": "array", "items": one}
    else:
        body = one
    if kind.name == "organisation":  # audits: one shared plan, or a plan per standard (an integrated system)
        shared = body["properties"]["audits"]
        plan = {k: v for k, v in shared.items() if k != "description"}
        body["properties"]["audits"] = {
            "anyOf": [plan, {"type": "object", "propertyNames": {"enum": list(STANDARDS)},
                             "additionalProperties": plan}],
            "description": shared["description"] + ": one plan shared by every standard, or a plan per standard"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": f"isoready {kind.what}", **body}


def main(argv: Optional[list[str]] = None) -> int:
    """``python3 -m isoready.read.schema docs/format.md``: regenerate the key tables in place."""
    import sys

    for name in (argv if argv is not None else sys.argv[1:]) or ["docs/format.md"]:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        new = render_docs(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
