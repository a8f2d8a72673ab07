"""The standard's own words in other languages (issue 26): translations/<lang>/<file> beside a standard's data,
read for the build's language, each field falling back to English (and marked lang="en" on the page) where the
translation lacks it; a broken translation said plainly, never a traceback."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from isoready import standards
from isoready.core.i18n import speaking
from isoready.package.build import Options, build
from isoready.read import catalog as catalog_module
from isoready.read.catalog import load_catalog, parse_catalog

EDITION = "ISO 9001:2015"
PACKAGE = Path(standards.get(EDITION).folder)
GERMAN = PACKAGE / "translations" / "de" / "iso9001-2015.yaml"
ABOUT_7152_EN = load_catalog(EDITION, "en")["7.1.5.2"].about


@pytest.fixture
def fresh_catalogs():
    """Catalogs read anew (the loader keeps one per edition and language for the process)."""
    catalog_module._load.cache_clear()
    yield
    catalog_module._load.cache_clear()


def test_german_catalog_has_the_national_title_and_our_german_guidance():
    c = load_catalog(EDITION, "de")
    clause = c["7.1.5.2"]
    assert clause.title == "Messtechnische Rückführbarkeit"
    assert clause.about.startswith("Gilt, wo messtechnische Rückführbarkeit gefordert ist")
    assert clause.english == frozenset() and clause.lang("about") == "" and clause.lang("name") == ""
    assert c["4.4.1"].title is None and c["4.4.1"].label == "QM-Prozesse und ihre Wechselwirkungen"
    assert c.exclusion_test.startswith("Eine Anforderung darf nur dann als nicht zutreffend erklärt werden")
    assert c.language == "de" and c.english == frozenset() and c.reviewed is False  # reviewed: false in its header
    assert load_catalog(EDITION, "en").reviewed is True
    # numbers, kinds and conditions stay the source's: only words change
    english = load_catalog(EDITION, "en")
    assert [(x.number, x.parent, x.exclusion, x.children) for x in c.clauses] == \
        [(x.number, x.parent, x.exclusion, x.children) for x in english.clauses]
    assert [(d.kind, d.condition, d.if_true) for x in c.clauses for d in x.documented_information] == \
        [(d.kind, d.condition, d.if_true) for x in english.clauses for d in x.documented_information]


def test_the_catalog_is_read_in_the_active_language_by_default():
    assert load_catalog(EDITION).language == "en"
    with speaking("de"):
        assert load_catalog(EDITION)["7.1.5.2"].title == "Messtechnische Rückführbarkeit"
    assert load_catalog(EDITION)["7.1.5.2"].title == "Measurement traceability"


def test_every_clause_of_the_2015_catalog_has_german_guidance_with_the_english_counts():
    english = load_catalog(EDITION, "en")
    german = load_catalog(EDITION, "de")
    data = yaml.safe_load(GERMAN.read_text(encoding="utf-8"))
    assert set(data["clauses"]) == {c.number for c in english.clauses}
    assert data["language"] == "de" and data["reviewed"] is False
    for en in english.clauses:
        de = german[en.number]
        assert de.about and de.about != en.about, en.number
        assert len(de.evidence_asked) == len(en.evidence_asked), en.number
        assert len(de.documented_information) == len(en.documented_information), en.number
        assert all(d.what != e.what for d, e in zip(de.documented_information, en.documented_information))
        assert (de.label is None) == (en.label is None), en.number
        assert de.english == frozenset(), (en.number, de.english)


def test_every_german_title_says_how_sure_we_are_of_it():
    """Each title's comment gives its confidence; the sources it names are in the file's sources."""
    text = GERMAN.read_text(encoding="utf-8")
    ids = {s["id"] for s in yaml.safe_load(text)["sources"]}
    titles = [line for line in text.splitlines() if line.startswith("    title: ")]
    assert len(titles) == sum(1 for c in load_catalog(EDITION, "en").clauses if c.title is not None)
    for line in titles:
        found = re.search(r"# (high|medium|low)\b(.*)$", line)
        assert found, line
        if found.group(1) == "high":
            named = re.findall(r"[a-z0-9-]+", found.group(2))
            assert named and set(named) <= ids, line


def _without(field: str, number: str):
    original = standards.read_translation

    def reading(*args, **kwargs):
        found = original(*args, **kwargs)
        if found is None or "clauses" not in found.entries:  # the gates', words' and topics' files
            return found
        clauses = {k: dict(v) for k, v in found.entries["clauses"].items()}
        clauses.get(number, {}).pop(field, None)  # the 2026 file may lack it already
        return replace(found, entries={**found.entries, "clauses": clauses})
    return reading


def test_a_field_the_translation_lacks_falls_back_to_english_and_is_marked(monkeypatch, fresh_catalogs):
    monkeypatch.setattr(standards, "read_translation", _without("about", "7.1.5.2"))
    clause = load_catalog(EDITION, "de")["7.1.5.2"]
    assert clause.about == ABOUT_7152_EN
    assert clause.english == frozenset({"about"}) and clause.lang("about") == "en"
    assert clause.title == "Messtechnische Rückführbarkeit" and clause.lang("name") == ""


def test_the_clause_page_marks_english_guidance_lang_en(monkeypatch, fresh_catalogs, minimal_project, tmp_path):
    monkeypatch.setattr(standards, "read_translation", _without("about", "7.1.5.2"))
    out = tmp_path / "site"
    with speaking("de"):
        assert build(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, use_cache=False)).ok
    page = (out / "clauses" / "7.1.5.2.html").read_text(encoding="utf-8")
    assert f'<p lang="en">{ABOUT_7152_EN}</p>' in page
    assert "Messtechnische Rückführbarkeit" in page
    assert '<span lang="en">' not in page.split("<h1>", 1)[1].split("</h1>", 1)[0]  # the German title is not marked
    german_list = "<ul><li>Auf nationale oder internationale Normale rückgeführte Kalibrierzertifikate</li>"
    assert german_list in page  # translated words carry no lang
    index = (out / "clauses.html").read_text(encoding="utf-8")
    assert "Messtechnische Rückführbarkeit" in index and "Measurement traceability" not in index


def test_documented_information_that_stays_english_is_marked_in_the_mandatory_table(monkeypatch, fresh_catalogs,
                                                                                     minimal_project, tmp_path):
    monkeypatch.setattr(standards, "read_translation", _without("documented_information", "4.3"))
    out = tmp_path / "site"
    with speaking("de"):
        assert build(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, use_cache=False)).ok
    page = (out / "clauses" / "4.3.html").read_text(encoding="utf-8")
    what = load_catalog(EDITION, "en")["4.3"].documented_information[0].what
    assert f'<span lang="en">{what}</span>' in page
    assert "Festlegen des Anwendungsbereichs des Qualitätsmanagementsystems" in page


def test_a_title_the_translation_lacks_is_marked_on_the_clause_index(monkeypatch, fresh_catalogs, minimal_project,
                                                                    tmp_path):
    monkeypatch.setattr(standards, "read_translation", _without("title", "7.1.5.2"))
    out = tmp_path / "site"
    with speaking("de"):
        assert build(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, use_cache=False)).ok
    index = (out / "clauses.html").read_text(encoding="utf-8")
    assert '<span class="num">7.1.5.2</span> <span lang="en">Measurement traceability</span>' in index
    assert '<span lang="en">Kompetenz</span>' not in index and "Kompetenz" in index


def _package_copy(tmp_path: Path, text: str) -> standards.Standard:
    folder = tmp_path / "iso9001"
    shutil.copytree(PACKAGE, folder)
    (folder / "translations" / "de" / "iso9001-2015.yaml").write_text(text, encoding="utf-8")
    found = standards.get(EDITION)
    return replace(found, folder=folder, catalog=folder / found.catalog.name)


BROKEN = [
    ("clauses:\n  \"4.1\":\n    about: \"unclosed\n", "line 3"),
    ("language: de\nclauses:\n  \"4.1\":\n    about: \"Ja\"\n  \"9.9.9\":\n    about: \"Nein\"\n",
     "line 5: clauses '9.9.9' is not in the source file: translate only what the source has"),
    ("language: de\nclauses:\n  \"4.1\":\n    evidence_asked: [\"eins\", \"zwei\"]\n",
     "line 4: clauses '4.1'.evidence_asked should be a list of 3 (the source's count and order), not 2 items"),
    ("language: de\nclauses:\n  \"4.1\":\n    exclusion: rare\n",
     "line 4: clauses '4.1'.exclusion is not text the source gives: it cannot be translated"),
    ("language: fr\nclauses: {}\n", "line 1: 'language:' should say de, the folder it is in"),
    ("language: de\nreviewed: maybe\n", "line 2: 'reviewed:' is true or false"),
    ("language: de\ntitle_of_everything: x\n", "line 2: 'title_of_everything:' is not text the source file gives"),
]


@pytest.mark.parametrize("text,message", BROKEN)
def test_a_broken_translation_is_a_problem_naming_file_and_line(tmp_path, text, message):
    found = _package_copy(tmp_path, text)
    with pytest.raises(standards.StandardError) as caught:
        standards.read_translation(found.folder, found.catalog.name, "de")
    assert caught.value.file == "translations/de/iso9001-2015.yaml"
    assert message in caught.value.message
    # the catalog is still read: every word in English, each marked
    c = parse_catalog(found.catalog.read_text(encoding="utf-8"), found, "de")
    assert c["4.1"].about == load_catalog(EDITION, "en")["4.1"].about
    assert c["4.1"].english == frozenset({"title", "about", "evidence_asked"}) and c.english == {"exclusion_test"}


def test_translation_problems_name_the_package_file_and_line(monkeypatch, tmp_path):
    found = _package_copy(tmp_path, "language: de\nclauses:\n  \"4.1\":\n    about: [\"a list\"]\n")
    (found.folder / "translations" / "de" / "nothing.yaml").write_text("language: de\n", encoding="utf-8")
    registry = standards.Registry({EDITION: found}, (), ())
    monkeypatch.setattr(standards, "registry", lambda: registry)
    standards.translation_problems.cache_clear()
    try:
        problems = [str(p) for p in standards.translation_problems("de")]
    finally:
        standards.translation_problems.cache_clear()
    assert problems == [
        f"{found.package}: translations/de/iso9001-2015.yaml: line 4: clauses '4.1'.about should be text, as in the "
        "source",
        f"{found.package}: translations/de/nothing.yaml: translates 'nothing.yaml', which the package does not have"]


def test_the_shipped_translations_have_no_problems():
    for language in ("de", "fr", "es", "ja"):
        assert standards.translation_problems(language) == (), language


def test_english_is_the_source_and_marks_nothing():
    c = load_catalog(EDITION, "en")
    assert c.language == "en" and c.english == frozenset()
    assert all(x.english == frozenset() for x in c.clauses)
    assert c["7.1.5.2"].title == "Measurement traceability"


def test_a_language_with_no_translation_shows_english_marked(fresh_catalogs):
    c = load_catalog(EDITION, "fr")
    assert c["7.1.5.2"].title == "Measurement traceability" and c["7.1.5.2"].lang("name") == "en"
    assert c["7.1.5.2"].english == frozenset({"title", "about", "evidence_asked", "documented_information"})


def test_gate_titles_and_the_standards_words_are_translated_in_the_same_format(monkeypatch, tmp_path):
    """translations/<lang>/gates.yaml (checks: by id) and standard.yaml (editions: by name) beside the source."""
    found = _package_copy(tmp_path, GERMAN.read_text(encoding="utf-8"))
    here = found.folder / "translations" / "de"
    (here / "gates.yaml").write_text('language: de\nchecks:\n  scope:\n    title: "Anwendungsbereich des QMS '
                                     'dokumentiert (4.3)"\n    missing: "legt den Anwendungsbereich fest"\n',
                                     encoding="utf-8")
    (here / "standard.yaml").write_text('language: de\neditions:\n  "ISO 9001:2015":\n    words:\n      policy: '
                                        '"Qualitätspolitik"\n    conditions:\n      traceability:\n        words: '
                                        '"Rückverfolgbarkeit der Ergebnisse"\n', encoding="utf-8")
    registry = standards.Registry({EDITION: found}, (), ())
    monkeypatch.setattr(standards, "registry", lambda: registry)
    standards.in_language.cache_clear()
    standards.translation_problems.cache_clear()
    try:
        german = standards.in_language(EDITION, "de")
        assert standards.translation_problems("de") == ()
    finally:
        standards.in_language.cache_clear()
        standards.translation_problems.cache_clear()
    scope = next(g for g in german.gates if g.id == "scope")
    assert (scope.title, scope.missing) == ("Anwendungsbereich des QMS dokumentiert (4.3)",
                                            "legt den Anwendungsbereich fest")
    assert [(g.id, g.kind, g.clauses) for g in german.gates] == [(g.id, g.kind, g.clauses) for g in found.gates]
    policy = next(g for g in german.gates if g.id == "policy")
    assert policy.title == "Quality policy documented (5.2)"  # not translated: English
    assert german.words["policy"] == "Qualitätspolitik" and german.words["system_short"] == "QMS"
    assert german.conditions["traceability"]["words"] == "Rückverfolgbarkeit der Ergebnisse"
    assert german.conditions["traceability"]["clause"] == "8.5.2"


def test_general_sub_clauses_carry_their_parents_title_in_every_language():
    from isoready.views.labels import display_name

    assert display_name(load_catalog(EDITION, "en"), "7.1.1") == "General (Resources)"
    german = load_catalog(EDITION, "de")
    assert display_name(german, "7.1.1") == "Allgemeines (Ressourcen)"
    assert german["7.1.1"].source_name == "General" and german["4.4.1"].source_name == "QMS processes and their interaction"


def test_a_german_build_marks_nothing_english_on_its_clause_pages(fresh_catalogs, minimal_project, tmp_path):
    """The German catalog is complete: no clause page or the clause index has an element marked lang="en"."""
    out = tmp_path / "site"
    with speaking("de"):
        assert build(Options(root=minimal_project, as_of=date(2026, 11, 1), output=out, use_cache=False)).ok
    pages = sorted((out / "clauses").glob("*.html")) + [out / "clauses.html"]
    assert len(pages) == len(load_catalog(EDITION, "en").clauses) + 1
    marked = re.compile(r'(?<!<html )lang="en"')  # <html lang> is the build's language (another test's)
    assert [p.name for p in pages if marked.search(p.read_text(encoding="utf-8"))] == []
    assert "Gilt, wo messtechnische Rückführbarkeit gefordert ist" in (out / "clauses" / "7.1.5.2.html").read_text(
        encoding="utf-8")


def test_transition_topics_take_their_words_from_the_translation(monkeypatch, tmp_path):
    move = next(t for t in standards.transitions() if t.topics is not None)
    folder = tmp_path / "iso9001"
    shutil.copytree(move.topics.parent, folder)
    (folder / "translations" / "de" / "transition-topics.yaml").write_text(
        'language: de\ntopics:\n  quality-culture-ethics:\n    title: "Qualitätskultur und ethisches Verhalten"\n',
        encoding="utf-8")
    moved = replace(move, mapping=folder / move.mapping.name, topics=folder / move.topics.name)
    monkeypatch.setattr(standards, "transitions", lambda: (moved,))
    catalog_module._topics.cache_clear()
    try:
        german, english = catalog_module.load_topics("de"), catalog_module.load_topics("en")
    finally:
        catalog_module._topics.cache_clear()
    assert german.topics[0].title == "Qualitätskultur und ethisches Verhalten"
    assert german.topics[0].look_for == english.topics[0].look_for  # not translated: English
    assert german.keys == english.keys and german.dates == english.dates


def test_a_gates_translation_may_name_its_checks_gates(tmp_path):
    found = _package_copy(tmp_path, GERMAN.read_text(encoding="utf-8"))
    (found.folder / "translations" / "de" / "gates.yaml").write_text(
        'language: de\ngates:\n  scope:\n    title: "Anwendungsbereich dokumentiert (4.3)"\n', encoding="utf-8")
    translation = standards.read_translation(found.folder, "gates.yaml", "de")
    assert translation.entries == {"checks": {"scope": {"title": "Anwendungsbereich dokumentiert (4.3)"}}}


def test_the_wheel_ships_every_translation():
    """pyproject.toml's package data names the translation files (a wheel builds in any language)."""
    import fnmatch
    import tomllib

    repo = Path(__file__).resolve().parents[2]
    globs = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["isoready"]
    files = sorted((repo / "isoready" / "standards").glob("*/translations/*/*.yaml"))
    assert GERMAN in files
    for path in files:
        name = path.relative_to(repo / "isoready").as_posix()
        assert any(fnmatch.fnmatch(name, g) and name.count("/") == g.count("/") for g in globs), name
