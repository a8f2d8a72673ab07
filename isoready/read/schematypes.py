"""The vocabulary of schema types. As MkDocs' config options, each type is a class that reads (validates and
converts) a value AND documents itself: its words in docs/format.md's type column (``doc``), its allowed-values
cell (``allowed``) and its JSON Schema fragment (``json``). A ``Field`` joins a key to its type and writes its
own table row and JSON Schema property, so a key declared once in a ``Kind`` is read, documented and
schema'd from that one declaration: nothing else lists the keys.

Reading goes through a ``Reader`` (``schema.Fields``: the mapping being read, its diagnostics); a type says
which of its readers applies, so adding a type is one class here. This module names the readers it calls
(``Reader``) and never imports schema, which imports it: no circle, not even for annotations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional, Protocol

from isoready.core.load import YMap, YStr
from isoready.model import Catalog

DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
TOPIC_RE = re.compile(r"^[a-z0-9-]+\Z")


class Reader(Protocol):
    """What a type asks of the mapping being read (``schema.Fields``): one reader per kind of value, each
    reporting its own problems."""

    catalog: Optional[Catalog]

    def text(self, key: str, required: bool = False) -> Optional[str]: ...
    def strings(self, key: str, required: bool = False) -> list[YStr]: ...
    def integer(self, key: str, minimum: Optional[int], maximum: Optional[int],
                required: bool = False) -> Optional[int]: ...
    def word(self, key: str, choices: tuple[str, ...], required: bool = False,
             default: Optional[str] = None, synonyms: tuple[tuple[str, str], ...] = ()) -> Optional[str]: ...
    def vocabulary(self, key: str, items: list[YStr], choices: tuple[str, ...],
                   synonyms: tuple[tuple[str, str], ...] = ()) -> tuple[str, ...]: ...
    def date(self, key: str, required: bool = False) -> Any: ...
    def boolean(self, key: str, required: bool = False) -> Optional[bool]: ...
    def url(self, key: str, required: bool = False) -> Optional[str]: ...
    def git_ref(self, key: str, required: bool = False) -> Optional[str]: ...
    def clauses(self, key: str, catalog: Catalog, required: bool = False) -> tuple[str, ...]: ...
    def keys(self, key: str, items: list[YStr], example: str = "", what: str = "") -> tuple[str, ...]: ...
    def mapping(self, key: str, required: bool = False) -> Optional[YMap]: ...
    def nested(self, key: str, required: bool = False) -> Optional["Reader"]: ...
    def records(self, key: str, required: bool = False) -> list["Reader"]: ...


@dataclass(frozen=True)
class Type:
    """A value's type. ``name`` (one of: str, markdown, date, bool, int, enum, id, id-ref, clause-ref, url, path,
    git-ref, key, list, map, mapping) names it in messages and tests; the subclass does the work."""

    name: ClassVar[str] = "str"
    words: ClassVar[tuple[str, str]] = ("text", "texts")  # the docs' words, one and many

    def doc(self, plural: bool = False) -> str:
        """The type as words, for the docs table."""
        return self.words[1 if plural else 0]

    def json(self) -> dict[str, Any]:
        """The type as a JSON Schema (draft 2020-12) fragment."""
        return {"type": "string"}

    def allowed(self, default: Optional[str] = None) -> str:
        """The docs table's "allowed values" cell."""
        return "" if default is None else f"(default `{default}`)"

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        """The value of ``key`` in ``f``'s mapping, converted; every problem reported (None when absent or bad)."""
        return f.text(key, required)

    def read_items(self, f: Reader, key: str, required: bool) -> tuple[Any, ...]:
        """A list of this type (``list_of``): the good items, once each."""
        return tuple(f.strings(key, required))


@dataclass(frozen=True)
class Text(Type):
    pass


@dataclass(frozen=True)
class Markdown(Type):
    name: ClassVar[str] = "markdown"
    words: ClassVar[tuple[str, str]] = ("text (Markdown)", "texts (Markdown)")


@dataclass(frozen=True)
class FilePath(Type):
    name: ClassVar[str] = "path"
    words: ClassVar[tuple[str, str]] = ("file path", "file paths")


@dataclass(frozen=True)
class Date(Type):
    name: ClassVar[str] = "date"
    words: ClassVar[tuple[str, str]] = ("date (YYYY-MM-DD)", "dates (YYYY-MM-DD)")

    def json(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": DATE_RE.pattern.replace("\\Z", "$")}

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        return f.date(key, required)


@dataclass(frozen=True)
class Bool(Type):
    name: ClassVar[str] = "bool"
    words: ClassVar[tuple[str, str]] = ("true or false", "true or false")

    def json(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        return f.boolean(key, required)


@dataclass(frozen=True)
class Url(Type):
    name: ClassVar[str] = "url"
    words: ClassVar[tuple[str, str]] = ("http or https URL", "URLs")

    def json(self) -> dict[str, Any]:
        return {"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        return f.url(key, required)


@dataclass(frozen=True)
class ClauseRef(Type):
    name: ClassVar[str] = "clause-ref"
    words: ClassVar[tuple[str, str]] = ("clause number", "clause numbers")

    def json(self) -> dict[str, Any]:
        # "8.4", or in an integrated system "14001:6.1.2" and "hs:7.5"
        return {"type": "string", "pattern": r"^(([0-9]+|hs):)?[0-9]+(\.[0-9]+)*$"}

    def read_items(self, f: Reader, key: str, required: bool) -> tuple[Any, ...]:
        assert f.catalog is not None
        return f.clauses(key, f.catalog, required)


@dataclass(frozen=True)
class Patterned(Type):
    """Text that must match ``pattern`` (a JSON Schema regex; the reader's own check may be stricter)."""

    pattern: Optional[str] = None

    def json(self) -> dict[str, Any]:
        return {"type": "string", **({"pattern": self.pattern} if self.pattern else {})}


@dataclass(frozen=True)
class Id(Patterned):
    name: ClassVar[str] = "id"
    words: ClassVar[tuple[str, str]] = ("id", "ids")


@dataclass(frozen=True)
class IdRef(Patterned):
    name: ClassVar[str] = "id-ref"
    target: str = "evidence"  # what the id names

    def doc(self, plural: bool = False) -> str:
        return f"{self.target or 'evidence'} id{'s' if plural else ''}"


@dataclass(frozen=True)
class GitRef(Patterned):
    name: ClassVar[str] = "git-ref"
    words: ClassVar[tuple[str, str]] = ("git tag, branch or commit", "git refs")

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        return f.git_ref(key, required)


@dataclass(frozen=True)
class Key(Patterned):
    """A key of lower-case letters, digits and '-'; ``what`` names it in E208's message and ``example`` is the
    one its fix shows (a site id, say), the reader's own (a topic key) when empty."""

    name: ClassVar[str] = "key"
    words: ClassVar[tuple[str, str]] = ("key (`a-z`, `0-9`, `-`)", "keys (`a-z`, `0-9`, `-`)")
    example: str = ""
    what: str = ""

    def read_items(self, f: Reader, key: str, required: bool) -> tuple[Any, ...]:
        return f.keys(key, f.strings(key, required), self.example, self.what)


@dataclass(frozen=True)
class Int(Type):
    name: ClassVar[str] = "int"
    minimum: Optional[int] = None
    maximum: Optional[int] = None

    def doc(self, plural: bool = False) -> str:
        return f"whole number{'s' if plural else ''} ({self.minimum}–{self.maximum})"

    def json(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        return f.integer(key, self.minimum, self.maximum, required)


@dataclass(frozen=True)
class Enum(Type):
    """One of ``choices``; ``synonyms`` pairs a word teams write with the choice it means (did-you-mean hints)."""

    name: ClassVar[str] = "enum"
    words: ClassVar[tuple[str, str]] = ("one word", "words")
    choices: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()

    def json(self) -> dict[str, Any]:
        return {"enum": list(self.choices)}

    def allowed(self, default: Optional[str] = None) -> str:
        return (" \\| ".join(f"`{c}`" for c in self.choices) + " " + super().allowed(default)).strip()

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        return f.word(key, self.choices, required, default, self.synonyms)

    def read_items(self, f: Reader, key: str, required: bool) -> tuple[Any, ...]:
        return f.vocabulary(key, f.strings(key, required), self.choices, self.synonyms)


@dataclass(frozen=True)
class ListOf(Type):
    """A list of ``item``; a single value is accepted as a list of one."""

    name: ClassVar[str] = "list"
    item: Type = field(default_factory=Text)

    def doc(self, plural: bool = False) -> str:
        return "list of " + self.item.doc(plural=True)

    def json(self) -> dict[str, Any]:
        return {"anyOf": [self.item.json(), {"type": "array", "items": self.item.json()}]}

    def allowed(self, default: Optional[str] = None) -> str:
        return self.item.allowed(default)

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        return self.item.read_items(f, key, required)


@dataclass(frozen=True)
class Nested(Type):
    """A nested record with its own keys (a Kind), read as its own ``Fields``."""

    name: ClassVar[str] = "map"
    words: ClassVar[tuple[str, str]] = ("mapping", "mappings")
    kind: Any = None  # the nested Kind

    def json(self) -> dict[str, Any]:
        return self.kind.json()

    def allowed(self, default: Optional[str] = None) -> str:
        return f"see `{self.kind.name}` below"

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        return f.nested(key, required)


@dataclass(frozen=True)
class Records(Type):
    """A list of nested records of one Kind (``sites:``), each read as its own ``Fields``."""

    name: ClassVar[str] = "records"
    words: ClassVar[tuple[str, str]] = ("list of mappings", "lists of mappings")
    kind: Any = None  # the Kind of each item

    def json(self) -> dict[str, Any]:
        return {"type": "array", "items": self.kind.json()}

    def allowed(self, default: Optional[str] = None) -> str:
        return f"see `{self.kind.name}` below"

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        return f.records(key, required)


@dataclass(frozen=True)
class MappingOf(Type):
    """Free keys of one type to values of another (``windows``: clause -> months). Reading checks the shape;
    what the entries mean (a clause of this catalog, a window a certification body accepts) is ``records``'."""

    name: ClassVar[str] = "mapping"
    key: Type = field(default_factory=Text)
    item: Type = field(default_factory=Text)

    def doc(self, plural: bool = False) -> str:
        return f"mapping of {self.key.doc()} to {self.item.doc()}"

    def json(self) -> dict[str, Any]:
        return {"type": "object", "propertyNames": self.key.json(), "additionalProperties": self.item.json()}

    def read(self, f: Reader, key: str, required: bool, default: Optional[str] = None) -> Any:
        return f.mapping(key, required)


TEXT, MARKDOWN, DATE, BOOL, URL, PATH = Text(), Markdown(), Date(), Bool(), Url(), FilePath()
CLAUSE = ClauseRef()
EVIDENCE_REF = IdRef(target="evidence")
# Ids may use letters and digits of any script (records.ID_RE, which is authoritative). JSON Schema regexes
# (ECMA-262 without the u flag, and Python's re) have no \p{L}, so the editor's check only excludes what an id
# never holds: ASCII punctuation other than '.', '_', '-' inside a part, spaces and control characters.
_ID_START = r"[^\x00-\x20\x7f!-/:-@\[-`{-~]"
_ID_CHAR = r"[^\x00-\x20\x7f!-,/:-@\[-\^`{-~]"
EVIDENCE_ID = Id(pattern=f"^{_ID_START}{_ID_CHAR}*(/{_ID_START}{_ID_CHAR}*)*$")
FINDING_ID = Id(pattern=f"^{_ID_START}{_ID_CHAR}*$")
GIT_REF = GitRef(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._/@^~+-]*$")
TOPIC = Key(pattern=TOPIC_RE.pattern.replace("\\Z", "$"))


def enum(*choices: str, synonyms: Optional[dict[str, tuple[str, ...]]] = None) -> Enum:
    """One of ``choices``; ``synonyms`` maps a choice to the words teams write for it (did-you-mean hints)."""
    pairs = tuple((term, choice) for choice, terms in (synonyms or {}).items() for term in terms)
    assert all(choice in choices for _, choice in pairs), "a synonym points at no choice"
    return Enum(choices=tuple(choices), synonyms=pairs)


def list_of(item: Type) -> ListOf:
    return ListOf(item=item)


def nested(kind: Kind) -> Nested:
    return Nested(kind=kind)


@dataclass(frozen=True)
class Field:
    key: str
    type: Type
    description: str
    required: bool = False
    default: Optional[str] = None
    alias_of: Optional[str] = None  # another accepted spelling of that key (both at once is an error)
    shape: tuple[str, str] = ("", "")  # map and mapping keys: the E106 message and hint when not a mapping

    def json(self) -> dict[str, Any]:
        """This key's JSON Schema property: its type's fragment, its description, its default."""
        prop = {**self.type.json(), "description": self.description}
        if self.default is not None:
            prop["default"] = self.default
        return prop

    def row(self) -> str:
        """This key's row in docs/format.md's table."""
        description = self.description + (f"; `{self.alias_of}` is preferred" if self.alias_of else "")
        return (f"| `{self.key}` | {_cell(self.type.doc())} | {'yes' if self.required else 'no'} | "
                f"{self.type.allowed(self.default)} | {_cell(description)} |")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


@dataclass(frozen=True)
class Kind:
    """One kind of mapping the user writes: its keys, in the order they are documented and suggested."""

    name: str  # stable identifier: organisation, evidence, assessment, finding, organisation.audits, ...
    what: str  # how messages name it: "evidence record", "audits"
    fields: tuple[Field, ...]
    by_key: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)
    #: what each key reads as when the mapping leaves it out and it is not required (None, its default, ()):
    #: filled by ``schema.Fields.get`` as keys are read (30 keys a record, most absent, at 10,000 records)
    absent: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_key.update({f.key: f for f in self.fields})
        object.__setattr__(self, "_keys", tuple(f.key for f in self.fields))

    @property
    def keys(self) -> tuple[str, ...]:
        return self._keys  # type: ignore[attr-defined,no-any-return]

    def nested(self) -> list["Kind"]:
        """The kinds of this kind's nested mappings, depth first."""
        out: list[Kind] = []
        for f in self.fields:
            if isinstance(f.type, (Nested, Records)):
                out += [f.type.kind, *f.type.kind.nested()]
        return out

    def json(self) -> dict[str, Any]:
        props: dict[str, Any] = {f.key: f.json() for f in self.fields}
        schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
        required = [f.key for f in self.fields if f.required]
        if required:
            schema["required"] = required
        return schema
