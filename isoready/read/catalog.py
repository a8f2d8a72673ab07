"""The clause catalogs, one per edition of each standard, read from the standard packages (isoready.standards)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Optional

import yaml

from isoready import standards
from isoready.core import i18n
from isoready.model import DEFAULT_STANDARD, Catalog, Clause, DocumentedInfo

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class _CatalogFiles(Mapping[str, str]):
    """Edition (organisation.yaml's ``standard:``) -> its catalog file, for every standard discovered."""

    def __getitem__(self, name: str) -> str:
        return str(standards.get(name).catalog)

    def __iter__(self) -> Iterator[str]:
        return iter(standards.names())

    def __len__(self) -> int:
        return len(standards.names())


CATALOG_FILES: Mapping[str, str] = _CatalogFiles()


#: a source that is a code repository (a public repository file known by its index id, or owner/name:path@commit):
#: nobody accountable vouches for it, so an entry resting on such sources alone is provisional whatever it says
_CODE_REPOSITORY = re.compile(r"^(public repository file\b|[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:\S+@[0-9a-f]{7,40}\b)")
#: a note in a sources list that records what an entry no longer follows; not a source
_SUPERSEDED = "superseded:"


def only_code_repositories(sources: Iterable[str]) -> bool:
    """True when every source (notes of what was superseded aside) is a code repository."""
    real = [str(s) for s in sources if not str(s).startswith(_SUPERSEDED)]
    return bool(real) and all(_CODE_REPOSITORY.match(s) for s in real)


#: a clause's text fields: what a translation may give and what falls back to English when it does not
CLAUSE_WORDS = ("title", "label", "about", "evidence_asked", "documented_information")
#: a catalog's own top-level words
CATALOG_WORDS = ("exclusion_test", "provisional_note")


def _translated(row: dict, words: dict) -> tuple[dict, frozenset]:
    """A clause's row in the translation's words, and the text fields that stay English (the translation lacks
    them)."""
    english = {k for k in CLAUSE_WORDS if row.get(k) and k not in words}
    row = {**row, **{k: v for k, v in words.items() if k != "documented_information"}}
    items = row.get("documented_information") or ()
    given = words.get("documented_information")
    if given is not None:
        row["documented_information"] = [{**d, **w} for d, w in zip(items, given)]
        if any(d.get(k) and k not in w for d, w in zip(items, given) for k in ("what", "when")):
            english.add("documented_information")
    return row, frozenset(english)


def parse_catalog(text: str, standard: Optional[standards.Standard] = None, language: str = i18n.SOURCE_LANGUAGE
                  ) -> Catalog:
    """A catalog from its source text; in another language, each text field its translation gives (the
    package's translations/<language>/<file>, docs/standards.md) and a record of the fields that stayed English.
    A missing or broken translation leaves every field English (standards.translation_problems says why)."""
    data = yaml.load(text, Loader=_Loader)
    translation = None
    if language != i18n.SOURCE_LANGUAGE and standard is not None:
        if standards.find(standard.name) == standard:  # its gate checks' and manifest's words, translated
            standard = standards.in_language(standard.name, language)
        try:
            translation = standards.read_translation(standard.folder, standard.catalog.name, language, data)
        except standards.StandardError:
            translation = None
    rows = data["clauses"]
    source_names = {str(row["number"]): row.get("title") or row.get("label") or "" for row in rows}
    english_top: frozenset = frozenset()
    if language != i18n.SOURCE_LANGUAGE:
        words = translation.entries.get("clauses", {}) if translation else {}
        rows = [_translated(row, words.get(str(row["number"]), {})) for row in rows]
        top = translation.top if translation else {}
        english_top = frozenset(k for k in CATALOG_WORDS if data.get(k) and k not in top)
        data = {**data, **top}
    else:
        rows = [(row, frozenset()) for row in rows]
    children: dict[str, list[str]] = {}
    for row, _ in rows:
        if row.get("parent"):
            children.setdefault(str(row["parent"]), []).append(str(row["number"]))
    clauses = tuple(
        Clause(
            number=str(row["number"]),
            title=row.get("title"),
            label=row.get("label"),
            parent=str(row["parent"]) if row.get("parent") else None,
            exclusion=row.get("exclusion", "rare"),
            documented_information=tuple(
                DocumentedInfo(kind=d["kind"], what=d["what"], when=d.get("when"), condition=d.get("condition"),
                               if_true=d.get("if_true", "record"))
                for d in row.get("documented_information") or ()
            ),
            about=row.get("about", ""),
            evidence_asked=tuple(row.get("evidence_asked") or ()),
            window_months=row.get("window_months"),
            window_max=row.get("window_max"),
            children=tuple(children.get(str(row["number"]), ())),
            change=row.get("change"),
            hs=bool(row.get("hs")),
            provisional=bool(row.get("provisional")) or only_code_repositories(row.get("sources") or ()),
            sources=tuple(row.get("sources") or ()),
            states_exclusion_test=bool(row.get("states_exclusion_test")),
            records_until_review=bool(row.get("records_until_review")),
            english=english,
            source_name=source_names[str(row["number"])],
        )
        for row, english in rows
    )
    return Catalog(
        standard=data.get("standard", "ISO 9001:2015"),
        amendments=tuple(data.get("amendments") or ()),
        clauses=clauses,
        by_number={c.number: c for c in clauses},
        exclusion_test=data.get("exclusion_test"),
        provisional_note=data.get("provisional_note"),
        roles=dict(standard.roles) if standard else {},
        gates=standard.gates if standard else (),
        review_inputs=standard.review_inputs if standard else (),
        words=dict(standard.words) if standard else {},
        examples=dict(standard.examples) if standard else {},
        review_input_words=dict(standard.review_input_words) if standard else {},
        conditions=dict(standard.conditions) if standard else {},
        language=language,
        english=english_top,
        reviewed=language == i18n.SOURCE_LANGUAGE or bool(translation and translation.reviewed),
    )


def load_catalog(standard: str = DEFAULT_STANDARD, language: Optional[str] = None) -> Catalog:
    """The catalog of an edition (one of ``standards.names()``; the schema refuses any other ``standard:``), its
    words in ``language`` (by default the active language, isoready.core.i18n.active())."""
    return _load(standard, language or i18n.active().code)


@lru_cache(maxsize=16)
def _load(standard: str, language: str = i18n.SOURCE_LANGUAGE) -> Catalog:
    found = standards.get(standard)
    return parse_catalog(found.catalog.read_text(encoding="utf-8"), found, language)


@lru_cache(maxsize=1)
def edition_mapping() -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
    """(from edition, to edition) -> clause -> the clauses it became, both ways (each transition's mapping)."""
    tables: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
    for move in standards.transitions():
        data = yaml.load(move.mapping.read_text(encoding="utf-8"), Loader=_Loader)
        old, new = data["from_standard"], data["to_standard"]
        forward: dict[str, tuple[str, ...]] = {}
        back: dict[str, list[str]] = {}
        for row in data["mappings"]:
            if row.get("from") is None:
                continue
            targets = tuple(str(t) for t in row.get("to") or ())
            forward[str(row["from"])] = targets
            for t in targets:
                back.setdefault(t, []).append(str(row["from"]))
        tables[(old, new)] = forward
        tables[(new, old)] = {k: tuple(v) for k, v in back.items()}
    return tables


def other_edition(number: str, catalog: Catalog) -> tuple[str, tuple[str, ...]] | None:
    """When a clause number belongs to another edition only: that edition and what the number is in ours."""
    for (source, target), table in edition_mapping().items():
        if target == catalog.standard and number in table and number in _load(source).by_number:
            found = tuple(n for n in table[number] if n in catalog)
            if found:
                return source, found
    return None


@dataclass(frozen=True)
class Topic:
    """A requirement topic the new edition adds or changes (transition-topics.yaml); ``key`` is a contract."""

    key: str
    title: str
    clauses: tuple[str, ...]  # clauses of the new edition
    change: str
    look_for: str  # what an auditor will look for, in our words
    provisional: bool
    note: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class TransitionDates:
    """The publicly reported transition defaults: never an official decision (confirm with the CB)."""

    to: str
    source_standard: str  # the edition the transition is from
    publication: Optional[date]
    deadline: Optional[date]
    deadline_reported: str
    new_certificates_from: str  # "2028-03": a month, as reported
    #: the first day new certifications (and stage 2 audits) must use the new edition, from new_certificates_from
    new_certificates_date: Optional[date] = None
    new_certificates_confidence: str = ""  # high | medium | low, as the data says
    new_certificates_provisional: bool = True  # anything short of high confidence is provisional
    new_certificates_sources: tuple[str, ...] = ()
    deadline_confidence: str = ""


@dataclass(frozen=True)
class RetiredTopic:
    """A key once listed as a topic that names no change of the new edition (transition-topics.yaml retired:)."""

    key: str
    clauses: tuple[str, ...]
    why: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topics:
    standard: str  # the edition the topics belong to (the new one)
    from_standard: str
    topics: tuple[Topic, ...]
    dates: TransitionDates
    retired: tuple[RetiredTopic, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.topics)


def _day(value: Any) -> Optional[date]:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _month_start(value: Any) -> Optional[date]:
    """A reported month ("2028-03") as its first day (the earliest the date can mean); a full date as itself."""
    text = str(value or "")
    if len(text) == 7:
        text += "-01"
    return _day(text)


def load_topics(language: Optional[str] = None) -> Topics:
    """The transition topics and the reported transition dates (the ISO 9001 package's transition-topics.yaml;
    one transition with topics is modelled today), their words in ``language`` (by default the active language)
    where the package translates them (translations/<language>/transition-topics.yaml: ``topics:`` and
    ``retired:`` by key), in English elsewhere."""
    return _topics(language or i18n.active().code)


def _topic_words(data: dict, folder: Path, name: str, language: str) -> dict:
    """The topics file's data with a translation's words laid over it (the source's, when it has none)."""
    try:
        found = standards.read_translation(folder, name, language, data)
    except standards.StandardError:
        found = None
    if found is None:
        return data
    def laid(source: Any, words: Any) -> Any:  # nested text (the transition's dates' notes) laid key by key
        if isinstance(source, dict) and isinstance(words, dict):
            return {**source, **{k: laid(source.get(k), v) for k, v in words.items()}}
        return words

    out = {**data, **{k: laid(data.get(k), v) for k, v in found.top.items()}}
    for key in ("topics", "retired"):
        words = found.entries.get(key, {})
        out[key] = [{**row, **words.get(str(row.get("key")), {})} for row in data.get(key) or ()]
    return out


@lru_cache(maxsize=8)
def _topics(language: str) -> Topics:
    move = next(t for t in standards.transitions() if t.topics is not None)
    text = move.topics.read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_Loader)
    if language != i18n.SOURCE_LANGUAGE:
        data = _topic_words(data, move.topics.parent, move.topics.name, language)
    topics = tuple(
        Topic(key=str(row["key"]), title=str(row["title"]), clauses=tuple(str(c) for c in row["clauses"]),
              change=str(row.get("change") or "changed"), look_for=" ".join(str(row["look_for"]).split()),
              provisional=bool(row.get("provisional")) or only_code_repositories(row.get("sources") or ()),
              note=" ".join(str(row.get("note") or "").split()),
              sources=tuple(str(s) for s in row.get("sources") or ()))
        for row in data["topics"])
    t = data.get("transition") or {}
    dates = TransitionDates(
        to=str(t.get("to") or data["standard"]), source_standard=str(data["from_standard"]),
        publication=_day((t.get("publication") or {}).get("date")),
        deadline=_day((t.get("deadline") or {}).get("date")),
        deadline_reported=str((t.get("deadline") or {}).get("reported") or ""),
        new_certificates_from=str((t.get("new_certificates_on_2026_from") or {}).get("date") or ""),
        new_certificates_date=_month_start((t.get("new_certificates_on_2026_from") or {}).get("date")),
        new_certificates_confidence=str((t.get("new_certificates_on_2026_from") or {}).get("confidence") or ""),
        new_certificates_provisional=bool((t.get("new_certificates_on_2026_from") or {}).get(
            "provisional", str((t.get("new_certificates_on_2026_from") or {}).get("confidence")) != "high")),
        new_certificates_sources=tuple(str(x) for x in (t.get("new_certificates_on_2026_from") or {}).get(
            "sources") or ()),
        deadline_confidence=str((t.get("deadline") or {}).get("confidence") or ""))
    retired = tuple(RetiredTopic(key=str(row["key"]), clauses=tuple(str(c) for c in row.get("clauses") or ()),
                                 why=" ".join(str(row["why"]).split()),
                                 sources=tuple(str(x) for x in row.get("sources") or ()))
                    for row in data.get("retired") or ())
    return Topics(standard=str(data["standard"]), from_standard=str(data["from_standard"]), topics=topics,
                  dates=dates, retired=retired)
