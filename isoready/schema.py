"""The declarative schema of every input file: each key, its type, whether it is required, its allowed
values and a one-line description. It is the one source for:

- reading a mapping (``Fields``): unknown keys and their did-you-mean, required keys, types, allowed words;
- the key tables in docs/format.md (``markdown_table``; a test fails when the docs and this schema differ;
  ``python3 -m isoready.schema docs/format.md`` rewrites them);
- JSON Schemas for editors and other tools (``json_schema``).

Checks that need more than one field (a file that must exist, dates in order) live in ``records``; checks
across records (ids unique, references resolve) in ``checks``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Optional

from .catalog import CATALOG_FILES, other_edition
from .diagnostics import Collector, did_you_mean, one_of
from .integrated import canonical, check_reference
from .load import Loc, YList, YMap, YStr
from .model import (AUDIENCES, DEFAULT_AUDIENCE, DEFAULT_STANDARD, EVIDENCE_KINDS, FINDING_SOURCE_SYNONYMS,
                    FINDING_SOURCES, FINDING_STATUSES, GATE_CHECKS, GRADES, REVIEW_INPUT_SYNONYMS, REVIEW_INPUTS,
                    STANDARDS, STATUSES, Catalog)

DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
TOPIC_RE = re.compile(r"^[a-z0-9-]+\Z")
GIT_REF_RE = re.compile(r"^(?!.*\.\.)(?!.*//)(?!.*@\{)[A-Za-z0-9_][A-Za-z0-9._/@^~+-]{0,199}(?<![./])(?<!\.lock)\Z")
TRUE_WORDS, FALSE_WORDS = ("true", "True", "TRUE"), ("false", "False", "FALSE")


# --------------------------------------------------------------------------- the vocabulary of types


@dataclass(frozen=True)
class Type:
    """A value's type. ``name`` is one of: str, markdown, date, bool, int, enum, id, id-ref, clause-ref, url,
    path, git-ref, key, list, map (a nested record with its own keys), mapping (free keys of one type)."""

    name: str
    choices: tuple[str, ...] = ()  # enum
    item: Optional["Type"] = None  # list items; mapping values
    kind: Any = None  # map: the nested Kind
    key: Optional["Type"] = None  # mapping keys
    minimum: Optional[int] = None  # int
    maximum: Optional[int] = None
    pattern: Optional[str] = None  # key, git-ref, id: what the text must match (a JSON Schema regex)
    synonyms: tuple[tuple[str, str], ...] = ()  # enum: (a word teams write, the choice it means) for "did you mean"
    target: str = ""  # id-ref: what the id names

    def doc(self, plural: bool = False) -> str:
        """The type as words, for the docs table."""
        words = {"str": ("text", "texts"), "markdown": ("text (Markdown)", "texts (Markdown)"),
                 "date": ("date (YYYY-MM-DD)", "dates (YYYY-MM-DD)"), "bool": ("true or false", "true or false"),
                 "enum": ("one word", "words"), "id": ("id", "ids"),
                 "id-ref": (f"{self.target or 'evidence'} id", f"{self.target or 'evidence'} ids"),
                 "clause-ref": ("clause number", "clause numbers"), "url": ("http or https URL", "URLs"),
                 "path": ("file path", "file paths"), "git-ref": ("git tag, branch or commit", "git refs"),
                 "key": ("key (`a-z`, `0-9`, `-`)", "keys (`a-z`, `0-9`, `-`)"), "map": ("mapping", "mappings")}
        if self.name == "int":
            return f"whole number{'s' if plural else ''} ({self.minimum}–{self.maximum})"
        if self.name == "list":
            assert self.item is not None
            return "list of " + self.item.doc(plural=True)
        if self.name == "mapping":
            assert self.key is not None and self.item is not None
            return f"mapping of {self.key.doc()} to {self.item.doc()}"
        return words[self.name][1 if plural else 0]

    def json(self) -> dict[str, Any]:
        """The type as a JSON Schema (draft 2020-12) fragment."""
        if self.name in ("str", "markdown", "path"):
            return {"type": "string"}
        if self.name == "date":
            return {"type": "string", "format": "date", "pattern": DATE_RE.pattern.replace("\\Z", "$")}
        if self.name == "bool":
            return {"type": "boolean"}
        if self.name == "int":
            return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}
        if self.name == "enum":
            return {"enum": list(self.choices)}
        if self.name == "url":
            return {"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}
        if self.name == "clause-ref":  # "8.4", or in an integrated system "14001:6.1.2" and "hs:7.5"
            return {"type": "string", "pattern": r"^(([0-9]+|hs):)?[0-9]+(\.[0-9]+)*$"}
        if self.name in ("id", "id-ref", "key", "git-ref"):
            return {"type": "string", **({"pattern": self.pattern} if self.pattern else {})}
        if self.name == "list":
            assert self.item is not None
            return {"anyOf": [self.item.json(), {"type": "array", "items": self.item.json()}]}
        if self.name == "map":
            return self.kind.json()
        if self.name == "mapping":
            assert self.key is not None and self.item is not None
            return {"type": "object", "propertyNames": self.key.json(), "additionalProperties": self.item.json()}
        raise ValueError(self.name)  # pragma: no cover - every name is handled above


TEXT, MARKDOWN, DATE, BOOL, URL, PATH = Type("str"), Type("markdown"), Type("date"), Type("bool"), Type("url"), Type("path")
CLAUSE = Type("clause-ref")
EVIDENCE_REF = Type("id-ref", target="evidence")
# Ids may use letters and digits of any script (records.ID_RE, which is authoritative). JSON Schema regexes
# (ECMA-262 without the u flag, and Python's re) have no \p{L}, so the editor's check only excludes what an id
# never holds: ASCII punctuation other than '.', '_', '-' inside a part, spaces and control characters.
_ID_START = r"[^\x00-\x20\x7f!-/:-@\[-`{-~]"
_ID_CHAR = r"[^\x00-\x20\x7f!-,/:-@\[-\^`{-~]"
EVIDENCE_ID = Type("id", pattern=f"^{_ID_START}{_ID_CHAR}*(/{_ID_START}{_ID_CHAR}*)*$")
FINDING_ID = Type("id", pattern=f"^{_ID_START}{_ID_CHAR}*$")
GIT_REF = Type("git-ref", pattern=r"^[A-Za-z0-9_][A-Za-z0-9._/@^~+-]*$")
TOPIC = Type("key", pattern=TOPIC_RE.pattern.replace("\\Z", "$"))


def enum(*choices: str, synonyms: Optional[dict[str, tuple[str, ...]]] = None) -> Type:
    """One of ``choices``; ``synonyms`` maps a choice to the words teams write for it (did-you-mean hints)."""
    pairs = tuple((term, choice) for choice, terms in (synonyms or {}).items() for term in terms)
    assert all(choice in choices for _, choice in pairs), "a synonym points at no choice"
    return Type("enum", choices=tuple(choices), synonyms=pairs)


def list_of(item: Type) -> Type:
    return Type("list", item=item)


def nested(kind: "Kind") -> Type:
    return Type("map", kind=kind)


@dataclass(frozen=True)
class Field:
    key: str
    type: Type
    description: str
    required: bool = False
    default: Optional[str] = None
    alias_of: Optional[str] = None  # another accepted spelling of that key (both at once is an error)
    shape: tuple[str, str] = ("", "")  # map and mapping keys: the E106 message and hint when not a mapping


@dataclass(frozen=True)
class Kind:
    """One kind of mapping the user writes: its keys, in the order they are documented and suggested."""

    name: str  # stable identifier: organisation, evidence, assessment, finding, organisation.audits, ...
    what: str  # how messages name it: "evidence record", "audits"
    fields: tuple[Field, ...]
    by_key: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_key.update({f.key: f for f in self.fields})

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def nested(self) -> list["Kind"]:
        """The kinds of this kind's nested mappings, depth first."""
        out: list[Kind] = []
        for f in self.fields:
            if f.type.name == "map":
                out += [f.type.kind, *f.type.kind.nested()]
        return out

    def json(self) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for f in self.fields:
            props[f.key] = {**f.type.json(), "description": f.description}
            if f.default is not None:
                props[f.key]["default"] = f.default
        schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
        required = [f.key for f in self.fields if f.required]
        if required:
            schema["required"] = required
        return schema


# --------------------------------------------------------------------------- the schema itself

AUDITS = Kind("organisation.audits", "audits", (
    Field("stage1", DATE, "date of the stage 1 audit (shown with a countdown)"),
    Field("stage2", DATE, "date of the stage 2 audit; on or after stage1"),
))
APPLIES = Kind("organisation.applies", "applies", (
    Field("traceability", BOOL, "8.5.2: outputs must be traceable (a customer or regulatory requirement)"),
    Field("customer_property", BOOL, "8.5.3: you hold property of customers or external providers"),
    Field("measurement_traceability", BOOL, "7.1.5.2: measurement traceability is required or essential"),
))
TRANSITION = Kind("organisation.transition", "transition", (
    Field("deadline", DATE, "the date by which the certificate must move to the new edition (ask your CB)"),
    Field("audit", DATE, "the planned transition audit; on or before the deadline"),
))
CLIMATE_CHANGE = Kind("organisation.climate_change", "climate_change", (
    Field("relevant", BOOL, "whether climate change is a relevant issue (4.1, Amendment 1:2024)", required=True),
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

ORGANISATION = Kind("organisation", "organisation settings", (
    Field("name", TEXT, "the organisation's name", required=True),
    Field("scope", MARKDOWN, "the scope statement shown on the dashboard"),
    Field("logo", PATH, "an image file inside content/ (.svg, .png, .jpg, .gif, .webp)"),
    Field("certification_body", TEXT, "the certification body you work with"),
    Field("audits", nested(AUDITS), "planned audit dates",
          shape=("'audits' must be a mapping", "write 'audits:' then 'stage1: YYYY-MM-DD'")),
    Field("windows", Type("mapping", key=CLAUSE, item=Type("int", minimum=1, maximum=120)),
          "how recent a recurring record must be, in months, per clause",
          shape=("'windows' must be a mapping of clause to months", "write '\"9.2.2\": 12'")),
    Field("standard", enum(*STANDARDS), "the edition the project is assessed against", default=DEFAULT_STANDARD),
    Field("standards", list_of(enum(*STANDARDS)), "an integrated management system: every standard it follows, "
          "the primary first (instead of 'standard:'); clause numbers belong to the first, '14001:6.1.2' names "
          "another, 'hs:7.5' each"),
    Field("applies", nested(APPLIES), "the conditions ISO 9001 leaves to you to declare; absent means undeclared"),
    Field("transition", nested(TRANSITION), "the move to the new edition"),
    Field("migrated", DATE, "the day the project moved to its edition (isoready migrate writes it); "
          "evidence for a new or changed requirement of that edition counts when dated after it"),
    Field("climate_change", nested(CLIMATE_CHANGE),
          "the determination Amendment 1:2024 asks for in 4.1 and 4.2: is climate change a relevant issue"),
    Field("site_url", URL, "where the portal is published"),
    Field("public", nested(PUBLIC), "what a public build shows"),
    Field("certificate", nested(CERTIFICATE), "the certificate, once granted"),
    Field("last_audit", GIT_REF, "the git tag or commit of the last audit, for the changes since then"),
    Field("systemic_minors", Type("int", minimum=1, maximum=99),
          "this many open minor findings against one clause or its sub-clauses count as a major for the gates",
          default="3"),
    Field("repository", nested(REPOSITORY), "where the files live on GitHub, GitLab or another git host: the "
          "portal links each page to its file and each gap to a new file",
          shape=("'repository' must be a mapping", "write 'repository:' then 'url: https://github.com/...'")),
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
    Field("inputs", list_of(enum(*REVIEW_INPUTS, synonyms=REVIEW_INPUT_SYNONYMS)),
          "management review records: the inputs the review considered"),
    Field("topics", list_of(TOPIC), "the transition topics it addresses (e.g. quality-culture-ethics)"),
    Field("approved_by", TEXT, "documents: who approved this version"),
    Field("approved", DATE, "documents: when this version was approved"),
))

ASSESSMENT = Kind("assessment", "clause assessment", (
    Field("clause", CLAUSE, "the clause assessed (quote it: \"8.3\")", required=True),
    Field("status", enum(*STATUSES), "how far it is implemented", required=True),
    Field("justification", MARKDOWN, "why it cannot apply; required for not-applicable"),
    Field("owner", TEXT, "who is responsible"),
    Field("target", DATE, "when it should be implemented"),
    Field("notes", MARKDOWN, "anything else"),
    Field("evidence", list_of(EVIDENCE_REF), "extra evidence, by id"),
    Field("verified_by", EVIDENCE_REF, "verified: the audit record that verified it"),
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
    Field("slug", Type("key", pattern=TOPIC_RE.pattern.replace("\\Z", "$")),
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
        last = catalog.mains[-1].children[-1] if catalog.mains and catalog.mains[-1].children else "10"
        quoted = not getattr(number, "plain", True)  # "quote numbers" helps only a number written unquoted
        hint = did_you_mean(number, catalog.by_number) or (f"clauses run from 4 to {last}, written as numbers like "
                                                           "\"8.3\"" if quoted else
                                                           f"clauses run from 4 to {last}; quote numbers like \"8.3\"")
    out.add(loc, "E201", f"unknown clause '{number}'", hint)
    return False


class Fields:
    """Reads one YAML mapping against its Kind, reporting every problem (unknown keys at once)."""

    def __init__(self, m: YMap, kind: Kind, out: Collector, catalog: Optional[Catalog] = None) -> None:
        self.m, self.kind, self.out, self.catalog = m, kind, out, catalog
        self.what = kind.what
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
        """The typed value of ``key`` as the schema declares it (None, or () for a list, when absent or bad)."""
        spec = self.kind.by_key[key]
        req = spec.required if required is None else required
        t = spec.type
        if t.name == "enum":
            return self.word(key, t.choices, req, spec.default, t.synonyms)
        if t.name == "date":
            return self.date(key, req)
        if t.name == "bool":
            return self.boolean(key, req)
        if t.name == "url":
            return self.url(key, req)
        if t.name == "list":
            assert t.item is not None
            if t.item.name == "clause-ref":
                assert self.catalog is not None
                return self.clauses(key, self.catalog, req)
            items = self.strings(key, req)
            if t.item.name == "enum":
                return self.vocabulary(key, items, t.item.choices, t.item.synonyms)
            if t.item.name == "key":
                return self.keys(key, items)
            return tuple(items)
        if t.name == "map":
            return self.nested(key, req)
        if t.name == "git-ref":
            return self.git_ref(key, req)
        if t.name == "int":
            return self.integer(key, t.minimum, t.maximum, req)
        return self.text(key, req)

    def integer(self, key: str, minimum: Optional[int], maximum: Optional[int],
                required: bool = False) -> Optional[int]:
        """A whole number within [minimum, maximum] (E207 otherwise)."""
        if not self._present(key, required):
            return None
        value = self.m[key]
        if isinstance(value, YStr) and re.fullmatch(r"[0-9]{1,4}", str(value)) and \
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

    def keys(self, key: str, items: list[YStr]) -> tuple[str, ...]:
        good = []
        for item in items:
            if TOPIC_RE.match(item):
                good.append(item)  # the YStr: it knows its line and column (W107 points at it)
            else:
                self.out.add(item.loc, "E208", f"'{item}' is not a valid {key} key",
                             "use lower-case letters, digits and '-', e.g. quality-culture-ethics")
        return tuple(dict.fromkeys(good))

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


# --------------------------------------------------------------------------- docs and JSON Schema


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(kind: Kind) -> str:
    """The key table of one kind, as docs/format.md shows it."""
    rows = ["| key | type | required | allowed values | description |", "| --- | --- | --- | --- | --- |"]
    for f in kind.fields:
        t = f.type.item if f.type.name == "list" and f.type.item and f.type.item.name == "enum" else f.type
        values = " \\| ".join(f"`{c}`" for c in t.choices) if t.name == "enum" else ""
        if f.default is not None:
            values += f" (default `{f.default}`)"
        if f.type.name == "map":
            values = f"see `{f.type.kind.name}` below"
        description = f.description + (f"; `{f.alias_of}` is preferred" if f.alias_of else "")
        rows.append(f"| `{f.key}` | {_cell(f.type.doc())} | {'yes' if f.required else 'no'} | {values.strip()} "
                    f"| {_cell(description)} |")
    return "\n".join(rows)


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


# --------------------------------------------------------------------------- readiness.json, the output contract

STATES = ("ready", "at-risk", "not-ready", "not-applicable")  # assess.STATE_ORDER (a test keeps them equal)
READINESS_VERSION = 3  # export.SCHEMA, the format's version (a test keeps them equal; no import up the pipeline)
LAPSE_KINDS = ("review-due", "window-closes", "finding-due", "target")


def _text(description: str, nullable: bool = False) -> dict[str, Any]:
    return {"type": ["string", "null"] if nullable else "string", "description": description}


def _date(description: str, nullable: bool = False) -> dict[str, Any]:
    d = DATE.json()
    return {**d, "type": ["string", "null"] if nullable else "string", "description": description}


def _words(choices: tuple[str, ...], description: str, nullable: bool = False) -> dict[str, Any]:
    return {"enum": [*choices, *([None] if nullable else [])], "description": description}


def _bool(description: str, nullable: bool = False) -> dict[str, Any]:
    return {"type": ["boolean", "null"] if nullable else "boolean", "description": description}


def _count(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "description": description}


def _share(description: str, nullable: bool = True) -> dict[str, Any]:
    return {"type": ["number", "null"] if nullable else "number", "minimum": 0, "maximum": 1,
            "description": description}


def _list(item: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "array", "items": item, "description": description}


def _record(description: str, props: dict[str, dict[str, Any]], optional: tuple[str, ...] = (),
            nullable: bool = False) -> dict[str, Any]:
    """An object whose keys are all listed (no others) and all required but ``optional``."""
    return {"type": ["object", "null"] if nullable else "object", "description": description, "properties": props,
            "required": [k for k in props if k not in optional], "additionalProperties": False}


def _by(key: dict[str, Any], value: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "object", "propertyNames": key, "additionalProperties": value, "description": description}


def readiness_schema() -> dict[str, Any]:
    """The JSON Schema of ``readiness.json`` (export.readiness_dict): every key described, every key required
    (but the three a lapse has only sometimes), no undescribed key allowed, so a renamed or dropped key fails."""
    clause = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)*$"}  # outputs are per standard: plain numbers
    ids = _list({"type": "string"}, "ids")
    gate_items = _list(_record("one check of the gate", {
        "name": _text("what the check asks"),
        "check": {"enum": list(dict.fromkeys(c for checks in GATE_CHECKS.values() for c in checks)),
                  "description": "the check's stable id (docs/rules.md)"},
        "passed": _bool("whether it passes"),
        "reason": _text("why, in words"),
        "code": _text("the reason's stable code"),
    }), "the gate's checks, in order")
    gate = _record("one audit stage's gate", {
        "passed": _bool("whether every check passes on the as-of date"),
        "items": gate_items,
        "verdict": _text("the verdict in one sentence, today and on the booked audit date"),
        "on_audit_date": _record("the gate judged on its booked audit date, assuming nothing changes", {
            "date": _date("the booked audit date"),
            "passed": _bool("whether every check would pass then"),
            "items": gate_items,
        }, nullable=True),
    })
    clause_row = _record("one clause of the catalog", {
        "number": {**clause, "description": "the clause number"},
        "title": _text("ISO's short title, or our label"),
        "title_is_ours": _bool("true when the title is our label (the clause has no official title)"),
        "parent": {**clause, "type": ["string", "null"], "description": "the parent clause (null: a main clause)"},
        "status": _words(STATUSES, "how far the project says it is implemented"),
        "assessed": _bool("whether the project assessed this clause itself (false: taken from a parent, or none)"),
        "applicable": _bool("false when the clause is declared not applicable or its condition does not hold"),
        "state": _words(STATES, "the computed state: what the evidence supports"),
        "reasons": _list({"type": "string"}, "why it has that state, in words"),
        "reason_codes": _list({"type": "string"}, "the reasons' stable codes (docs/rules.md)"),
        "verified_by": _text("the audit record that verified it", nullable=True),
        "conditions": _by({"type": "string"}, {"type": ["boolean", "null"]},
                          "the declared conditions the clause depends on (organisation.yaml applies:)"),
        "readiness": _share("the clause's readiness, 0 to 1 (null: not applicable)"),
        "owner": _text("who is responsible", nullable=True),
        "target": _date("when it should be implemented", nullable=True),
        "evidence": {**ids, "description": "the evidence supporting it, by id"},
        "stale_evidence": {**ids, "description": "its evidence past its review date, by id"},
        "findings": {**ids, "description": "the open findings that weigh on its state (raised on it or an ancestor), by id"},
        "documented_information": _list(_record("one item of mandatory documented information", {
            "kind": _text("document (maintained) or record (retained)"),
            "what": _text("what must exist"),
            "state": _text("its state today"),
            "reason": _text("why, in words"),
            "code": _text("the reason's stable code"),
            "evidence": {**ids, "description": "the evidence that provides it"},
        }), "the mandatory documented information the clause asks for"),
    })
    evidence_row = _record("one evidence record this audience may see", {
        "id": _text("its id; its page is evidence/<id>.html"),
        "title": _text("what it is"),
        "kind": _words(EVIDENCE_KINDS, "document (maintained) or record (retained)"),
        "clauses": _list(clause, "the clauses it supports"),
        "stale": _bool("whether its review date has passed"),
        "document": _text("the document's path in the site", nullable=True),
        "url": _text("a link instead of a file", nullable=True),
        "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$",
                   "description": "the document's SHA-256 (null: no file)"},
        "owner": _text("who keeps it current", nullable=True),
        "date": _date("issued or recorded", nullable=True),
        "review_by": _date("next review due", nullable=True),
        "audience": _words(AUDIENCES, "who may see it"),
    })
    finding_row = _record("one finding this audience may see", {
        "id": _text("its id; its page is findings/<id>.html"),
        "clauses": _list(clause, "the clauses it is raised against"),
        "grade": _words(GRADES, "how serious it is"),
        "status": _words(FINDING_STATUSES, "open or closed"),
        "raised": _date("when it was raised"),
        "due": _date("when it must be closed", nullable=True),
        "closed": _date("when it was closed", nullable=True),
        "overdue": _bool("open and past its due date"),
        "owner": _text("who is responsible for closing it", nullable=True),
        "evidence": {**ids, "description": "evidence of the correction"},
        "description": _text("what was found (Markdown)"),
        "action": _text("the corrective action (Markdown; also under corrective_action)", nullable=True),
        "audience": _words(AUDIENCES, "who may see it"),
        "url": _text("its page in the site"),
        "source": _words(FINDING_SOURCES, "where the finding came from", nullable=True),
        "audit": _text("the audit record that raised it", nullable=True),
        "requirement": _text("the requirement not met", nullable=True),
        "correction": _text("what was done at once to contain it", nullable=True),
        "root_cause": _text("why it happened", nullable=True),
        "corrective_action": _text("what removes the cause", nullable=True),
        "verification": _record("the check that the corrective action was effective", {
            "date": _date("when effectiveness was checked", nullable=True),
            "by": _text("who checked it", nullable=True),
            "effective": _bool("whether the action was effective", nullable=True),
            "evidence": {**ids, "description": "the records of the check"},
        }, nullable=True),
        "unverified": _bool("a closed nonconformity without a verification of effectiveness"),
        "due_today": _bool("open and due on the as-of date"),
    })
    lapse = _record("a date on which something lapses, before an audit", {
        "date": _date("when it lapses"),
        "kind": _words(LAPSE_KINDS, "what lapses"),
        "evidence": _text("the evidence record concerned"),
        "finding": _text("the finding concerned"),
        "clause": {**clause, "description": "the clause concerned"},
        "clauses": _list(clause, "the clauses it affects"),
        "before": _words(tuple(AUDITS.keys), "the booked audit it comes before"),
        "text": _text("the lapse in one sentence"),
    }, optional=("evidence", "finding", "clause"))
    body = _record("readiness.json: the portal's figures for one build (one audience, one as-of date)", {
        "schema": {"const": READINESS_VERSION, "description": "the version of this format; changes only when a key is renamed "
                                                    "or removed"},
        "organisation": _text("the organisation's name"),
        "as_of": _date("the date readiness is judged on"),
        "standard": _words(STANDARDS, "the edition assessed against"),
        "amendments": _list({"type": "string"}, "the amendments the catalog includes"),
        "audience": _words(AUDIENCES, "who the build is for"),
        "commit": _text("the git commit the inputs come from", nullable=True),
        "readiness": _record("the overall figures", {
            "overall": _share("overall readiness, 0 to 1 (null: nothing applicable)"),
            "by_main_clause": _by(clause, {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                                  "readiness per main clause"),
            "ready_clauses": _count("applicable leaf clauses that are ready"),
            "applicable_clauses": _count("applicable leaf clauses"),
            "ready_share": _share("share of applicable leaf clauses ready"),
            "at_risk_share": _share("share at risk"),
            "not_ready_share": _share("share not ready"),
            "states": _by({"enum": list(STATES)}, {"type": "integer", "minimum": 0}, "leaf clauses per state"),
            "statuses": _by({"enum": list(STATUSES)}, {"type": "integer", "minimum": 0}, "leaf clauses per status"),
        }),
        "clauses": _list(clause_row, "every clause of the catalog, in order"),
        "evidence": _list(evidence_row, "every evidence record this audience may see"),
        "findings": _list(finding_row, "every finding this audience may see"),
        "review_inputs": _record("the latest management review's inputs (9.3.2)", {
            "review": _text("the review record, when this audience may see it", nullable=True),
            "date": _date("the review's date", nullable=True),
            "considered": _list({"enum": list(REVIEW_INPUTS)}, "the inputs it considered"),
            "missing": _list({"enum": list(REVIEW_INPUTS)}, "the inputs it did not"),
        }, nullable=True),
        "gates": _by({"enum": ["stage1", "stage2"]}, gate, "the audit stage gates"),
        "lapses": _list(lapse, "what lapses before the audits, by date"),
        "coverage": _record("internal audit coverage of the leaf clauses", {
            "leaves": _by(clause, ids, "leaf clause -> the audit records that covered it"),
            "uncovered": _list(clause, "leaf clauses no internal audit covered"),
        }),
        "exclusions": _list(_record("a clause declared not applicable", {
            "clause": {**clause, "description": "the clause"},
            "justification": _text("why it cannot apply"),
            "rule": _words(("possible", "rare"), "whether ISO 9001 expects it can be excluded, or rarely"),
        }), "the clauses declared not applicable"),
        "withheld": _record("what this audience may not see, counted", {
            "evidence": _count("evidence records left out"),
            "findings": {"type": ["integer", "null"], "minimum": 0,
                         "description": "findings left out (null in a public build that does not publish findings: "
                                        "nothing about them is counted)"},
        }),
        "transition": _record("the move to ISO 9001:2026, topic by topic (null for a project on ISO 9001:2026)", {
            "to": _words(STANDARDS, "the edition to move to"),
            "deadline": _date("organisation.yaml transition.deadline (from the certification body)", nullable=True),
            "audit": _date("the planned transition audit", nullable=True),
            "addressed": _count("topics addressed"),
            "total": _count("topics"),
            "topics": _list(_record("a requirement topic the new edition adds or changes", {
                "key": _text("its stable key (evidence names it in topics:)"),
                "clauses": _list({"type": "string"}, "its clauses in the new edition"),
                "state": _words(("addressed", "gap"), "whether current evidence addresses it"),
                "provisional": _bool("whether the public sources on it are provisional"),
                "evidence": {**ids, "description": "the current records naming it that this audience may see"},
                "reason": _text("why, in words"),
                "code": _text("the reason's stable code (docs/rules.md)"),
            }), "the topics, in the order of transition-topics.yaml"),
        }, nullable=True),
        "certificate": _record("the certificate organisation.yaml records, judged on the as-of date (null when none "
                               "is recorded)", {
            "state": _words(("valid", "not-yet-valid", "expired"), "whether it may be claimed on the as-of date"),
            "reason": _text("why, in words"),
            "code": _text("the reason's stable code (docs/rules.md)"),
            "transition": _record("a certificate to ISO 9001:2015 expiring after the transition deadline (null "
                                  "otherwise)", {
                "reason": _text("by when it must move, in words"),
                "code": _text("the reason's stable code (docs/rules.md)"),
            }, nullable=True),
        }, nullable=True),
        "systemic_minors": _count("the threshold: this many open minors on one clause (or its sub-clauses) "
                                  "count as one major for the gates (organisation.yaml systemic_minors, default 3)"),
        "climate_change": _record("the climate-change determination organisation.yaml declares (Amendment "
                                  "1:2024; null when not declared: then only evidence with topics: "
                                  "[climate-change] on 4.1 can show it)", {
            "relevant": {"type": ["boolean", "null"], "description": "whether climate change is a relevant issue"},
            "decided": _date("when the determination was made", nullable=True),
        }, nullable=True),
    })
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "isoready readiness.json", **body}


#: the JSON Schemas the package ships (isoready/schemas/) and ``init`` copies into a register (.schemas/)
SCHEMA_FILES: dict[str, str] = {"organisation": "organisation.schema.json", "evidence": "evidence.schema.json",
                                "assessment": "clauses.schema.json", "finding": "findings.schema.json",
                                "page": "page.schema.json", "readiness": "readiness.schema.json"}


def schema_for(name: str) -> dict[str, Any]:
    """The JSON Schema of one kind of file (a key of SCHEMA_FILES)."""
    if name == "readiness":
        return readiness_schema()
    return json_schema(PAGE if name == "page" else FILE_KINDS[name])


def schema_text(name: str) -> str:
    return json.dumps(schema_for(name), indent=2, ensure_ascii=False) + "\n"


def shipped_schema(name: str) -> str:
    """The schema file shipped in the package (what a wheel installs)."""
    from importlib import resources

    return resources.files("isoready").joinpath("schemas", SCHEMA_FILES[name]).read_text(encoding="utf-8")


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema file into ``folder``; returns the files that changed."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, filename in SCHEMA_FILES.items():
        path = folder / filename
        text = schema_text(name)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: Optional[list[str]] = None) -> int:
    """``python3 -m isoready.schema docs/format.md``: regenerate the key tables in place."""
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
