"""The German text of the standard packages' data (issue 26) is complete and shaped like its English source.

Each translation file (standards/<package>/translations/<lang>/<source file name>) mirrors its source: the
same ids (clause numbers, check ids, topic keys, edition names), only the source's text fields, lists of the
same length and order. A missing field would quietly fall back to English on a German page; a key the
source lacks would be a translation of nothing (a typo in a clause number, a renamed check). Every string is
non-empty and differs from its English (bar names and codes), so nothing was left untranslated by copying.
Files are read with isoready's own loader (isoready.core.load), as the build reads them.
"""
from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import pytest

from isoready.core.load import load_file

REPO = Path(__file__).resolve().parents[2]
STANDARDS = REPO / "isoready" / "standards"

#: (package, language, source file) of each translation this test holds complete
COMPLETE = [
    ("iso9001", "de", "iso9001-2026.yaml"),
    ("iso9001", "de", "iso9001-2015-2026.yaml"),
    ("iso9001", "de", "transition-topics.yaml"),
    ("iso9001", "de", "gates.yaml"),
    ("iso9001", "de", "standard.yaml"),
    ("iso14001", "de", "iso14001-2015.yaml"),
    ("iso14001", "de", "gates.yaml"),
    ("iso14001", "de", "standard.yaml"),
]
#: header keys of every translation file (not text of the source)
HEADER = {"language", "reviewed", "titles_source", "sources"}
#: translated strings that may equal their English: names and abbreviations
SAME_AS_ENGLISH: set[str] = set()
#: fields a translation may leave out: a clause title (kept in English where the national adoption's wording
#: is not known), the publisher's name
OPTIONAL = re.compile(r"^clauses/[^/]+/title$|^editions/[^/]+/words/publisher$")


def _load(path: Path) -> Any:
    value, diags = load_file(path, path.name)
    assert not diags, [str(d) for d in diags]
    return value


def _text(value: Any) -> Any:
    """A source value as text only: strings kept, None dropped, nested maps and lists followed."""
    if isinstance(value, dict):
        out = {k: _text(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None}
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def _catalog(src: dict) -> dict:
    clauses = {}
    for c in src["clauses"]:
        entry: dict[str, Any] = {"about": c["about"], "evidence_asked": list(c["evidence_asked"])}
        if c.get("title"):
            entry["title"] = c["title"]
        if c.get("label"):
            entry["label"] = c["label"]
        if c["documented_information"]:
            entry["documented_information"] = [
                {"what": d["what"], **({"when": d["when"]} if d.get("when") else {})}
                for d in c["documented_information"]]
        clauses[c["number"]] = entry
    return {**{k: src[k] for k in ("exclusion_test", "provisional_note") if src.get(k)}, "clauses": clauses}


def _mapping(src: dict) -> dict:
    return {"provisional_note": src["provisional_note"], "mappings": {m["from"]: {"note": m["note"]}
                                                                      for m in src["mappings"]}}


def _topics(src: dict) -> dict:
    def pick(entry: dict, keys: tuple[str, ...]) -> dict:
        return {k: entry[k] for k in keys if entry.get(k)}
    return {"topics": {t["key"]: pick(t, ("title", "look_for", "note")) for t in src["topics"]},
            "retired": {t["key"]: pick(t, ("why",)) for t in src.get("retired", [])},
            "transition": {k: pick(v, ("note", "reported")) for k, v in src["transition"].items()
                           if isinstance(v, dict) and pick(v, ("note", "reported"))}}


def _gates(src: dict) -> dict:
    return {"checks": {c["id"]: {k: c[k] for k in ("title", "missing") if c.get(k)} for c in src["checks"]}}


def _standard(src: dict) -> dict:
    editions = {}
    for e in src["editions"]:
        parts = {
            "conditions": {k: {f: v[f] for f in ("words", "help") if v.get(f)} for k, v in e["conditions"].items()},
            "review_inputs": dict(e["review_inputs"]),
            "words": dict(e["words"])}
        editions[e["name"]] = {k: v for k, v in parts.items() if v}  # ISO 14001 declares no conditions
    return {"editions": editions}


SHAPES = {"iso9001-2026.yaml": _catalog, "iso14001-2015.yaml": _catalog, "iso9001-2015-2026.yaml": _mapping, "transition-topics.yaml": _topics,
          "gates.yaml": _gates, "standard.yaml": _standard}


def _compare(tr: Any, en: Any, path: str, problems: list[str]) -> None:
    if isinstance(en, dict):
        if not isinstance(tr, dict):
            problems.append(f"{path}: a mapping expected")
            return
        for key in tr.keys() - en.keys():
            problems.append(f"{path}/{key}: the source has no such key")
        for key, value in en.items():
            where = f"{path}/{key}".lstrip("/")
            if key not in tr:
                if not OPTIONAL.match(where):
                    problems.append(f"{where}: missing")
                continue
            _compare(tr[key], value, where, problems)
    elif isinstance(en, list):
        if not isinstance(tr, list) or len(tr) != len(en):
            problems.append(f"{path}: {len(en)} items in the source, "
                            f"{len(tr) if isinstance(tr, list) else 'no list'} here")
            return
        for i, (t, e) in enumerate(zip(tr, en)):
            _compare(t, e, f"{path}[{i}]", problems)
    else:
        if not isinstance(tr, str) or not tr.strip():
            problems.append(f"{path}: empty")
        elif tr.strip() == str(en).strip() and tr not in SAME_AS_ENGLISH:
            problems.append(f"{path}: same as the English ({tr!r})")


@pytest.mark.parametrize("package,lang,name", COMPLETE, ids=[f"{p}/{la}/{n}" for p, la, n in COMPLETE])
def test_translation_mirrors_its_source(package: str, lang: str, name: str) -> None:
    source = _load(STANDARDS / package / name)
    translation = _load(STANDARDS / package / "translations" / lang / name)
    assert translation["language"] == lang
    assert translation["reviewed"] in ("true", "false")
    expected = SHAPES[name](_text(source))
    problems: list[str] = []
    _compare({k: v for k, v in translation.items() if k not in HEADER}, expected, "", problems)
    assert problems == []


def test_titles_only_where_the_2015_title_is_kept() -> None:
    """A German title is DIN EN ISO 9001:2015's: given only where ISO 9001:2026 kept the 2015 English title."""
    old = {c["number"]: c["title"] for c in _load(STANDARDS / "iso9001" / "iso9001-2015.yaml")["clauses"]}
    new = {c["number"]: c["title"] for c in _load(STANDARDS / "iso9001" / "iso9001-2026.yaml")["clauses"]}
    de = _load(STANDARDS / "iso9001" / "translations" / "de" / "iso9001-2026.yaml")
    titled = {n for n, c in de["clauses"].items() if "title" in c}
    assert titled == {n for n, t in new.items() if t and old.get(n) == t}
    assert de["titles_source"].startswith("DIN EN ISO 9001:2015")
    assert de["clauses"]["8.7"]["title"] == "Steuerung nichtkonformer Ergebnisse"
    assert "title" not in de["clauses"]["9.3.3"]  # retitled in 2026 ('results'): no German adoption known


def test_every_iso14001_clause_has_its_german_title() -> None:
    """DIN EN ISO 14001:2015's titles are known for every clause: none stays English on a German page."""
    en = {c["number"] for c in _load(STANDARDS / "iso14001" / "iso14001-2015.yaml")["clauses"]}
    de = _load(STANDARDS / "iso14001" / "translations" / "de" / "iso14001-2015.yaml")
    assert {n for n, c in de["clauses"].items() if c.get("title")} == en
    assert de["clauses"]["6.1.3"]["title"] == "Bindende Verpflichtungen"
    assert de["clauses"]["8.2"]["title"] == "Notfallvorsorge und Gefahrenabwehr"


def test_a_translation_is_shipped_in_the_wheel() -> None:
    """pyproject's package data takes every translation file (they sit one folder deeper, per language)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    globs = re.search(r"^isoready = \[(.*)\]$", text, re.M)
    assert globs
    patterns = re.findall(r'"([^"]+)"', globs.group(1))
    for package, lang, name in COMPLETE:
        rel = f"standards/{package}/translations/{lang}/{name}"
        assert any(fnmatch.fnmatchcase(rel, p) and p.count("/") == rel.count("/") for p in patterns), rel
