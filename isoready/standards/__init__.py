"""Standards as data packages, found through the ``isoready.standards`` entry point group.

A standard package is a folder of data (see docs/standards.md): ``standard.yaml`` names its editions, each
with its catalog file and its gate checks file, and the transitions between editions (a clause mapping and
the topics the new edition adds). The entry point's object names that folder: a module with a
``STANDARD_DATA`` path, or a function returning one, as MkDocs finds its plugins. isoready's own packages
(ISO 9001 and ISO 14001) are declared in its pyproject.toml and are also found without it, so an install
whose metadata predates them still builds.

Nothing here knows a clause: the numbers live in the data files. A broken third-party package (a missing
file, bad YAML, an edition another package already names) is set aside with a ``Problem`` that names the
package and the file; it never stops a project that does not use it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

GROUP = "isoready.standards"
MANIFEST = "standard.yaml"
#: the packages shipped in the wheel (pyproject.toml declares them in GROUP too)
BUILTIN = {"iso9001": "isoready.standards.iso9001", "iso14001": "isoready.standards.iso14001"}
#: the kinds of gate check the assess stage knows how to judge (docs/standards.md documents each)
GATE_KINDS = ("present", "every", "mandatory", "performed", "all-clauses-ready", "audit-coverage",
              "review-after-audit", "no-open-major", "no-overdue-actions", "concerns-resolved",
              "evidence-behind", "documents-current", "edition-accepted", "register-reviewed",
              "every-site-audited")
STAGES = ("stage1", "stage2")
#: the checks of a register's content (issue 24) whose clauses a standard's ``registers:`` file names; assess
#: judges each (assess/registers.py), the standard says which of its clauses each weighs on
REGISTER_CHECKS = ("calibration", "competence", "supplier-approval", "supplier-evaluation", "objective-results",
                   "objective-behind", "audit-programme", "legal-compliance", "nc-open", "nc-trend")


@dataclass(frozen=True)
class GateCheck:
    """One gate check from a standard's data: its stable id, its stage, its kind of test and its clauses."""

    id: str
    stage: str
    kind: str
    clauses: tuple[str, ...] = ()
    #: what the kind needs beyond its clauses (e.g. ``record_kind``, ``plan``, ``what``, ``checks``)
    options: Mapping[str, Any] = field(default_factory=dict)
    #: its name on the pages ("Scope of the QMS documented (4.3)"); None: the plain words for its id
    title: Optional[str] = None
    #: what the evidence it lacks would show ("holds the quality policy"); None: the plain words
    missing: Optional[str] = None

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class Transition:
    """From one edition to the next: the clause mapping and the topics the new edition adds or changes."""

    source: str
    target: str
    mapping: Path
    topics: Optional[Path]


@dataclass(frozen=True)
class Standard:
    """One edition of one standard, as its package's data describes it."""

    name: str  # "ISO 9001:2015": what organisation.yaml's ``standard:`` says
    family: str  # "ISO 9001"
    edition: str  # "2015"
    package: str  # the distribution or module that ships it (named in problems)
    folder: Path
    catalog: Path
    gates: tuple[GateCheck, ...]
    #: the clause each role of the cross-record checks falls on (scope, audit, review, ...), from the data
    roles: Mapping[str, str] = field(default_factory=dict)
    builtin: bool = False
    provisional: bool = False
    #: the words for the inputs a management review considers (empty when the standard names none)
    review_inputs: tuple[str, ...] = ()
    #: the words its portal uses for its system and documents (``system``, ``system_short``, ``policy``,
    #: ``objectives``); views fall back to plain words where the data names none
    words: Mapping[str, str] = field(default_factory=dict)
    #: each review input's words on the pages (``review_inputs:`` as a mapping of key to words)
    review_input_words: Mapping[str, str] = field(default_factory=dict)
    #: clause numbers the help texts and messages show as examples (``clause``, ``window``, ``assessment``, ``hs``)
    examples: Mapping[str, str] = field(default_factory=dict)
    #: the conditions it leaves to the organisation (organisation.yaml ``applies:`` keys): each one's ``clause``,
    #: ``words`` and ``help``
    conditions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: register check (REGISTER_CHECKS) -> the clauses it weighs on (``registers:`` file); a check it does not
    #: name weighs on nothing
    registers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def role(self, key: str) -> Optional[str]:
        return self.roles.get(key)


@dataclass(frozen=True)
class Problem:
    """A standard package that could not be read: which package, which file, and what is wrong."""

    package: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.package}: {self.file}: {self.message}"


@dataclass(frozen=True)
class Registry:
    standards: Mapping[str, Standard]
    transitions: tuple[Transition, ...]
    problems: tuple[Problem, ...]


class StandardError(Exception):
    """A package's data is unusable; carries the file it was read from."""

    def __init__(self, file: str, message: str):
        super().__init__(message)
        self.file = file
        self.message = message


def _read(folder: Path, name: Any) -> Any:
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name.startswith("."):
        raise StandardError(MANIFEST, f"'{name}' is not a file name in the package")
    path = folder / name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise StandardError(name, f"cannot be read ({e.__class__.__name__})") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise StandardError(name, f"is not valid YAML{where}") from None


def _gates(folder: Path, name: str) -> tuple[GateCheck, ...]:
    data = _read(folder, name)
    rows = data.get("checks") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise StandardError(name, "has no 'checks:' list")
    checks = []
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not row.get("id"):
            raise StandardError(name, f"check {i} has no id")
        if row.get("stage") not in STAGES:
            raise StandardError(name, f"check '{row['id']}' has no stage (one of {', '.join(STAGES)})")
        if row.get("kind") not in GATE_KINDS:
            raise StandardError(name, f"check '{row['id']}' has an unknown kind '{row.get('kind')}'")
        options = {k: v for k, v in row.items()
                   if k not in ("id", "stage", "kind", "clauses", "sources", "title", "missing")}
        words = {k: str(row[k]) if row.get(k) else None for k in ("title", "missing")}
        checks.append(GateCheck(str(row["id"]), row["stage"], row["kind"],
                                tuple(str(c) for c in row.get("clauses") or ()), options, **words))
    return tuple(checks)


def _registers(folder: Path, name: str) -> dict[str, tuple[str, ...]]:
    data = _read(folder, name)
    checks = data.get("checks") if isinstance(data, dict) else None
    if not isinstance(checks, dict):
        raise StandardError(name, "has no 'checks:' mapping")
    out = {}
    for key, clauses in checks.items():
        if key not in REGISTER_CHECKS:
            raise StandardError(name, f"register check '{key}' is not one of {', '.join(REGISTER_CHECKS)}")
        if not isinstance(clauses, list):
            raise StandardError(name, f"register check '{key}' needs a list of clauses")
        out[str(key)] = tuple(str(c) for c in clauses)
    return out


def _words(name: str, row: Mapping[str, Any], key: str) -> dict[str, str]:
    words = row.get(key) or {}
    if not isinstance(words, dict) or not all(isinstance(v, str) for v in words.values()):
        raise StandardError(MANIFEST, f"'{key}:' of {name} is not a mapping of words")
    return {str(k): v for k, v in words.items()}


def _input_words(name: str, row: Mapping[str, Any]) -> dict[str, str]:
    """``review_inputs:`` as a mapping (key: its words); a plain list gives keys without words."""
    inputs = row.get("review_inputs") or {}
    if isinstance(inputs, dict):
        return _words(name, row, "review_inputs")
    return {}


#: organisation.yaml's applies: keys (a contract): the only conditions a standard may name
CONDITION_KEYS = ("traceability", "customer_property", "measurement_traceability")


def _conditions(name: str, row: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    found = row.get("conditions") or {}
    if not isinstance(found, dict):
        raise StandardError(MANIFEST, f"'conditions:' of {name} is not a mapping")
    out = {}
    for key, value in found.items():
        if key not in CONDITION_KEYS:
            raise StandardError(MANIFEST, f"condition '{key}' of {name} is not one of {', '.join(CONDITION_KEYS)}")
        if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in ("clause", "words", "help")):
            raise StandardError(MANIFEST, f"condition '{key}' of {name} needs clause, words and help")
        out[str(key)] = {k: value[k] for k in ("clause", "words", "help")}
    return out


def _package(package: str, folder: Path, builtin: bool) -> tuple[list[Standard], list[Transition]]:
    data = _read(folder, MANIFEST)
    editions = data.get("editions") if isinstance(data, dict) else None
    if not isinstance(editions, list) or not editions:
        raise StandardError(MANIFEST, "names no editions ('editions:' list)")
    standards = []
    for row in editions:
        name = str((row or {}).get("name") or "")
        if ":" not in name:
            raise StandardError(MANIFEST, f"edition name '{name}' is not in the form 'ISO 9001:2015'")
        family, edition = name.rsplit(":", 1)
        catalog = folder / str(row.get("catalog") or "")
        if not row.get("catalog") or not catalog.is_file():
            raise StandardError(str(row.get("catalog") or MANIFEST), f"catalog of {name} not found")
        gates = _gates(folder, row["gates"]) if row.get("gates") else ()
        roles = row.get("roles") or {}
        if not isinstance(roles, dict):
            raise StandardError(MANIFEST, f"'roles:' of {name} is not a mapping")
        standards.append(Standard(name, family.strip(), edition.strip(), package, folder, catalog, gates,
                                  {str(k): str(v) for k, v in roles.items()}, builtin,
                                  bool(row.get("provisional")),
                                  tuple(str(i) for i in row.get("review_inputs") or ()), _words(name, row, "words"),
                                  _input_words(name, row),
                                  _words(name, row, "examples"), _conditions(name, row),
                                  _registers(folder, row["registers"]) if row.get("registers") else {}))
    transitions = []
    for row in data.get("transitions") or ():
        mapping = folder / str(row.get("mapping") or "")
        if not mapping.is_file():
            raise StandardError(str(row.get("mapping") or MANIFEST), "transition mapping not found")
        topics = folder / str(row["topics"]) if row.get("topics") else None
        transitions.append(Transition(str(row["from"]), str(row["to"]), mapping, topics))
    return standards, transitions


def _folder(target: Any) -> Path:
    """The data folder an entry point's object names: ``STANDARD_DATA`` on a module, or a function's result."""
    value = getattr(target, "STANDARD_DATA", None)
    if value is None and callable(target):
        value = target()
    if value is None:
        raise StandardError(MANIFEST, "the entry point names no data folder (STANDARD_DATA)")
    return Path(value)


def _entry_points() -> list[tuple[str, Callable[[], Any]]]:
    from importlib.metadata import entry_points

    try:
        found = entry_points(group=GROUP)
    except Exception:  # pragma: no cover - a broken installed distribution's metadata
        return []
    return sorted((((ep.dist.name if getattr(ep, "dist", None) else ep.value), ep.value, ep.load)
                   for ep in found), key=lambda t: t[:2])


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Every standard found: the entry point group first, then the built-in packages the group did not list."""
    standards: dict[str, Standard] = {}
    transitions: list[Transition] = []
    problems: list[Problem] = []
    listed = {value: (dist, value, load) for dist, value, load in _entry_points()}
    # the built-in packages first (in BUILTIN's order, from the group or, when it lacks them, directly), then
    # third-party ones in the order of their distribution names
    sources: list[tuple[str, str, Callable[[], Any], bool]] = [
        (*listed.pop(module, (module, module, lambda m=module: importlib.import_module(m))), True)
        for module in BUILTIN.values()]
    sources += [(dist, value, load, False) for dist, value, load in listed.values()]
    for dist, value, load, builtin in sources:
        package = dist if dist == value else f"{dist} ({value})"
        try:
            folder = _folder(load())
            found, moves = _package(package, folder, builtin)
        except StandardError as e:
            problems.append(Problem(package, e.file, e.message))
            continue
        except Exception as e:  # a package whose code fails to import: set aside, never a traceback
            problems.append(Problem(package, value, f"cannot be loaded ({e.__class__.__name__}: {e})"))
            continue
        clash = [s.name for s in found if s.name in standards]
        if clash:
            problems.append(Problem(package, MANIFEST, f"'{clash[0]}' is already provided by "
                                                       f"{standards[clash[0]].package}"))
            continue
        standards.update((s.name, s) for s in found)
        transitions.extend(moves)
    return Registry(standards, tuple(transitions), tuple(problems))


def names() -> tuple[str, ...]:
    """The standards a project may declare, built-in first, each family's editions in order."""
    return tuple(registry().standards)


def get(name: str) -> Standard:
    return registry().standards[name]


def find(name: str) -> Optional[Standard]:
    return registry().standards.get(name)


def problems() -> tuple[Problem, ...]:
    return registry().problems


def transitions() -> tuple[Transition, ...]:
    return registry().transitions


# The standard's own words in other languages: translations/<language>/<source file> beside each source data
# file of a package (docs/standards.md). A translation gives text only; numbers, kinds and ids stay the source's.

TRANSLATIONS = "translations"
#: a translation file's own header (not words of the source)
TRANSLATION_HEADER = ("language", "reviewed", "titles_source", "sources")
#: the lists of a source file whose entries a translation names by id, and the key of each entry's id
TRANSLATED_LISTS = {"clauses": "number", "checks": "id", "topics": "key", "editions": "name", "retired": "key",
                    "mappings": "from"}
#: another name a translation may give a list by (a gates file's ``checks:`` as ``gates:``)
LIST_ALIASES = {"gates": "checks"}
#: keys whose values are codes, numbers, references or sources, never words: a translation may not give them
NOT_WORDS = frozenset({"number", "parent", "exclusion", "kind", "condition", "if_true", "change", "sources",
                       "id", "stage", "clauses", "key", "catalog", "gates", "registers", "mapping", "topics",
                       "from", "to", "url", "hs", "standard", "from_standard", "to_standard", "amendments",
                       "clause", "record_kind", "provisional", "confidence", "date", "roles", "examples",
                       "window_months", "window_max", "states_exclusion_test", "records_until_review", "plan",
                       "programme", "register", "documented", "checks"})


@dataclass(frozen=True)
class Translation:
    """One translation file, checked against its source: plain values (str, list, dict) only."""

    language: str
    file: str  # "translations/de/iso9001-2015.yaml", as problems name it
    reviewed: bool
    top: Mapping[str, Any]  # the source's top-level words (exclusion_test, ...), translated
    #: per translated list (clauses, checks, ...): entry id -> its translated fields
    entries: Mapping[str, Mapping[str, Mapping[str, Any]]]


def translation_file(source: str, language: str) -> str:
    """Where the translation of a package's ``source`` file into ``language`` sits, inside the package."""
    return f"{TRANSLATIONS}/{language}/{source}"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):  # a null is a value not given: it falls back to the source's
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return None if value is None else str(value)


def _line(value: Any, parent: Any = None, key: Any = None) -> int:
    """The line of ``value`` (``parent[key]``) in its file, as the located YAML of core/load.py keeps it."""
    if parent is not None and hasattr(parent, "loc_of"):
        return parent.loc_of(key).line
    loc = getattr(value, "loc", None)
    return loc.line if loc else 1


def _key_line(parent: Any, key: Any) -> int:
    """The line of a mapping's key (the place to point at when the key itself is wrong)."""
    loc = getattr(parent, "key_locs", {}).get(key)
    return loc.line if loc else _line(None, parent, key)


def _same_shape(file: str, where: str, value: Any, source: Any, line: int) -> None:
    """A translated value has its source's shape: text for text, a list of the same length, a mapping whose keys
    the source has; anything else is refused naming the line."""
    if isinstance(source, str):
        if not isinstance(value, str) or not value.strip():
            raise StandardError(file, f"line {line}: {where} should be text, as in the source")
    elif isinstance(source, list):
        if not isinstance(value, list) or len(value) != len(source):
            raise StandardError(file, f"line {line}: {where} should be a list of {len(source)} "
                                      f"(the source's count and order), not {_count(value)}")
        for i, (item, src) in enumerate(zip(value, source)):
            _same_shape(file, f"{where}[{i + 1}]", item, src, _line(item, value, i))
    elif isinstance(source, dict):
        if not isinstance(value, dict):
            raise StandardError(file, f"line {line}: {where} should be a mapping, as in the source")
        for key, item in value.items():
            if item is None:
                continue
            if key in NOT_WORDS or key not in source or source[key] is None:
                raise StandardError(file, f"line {_key_line(value, key)}: {where}.{key} is not text the "
                                          f"source gives: it cannot be translated")
            _same_shape(file, f"{where}.{key}", item, source[key], _line(item, value, key))
    else:
        raise StandardError(file, f"line {line}: {where} is not text in the source: it cannot be translated")


def _count(value: Any) -> str:
    return f"{len(value)} items" if isinstance(value, list) else "one value"


def check_translation(text: str, file: str, language: str, source: Mapping[str, Any]) -> Translation:
    """A translation's text checked against its source's data; StandardError (naming the line) when broken."""
    from isoready.core.load import parse_text

    data, diags = parse_text(text, file)
    if diags:
        raise StandardError(file, f"line {diags[0].line}: {diags[0].message}")
    if not isinstance(data, dict):
        raise StandardError(file, "line 1: should be a mapping (language:, reviewed:, clauses: ...)")
    if str(data.get("language") or "") != language:
        raise StandardError(file, f"line {_line(data.get('language'), data, 'language')}: 'language:' should "
                                  f"say {language}, the folder it is in")
    reviewed = str(data.get("reviewed", "false")).strip().lower()
    if reviewed not in ("true", "false"):
        raise StandardError(file, f"line {_line(None, data, 'reviewed')}: 'reviewed:' is true or false")
    top: dict[str, Any] = {}
    entries: dict[str, dict[str, dict[str, Any]]] = {}
    for key, value in data.items():
        line = _line(value, data, key)
        if key in TRANSLATION_HEADER:
            continue
        key = LIST_ALIASES.get(key, key) if LIST_ALIASES.get(key) in source else key
        if key in TRANSLATED_LISTS and isinstance(source.get(key), list):
            entries[key] = _entries(file, key, value, source[key], line)
        elif key in source and key not in NOT_WORDS and isinstance(source[key], (str, dict)):
            _same_shape(file, key, value, source[key], line)
            top[key] = _plain(value)
        else:
            raise StandardError(file, f"line {_key_line(data, key)}: '{key}:' is not text the source file gives")
    return Translation(language, file, reviewed == "true", top, entries)


def _entries(file: str, key: str, value: Any, rows: list, line: int) -> dict[str, dict[str, Any]]:
    id_key = TRANSLATED_LISTS[key]
    if not isinstance(value, dict):
        raise StandardError(file, f"line {line}: '{key}:' should be a mapping of {id_key} to its words")
    by_id = {str(r.get(id_key)): r for r in rows if isinstance(r, dict)}
    out = {}
    for entry, fields in value.items():
        where = _line(fields, value, entry)
        if entry not in by_id:
            raise StandardError(file, f"line {_key_line(value, entry)}: {key} '{entry}' is not in the source file: "
                                      f"translate only what the source has")
        if not isinstance(fields, dict):
            raise StandardError(file, f"line {where}: {key} '{entry}' should be a mapping of its words")
        _same_shape(file, f"{key} '{entry}'", fields, by_id[entry], where)
        out[str(entry)] = _plain(fields)
    return out


def read_translation(folder: Path, source: str, language: str, data: Optional[Mapping[str, Any]] = None
                     ) -> Optional[Translation]:
    """The translation of ``source`` (a file of the package in ``folder``) into ``language``, checked against the
    source's ``data`` (read here when not given); None when there is none. A broken file raises StandardError."""
    file = translation_file(source, language)
    path = folder / file
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise StandardError(file, f"cannot be read ({e.__class__.__name__})") from None
    return check_translation(text, file, language, data if data is not None else _read(folder, source))


def _translated_or_none(folder: Path, source: str, language: str) -> Optional[Translation]:
    """A translation, or None when there is none or it is broken (translation_problems says why)."""
    try:
        return read_translation(folder, source, language)
    except StandardError:
        return None


@lru_cache(maxsize=64)  # editions x languages: a handful
def in_language(name: str, language: str) -> Standard:
    """The edition ``name`` with the words of its gate checks (its gates file's translation: ``checks:`` by id)
    and of its manifest (standard.yaml's: ``editions:`` by name, with ``words``, ``review_inputs`` and
    ``conditions``) in ``language`` where its package translates them; the English words elsewhere."""
    found = get(name)
    if language == "en":
        return found
    gates = found.gates
    manifest = _translated_or_none(found.folder, MANIFEST, language)
    edition = (manifest.entries.get("editions", {}) if manifest else {}).get(name, {})
    row = next((r for r in (_read(found.folder, MANIFEST).get("editions") or ()) if r.get("name") == name), {})
    checks = _translated_or_none(found.folder, str(row.get("gates")), language) if row.get("gates") else None
    if checks:
        words = checks.entries.get("checks", {})
        gates = tuple(replace(g, title=words.get(g.id, {}).get("title", g.title),
                              missing=words.get(g.id, {}).get("missing", g.missing),
                              options={**g.options, **{k: v for k, v in words.get(g.id, {}).items()
                                                       if k in g.options}})
                      for g in gates)
    conditions = {k: {**v, **edition.get("conditions", {}).get(k, {})} for k, v in found.conditions.items()}
    return replace(found, gates=gates, words={**found.words, **edition.get("words", {})},
                   review_input_words={**found.review_input_words, **edition.get("review_inputs", {})},
                   conditions=conditions)


@lru_cache(maxsize=64)  # editions x languages: a handful
def translation_problems(language: str) -> tuple[Problem, ...]:
    """Every translation into ``language`` of every package checked: a broken one (set aside: the words fall
    back to English) as a Problem naming the package, the file and the line."""
    found: list[Problem] = []
    folders = {s.folder: s.package for s in registry().standards.values()}
    for folder, package in folders.items():
        here = folder / TRANSLATIONS / language
        for path in sorted(here.glob("*.yaml")) if here.is_dir() else ():
            try:
                if not (folder / path.name).is_file():
                    raise StandardError(translation_file(path.name, language),
                                        f"translates '{path.name}', which the package does not have")
                read_translation(folder, path.name, language)
            except StandardError as e:
                found.append(Problem(package, e.file, e.message))
    return tuple(found)
