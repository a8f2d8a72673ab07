"""The Japanese translation of the ISO 9001:2015 catalog (issue 26) keeps the shape of the English one.

i18n-plan's format: one entry per clause of the source catalog; a title only where the source has an official
title (JIS Q 9001's wording), a label only where the source has our label; guidance (about) for every clause;
lists the same length as the English; marked not reviewed until a fluent speaker has read it.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

PACKAGE = Path(__file__).resolve().parents[2] / "isoready" / "standards" / "iso9001"
SOURCE = yaml.safe_load((PACKAGE / "iso9001-2015.yaml").read_text(encoding="utf-8"))
JA = yaml.safe_load((PACKAGE / "translations" / "ja" / "iso9001-2015.yaml").read_text(encoding="utf-8"))
ENGLISH = {c["number"]: c for c in SOURCE["clauses"]}
JAPANESE_TEXT = re.compile(r"[\u3041-\u309f\u30a1-\u30ff\u4e00-\u9fff]")
FIELDS = {"title", "label", "about", "evidence_asked", "documented_information"}


def test_header_says_japanese_not_reviewed_and_where_titles_come_from() -> None:
    assert JA["language"] == "ja"
    assert JA["reviewed"] is False
    assert "JIS Q 9001:2015" in JA["titles_source"]
    assert JA["sources"] and all({"id", "what", "url"} <= set(s) for s in JA["sources"])
    assert JAPANESE_TEXT.search(JA["exclusion_test"])


def test_every_clause_of_the_catalog_has_japanese_guidance_and_no_other() -> None:
    assert list(JA["clauses"]) == list(ENGLISH)  # same clauses, same order
    for number, clause in JA["clauses"].items():
        assert set(clause) <= FIELDS, (number, set(clause) - FIELDS)
        assert JAPANESE_TEXT.search(clause["about"]), number


def test_titles_only_where_the_standard_titles_a_clause_labels_only_where_we_do() -> None:
    for number, clause in JA["clauses"].items():
        assert ("title" in clause) == (ENGLISH[number]["title"] is not None), number
        assert ("label" in clause) == (ENGLISH[number]["label"] is not None), number
    assert JA["clauses"]["7.1.5.2"]["title"] == "測定のトレーサビリティ"
    assert JA["clauses"]["9.3"]["title"] == "マネジメントレビュー"


def test_lists_match_the_english_in_count_and_conditions() -> None:
    for number, clause in JA["clauses"].items():
        english = ENGLISH[number]
        assert len(clause["evidence_asked"]) == len(english["evidence_asked"]), number
        assert all(JAPANESE_TEXT.search(e) for e in clause["evidence_asked"]), number
        documents = clause.get("documented_information", [])
        assert len(documents) == len(english["documented_information"]), number
        for ja, en in zip(documents, english["documented_information"]):
            assert set(ja) <= {"what", "when"} and JAPANESE_TEXT.search(ja["what"]), number
            assert ("when" in ja) == bool(en["when"]), number  # a condition is translated where there is one


def test_the_wheel_ships_the_japanese_catalog() -> None:
    """A package-data glob (setuptools: one * never crosses a folder) names translations/ja/iso9001-2015.yaml."""
    import tomllib
    from pathlib import PurePosixPath

    root = PACKAGE.parents[2]
    globs = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["isoready"]
    rel = PurePosixPath("standards/iso9001/translations/ja/iso9001-2015.yaml")
    assert (root / "isoready" / rel).is_file()
    assert any(len(PurePosixPath(g).parts) == len(rel.parts) and rel.match(g) for g in globs), globs
